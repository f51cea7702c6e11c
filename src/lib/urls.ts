// URL checks for webhook targets. Real Mailgun also resolves the host by DNS; a local mock must
// never touch the network to validate, so only the syntax is checked (docs/api-coverage.md).

/**
 * The base URL a local client uses for a server bound to `host`: a wildcard bind (`0.0.0.0`, `::`)
 * is reached through loopback, and an IPv6 address goes in brackets.
 */
export function localBaseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** True when `value` is an absolute http(s) URL with a host. */
export function isValidWebhookUrl(value: string): boolean {
  // Control characters too: Go's url.Parse (and so Mailgun) refuses them anywhere in a URL.
  if (value.length === 0 || value.length > 2048 || /[\s\x00-\x1f\x7f]/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
}

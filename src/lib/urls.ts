// URL checks for webhook targets. Real Mailgun also resolves the host by DNS; a local mock must
// never touch the network to validate, so only the syntax is checked (docs/api-coverage.md).

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

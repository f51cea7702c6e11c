// `mailgun-mock healthcheck`: asks a running mock for /__mock/health, for Docker's HEALTHCHECK.
// Exit 0 when it answers 200 in time, 1 otherwise (Docker reads any other code as unhealthy too).
import { localBaseUrl } from '../lib/urls.js';

/** How long a health probe may take; Docker's own timeout is longer, so we answer first. */
export const HEALTHCHECK_TIMEOUT_MS = 2_000;

/** The address to probe: a wildcard bind is reached through loopback. */
export function healthUrl(host: string, port: number): string {
  return `${localBaseUrl(host, port)}/__mock/health`;
}

export async function healthcheck(host: string, port: number, timeoutMs = HEALTHCHECK_TIMEOUT_MS): Promise<number> {
  if (port === 0) {
    process.stderr.write('mailgun-mock healthcheck: --port 0 names no port; give the port the mock listens on\n');
    return 1;
  }
  const url = healthUrl(host, port);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    if (res.status === 200) {
      process.stdout.write(`healthy: ${url} answered 200\n`);
      return 0;
    }
    process.stderr.write(`unhealthy: ${url} answered ${res.status}\n`);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    process.stderr.write(`unhealthy: ${url}: ${reason}\n`);
  }
  return 1;
}

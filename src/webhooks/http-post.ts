// One webhook POST with node:http/https and keep-alive agents: about twice as fast and half the
// CPU of fetch here (docs/performance.md), and each attempt is cancellable on its own (a reset
// or stop ends the attempts in flight; a timeout destroys the request).
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What came back: the status and the start of the body (0 and an error when nothing did). */
export interface PostResult {
  status: number;
  body: string;
  /** Why no answer came, in words. */
  error?: string;
  /** The same as a code: Node's (`ECONNREFUSED`…), or `TIMEOUT`, `ABORTED`, `BAD_URL`. */
  code?: string;
}

export interface Poster {
  /** POSTs `body`; never throws. Redirects are not followed (a 3xx is an answer like any other). */
  post(url: string, headers: Record<string, string>, body: string | Buffer, timeoutMs: number, excerpt: number): Promise<PostResult>;
  /** Ends every request in flight (each then resolves with `aborted`). */
  abortAll(): void;
  /** Aborts and closes the pooled connections. */
  close(): void;
}

export function createPoster(): Poster {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const inFlight = new Set<ClientRequest>();

  return {
    post(url, headers, body, timeoutMs, excerpt) {
      return new Promise<PostResult>((resolve) => {
        let target: URL;
        try {
          target = new URL(url);
        } catch {
          return resolve({ status: 0, body: '', error: `not a URL: ${url}`, code: 'BAD_URL' });
        }
        const https = target.protocol === 'https:';
        let settled = false;
        const done = (r: PostResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          inFlight.delete(req);
          resolve(r);
        };
        const req = (https ? httpsRequest : httpRequest)(target, {
          method: 'POST',
          agent: https ? agents.https : agents.http,
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        });
        inFlight.add(req);
        const timer = setTimeout(() => {
          done({ status: 0, body: '', error: `timed out after ${timeoutMs} ms`, code: 'TIMEOUT' });
          req.destroy();
        }, timeoutMs);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          res.on('data', (c: Buffer) => {
            // Keep what the excerpt needs (UTF-8 is at most 4 bytes a character), read the rest away.
            if (kept < excerpt * 4) {
              chunks.push(c);
              kept += c.length;
            }
          });
          res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, excerpt) }));
          res.on('error', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, excerpt) }));
        });
        req.on('error', (err: NodeJS.ErrnoException) => done({ status: 0, body: '', error: describe(err), code: err.code === 'MOCK_ABORTED' ? 'ABORTED' : (err.code ?? 'ERROR') }));
        req.end(body);
      });
    },
    abortAll() {
      for (const req of inFlight) req.destroy(Object.assign(new Error('aborted'), { code: 'MOCK_ABORTED' }));
    },
    close() {
      this.abortAll();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function describe(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'MOCK_ABORTED':
      return 'aborted (the mock was reset or stopped)';
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection reset (${err.code})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${err.code})`;
    default:
      return err.code ? `${err.message} (${err.code})` : err.message;
  }
}

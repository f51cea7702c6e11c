// A real local webhook handler for tests: records every POST (raw body, parsed JSON or form),
// answers with whatever status the test sets, and verifies Mailgun signatures with its own
// implementation of the documented algorithm (HMAC-SHA256 of timestamp + token, lowercase hex),
// independent of the mock's signing module.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  contentType: string;
  userAgent: string;
  raw: Buffer;
  /** The JSON body, for current webhooks. */
  json?: { signature: { timestamp: string; token: string; signature: string }; 'event-data': Record<string, unknown> };
  /** The form, for legacy webhooks (urlencoded or multipart). */
  form?: FormData;
  /** When the request arrived (Date.now()). */
  at: number;
}

export type Answer = { status: number; body?: string; delayMs?: number; destroy?: boolean };

export interface Receiver {
  url: string;
  posts: ReceivedPost[];
  /** What to answer (per request); default 200 "ok". */
  answer: (post: ReceivedPost, n: number) => Answer;
  /** Resolves once `n` posts (to `path`, if given) have arrived; rejects after `timeoutMs`. */
  waitFor(n: number, path?: string, timeoutMs?: number): Promise<ReceivedPost[]>;
  close(): Promise<void>;
}

/** The documented algorithm, written out here on purpose (not imported from src/). */
export function expectedSignature(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(timestamp + token, 'utf8')).digest('hex');
}

export function signatureOf(post: ReceivedPost): { timestamp: string; token: string; signature: string } {
  if (post.json) return post.json.signature;
  const f = post.form!;
  return { timestamp: String(f.getAll('timestamp').at(-1)), token: String(f.getAll('token').at(-1)), signature: String(f.getAll('signature').at(-1)) };
}

export function isSignedBy(post: ReceivedPost, key: string): boolean {
  const s = signatureOf(post);
  return /^[0-9a-f]{64}$/.test(s.signature) && s.token.length === 50 && s.signature === expectedSignature(key, s.timestamp, s.token);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startReceiver(): Promise<Receiver> {
  const waiters: Array<() => void> = [];
  const receiver: Receiver = {
    url: '',
    posts: [],
    answer: () => ({ status: 200, body: 'ok' }),
    waitFor(n, path, timeoutMs = 5_000) {
      const count = () => receiver.posts.filter((p) => path === undefined || p.path === path);
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = count();
          if (got.length >= n) {
            clearTimeout(timer);
            resolve(got);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`receiver: ${count().length} of ${n} posts${path ? ` to ${path}` : ''} after ${timeoutMs} ms`)), timeoutMs);
        const again = () => {
          if (!check()) waiters.push(again);
        };
        if (!check()) waiters.push(again);
      });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer(async (req, res) => {
    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch {
      return; // the sender gave up (a mock reset or stop aborts attempts in flight)
    }
    const contentType = req.headers['content-type'] ?? '';
    const post: ReceivedPost = { path: req.url ?? '/', contentType, userAgent: req.headers['user-agent'] ?? '', raw, at: Date.now() };
    if (contentType.startsWith('application/json')) post.json = JSON.parse(raw.toString('utf8'));
    else post.form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    receiver.posts.push(post);
    const a = receiver.answer(post, receiver.posts.length);
    const send = () => {
      if (a.destroy) return req.socket.destroy();
      res.writeHead(a.status, { 'Content-Type': 'text/plain' }).end(a.body ?? '');
    };
    if (a.delayMs) setTimeout(send, a.delayMs);
    else send();
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

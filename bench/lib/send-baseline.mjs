// The yardstick for "send → webhook": a bare node:http server that takes a message send, answers it
// and then POSTs one signed JSON webhook per registered URL, and nothing else (no Express, no store,
// no events, no journal). The floor for "one request in, one webhook out" on this machine.
// `client`: `fetch` (the global fetch, undici, as the mock posts its webhooks) or `http`
// (node:http with a keep-alive Agent), to see what the HTTP client itself costs.
import { createHmac, randomBytes } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';

/**
 * @param {{ signingKey: string, domains: Record<string, Record<string, string[]>>, client?: 'fetch' | 'http' }} spec
 *   `domains`: domain → event name (`accepted`, `delivered`) → URLs that event is posted to
 */
export function createSendBaseline({ signingKey, domains, client = 'fetch' }) {
  const agent = new Agent({ keepAlive: true });
  const post =
    client === 'http'
      ? (url, body) =>
          new Promise((resolve, reject) => {
            const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
              res.resume();
              res.on('end', resolve);
            });
            req.on('error', reject);
            req.end(body);
          })
      : async (url, body) => {
          const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
          await res.text();
        };
  const sign = () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(25).toString('hex');
    return { timestamp, token, signature: createHmac('sha256', signingKey).update(timestamp + token).digest('hex') };
  };

  const server = createServer((req, res) => {
    const m = /^\/v3\/([^/]+)\/messages$/.exec(req.url ?? '');
    const hooks = m && req.method === 'POST' ? domains[m[1]] : undefined;
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const fields = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = fields.get('to');
      if (!hooks || !fields.get('from') || !to) {
        res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"message":"bad request"}\n');
        return;
      }
      const now = Date.now();
      const id = `${new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14)}.${randomBytes(8).toString('hex')}@${m[1]}`;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `<${id}>`, message: 'Queued. Thank you.' }) + '\n');
      // After the answer, as the mock does: one post per event per URL.
      for (const event of ['accepted', 'delivered']) {
        for (const url of hooks[event] ?? []) {
          const body = JSON.stringify({
            signature: sign(),
            'event-data': { id: randomBytes(16).toString('base64url'), event, timestamp: now / 1000, recipient: to, message: { headers: { 'message-id': id, to, from: fields.get('from'), subject: fields.get('subject') } } },
          });
          post(url, body).catch((err) => process.stderr.write(`send baseline: webhook post to ${url} failed: ${err.message}\n`));
        }
      }
    });
  });
  server.keepAliveTimeout = 5_000; // as the mock sets it
  return { server, close: () => agent.destroy() };
}

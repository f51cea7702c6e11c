// "send → webhook": a local webhook receiver that checks every post's signature with its own
// createHmac, a keep-alive sender for POST /v3/{domain}/messages, and the two measurements:
// - latency: sequential sends, each from just before the send request is issued until the receiver
//   holds the verified `delivered` post for that message (matched on its Message-Id);
// - rate: sends with N in flight, each message posting `accepted` and `delivered`, counting
//   verified posts per second at the receiver until all have arrived (bounded wait).
// Runs in the bench process; the server under test (mock or send baseline) runs in a child.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { AUTH_HEADER } from './scenarios.mjs';

export const SEND_SIGNING_KEY = 'key-bench-0123456789abcdef0123456789abcdef';
export const LATENCY_DOMAIN = 'latency.bench.example.com';
export const RATE_DOMAIN = 'rate.bench.example.com';

/** Paths on the receiver: one per measurement, so warm-ups and the two sections never mix. */
const LATENCY_PATH = '/hooks/latency';
const RATE_PATH = '/hooks/rate';

const FORM = 'application/x-www-form-urlencoded';

/**
 * The webhook receiver on 127.0.0.1, port 0. Every post must be JSON with a valid signature
 * (hex HMAC-SHA256(signingKey, timestamp + token), compared in constant time); a bad one is
 * answered 406 and counted, and fails the run. Posts are handed to `onPost(path, eventData, t)`
 * with `t` the performance.now() at which the signature was verified.
 */
export async function startReceiver(signingKey = SEND_SIGNING_KEY) {
  const stats = { posts: 0, bad: 0, bytes: 0, connections: 0, lastBad: '' };
  let onPost = () => {};
  const bad = (res, why) => {
    stats.bad++;
    stats.lastBad = why;
    res.writeHead(406, { 'Content-Type': 'text/plain' }).end(why);
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return bad(res, `not JSON (${req.headers['content-type']})`);
      }
      const sig = body?.signature;
      if (typeof sig?.timestamp !== 'string' || typeof sig.token !== 'string' || typeof sig.signature !== 'string' || !/^[0-9a-f]{64}$/.test(sig.signature)) {
        return bad(res, 'no signature');
      }
      const expected = createHmac('sha256', signingKey).update(sig.timestamp + sig.token).digest();
      if (!timingSafeEqual(expected, Buffer.from(sig.signature, 'hex'))) return bad(res, 'signature mismatch');
      const t = performance.now();
      stats.posts++;
      stats.bytes += raw.length;
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      onPost(req.url, body['event-data'], t);
    });
  });
  // How many connections the poster opened: a client that reuses them opens few.
  server.on('connection', () => void stats.connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    latencyUrl: base + LATENCY_PATH,
    rateUrl: base + RATE_PATH,
    stats,
    /** Routes verified posts to the current measurement. */
    listen(fn) {
      onPost = fn;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The webhooks each server under test gets: `delivered` for the latency domain, `accepted` + `delivered` for the rate domain. */
export function sendHooks(receiver) {
  return {
    [LATENCY_DOMAIN]: { delivered: [receiver.latencyUrl] },
    [RATE_DOMAIN]: { accepted: [receiver.rateUrl], delivered: [receiver.rateUrl] },
  };
}

/**
 * POST /v3/{domain}/messages, urlencoded from/to/subject/text, on a keep-alive agent. Resolves with
 * the bare Message-Id and `t0`, the performance.now() just before the request was issued (the body
 * is built before it).
 */
function sender(url, maxSockets) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(url);
  let n = 0;
  const send = (domain) => {
    const i = n++;
    const body = new URLSearchParams({ from: `Bench <bench@${domain}>`, to: `rcpt-${i}@example.com`, subject: `bench ${i}`, text: `message ${i} of the send bench` }).toString();
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        { hostname, port, agent, method: 'POST', path: `/v3/${domain}/messages`, headers: { authorization: AUTH_HEADER, 'content-type': FORM, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const id = res.statusCode === 200 ? /^<(.+)>$/.exec(JSON.parse(text).id ?? '')?.[1] : undefined;
            if (!id) reject(new Error(`send to ${domain}: expected 200 with an id, got ${res.statusCode} ${text.slice(0, 200)}`));
            else resolve({ id, t0 });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  return { send, close: () => agent.destroy() };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const r3 = (v) => Math.round(v * 1000) / 1000;
const msStats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50Ms: r3(percentile(s, 50)), p90Ms: r3(percentile(s, 90)), p99Ms: r3(percentile(s, 99)), maxMs: r3(s.at(-1) ?? NaN), n: s.length };
};

/** Resolves when `check()` is true, polling every 5 ms; false after `ms`. */
async function until(check, ms) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/**
 * Sequential sends to the latency domain: `warmup` untimed, then up to `sends` timed (or until
 * `capSec` has passed). Each waits for its verified `delivered` post (at most `waitMs`) before the
 * next is sent. `server.cpuStart/cpuEnd` (optional) bracket the timed sends.
 */
export async function measureSendLatency(url, receiver, { warmup, sends, capSec, waitMs = 5_000 }, server = {}) {
  const s = sender(url, 1);
  const arrived = new Map(); // Message-Id → verify time, for posts that beat the send's answer
  let waiting; // { id, resolve } of the send in flight
  const strays = { wrongEvent: 0 };
  receiver.listen((path, data, t) => {
    if (path !== LATENCY_PATH) return;
    if (data?.event !== 'delivered') return void strays.wrongEvent++;
    const id = data?.message?.headers?.['message-id'];
    if (waiting && waiting.id === id) waiting.resolve(t);
    else arrived.set(id, t);
  });
  const one = async () => {
    const { id, t0 } = await s.send(LATENCY_DOMAIN);
    const answered = performance.now();
    let t1 = arrived.get(id);
    arrived.delete(id);
    if (t1 === undefined) {
      t1 = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no verified delivered webhook for ${id} within ${waitMs} ms (receiver: ${JSON.stringify(receiver.stats)})`)), waitMs);
        waiting = { id, resolve: (t) => (clearTimeout(timer), resolve(t)) };
      });
      waiting = undefined;
    }
    return { total: t1 - t0, answer: answered - t0 };
  };
  try {
    for (let i = 0; i < warmup; i++) await one();
    const totals = [];
    const answers = [];
    const before = { ...receiver.stats };
    await server.cpuStart?.();
    const t0 = performance.now();
    const cap = t0 + capSec * 1000;
    while (totals.length < sends && performance.now() < cap) {
      const r = await one();
      totals.push(r.total);
      answers.push(r.answer);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const cpuUs = await server.cpuEnd?.();
    return {
      ...msStats(totals),
      answer: msStats(answers),
      sendsPerSec: Math.round(totals.length / elapsed),
      webhookBytes: Math.round((receiver.stats.bytes - before.bytes) / (receiver.stats.posts - before.posts)),
      newConnections: receiver.stats.connections - before.connections,
      cpuUsPerSend: cpuUs === undefined ? null : Math.round((cpuUs / totals.length) * 10) / 10,
      wrongEvent: strays.wrongEvent,
      capped: totals.length < sends,
    };
  } finally {
    receiver.listen(() => {});
    s.close();
  }
}

/**
 * Sends to the rate domain with `concurrency` in flight until `messages` were sent or `capSec`
 * has passed, then waits (at most `drainSec`) for both posts of every message. A warm-up of
 * `warmup` messages at the same concurrency goes first and is drained before the clock starts.
 * Deliveries/s: verified posts of the measured messages over the time from the first send to the
 * last post. Also the latency from send to the `delivered` post under this load.
 */
export async function measureDeliveryRate(url, receiver, { concurrency, messages, capSec, warmup, drainSec = 10 }, server = {}) {
  const s = sender(url, concurrency);
  let phase = 'warmup';
  const seen = new Map(); // Message-Id → { accepted, delivered: time } (posts may beat the answer)
  const counts = { warmup: 0, measured: 0, strays: 0 };
  let lastPost = 0;
  receiver.listen((path, data, t) => {
    if (path !== RATE_PATH) return;
    const id = data?.message?.headers?.['message-id'];
    const ev = data?.event;
    if (ev !== 'accepted' && ev !== 'delivered') return void counts.strays++;
    let rec = seen.get(id);
    if (!rec) seen.set(id, (rec = { phase: undefined, sentAt: undefined, accepted: undefined, delivered: undefined }));
    if (rec[ev] !== undefined) return void counts.strays++; // a second post of the same event: a retry
    rec[ev] = t;
    counts[rec.phase ?? phase]++;
    lastPost = t;
  });
  const run = async (total, capMs, label) => {
    const ids = [];
    const end = performance.now() + capMs;
    let started = 0;
    const worker = async () => {
      while (started < total && performance.now() < end) {
        started++;
        const { id, t0: sentAt } = await s.send(RATE_DOMAIN);
        let rec = seen.get(id);
        if (!rec) seen.set(id, (rec = { phase: label, sentAt, accepted: undefined, delivered: undefined }));
        rec.phase = label;
        rec.sentAt = sentAt;
        ids.push(id);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return ids;
  };
  const complete = (ids) => ids.every((id) => {
    const r = seen.get(id);
    return r.accepted !== undefined && r.delivered !== undefined;
  });
  try {
    const warmIds = await run(warmup, capSec * 1000, 'warmup');
    if (!(await until(() => complete(warmIds), drainSec * 1000))) throw new Error(`rate warm-up: not every webhook arrived within ${drainSec} s`);
    for (const id of warmIds) seen.delete(id);
    phase = 'measured';
    const before = { ...receiver.stats };
    await server.cpuStart?.();
    const t0 = performance.now();
    const ids = await run(messages, capSec * 1000, 'measured');
    const sendsDone = performance.now();
    const drained = await until(() => complete(ids), drainSec * 1000);
    const cpuUs = await server.cpuEnd?.();
    let posts = 0;
    const lat = [];
    for (const id of ids) {
      const r = seen.get(id);
      posts += (r.accepted !== undefined) + (r.delivered !== undefined);
      if (r.delivered !== undefined) lat.push(r.delivered - r.sentAt);
    }
    const last = drained ? lastPost : performance.now();
    const l = msStats(lat);
    return {
      messages: ids.length,
      deliveries: posts,
      expected: ids.length * 2,
      missing: ids.length * 2 - posts,
      deliveriesPerSec: Math.round(posts / ((last - t0) / 1000)),
      sendsPerSec: Math.round(ids.length / ((sendsDone - t0) / 1000)),
      sendSec: r3((sendsDone - t0) / 1000),
      drainMs: r3(last - sendsDone),
      deliveredP50Ms: l.p50Ms,
      deliveredP99Ms: l.p99Ms,
      newConnections: receiver.stats.connections - before.connections,
      cpuUsPerDelivery: cpuUs === undefined || posts === 0 ? null : Math.round((cpuUs / posts) * 10) / 10,
      strays: counts.strays,
    };
  } finally {
    receiver.listen(() => {});
    s.close();
  }
}

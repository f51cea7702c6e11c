// The load generator: a correctness preflight, a short warm-up, then one measured autocannon run.
// Latency percentiles come from every response's own float time (autocannon's histogram rounds to
// whole milliseconds, too coarse for sub-millisecond loopback latencies).
import autocannon from 'autocannon';
import { AUTH_HEADER, createPair, LIST_BODY, LIST_PATH, STORE_ANSWER, STORE_BODY, STORE_PATH, WEBHOOK_NAMES } from './scenarios.mjs';

const FORM = 'application/x-www-form-urlencoded';
const CREATED_PREFIX = '{"message":"Webhook has been created","webhook":{';

/**
 * The create walk over fresh (domain × name) pairs, shared by the preflight, the warm-up and the
 * measured run against one server, so no pair is ever created twice. Past the provisioned domains
 * the requests answer 404 and show up as non-2xx: never silently.
 */
export function createWalk(from = 0) {
  let next = from;
  return {
    take: () => createPair(next++),
    get used() {
      return next - from;
    },
  };
}

/** One correct answer per request shape before any load: both servers must answer the same bytes. */
async function preflight(url, scenario, walk) {
  const checks =
    scenario === 'list'
      ? [{ method: 'GET', path: LIST_PATH, expected: LIST_BODY }]
      : scenario === 'store'
        ? [{ method: 'POST', path: STORE_PATH, body: STORE_BODY, expected: STORE_ANSWER }]
        : // The first domain's 15 names: every legacy `{url}` and current `{urls}` answer shape.
          Array.from({ length: WEBHOOK_NAMES.length }, () => ({ method: 'POST', ...walk.take() }));
  for (const c of checks) {
    const res = await fetch(url + c.path, {
      method: c.method,
      headers: { authorization: AUTH_HEADER, ...(c.body ? { 'content-type': FORM } : {}) },
      body: c.body,
    });
    const text = await res.text();
    if (res.status !== 200 || (c.expected instanceof RegExp ? !c.expected.test(text) : text !== c.expected)) {
      throw new Error(`preflight ${c.method} ${c.path}: expected 200 ${c.expected instanceof RegExp ? String(c.expected) : JSON.stringify(c.expected)}, got ${res.status} ${JSON.stringify(text)}`);
    }
  }
}

function cannonOptions(url, scenario, walk, connections) {
  // autocannon takes the path from `url` (a separate `path` option is ignored).
  const base = { url, connections, pipelining: 1, headers: { authorization: AUTH_HEADER } };
  if (scenario === 'list') return { ...base, url: url + LIST_PATH, method: 'GET' };
  if (scenario === 'store') return { ...base, url: url + STORE_PATH, method: 'POST', headers: { ...base.headers, 'content-type': FORM }, body: STORE_BODY };
  return {
    ...base,
    method: 'POST',
    headers: { ...base.headers, 'content-type': FORM },
    requests: [
      {
        setupRequest(req) {
          const pair = walk.take();
          req.path = pair.path;
          req.body = pair.body;
          return req;
        },
      },
    ],
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Preflight, warm-up (`warmupSec`), then a measured run of `durationSec` with `connections`.
 * `server.cpuStart()` / `server.cpuEnd()` (optional) bracket the measured run and give the server
 * process's CPU time over it, in µs: CPU per request barely moves when other tenants steal time,
 * where req/s does. `firstDomain` starts the create walk further into the fixtures' domains (to
 * measure what the domain look-up costs as the list grows).
 * @returns {Promise<{ reqPerSec: number, p50Ms: number, p99Ms: number, maxMs: number, requests: number, non2xx: number, errors: number, durationSec: number, warmupNon2xx: number }>}
 */
export async function measure(url, scenario, { connections, warmupSec, durationSec, firstDomain = 0 }, server = {}) {
  const walk = createWalk(firstDomain * WEBHOOK_NAMES.length);
  await preflight(url, scenario, walk);
  // The warm-up also checks every body autocannon gets back (too costly to do while measuring).
  const verifyBody = scenario === 'list' ? (body) => body === LIST_BODY : scenario === 'store' ? (body) => STORE_ANSWER.test(body) : (body) => body.startsWith(CREATED_PREFIX);
  const warm = await autocannon({ ...cannonOptions(url, scenario, walk, connections), duration: warmupSec, verifyBody });
  if (warm.mismatches > 0 || warm.non2xx > 0) {
    throw new Error(`warm-up against ${url}: ${warm.mismatches} unexpected bodies, statuses ${JSON.stringify(warm.statusCodeStats)}`);
  }
  const latencies = [];
  await server.cpuStart?.();
  const instance = autocannon({ ...cannonOptions(url, scenario, walk, connections), duration: durationSec });
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const r = await instance;
  const cpuUs = await server.cpuEnd?.();
  latencies.sort((a, b) => a - b);
  const round = (v, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    reqPerSec: Math.round(r.requests.total / r.duration),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? NaN),
    requests: r.requests.total,
    // Server CPU (user + system) per answered request over the measured run.
    cpuUsPerReq: cpuUs === undefined ? null : Math.round((cpuUs / r.requests.total) * 10) / 10,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    durationSec: r.duration,
    warmupNon2xx: warm.non2xx,
    warmupRequests: warm.requests.total,
    pairsUsed: scenario === 'create' ? walk.used : undefined,
  };
}

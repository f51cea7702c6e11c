// The soak test's core, shared by scripts/soak.mjs (the CLI) and test/e2e/soak-short.test.ts.
//
// Layout: the mock runs alone in a forked child (scripts/soak-child.mjs, --expose-gc) so its heap is
// measured without the load generator's allocations; this process drives the load and runs the
// webhook receiver (bench/lib/send.mjs: every post's signature checked with its own createHmac).
// Each cycle: `concurrency` requests in flight for `cycleSeconds` (or `maxRequestsPerCycle`), a mix
// of message sends (some multipart with attachments), webhook create/get/update/delete, list and
// get calls, Events API queries (following `paging.next` sometimes) and control-plane reads; then
// wait for every webhook of every message sent to arrive verified, POST /__mock/reset, force GC in
// the child and read its memory. `judge()` turns the cycles into three verdicts (memory, latency,
// correctness); see docs in scripts/soak.mjs. Everything listens on 127.0.0.1, port 0; every loop
// is bounded by time and by count; the child and the receiver are stopped at the end.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startReceiver } from '../bench/lib/send.mjs';
import { createRandom } from '../dist/lib/random.js';

export const SIGNING_KEY = 'key-soak-0123456789abcdef0123456789abcdef';
export const SEND_DOMAIN = 'soak.example.com';
const crudDomain = (w) => `crud-${w}.soak.example.com`;
const AUTH = 'Basic ' + Buffer.from('api:key-soak').toString('base64');
const FORM = 'application/x-www-form-urlencoded';
const CURRENT_NAMES = ['accepted', 'clicked', 'complained', 'delivered', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed'];
const MB = 1024 * 1024;

/** Verdict thresholds of the CLI (see scripts/soak.mjs for why these numbers). */
export const DEFAULT_THRESHOLDS = {
  memory: { baselineCycle: 2, lastN: 3, pct: 0.1, floorBytes: 5 * MB },
  latency: { warmupCycles: 1, p50Max: 1.5, p99Warn: 2 },
};

/** Seeded PRNG (the mock's own mulberry32): the same seed gives the same request mix. */
export const prng = createRandom;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const r3 = (v) => Math.round(v * 1000) / 1000;
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function latencyStats(samples) {
  const s = Float64Array.from(samples).sort();
  return { p50Ms: r3(percentile(s, 50)), p99Ms: r3(percentile(s, 99)), maxMs: r3(s.at(-1) ?? NaN), n: s.length };
}

/** The forked mock, with a bounded wait on every reply; a child that dies fails the call. */
async function launchChild({ retainGarbage }) {
  const env = { ...process.env };
  delete env.SOAK_CHILD_RETAIN;
  if (retainGarbage) env.SOAK_CHILD_RETAIN = String(retainGarbage === true ? 1 : retainGarbage);
  const child = fork(new URL('./soak-child.mjs', import.meta.url), [], { execArgv: ['--expose-gc'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let exited = false;
  const exit = once(child, 'exit').then(() => void (exited = true));
  const ask = (msg, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (m) => {
        done();
        if (m.error) reject(new Error(`soak child: ${m.error}`));
        else resolve(m);
      };
      const onExit = (code, signal) => {
        done();
        reject(new Error(`soak child exited (${signal ?? code}) while asked ${Object.keys(msg)[0]}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`soak child: no answer to ${Object.keys(msg)[0]} within ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('message', onMessage);
      child.once('exit', onExit);
      child.send(msg);
    });
  return {
    ask,
    async stop() {
      if (exited) return;
      try {
        await ask({ stop: true }, 15_000);
        await Promise.race([exit, new Promise((r) => setTimeout(r, 5_000))]);
      } finally {
        if (!exited) {
          child.kill('SIGKILL');
          await exit;
        }
      }
    },
  };
}

/** A keep-alive HTTP client (node:http, light on CPU): resolves with status, text and latency. Never rejects. */
function client(baseUrl, maxSockets) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(baseUrl);
  const call = (method, path, body, contentType) =>
    new Promise((resolve) => {
      const headers = { authorization: AUTH };
      if (body !== undefined) {
        headers['content-type'] = contentType;
        headers['content-length'] = Buffer.byteLength(body);
      }
      const t0 = performance.now();
      const req = request({ hostname, port, agent, method, path, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
        res.on('error', (err) => resolve({ status: 0, text: String(err), ms: performance.now() - t0 }));
      });
      req.setTimeout(15_000, () => req.destroy(new Error('no answer within 15 s')));
      req.on('error', (err) => resolve({ status: 0, text: String(err), ms: performance.now() - t0 }));
      req.end(body);
    });
  return { call, close: () => agent.destroy() };
}

function multipartBody(fields, files, boundary) {
  const parts = [];
  for (const [name, value] of fields) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Runs the soak. Stops starting cycles once `cycles` have run or the next one would pass
 * `deadline` (a performance.now() value; reserve included).
 * @param {object} o
 * @param {number} o.cycles most cycles to run
 * @param {number} o.cycleSeconds load time per cycle
 * @param {number} [o.concurrency] requests in flight (10)
 * @param {number} [o.seed] seed of the request mix and of the mock's faultSeed
 * @param {number} [o.deadline] performance.now() after which no work is started
 * @param {number} [o.maxRequestsPerCycle] count bound of a cycle's load (200 000)
 * @param {number} [o.drainSeconds] longest wait for a cycle's webhooks (15)
 * @param {boolean | number} [o.retainGarbage] test-only: the child keeps every request body forever (a number: that many copies)
 * @param {string} [o.snapshotDir] write heap snapshots of the child after the baseline and the last cycle
 * @param {(line: string) => void} [o.log]
 */
export async function runSoak(o) {
  const cfg = { concurrency: 10, seed: 20261126, maxRequestsPerCycle: 200_000, drainSeconds: 15, deadline: Infinity, retainGarbage: false, ...o };
  const log = cfg.log ?? (() => {});
  const rand = prng(cfg.seed);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  // Fixed pools, built once from the seed: bodies and attachments (1–48 KiB).
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');
  const texts = Array.from({ length: 16 }, () => Array.from({ length: int(30, 300) }, () => pick(words)).join(' '));
  const files = Array.from({ length: 8 }, (_, i) => {
    const bytes = Buffer.alloc(int(1, 48) * 1024);
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
    return { name: `file-${i}.bin`, type: i % 2 ? 'application/pdf' : 'application/octet-stream', bytes };
  });

  const receiver = await startReceiver(SIGNING_KEY);
  const hookUrl = receiver.rateUrl; // every verified post there is matched to its message
  const crudHookUrl = receiver.rateUrl.replace('/hooks/rate', '/hooks/crud'); // never posted to: no sends to crud domains
  const fixtures = {
    domains: [
      { name: SEND_DOMAIN, createdAt: '2026-01-01T00:00:00.000Z', webhooks: { accepted: { urls: [hookUrl] }, delivered: { urls: [hookUrl] } } },
      ...Array.from({ length: cfg.concurrency }, (_, w) => ({ name: crudDomain(w), createdAt: '2026-01-01T00:00:00.000Z' })),
    ],
  };
  const child = await launchChild({ retainGarbage: cfg.retainGarbage });
  const result = { config: { ...cfg, log: undefined, deadline: undefined }, cycles: [], fatal: undefined };
  const samplesByCycle = [];
  let http;
  try {
    const { url } = await child.ask({ start: { signingKey: SIGNING_KEY, seed: cfg.seed, fixtures } });
    http = client(url, cfg.concurrency);

    // Deliveries: Message-Id → { expected, got: Set of "event recipient" }. A post can beat the send's answer.
    let tracked = new Map();
    let early = new Map();
    let posts = { verified: 0, duplicate: 0, stray: 0 };
    receiver.listen((path, data) => {
      if (path !== '/hooks/rate') return void posts.stray++;
      const id = data?.message?.headers?.['message-id'];
      const key = `${data?.event} ${data?.recipient}`;
      const rec = tracked.get(id) ?? early.get(id) ?? (early.set(id, { expected: undefined, got: new Set() }), early.get(id));
      if (rec.got.has(key)) return void posts.duplicate++;
      rec.got.add(key);
      posts.verified++;
    });

    for (let cycle = 1; cycle <= cfg.cycles; cycle++) {
      const reserve = 2_500; // drain, reset and GC take well under a second when all is well
      if (performance.now() + cfg.cycleSeconds * 1000 + reserve > cfg.deadline) {
        log(`cycle ${cycle}: not started, the time budget is spent`);
        break;
      }
      tracked = new Map();
      early = new Map();
      posts = { verified: 0, duplicate: 0, stray: 0 };
      const badBefore = receiver.stats.bad;
      const samples = [];
      const errors = [];
      const kinds = {};
      let sends = 0;
      let expectedPosts = 0;
      let started = 0;
      const fail = (what, res) => {
        if (errors.length < 20) errors.push(`${what}: ${res.status} ${res.text.slice(0, 160)}`);
        else errors.length === 20 && errors.push('… more');
      };
      /** One request: records its latency and checks status (and `check(json)` when given). */
      const op = async (kind, method, path, body, contentType, check) => {
        const res = await http.call(method, path, body, contentType);
        samples.push(res.ms);
        const k = (kinds[kind] ??= { n: 0, bad: 0, ms: [] });
        k.n++;
        k.ms.push(res.ms);
        const json = res.status >= 200 && res.status < 300 ? parseJson(res.text) : undefined;
        if (json === undefined || (check && !check(json))) {
          k.bad++;
          fail(`${kind} ${method} ${path}`, res);
          return undefined;
        }
        return json;
      };

      const send = async () => {
        const n = rand() < 0.8 ? 1 : 2;
        // Distinct addresses: the mock (as Mailgun) sends once to a repeated recipient.
        const first = int(0, 998);
        const to = n === 1 ? [`user-${first}@example.com`] : [`user-${first}@example.com`, `user-${int(first + 1, 999)}@example.com`];
        const fields = [
          ['from', `Soak <soak@${SEND_DOMAIN}>`],
          ...to.map((t) => ['to', t]),
          ['subject', `soak ${cycle}.${sends}`],
          ['text', pick(texts)],
          ...(rand() < 0.3 ? [['html', `<p>${pick(texts)}</p>`]] : []),
          ...(rand() < 0.3 ? [['o:tag', pick(['alpha', 'beta', 'gamma'])]] : []),
        ];
        let body;
        let type;
        if (rand() < 0.12) {
          const boundary = `soak${int(1e8, 9e8)}`;
          body = multipartBody(fields, Array.from({ length: int(1, 2) }, () => pick(files)), boundary);
          type = `multipart/form-data; boundary=${boundary}`;
        } else {
          body = new URLSearchParams(fields).toString();
          type = FORM;
        }
        sends++;
        const json = await op('send', 'POST', `/v3/${SEND_DOMAIN}/messages`, body, type, (j) => /^<.+>$/.test(j.id ?? '') && j.message === 'Queued. Thank you.');
        if (!json) return;
        const id = json.id.slice(1, -1);
        const rec = early.get(id) ?? { expected: undefined, got: new Set() };
        early.delete(id);
        rec.expected = n * 2; // accepted + delivered per recipient
        tracked.set(id, rec);
        expectedPosts += n * 2;
      };
      // Each worker walks create → get → update → delete over the current names on its own domain.
      const crudState = Array.from({ length: cfg.concurrency }, (_, w) => ({ step: 0, name: w % CURRENT_NAMES.length }));
      const crud = async (w) => {
        const s = crudState[w];
        const name = CURRENT_NAMES[s.name];
        const base = `/v3/domains/${crudDomain(w)}/webhooks`;
        const step = s.step;
        s.step = (s.step + 1) % 4;
        if (s.step === 0) s.name = (s.name + 1) % CURRENT_NAMES.length;
        if (step === 0) await op('webhook.create', 'POST', base, `id=${name}&url=${encodeURIComponent(crudHookUrl)}`, FORM, (j) => j.message === 'Webhook has been created');
        else if (step === 1) await op('webhook.get', 'GET', `${base}/${name}`, undefined, undefined, (j) => j.webhook?.urls?.[0] === crudHookUrl);
        else if (step === 2) await op('webhook.update', 'PUT', `${base}/${name}`, `url=${encodeURIComponent(crudHookUrl + '?v=2')}`, FORM, (j) => j.message === 'Webhook has been updated');
        else await op('webhook.delete', 'DELETE', `${base}/${name}`, undefined, undefined, (j) => j.message === 'Webhook has been deleted');
      };
      const read = async () => {
        const r = rand();
        if (r < 0.25) await op('webhooks.list', 'GET', `/v3/domains/${SEND_DOMAIN}/webhooks`, undefined, undefined, (j) => j.webhooks?.delivered?.urls?.[0] === hookUrl);
        else if (r < 0.5) await op('webhooks.get', 'GET', `/v3/domains/${SEND_DOMAIN}/webhooks/accepted`, undefined, undefined, (j) => j.webhook?.urls?.[0] === hookUrl);
        else if (r < 0.75) await op('domains.list', 'GET', '/v3/domains?limit=20', undefined, undefined, (j) => Array.isArray(j.items) && j.total_count === cfg.concurrency + 1);
        else await op('domains.get', 'GET', `/v4/domains/${SEND_DOMAIN}`, undefined, undefined, (j) => j.domain?.name === SEND_DOMAIN);
      };
      const events = async () => {
        const q = new URLSearchParams({ limit: String(pick([10, 25, 50])) });
        if (rand() < 0.4) q.set('event', pick(['accepted', 'delivered']));
        if (rand() < 0.2) q.set('ascending', 'yes');
        const json = await op('events.list', 'GET', `/v3/${SEND_DOMAIN}/events?${q}`, undefined, undefined, (j) => Array.isArray(j.items) && typeof j.paging?.next === 'string');
        if (json && rand() < 0.3) {
          const next = new URL(json.paging.next);
          await op('events.page', 'GET', next.pathname + next.search, undefined, undefined, (j) => Array.isArray(j.items));
        }
      };
      const control = async () => {
        if (rand() < 0.5) await op('mock.messages', 'GET', '/__mock/messages?limit=20&light=1', undefined, undefined, (j) => Array.isArray(j.items));
        else await op('mock.requests', 'GET', '/__mock/requests?limit=20', undefined, undefined, (j) => Array.isArray(j.items));
      };

      // The load: `concurrency` workers until the cycle's time or count is up.
      const t0 = performance.now();
      const end = Math.min(t0 + cfg.cycleSeconds * 1000, cfg.deadline);
      const worker = async (w) => {
        while (performance.now() < end && started < cfg.maxRequestsPerCycle) {
          started++;
          const r = rand();
          if (r < 0.35) await send();
          else if (r < 0.5) await crud(w);
          else if (r < 0.65) await read();
          else if (r < 0.85) await events();
          else await control();
        }
      };
      await Promise.all(Array.from({ length: cfg.concurrency }, (_, w) => worker(w)));
      const loadSec = (performance.now() - t0) / 1000;

      // Drain: every post of every message answered, then nothing pending in the mock.
      const tDrain = performance.now();
      const complete = () => posts.verified >= expectedPosts && [...tracked.values()].every((r) => r.got.size === r.expected);
      // Bounded by drainSeconds, and by the deadline (with a few seconds' grace: the cycle must still be measured).
      const drainEnd = Math.min(tDrain + cfg.drainSeconds * 1000, Math.max(cfg.deadline + 5_000, tDrain + 3_000));
      while (!complete() && performance.now() < drainEnd) await new Promise((r) => setTimeout(r, 10));
      let pending = (await child.ask({ pending: true })).pending;
      for (let i = 0; pending > 0 && i < 100 && performance.now() < drainEnd; i++) {
        await new Promise((r) => setTimeout(r, 20));
        pending = (await child.ask({ pending: true })).pending;
      }
      const drainMs = performance.now() - tDrain;
      let missing = 0;
      for (const rec of tracked.values()) missing += Math.max(0, rec.expected - rec.got.size);
      const strays = posts.stray + early.size; // posts for no message this cycle sent
      let deliveryReport;
      if (missing > 0 || strays > 0 || posts.duplicate > 0) {
        const messageIds = [...tracked].filter(([, r]) => r.got.size !== r.expected).map(([id]) => id);
        deliveryReport = await child.ask({ deliveries: { messageIds } });
        deliveryReport.missing = [...tracked].filter(([, r]) => r.got.size !== r.expected).slice(0, 5).map(([id, r]) => ({ id, expected: r.expected, got: [...r.got] }));
        log(`cycle ${cycle}: deliveries not as expected: ${JSON.stringify(deliveryReport).slice(0, 4000)}`);
      }

      // Reset over the control plane, then the child's memory after forced GCs.
      const reset = await http.call('POST', '/__mock/reset');
      const resetOk = reset.status === 200 && parseJson(reset.text)?.message === 'Mock has been reset';
      if (!resetOk) fail('POST /__mock/reset', reset);
      const m = await child.ask({ measure: true });
      if (cfg.snapshotDir && cycle === DEFAULT_THRESHOLDS.memory.baselineCycle) await child.ask({ snapshot: `${cfg.snapshotDir}/soak-cycle-${cycle}.heapsnapshot` });

      const lat = latencyStats(samples);
      for (const k of Object.values(kinds)) {
        const st = latencyStats(k.ms);
        delete k.ms;
        k.p50Ms = st.p50Ms;
        k.p99Ms = st.p99Ms;
      }
      samplesByCycle.push(samples);
      const rec = {
        cycle,
        requests: samples.length,
        reqPerSec: Math.round(samples.length / loadSec),
        loadSec: r3(loadSec),
        p50Ms: lat.p50Ms,
        p99Ms: lat.p99Ms,
        maxMs: lat.maxMs,
        sends,
        deliveriesExpected: expectedPosts,
        deliveriesVerified: posts.verified,
        missing,
        duplicates: posts.duplicate,
        strays,
        badSignatures: receiver.stats.bad - badBefore,
        pendingAfterDrain: pending,
        drainMs: Math.round(drainMs),
        failedRequests: Object.values(kinds).reduce((n, k) => n + k.bad, 0),
        resetOk,
        afterReset: m.counts,
        heapUsed: m.memory.heapUsed,
        heapTotal: m.memory.heapTotal,
        rss: m.memory.rss,
        external: m.memory.external,
        arrayBuffers: m.memory.arrayBuffers,
        heapSpaces: m.heapSpaces,
        retainedByLeakSwitch: m.retained,
        kinds,
        errors,
        ...(deliveryReport ? { deliveryReport } : {}),
      };
      result.cycles.push(rec);
      log(
        `cycle ${String(cycle).padStart(2)}  ${String(rec.requests).padStart(6)} req (${rec.reqPerSec}/s)  p50 ${rec.p50Ms.toFixed(3)} ms  p99 ${rec.p99Ms.toFixed(3)} ms  ` +
          `deliveries ${rec.deliveriesVerified}/${rec.deliveriesExpected} (drain ${rec.drainMs} ms)  heap ${(rec.heapUsed / MB).toFixed(2)} MB  rss ${(rec.rss / MB).toFixed(1)} MB` +
          (rec.failedRequests || missing || strays || rec.duplicates || !resetOk ? `  PROBLEMS: ${errors.slice(0, 3).join(' | ')}` : ''),
      );
    }
    if (cfg.snapshotDir && result.cycles.length > DEFAULT_THRESHOLDS.memory.baselineCycle) {
      await child.ask({ snapshot: `${cfg.snapshotDir}/soak-cycle-${result.cycles.length}-last.heapsnapshot` });
    }
  } catch (err) {
    result.fatal = String(err?.stack ?? err);
    log(`fatal: ${result.fatal}`);
  } finally {
    http?.close();
    receiver.listen(() => {});
    await child.stop().catch((err) => {
      result.fatal ??= `stopping the child: ${err}`;
    });
    await receiver.close();
  }
  // Latency samples stay out of the JSON; judge() pools them per third of the run.
  Object.defineProperty(result, 'samples', { value: samplesByCycle, enumerable: false });
  return result;
}

/** Pooled p50/p99 over the given cycles' samples. */
function pooled(result, cycles) {
  const all = [];
  for (const c of cycles) for (const v of result.samples?.[c.cycle - 1] ?? []) all.push(v);
  if (all.length === 0) return { p50Ms: median(cycles.map((c) => c.p50Ms)), p99Ms: median(cycles.map((c) => c.p99Ms)) };
  const s = latencyStats(all);
  return { p50Ms: s.p50Ms, p99Ms: s.p99Ms };
}

/**
 * The three verdicts. memory: heapUsed after reset + GC, median of the last `lastN` cycles, against
 * the baseline cycle's, allowed max(pct × baseline, floorBytes) more (needs baselineCycle + lastN
 * cycles, the last ones after the baseline). latency: pooled p50 and p99 of the last third of the
 * cycles after warm-up over the first third; p50 fails above p50Max, p99 only warns above p99Warn.
 * correctness: every answer as expected, every delivery verified once, nothing pending, every reset
 * back to an empty store, no fatal error.
 */
export function judge(result, thresholds = DEFAULT_THRESHOLDS) {
  const { memory: tm, latency: tl } = thresholds;
  const cycles = result.cycles;
  const out = {};

  const base = cycles[tm.baselineCycle - 1];
  const last = cycles.slice(Math.max(tm.baselineCycle, cycles.length - tm.lastN));
  if (!base || last.length < tm.lastN) {
    out.memory = { ok: false, reason: `needs at least ${tm.baselineCycle + tm.lastN} cycles, ran ${cycles.length}` };
  } else {
    const allowance = Math.max(tm.pct * base.heapUsed, tm.floorBytes);
    const lastHeap = median(last.map((c) => c.heapUsed));
    out.memory = {
      ok: lastHeap <= base.heapUsed + allowance,
      baselineHeap: base.heapUsed,
      lastHeap,
      growth: lastHeap - base.heapUsed,
      allowance,
      baselineRss: base.rss,
      lastRss: median(last.map((c) => c.rss)),
      baselineArrayBuffers: base.arrayBuffers,
      lastArrayBuffers: median(last.map((c) => c.arrayBuffers)),
      cycles: last.map((c) => c.cycle),
    };
  }

  const measured = cycles.slice(tl.warmupCycles);
  const third = Math.floor(measured.length / 3);
  if (third < 1) {
    out.latency = { ok: false, reason: `needs at least ${tl.warmupCycles + 3} cycles, ran ${cycles.length}` };
  } else {
    const first = measured.slice(0, third);
    const lastThird = measured.slice(-third);
    const a = pooled(result, first);
    const b = pooled(result, lastThird);
    const p50Ratio = r3(b.p50Ms / a.p50Ms);
    const p99Ratio = r3(b.p99Ms / a.p99Ms);
    out.latency = { ok: p50Ratio <= tl.p50Max, warn: p99Ratio > tl.p99Warn, first: { cycles: first.map((c) => c.cycle), ...a }, last: { cycles: lastThird.map((c) => c.cycle), ...b }, p50Ratio, p99Ratio };
  }

  const problems = [];
  if (result.fatal) problems.push(`fatal: ${result.fatal.split('\n')[0]}`);
  if (cycles.length === 0) problems.push('no cycle ran');
  for (const c of cycles) {
    const p = [];
    if (c.failedRequests) p.push(`${c.failedRequests} unexpected answers (${c.errors[0]})`);
    if (c.missing) p.push(`${c.missing} deliveries missing`);
    if (c.duplicates) p.push(`${c.duplicates} duplicate deliveries`);
    if (c.strays) p.push(`${c.strays} stray posts`);
    if (c.badSignatures) p.push(`${c.badSignatures} posts failed verification`);
    if (c.pendingAfterDrain) p.push(`${c.pendingAfterDrain} deliveries still pending`);
    if (!c.resetOk) p.push('reset failed');
    const left = Object.entries(c.afterReset ?? {}).filter(([, n]) => n !== 0);
    if (left.length) p.push(`after reset: ${left.map(([k, n]) => `${n} ${k}`).join(', ')}`);
    if (p.length) problems.push(`cycle ${c.cycle}: ${p.join('; ')}`);
  }
  out.correctness = {
    ok: problems.length === 0,
    requests: cycles.reduce((n, c) => n + c.requests, 0),
    deliveries: cycles.reduce((n, c) => n + c.deliveriesVerified, 0),
    deliveriesExpected: cycles.reduce((n, c) => n + c.deliveriesExpected, 0),
    problems,
  };
  out.ok = out.memory.ok && out.latency.ok && out.correctness.ok;
  return out;
}

const mb = (b) => (b / MB).toFixed(2);

/** The per-cycle table and the verdicts, as printed by scripts/soak.mjs. */
export function formatReport(result, v, thresholds = DEFAULT_THRESHOLDS) {
  const lines = [];
  lines.push('| cycle | requests | req/s | p50 ms | p99 ms | deliveries (verified/expected) | heap after reset+GC MB | rss MB | external MB | arrayBuffers MB |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of result.cycles) {
    const tag = c.cycle <= thresholds.latency.warmupCycles ? ' (warm-up)' : c.cycle === thresholds.memory.baselineCycle ? ' (baseline)' : '';
    lines.push(`| ${c.cycle}${tag} | ${c.requests} | ${c.reqPerSec} | ${c.p50Ms.toFixed(3)} | ${c.p99Ms.toFixed(3)} | ${c.deliveriesVerified}/${c.deliveriesExpected} | ${mb(c.heapUsed)} | ${mb(c.rss)} | ${mb(c.external)} | ${mb(c.arrayBuffers)} |`);
  }
  lines.push('');
  const word = (ok, warn) => (ok ? (warn ? 'PASS (warning)' : 'PASS') : 'FAIL');
  const m = v.memory;
  lines.push(
    m.reason
      ? `memory       FAIL  ${m.reason}`
      : `memory       ${word(m.ok)}  heap after reset: baseline (cycle ${thresholds.memory.baselineCycle}) ${mb(m.baselineHeap)} MB, median of cycles ${m.cycles.join(',')} ${mb(m.lastHeap)} MB, ` +
          `growth ${m.growth >= 0 ? '+' : ''}${mb(m.growth)} MB (allowed +${mb(m.allowance)} MB = max(${thresholds.memory.pct * 100}%, ${mb(thresholds.memory.floorBytes)} MB)); rss ${mb(m.baselineRss)} → ${mb(m.lastRss)} MB, arrayBuffers ${mb(m.baselineArrayBuffers)} → ${mb(m.lastArrayBuffers)} MB`,
  );
  const l = v.latency;
  lines.push(
    l.reason
      ? `latency      FAIL  ${l.reason}`
      : `latency      ${word(l.ok, l.warn)}  last third (cycles ${l.last.cycles.join(',')}) over first third (cycles ${l.first.cycles.join(',')}): p50 ${l.last.p50Ms}/${l.first.p50Ms} ms = ${l.p50Ratio}× (fails above ${thresholds.latency.p50Max}×), ` +
          `p99 ${l.last.p99Ms}/${l.first.p99Ms} ms = ${l.p99Ratio}× (${l.warn ? 'WARNING: ' : ''}warns above ${thresholds.latency.p99Warn}×, never fails)`,
  );
  const c = v.correctness;
  lines.push(`correctness  ${word(c.ok)}  ${c.requests} requests, ${c.deliveries}/${c.deliveriesExpected} deliveries verified${c.problems.length ? '; ' + c.problems.slice(0, 5).join(' | ') : ', every answer as expected, every reset empty'}`);
  lines.push(`overall      ${v.ok ? 'PASS' : 'FAIL'}`);
  return lines.join('\n');
}

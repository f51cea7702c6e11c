// `npm run bench`: the mock against a bare Express 5 app in the same run, on 127.0.0.1, bounded in
// time (about 4 minutes on 2 cores). Prints a table per section and a closing report of every figure
// with its baseline and ratio, writes bench/results/latest.json, exits 0 even when a target is
// missed (it says so). Options: --rounds N --duration S --warmup S --connections N --domains N
// --in-process --scenario list|create|send|coldstart|store (repeatable); for send → webhook:
// --send-rounds N --sends N --send-warmup N --send-seconds S --rate-messages N --rate-seconds S
// --rate-concurrency N; cold start: --coldstart-runs N; store: --store-sizes 0,10000,100000.
// See docs/performance.md.
//
// Process layout: each server under test runs in its own child process and autocannon runs here.
// On a 2-core machine a load generator and a server sharing one event loop take turns on one core:
// the numbers then measure autocannon's request building as much as the server, and each side's
// GC pauses land in the other's latencies. Separate processes give each side a core, and a fresh
// child per run gives mock and baseline the same cold start (no JIT or heap carried over from the
// previous server). `--in-process` keeps everything here, for comparison; docs/performance.md
// records how both layouts behaved.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import express from 'express';
import { createMailgunMock, startMailgunMock } from '../dist/index.js';
import { measureColdStart } from './lib/coldstart.mjs';
import { measure } from './lib/load.mjs';
import { startServer } from './lib/servers.mjs';
import { WEBHOOK_NAMES } from './lib/scenarios.mjs';
import { measureDeliveryRate, measureSendLatency, SEND_SIGNING_KEY, sendHooks, startReceiver } from './lib/send.mjs';
import { captureTemplate, defaultStoreVariants, fmtRecords, optionSupport, storeComparisons, writeDataFile } from './lib/store.mjs';

const TARGET = 0.9;
/** The issue's aim for send → webhook: median time from a send to the verified webhook. */
const SEND_P50_AIM_MS = 5;
/** Cold start of the CLI (spawn → first 200): at most this many times the bare Express 5 app's. */
const COLDSTART_TARGET = 1.2;
/** The sections that are not autocannon request scenarios. */
const SECTIONS = ['send', 'coldstart', 'store'];
const SCENARIOS = {
  list: 'GET list    GET /v3/domains/samples.mailgun.org/webhooks',
  create: 'POST create POST /v3/domains/{domain}/webhooks (id, url)',
};
/** Servers of the send → webhook section: the mock, and a bare node:http server posting with either client. */
const SEND_SERVERS = {
  'bare-fetch': { kind: 'baseline', client: 'fetch', label: 'bare http+fetch' },
  'bare-http': { kind: 'baseline', client: 'http', label: 'bare http+http' },
  mock: { kind: 'mock', label: 'mailgun-mock' },
};

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '10' },
    domains: { type: 'string' },
    scenario: { type: 'string', multiple: true },
    'in-process': { type: 'boolean', default: false },
    'send-rounds': { type: 'string', default: '2' },
    sends: { type: 'string', default: '500' },
    'send-warmup': { type: 'string', default: '100' },
    'send-seconds': { type: 'string', default: '15' },
    'rate-messages': { type: 'string', default: '5000' },
    'rate-seconds': { type: 'string', default: '5' },
    'rate-concurrency': { type: 'string', default: '50' },
    'coldstart-runs': { type: 'string', default: '15' },
    'store-sizes': { type: 'string', default: '0,10000,100000' },
  },
});
const rounds = Number(args.rounds);
const durationSec = Number(args.duration);
const warmupSec = Number(args.warmup);
const connections = Number(args.connections);
const inProcess = args['in-process'];
const selected = args.scenario?.length ? args.scenario : [...Object.keys(SCENARIOS), ...SECTIONS];
for (const s of selected) if (!(s in SCENARIOS) && !SECTIONS.includes(s)) throw new Error(`unknown scenario ${s} (${[...Object.keys(SCENARIOS), ...SECTIONS].join(', ')})`);
const scenarios = selected.filter((s) => s in SCENARIOS);
const sendCfg = {
  rounds: Number(args['send-rounds']),
  latency: { warmup: Number(args['send-warmup']), sends: Number(args.sends), capSec: Number(args['send-seconds']) },
  rate: { concurrency: Number(args['rate-concurrency']), messages: Number(args['rate-messages']), capSec: Number(args['rate-seconds']), warmup: 500 },
};
const coldstartRuns = Number(args['coldstart-runs']);
const storeSizes = args['store-sizes'].split(',').map((x) => {
  const n = Number(x.trim());
  if (!Number.isInteger(n) || n < 0) throw new Error(`--store-sizes: '${x}' is not a record count`);
  return n;
});
// Enough fresh (domain × name) pairs for 30 000 creates a second through warm-up and run.
const domains = Number(args.domains ?? Math.ceil((30_000 * (warmupSec + durationSec)) / WEBHOOK_NAMES.length) + 1);

const log = (line = '') => process.stdout.write(line + '\n');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r3 = (v) => Math.round(v * 1000) / 1000;

function machine() {
  const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { nproc: cpus().length, cpu: cpuModel, node: process.version, platform: `${process.platform} ${process.arch}` };
}

/**
 * Start + stop on port 0, and reset() with the default fixtures, all in this process. The baseline
 * of start+stop: a bare Express 5 app (one route) created, listening on port 0 and closed, the same
 * way (it opens one listener; the mock opens two, US and EU).
 */
async function lifecycle() {
  const startStop = [];
  const bareStartStop = [];
  for (let i = 0; i < 22; i++) {
    const t0 = performance.now();
    const mock = await startMailgunMock({ port: 0 });
    await mock.stop();
    // The first two are warm-up (module JIT, the fixture schema compiled once per process).
    if (i >= 2) startStop.push(performance.now() - t0);
    const t1 = performance.now();
    const app = express();
    app.get('/__mock/health', (_req, res) => void res.json({ status: 'ok' }));
    const server = createServer(app);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
    if (i >= 2) bareStartStop.push(performance.now() - t1);
  }
  const mock = await createMailgunMock();
  const resets = [];
  for (let i = 0; i < 55; i++) {
    const t0 = performance.now();
    await mock.reset();
    if (i >= 5) resets.push(performance.now() - t0);
  }
  await mock.stop();
  const stats = (xs) => ({ medianMs: r3(median(xs)), minMs: r3(Math.min(...xs)), maxMs: r3(Math.max(...xs)), n: xs.length });
  return { startStop: stats(startStop), bareStartStop: stats(bareStartStop), reset: stats(resets) };
}

/** Starts a server under test: in a child process (default) or here. */
async function launch(kind, spec) {
  if (inProcess) return startServer(kind, spec);
  const child = fork(new URL('./lib/server-child.mjs', import.meta.url), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // The next message from the child; a child that dies instead fails the run rather than hanging it.
  const reply = () =>
    new Promise((resolve, reject) => {
      const onMessage = (msg) => {
        child.off('exit', onExit);
        if (msg.error) reject(new Error(`${kind} server: ${msg.error}`));
        else resolve(msg);
      };
      const onExit = (code, signal) => {
        child.off('message', onMessage);
        reject(new Error(`${kind} server exited early (${signal ?? code})`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
  child.send({ start: kind, spec });
  const { url, info } = await reply();
  return {
    url,
    info,
    async cpuStart() {
      child.send({ cpuStart: true });
      await reply();
    },
    async cpuEnd() {
      child.send({ cpuEnd: true });
      return (await reply()).cpuUs;
    },
    async stop() {
      const exited = once(child, 'exit');
      child.send({ stop: true });
      await reply();
      await exited;
    },
    kill: () => child.kill(),
  };
}

/**
 * Send → webhook: per round, a fresh child per server (order rotated), one local receiver here.
 * Each child serves the latency measurement, then the rate measurement.
 */
async function sendSection() {
  const receiver = await startReceiver(SEND_SIGNING_KEY);
  const runs = [];
  try {
    const hooks = sendHooks(receiver);
    const names = Object.keys(SEND_SERVERS);
    for (let round = 1; round <= sendCfg.rounds; round++) {
      // Rotate who goes first, so no server always gets the fresher machine.
      const order = names.map((_, i) => names[(i + round - 1) % names.length]);
      for (const name of order) {
        const { kind, client, label } = SEND_SERVERS[name];
        const server = await launch(kind, { scenario: 'send', signingKey: SEND_SIGNING_KEY, hooks, client });
        let latency;
        let rate;
        try {
          latency = await measureSendLatency(server.url, receiver, sendCfg.latency, server);
          rate = await measureDeliveryRate(server.url, receiver, sendCfg.rate, server);
        } catch (err) {
          server.kill?.();
          throw err;
        }
        await server.stop();
        if (receiver.stats.bad > 0) throw new Error(`send → webhook: ${receiver.stats.bad} posts failed verification (${receiver.stats.lastBad})`);
        runs.push({ round, server: name, latency, rate });
        log(
          `round ${round}  send→hook  ${label.padEnd(15)}  p50 ${latency.p50Ms.toFixed(3)}  p90 ${latency.p90Ms.toFixed(3)}  p99 ${latency.p99Ms.toFixed(3)}  max ${latency.maxMs.toFixed(3)} ms  ` +
            `(answer p50 ${latency.answer.p50Ms.toFixed(3)} ms, n=${latency.n}${latency.capped ? ', time cap hit' : ''}, ${latency.webhookBytes} B/post, ${latency.newConnections} new conns${latency.cpuUsPerSend === null ? '' : `, CPU ${latency.cpuUsPerSend} µs/send`})`,
        );
        log(
          `round ${round}  rate       ${label.padEnd(15)}  ${String(rate.deliveriesPerSec).padStart(6)} deliveries/s  ${String(rate.sendsPerSec).padStart(6)} sends/s  ` +
            `(${rate.messages} messages, ${rate.deliveries}/${rate.expected} posts, drain ${rate.drainMs.toFixed(0)} ms, ${rate.newConnections} new conns, delivered p50 ${rate.deliveredP50Ms.toFixed(1)} p99 ${rate.deliveredP99Ms.toFixed(1)} ms` +
            `${rate.cpuUsPerDelivery === null ? '' : `, CPU ${rate.cpuUsPerDelivery} µs/delivery`}${rate.strays ? `, ${rate.strays} strays` : ''})`,
        );
      }
    }
  } finally {
    await receiver.close();
  }
  const best = (name) => {
    const mine = runs.filter((r) => r.server === name);
    const min = (f) => Math.min(...mine.map(f));
    const max = (f) => Math.max(...mine.map(f));
    return {
      label: SEND_SERVERS[name].label,
      latency: {
        p50Ms: min((r) => r.latency.p50Ms),
        p90Ms: min((r) => r.latency.p90Ms),
        p99Ms: min((r) => r.latency.p99Ms),
        maxMs: min((r) => r.latency.maxMs),
        answerP50Ms: min((r) => r.latency.answer.p50Ms),
        cpuUsPerSend: inProcess ? null : Math.round(median(mine.map((r) => r.latency.cpuUsPerSend)) * 10) / 10,
      },
      rate: {
        deliveriesPerSec: max((r) => r.rate.deliveriesPerSec),
        sendsPerSec: max((r) => r.rate.sendsPerSec),
        cpuUsPerDelivery: inProcess ? null : Math.round(median(mine.map((r) => r.rate.cpuUsPerDelivery)) * 10) / 10,
        missing: mine.reduce((n, r) => n + r.rate.missing, 0),
      },
      runs: mine.map(({ round, latency, rate }) => ({ round, latency, rate })),
    };
  };
  const servers = Object.fromEntries(Object.keys(SEND_SERVERS).map((n) => [n, best(n)]));
  const { mock } = servers;
  const vs = (b) => ({
    p50: r3(mock.latency.p50Ms / b.latency.p50Ms),
    p99: r3(mock.latency.p99Ms / b.latency.p99Ms),
    deliveriesPerSec: r3(mock.rate.deliveriesPerSec / b.rate.deliveriesPerSec),
    cpuPerDelivery: mock.rate.cpuUsPerDelivery ? r3(mock.rate.cpuUsPerDelivery / b.rate.cpuUsPerDelivery) : null,
  });
  return {
    description: 'POST /v3/{domain}/messages (urlencoded, 1 recipient) → signed webhook POST to a local receiver that verifies it',
    config: sendCfg,
    servers,
    ratio: { mockVsBareFetch: vs(servers['bare-fetch']), mockVsBareHttp: vs(servers['bare-http']) },
    aim: { p50MsAtMost: SEND_P50_AIM_MS, met: mock.latency.p50Ms <= SEND_P50_AIM_MS && mock.rate.missing === 0, pick: 'best of rounds for each figure (min latencies, max rates), median CPU' },
  };
}

/**
 * Cold start: spawn → first 200 for the mock's CLI and a bare Express 5 program, and `node -e 0`
 * as the floor (bench/lib/coldstart.mjs). The target is judged on the medians.
 */
async function coldStartSection() {
  const cs = await measureColdStart({ runs: coldstartRuns, log });
  const { mock, bare, floor } = cs.programs;
  const ratio = r3(mock.medianMs / bare.medianMs);
  return {
    description: 'spawn → first 200 on GET /__mock/health: `node dist/cli/mailgun-mock.cjs --port 0 --log-level silent` vs a bare Express 5 program (bench/lib/coldstart-baseline.mjs); `node -e 0` (spawn → exit) as the floor',
    ...cs,
    ratio: {
      median: ratio,
      min: r3(mock.minMs / bare.minMs),
      // What each program adds to Node's own start.
      aboveFloorMedian: r3((mock.medianMs - floor.medianMs) / (bare.medianMs - floor.medianMs)),
    },
    target: { ratioAtMost: COLDSTART_TARGET, on: 'medians', met: ratio <= COLDSTART_TARGET },
  };
}

/**
 * The store scenario: POST /v3/store.example.com/messages under autocannon (as the request
 * scenarios: same warm-up, duration, connections and rounds, one fresh child per run, order
 * reversed every other round) against each variant of `storeVariants` (bench/lib/store.mjs; the
 * hook: pass other variants and comparisons to measure other stores). A file variant starts on a
 * fresh copy of its data file each run, written once up front and checked by starting a mock on it.
 */
async function storeSection({ storeVariants = defaultStoreVariants(storeSizes), comparisons = storeComparisons(storeSizes) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mailgun-mock-bench-'));
  try {
    // Variants whose options the built mock does not know are skipped, with a note.
    const support = new Map();
    const skipped = [];
    const active = [];
    const knows = async (name, value) => {
      if (!support.has(name)) support.set(name, await optionSupport(name, value, dir));
      return support.get(name);
    };
    for (const v of storeVariants) {
      let note;
      for (const name of v.requires ?? []) note ??= (await knows(name, v.options?.[name] ?? true)).note;
      if (note) {
        skipped.push({ name: v.name, label: v.label, note });
        log(`store: skipping "${v.label}": ${note}`);
        continue;
      }
      // Preferred options the built mock does not know are left out (and said once).
      const options = { ...v.options };
      for (const [name, value] of Object.entries(v.prefer ?? {})) {
        const s = await knows(name, value);
        if (s.ok) options[name] = value;
        else if (!s.said) {
          s.said = true;
          log(`store: without ${name}: ${s.note}`);
        }
      }
      active.push({ ...v, options });
    }

    // The data files: clones of one real send's records, then a start on each must hold them all.
    const template = await captureTemplate();
    const files = new Map();
    let copies = 0;
    const copyOf = (f) => {
      const path = join(dir, `run-${copies++}.json`);
      copyFileSync(f.path, path);
      return path;
    };
    const dropCopy = (path) => {
      rmSync(path, { force: true });
      rmSync(`${path}.wal`, { force: true });
    };
    const startOn = async (v) => {
      const f = v.store === 'file' ? files.get(v.records) : undefined;
      const dataFile = f ? copyOf(f) : undefined;
      const server = await launch('mock', { scenario: 'store', dataFile, options: v.options ?? {} });
      const info = server.info ?? {};
      if (f && (info.storage !== 'file' || info.messages !== f.messages || info.events !== f.events)) {
        server.kill?.();
        throw new Error(`store ${v.label}: the mock started on the data file of ${f.records} records holds ${info.messages} messages and ${info.events} events in a ${info.storage} store (expected ${f.messages} and ${f.events} in a file)`);
      }
      return { server, dataFile, info };
    };
    for (const v of active) {
      if (v.store !== 'file' || files.has(v.records)) continue;
      const t0 = performance.now();
      const f = writeDataFile(join(dir, `data-${v.records}.json`), v.records, template);
      f.generateMs = Math.round(performance.now() - t0);
      files.set(v.records, f);
      const { server, dataFile, info } = await startOn({ ...v, options: {} });
      await server.stop();
      dropCopy(dataFile);
      log(
        `store: data file of ${fmtRecords(v.records)} records (${f.messages} messages, ${f.events} events): ${(f.bytes / 1e6).toFixed(1)} MB, ` +
          `written in ${f.generateMs} ms; a mock started on it in ${info.startMs} ms and holds them all`,
      );
    }

    const runs = [];
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? active : [...active].reverse();
      for (const v of order) {
        const { server, dataFile, info } = await startOn(v);
        let result;
        try {
          result = await measure(server.url, 'store', { connections, warmupSec, durationSec }, server);
        } catch (err) {
          server.kill?.();
          throw err;
        }
        await server.stop();
        if (dataFile) dropCopy(dataFile);
        runs.push({ round, variant: v.name, startMs: info.startMs, ...result });
        log(
          `round ${round}  store   ${v.label.padEnd(26)}  ${String(result.reqPerSec).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(3)} ms  p99 ${result.p99Ms.toFixed(3)} ms  ` +
            `${result.cpuUsPerReq === null ? '' : `CPU ${result.cpuUsPerReq} µs/req  `}non-2xx ${result.non2xx}  errors ${result.errors}  (start ${info.startMs} ms)`,
        );
      }
    }

    const variants = {};
    for (const v of active) {
      const mine = runs.filter((r) => r.variant === v.name);
      const f = v.store === 'file' ? files.get(v.records) : undefined;
      variants[v.name] = {
        label: v.label,
        store: v.store,
        records: f ? f.records : 0,
        options: v.options ?? {},
        fileMB: f ? Math.round(f.bytes / 1e4) / 100 : null,
        generateMs: f ? f.generateMs : null,
        startMs: { min: Math.min(...mine.map((r) => r.startMs)), median: median(mine.map((r) => r.startMs)) },
        reqPerSec: Math.max(...mine.map((r) => r.reqPerSec)),
        p50Ms: Math.min(...mine.map((r) => r.p50Ms)),
        p99Ms: Math.min(...mine.map((r) => r.p99Ms)),
        cpuUsPerReq: inProcess ? null : Math.round(median(mine.map((r) => r.cpuUsPerReq)) * 10) / 10,
        non2xx: mine.reduce((n, r) => n + r.non2xx + r.warmupNon2xx, 0),
        errors: mine.reduce((n, r) => n + r.errors, 0),
        runs: mine.map(({ round, startMs, reqPerSec, p50Ms, p99Ms, maxMs, cpuUsPerReq, requests, non2xx, errors }) => ({ round, startMs, reqPerSec, p50Ms, p99Ms, maxMs, cpuUsPerReq, requests, non2xx, errors })),
      };
    }
    const ratios = comparisons.map((c) => {
      const a = variants[c.num];
      const b = variants[c.den];
      if (!a || !b) return { ...c, ratio: null, note: skipped.find((x) => x.name === c.num || x.name === c.den)?.note ?? 'not measured' };
      const ratio = r3(a.reqPerSec / b.reqPerSec);
      return { ...c, ratio, p50: r3(a.p50Ms / b.p50Ms), cpuImplied: a.cpuUsPerReq ? r3(b.cpuUsPerReq / a.cpuUsPerReq) : null, ...(c.target ? { met: ratio >= c.target.atLeast && a.non2xx === 0 && b.non2xx === 0 } : {}) };
    });
    return {
      description: 'POST /v3/store.example.com/messages (urlencoded, 1 recipient, no webhooks) on a memory store or a data file pre-written with N records (N/3 messages, 2 events each)',
      sizes: storeSizes,
      variants,
      comparisons: ratios,
      skipped,
      pick: 'best of rounds: max req/s, min p50/p99 (each independently); median server CPU per request; start: min and median over rounds',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per figure, with its baseline and ratio, and the target where there is one. */
function reportRows({ results, send, cold, store, life }) {
  const rows = [];
  const add = (figure, value, baseline, baselineLabel, ratio, target, met) => rows.push({ figure, value, baseline, baselineLabel, ratio, target: target ?? null, met: met ?? null });
  for (const [scenario, r] of Object.entries(results)) {
    const name = scenario === 'list' ? 'GET list req/s' : 'POST create req/s';
    add(name, r.mock.reqPerSec, r.baseline.reqPerSec, 'bare Express 5', r.ratio.reqPerSec, `≥ ${TARGET}×`, r.target.met);
  }
  if (send) {
    const m = send.servers.mock;
    const b = send.servers['bare-fetch'];
    add('send → webhook p50 ms', m.latency.p50Ms, b.latency.p50Ms, 'bare node:http+fetch', send.ratio.mockVsBareFetch.p50, `p50 ≤ ${SEND_P50_AIM_MS} ms`, send.aim.met);
    add('deliveries/s', m.rate.deliveriesPerSec, b.rate.deliveriesPerSec, 'bare node:http+fetch', send.ratio.mockVsBareFetch.deliveriesPerSec);
  }
  if (cold) {
    const { mock, bare, floor } = cold.programs;
    add('cold start ms (median)', mock.medianMs, bare.medianMs, 'bare Express 5 app', cold.ratio.median, `≤ ${COLDSTART_TARGET}×`, cold.target.met);
    add('cold start ms (min)', mock.minMs, bare.minMs, 'bare Express 5 app', cold.ratio.min);
    add('cold start above node -e 0, ms', r3(mock.medianMs - floor.medianMs), r3(bare.medianMs - floor.medianMs), 'bare Express 5 app', cold.ratio.aboveFloorMedian);
    add('node -e 0 ms (floor, median)', floor.medianMs, null, '');
  }
  add('start+stop ms (median)', life.startStop.medianMs, life.bareStartStop.medianMs, 'bare Express 5 listen+close', r3(life.startStop.medianMs / life.bareStartStop.medianMs));
  add('reset() ms (median)', life.reset.medianMs, null, '');
  if (store) {
    for (const c of store.comparisons) {
      const a = store.variants[c.num];
      const b = store.variants[c.den];
      add(`store req/s: ${c.name}`, a?.reqPerSec ?? null, b?.reqPerSec ?? null, b ? b.label : c.den, c.ratio, c.target ? `≥ ${c.target.atLeast}×` : null, c.target ? (c.ratio === null ? false : c.met) : null);
      if (c.ratio === null) rows.at(-1).note = c.note;
      else if (c.cpuImplied) rows.at(-1).note = `CPU-implied ${c.cpuImplied.toFixed(3)}×`;
    }
    // Start time on each data file (open, read, check, listen), against the file of 0 records.
    const base = store.variants['file-0'];
    for (const v of Object.values(store.variants).filter((v) => v.store === 'file' && v.records > 0)) {
      add(`store start ms: file ${fmtRecords(v.records)} (${v.fileMB} MB)`, v.startMs.min, base?.startMs.min ?? null, 'file, 0', base ? r3(v.startMs.min / base.startMs.min) : null);
    }
  }
  return rows;
}

async function main() {
  const info = machine();
  const started = new Date();
  log(`mailgun-mock bench · ${started.toISOString()} · node ${info.node} · ${info.nproc} cores · ${info.cpu}`);
  log(
    `layout: ${inProcess ? 'servers and autocannon in one process' : 'each server in a child process, autocannon in the parent'} · ` +
      `${connections} connections · ${warmupSec}s warm-up + ${durationSec}s measured · ${rounds} rounds (best of each kept)`,
  );
  if (selected.includes('send')) {
    log(
      `send → webhook: ${sendCfg.latency.warmup} warm-up + ${sendCfg.latency.sends} sequential sends (cap ${sendCfg.latency.capSec}s); rate: ` +
        `${sendCfg.rate.concurrency} in flight, ${sendCfg.rate.messages} messages or ${sendCfg.rate.capSec}s, 2 webhooks each; ${sendCfg.rounds} rounds`,
    );
  }
  log();

  if (selected.includes('coldstart')) log(`cold start: ${coldstartRuns} runs of each program after one untimed, order rotated; spawn → first 200`);
  if (selected.includes('store')) log(`store: sizes ${storeSizes.map(fmtRecords).join(', ')} records; ${connections} connections · ${warmupSec}s warm-up + ${durationSec}s measured · ${rounds} rounds`);
  log();

  const life = await lifecycle();
  log(`start+stop  startMailgunMock({port:0}) + stop(): median ${life.startStop.medianMs} ms (min ${life.startStop.minMs}, max ${life.startStop.maxMs}, n=${life.startStop.n})`);
  log(`            bare Express 5 listen + close:       median ${life.bareStartStop.medianMs} ms (min ${life.bareStartStop.minMs}, max ${life.bareStartStop.maxMs}, n=${life.bareStartStop.n})`);
  log(`reset()     default fixtures:                    median ${life.reset.medianMs} ms (min ${life.reset.minMs}, max ${life.reset.maxMs}, n=${life.reset.n})`);
  log();

  const cold = selected.includes('coldstart') ? await coldStartSection() : undefined;
  if (cold) log();

  const runs = [];
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      // Alternate who goes first, so neither side always gets the fresher machine.
      const order = round % 2 ? ['baseline', 'mock'] : ['mock', 'baseline'];
      for (const kind of order) {
        const server = await launch(kind, { scenario, domains });
        let result;
        try {
          result = await measure(server.url, scenario, { connections, warmupSec, durationSec }, server);
        } catch (err) {
          server.kill?.();
          throw err;
        }
        await server.stop();
        runs.push({ round, scenario, kind, ...result });
        log(
          `round ${round}  ${scenario.padEnd(6)}  ${kind.padEnd(8)}  ${String(result.reqPerSec).padStart(6)} req/s  ` +
            `p50 ${result.p50Ms.toFixed(3)} ms  p99 ${result.p99Ms.toFixed(3)} ms  ` +
            `${result.cpuUsPerReq === null ? '' : `CPU ${result.cpuUsPerReq} µs/req  `}non-2xx ${result.non2xx}  errors ${result.errors}` +
            (result.pairsUsed ? `  (${Math.ceil(result.pairsUsed / WEBHOOK_NAMES.length)} domains walked)` : ''),
        );
      }
    }
  }

  const send = selected.includes('send') ? await sendSection() : undefined;
  const store = selected.includes('store') ? await storeSection() : undefined;

  const results = {};
  for (const scenario of scenarios) {
    const best = (kind) => {
      const mine = runs.filter((r) => r.scenario === scenario && r.kind === kind);
      return {
        reqPerSec: Math.max(...mine.map((r) => r.reqPerSec)),
        p99Ms: Math.min(...mine.map((r) => r.p99Ms)),
        p50Ms: Math.min(...mine.map((r) => r.p50Ms)),
        // The median, not the best: CPU per request is already robust to stolen time.
        cpuUsPerReq: inProcess ? null : Math.round(median(mine.map((r) => r.cpuUsPerReq)) * 10) / 10,
        non2xx: mine.reduce((n, r) => n + r.non2xx + r.warmupNon2xx, 0),
        errors: mine.reduce((n, r) => n + r.errors, 0),
        runs: mine.map(({ round, reqPerSec, p50Ms, p99Ms, maxMs, cpuUsPerReq, requests, non2xx, errors, durationSec: d, pairsUsed }) => ({ round, reqPerSec, p50Ms, p99Ms, maxMs, cpuUsPerReq, requests, non2xx, errors, durationSec: d, pairsUsed })),
      };
    };
    const baseline = best('baseline');
    const mock = best('mock');
    const reqRatio = r3(mock.reqPerSec / baseline.reqPerSec);
    results[scenario] = {
      description: SCENARIOS[scenario],
      baseline,
      mock,
      ratio: {
        reqPerSec: reqRatio,
        p99: r3(mock.p99Ms / baseline.p99Ms),
        // Baseline CPU per request over the mock's: the throughput ratio a CPU-bound server would show.
        cpuImpliedReqPerSec: mock.cpuUsPerReq ? r3(baseline.cpuUsPerReq / mock.cpuUsPerReq) : null,
      },
      target: { reqPerSecRatioAtLeast: TARGET, met: reqRatio >= TARGET && mock.non2xx === 0 && baseline.non2xx === 0 },
    };
  }

  log();
  const row = (cells, widths) => cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  const widths = [11, 16, 9, 8, 8, 11, 8, 7];
  if (scenarios.length) {
    log(row(['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'non-2xx', 'errors'], widths));
    log('-'.repeat(widths.reduce((a, b) => a + b + 2, -2)));
  }
  for (const [scenario, r] of Object.entries(results)) {
    const name = scenario === 'list' ? 'GET list' : 'POST create';
    for (const [label, s] of [['bare Express 5', r.baseline], ['mailgun-mock', r.mock]]) {
      log(row([name, label, s.reqPerSec, s.p50Ms.toFixed(3), s.p99Ms.toFixed(3), s.cpuUsPerReq ?? '-', s.non2xx, s.errors], widths));
    }
    const cpu = r.mock.cpuUsPerReq ? (r.mock.cpuUsPerReq / r.baseline.cpuUsPerReq).toFixed(3) + '×' : '-';
    log(row([name, 'mock / baseline', r.ratio.reqPerSec.toFixed(3) + '×', '', r.ratio.p99.toFixed(3) + '×', cpu, '', ''], widths));
    log();
  }
  if (send) {
    const sw = [16, 15, 8, 8, 8, 8, 11, 8, 12];
    log(row(['send → webhook', 'server', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'CPU µs/send', 'deliv/s', 'CPU µs/deliv'], sw));
    log('-'.repeat(sw.reduce((a, b) => a + b + 2, -2)));
    for (const s of Object.values(send.servers)) {
      log(row(['', s.label, s.latency.p50Ms.toFixed(3), s.latency.p90Ms.toFixed(3), s.latency.p99Ms.toFixed(3), s.latency.maxMs.toFixed(3), s.latency.cpuUsPerSend ?? '-', s.rate.deliveriesPerSec, s.rate.cpuUsPerDelivery ?? '-'], sw));
    }
    for (const [label, v] of [['mock / bare+fetch', send.ratio.mockVsBareFetch], ['mock / bare+http', send.ratio.mockVsBareHttp]]) {
      log(row(['', label, v.p50.toFixed(3) + '×', '', v.p99.toFixed(3) + '×', '', '', v.deliveriesPerSec.toFixed(3) + '×', v.cpuPerDelivery === null ? '-' : v.cpuPerDelivery.toFixed(3) + '×'], sw));
    }
    log(`sends/s under load: mock ${send.servers.mock.rate.sendsPerSec}, bare+fetch ${send.servers['bare-fetch'].rate.sendsPerSec}, bare+http ${send.servers['bare-http'].rate.sendsPerSec}`);
    log();
  }
  if (cold) {
    const cw = [11, 16, 10, 9, 9, 13, 9];
    log(row(['cold start', 'program', 'median ms', 'min ms', 'max ms', 'listening ms', 'n'], cw));
    log('-'.repeat(cw.reduce((a, b) => a + b + 2, -2)));
    for (const p of Object.values(cold.programs)) {
      log(row(['', p.label, p.medianMs.toFixed(1), p.minMs.toFixed(1), p.maxMs.toFixed(1), p.listen ? p.listen.medianMs.toFixed(1) : '-', p.n], cw));
    }
    log(row(['', 'mock / bare', cold.ratio.median.toFixed(3) + '×', cold.ratio.min.toFixed(3) + '×', '', '', ''], cw));
    log(`above the node -e 0 floor: mock ${(cold.programs.mock.medianMs - cold.programs.floor.medianMs).toFixed(1)} ms, bare ${(cold.programs.bare.medianMs - cold.programs.floor.medianMs).toFixed(1)} ms (${cold.ratio.aboveFloorMedian.toFixed(3)}×)`);
    log();
  }
  if (store) {
    const tw = [26, 8, 8, 9, 9, 8, 8, 13, 7];
    log(row(['store (POST messages)', 'records', 'file MB', 'start ms', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'non-2xx'], tw));
    log('-'.repeat(tw.reduce((a, b) => a + b + 2, -2)));
    for (const v of Object.values(store.variants)) {
      log(row([v.label, v.store === 'file' ? v.records : '-', v.fileMB === null ? '-' : v.fileMB.toFixed(2), v.startMs.min.toFixed(1), v.reqPerSec, v.p50Ms.toFixed(3), v.p99Ms.toFixed(3), v.cpuUsPerReq ?? '-', v.non2xx], tw));
    }
    for (const c of store.comparisons) log(row([c.name, '', '', '', c.ratio === null ? '-' : c.ratio.toFixed(3) + '×', c.p50 ? c.p50.toFixed(3) + '×' : '', '', c.cpuImplied ? `${c.cpuImplied.toFixed(3)}× impl.` : '', ''], tw));
    for (const x of store.skipped) log(`skipped ${x.label}: ${x.note}`);
    log();
  }
  for (const [scenario, r] of Object.entries(results)) {
    const name = scenario === 'list' ? 'GET list' : 'POST create';
    const why = r.mock.non2xx || r.baseline.non2xx ? ' (non-2xx answers: the run did not measure the success path)' : '';
    const implied = r.ratio.cpuImpliedReqPerSec === null ? '' : `; CPU-implied ${r.ratio.cpuImpliedReqPerSec.toFixed(3)}×`;
    log(`target ${name.padEnd(11)} mock ≥ ${TARGET}× bare Express 5 req/s: ${r.target.met ? 'met' : 'MISSED'} (${r.ratio.reqPerSec.toFixed(3)}×${implied})${why}`);
  }
  if (send) {
    const m = send.servers.mock;
    const why = m.rate.missing ? ` (${m.rate.missing} webhooks never arrived)` : '';
    log(`target send → webhook   mock p50 ≤ ${SEND_P50_AIM_MS} ms: ${send.aim.met ? 'met' : 'MISSED'} (p50 ${m.latency.p50Ms.toFixed(3)} ms, ${send.ratio.mockVsBareFetch.p50.toFixed(3)}× bare+fetch; ${m.rate.deliveriesPerSec} deliveries/s)${why}`);
  }
  if (cold) log(`target cold start        mock CLI ≤ ${COLDSTART_TARGET}× bare Express 5 (spawn → first 200, medians): ${cold.target.met ? 'met' : 'MISSED'} (${cold.ratio.median.toFixed(3)}×: ${cold.programs.mock.medianMs.toFixed(1)} vs ${cold.programs.bare.medianMs.toFixed(1)} ms)`);
  if (store) {
    for (const c of store.comparisons.filter((c) => c.target)) {
      log(`target store ${c.name.padEnd(11)} ≥ ${c.target.atLeast}× req/s: ${c.ratio === null ? `MISSED (not measured: ${c.note})` : `${c.met ? 'met' : 'MISSED'} (${c.ratio.toFixed(3)}×)`}`);
    }
  }
  log(`start+stop median ${life.startStop.medianMs} ms · reset() median ${life.reset.medianMs} ms`);

  // The closing report: every figure, its baseline and the ratio, and each target's verdict.
  const report = reportRows({ results, send, cold, store, life });
  const fmt = (v) => (v === null || v === undefined ? '-' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v));
  const rw = [40, 10, 10, 28, 9, 12, 6];
  log();
  log('report');
  const left = new Set([0, 3, 5, 6]);
  const rrow = (cells) => cells.map((c, i) => (left.has(i) ? String(c).padEnd(rw[i]) : String(c).padStart(rw[i]))).join('  ').trimEnd();
  log(rrow(['figure', 'mock', 'baseline', 'baseline is', 'ratio', 'target', '']));
  log('-'.repeat(rw.reduce((a, b) => a + b + 2, -2)));
  for (const r of report) {
    log(rrow([r.figure, fmt(r.value), fmt(r.baseline), r.baselineLabel, r.ratio === null || r.ratio === undefined ? '-' : r.ratio.toFixed(3) + '×', r.target ?? '', r.met === null ? '' : r.met ? 'met' : 'MISSED']) + (r.note ? `  (${r.note})` : ''));
  }

  const out = {
    date: started.toISOString(),
    machine: info,
    config: { layout: inProcess ? 'in-process' : 'child-process', rounds, connections, warmupSec, durationSec, createDomains: domains, coldstartRuns, storeSizes, pick: 'best of rounds: max req/s, min p50/p99 (each independently); median server CPU per request' },
    lifecycle: life,
    scenarios: results,
    ...(send ? { sendToWebhook: send } : {}),
    ...(cold ? { coldStart: cold } : {}),
    ...(store ? { store } : {}),
    report,
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.json', dir), JSON.stringify(out, null, 2) + '\n');
  log(`results written to bench/results/latest.json`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

// `npm run bench`: the mock against a bare Express 5 app in the same run, on 127.0.0.1, bounded in
// time (about a minute on 2 cores). Prints a table, writes bench/results/latest.json, exits 0 even
// when a target is missed (it says so). Options: --rounds N --duration S --warmup S --connections N
// --domains N --in-process --scenario list|create. See docs/performance.md.
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
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createMailgunMock, startMailgunMock } from '../dist/index.js';
import { measure } from './lib/load.mjs';
import { startServer } from './lib/servers.mjs';
import { WEBHOOK_NAMES } from './lib/scenarios.mjs';

const TARGET = 0.9;
const SCENARIOS = {
  list: 'GET list    GET /v3/domains/samples.mailgun.org/webhooks',
  create: 'POST create POST /v3/domains/{domain}/webhooks (id, url)',
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
  },
});
const rounds = Number(args.rounds);
const durationSec = Number(args.duration);
const warmupSec = Number(args.warmup);
const connections = Number(args.connections);
const inProcess = args['in-process'];
const scenarios = args.scenario?.length ? args.scenario : Object.keys(SCENARIOS);
for (const s of scenarios) if (!(s in SCENARIOS)) throw new Error(`unknown scenario ${s} (list, create)`);
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

/** Start + stop on port 0, and reset() with the default fixtures, all in this process. */
async function lifecycle() {
  const startStop = [];
  for (let i = 0; i < 22; i++) {
    const t0 = performance.now();
    const mock = await startMailgunMock({ port: 0 });
    await mock.stop();
    // The first two are warm-up (module JIT, the fixture schema compiled once per process).
    if (i >= 2) startStop.push(performance.now() - t0);
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
  return { startStop: stats(startStop), reset: stats(resets) };
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
  const { url } = await reply();
  return {
    url,
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

async function main() {
  const info = machine();
  const started = new Date();
  log(`mailgun-mock bench · ${started.toISOString()} · node ${info.node} · ${info.nproc} cores · ${info.cpu}`);
  log(
    `layout: ${inProcess ? 'servers and autocannon in one process' : 'each server in a child process, autocannon in the parent'} · ` +
      `${connections} connections · ${warmupSec}s warm-up + ${durationSec}s measured · ${rounds} rounds (best of each kept)`,
  );
  log();

  const life = await lifecycle();
  log(`start+stop  startMailgunMock({port:0}) + stop(): median ${life.startStop.medianMs} ms (min ${life.startStop.minMs}, max ${life.startStop.maxMs}, n=${life.startStop.n})`);
  log(`reset()     default fixtures:                    median ${life.reset.medianMs} ms (min ${life.reset.minMs}, max ${life.reset.maxMs}, n=${life.reset.n})`);
  log();

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
  log(row(['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'non-2xx', 'errors'], widths));
  log('-'.repeat(widths.reduce((a, b) => a + b + 2, -2)));
  for (const [scenario, r] of Object.entries(results)) {
    const name = scenario === 'list' ? 'GET list' : 'POST create';
    for (const [label, s] of [['bare Express 5', r.baseline], ['mailgun-mock', r.mock]]) {
      log(row([name, label, s.reqPerSec, s.p50Ms.toFixed(3), s.p99Ms.toFixed(3), s.cpuUsPerReq ?? '-', s.non2xx, s.errors], widths));
    }
    const cpu = r.mock.cpuUsPerReq ? (r.mock.cpuUsPerReq / r.baseline.cpuUsPerReq).toFixed(3) + '×' : '-';
    log(row([name, 'mock / baseline', r.ratio.reqPerSec.toFixed(3) + '×', '', r.ratio.p99.toFixed(3) + '×', cpu, '', ''], widths));
    log();
  }
  for (const [scenario, r] of Object.entries(results)) {
    const name = scenario === 'list' ? 'GET list' : 'POST create';
    const why = r.mock.non2xx || r.baseline.non2xx ? ' (non-2xx answers: the run did not measure the success path)' : '';
    const implied = r.ratio.cpuImpliedReqPerSec === null ? '' : `; CPU-implied ${r.ratio.cpuImpliedReqPerSec.toFixed(3)}×`;
    log(`target ${name.padEnd(11)} mock ≥ ${TARGET}× bare Express 5 req/s: ${r.target.met ? 'met' : 'MISSED'} (${r.ratio.reqPerSec.toFixed(3)}×${implied})${why}`);
  }
  log(`start+stop median ${life.startStop.medianMs} ms · reset() median ${life.reset.medianMs} ms`);

  const out = {
    date: started.toISOString(),
    machine: info,
    config: { layout: inProcess ? 'in-process' : 'child-process', rounds, connections, warmupSec, durationSec, createDomains: domains, pick: 'best of rounds: max req/s, min p50/p99 (each independently); median server CPU per request' },
    lifecycle: life,
    scenarios: results,
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

// Soak test: steady mixed load on one mock for minutes, to see whether memory comes back after each
// reset, whether latency stays flat and whether every answer and webhook stays right.
//
//   node --expose-gc scripts/soak.mjs [--minutes 3] [--cycle-seconds 10] [--concurrency 10] [--seed N] [--json out.json]
//   node --expose-gc scripts/soak.mjs --minutes 0.5          # quick mode: cycles of budget/8 - 1.5 s (2.25 s here; 2-10 s)
//   ... --heap-snapshots DIR                                  # the child's heap after the baseline and the last cycle
//
// Needs `npm run build` first (it imports dist/). The mock runs in a forked child with --expose-gc,
// so its heap is measured alone (this process's --expose-gc is not needed for that; it is accepted).
// The core is scripts/soak-core.mjs (also used by test/e2e/soak-short.test.ts).
//
// Verdicts (exit code 1 if one fails; docs/performance.md explains why only ratios within one run):
// (a) memory: heapUsed of the child after POST /__mock/reset and forced GCs. Baseline = cycle 2
//     (cycle 1 warms up the JIT, lazy modules, inline caches, the keep-alive sockets' buffers).
//     Fails if the median of the last 3 cycles exceeds the baseline by more than max(10 %, 5 MB).
//     Measured without a leak: +0.19 to +0.69 MB from the baseline to the last cycles, flat after
//     cycle ~5, and a heap-snapshot diff puts all of it in V8's code space and JIT metadata (code,
//     deopt data, WeakArrayLists), none in the mock's own objects. 5 MB is 7× that; over a 3-minute
//     run (~100 000 requests between the baseline and the last cycles) it still catches a leak of
//     ~50 bytes a request; the test-only leak of one body copy a request (~2.5 KB) gives +20 MB in
//     30 s. The 10 % only matters if the baseline heap ever passes 50 MB. rss, external and
//     arrayBuffers are shown, not judged: rss keeps freed pages and malloc arenas the OS may never
//     take back (and jumps after --heap-snapshots).
// (b) latency: pooled p50 and p99 of the last third of the cycles after warm-up over the first third.
//     Fails if the p50 ratio exceeds 1.5. The p99 ratio is reported and only warned on (above 2):
//     on this shared 2-core machine the tail is set by other tenants and GC pauses, not the mock.
// (c) correctness: every answer 2xx with the expected body, every webhook post of every message
//     verified (HMAC checked by the receiver) exactly once, nothing pending after the drain, every
//     reset answered and leaving no messages, events, journal entries or deliveries behind.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_THRESHOLDS, formatReport, judge, runSoak } from './soak-core.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    'cycle-seconds': { type: 'string' },
    concurrency: { type: 'string', default: '10' },
    seed: { type: 'string', default: '20261126' },
    json: { type: 'string' },
    'heap-snapshots': { type: 'string' },
    'max-cycles': { type: 'string', default: '500' },
  },
});
const minutes = Number(args.minutes);
if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error(`--minutes must be > 0 (got ${args.minutes})`);
const budgetSec = minutes * 60;
// Default cycle: 10 s, shorter when the budget would give fewer than ~8 cycles (quick mode).
const cycleSeconds = Number(args['cycle-seconds'] ?? Math.max(2, Math.min(10, budgetSec / 8 - 1.5)));
if (!(cycleSeconds > 0)) throw new Error('--cycle-seconds must be > 0');
const concurrency = Number(args.concurrency);
const seed = Number(args.seed);

const t0 = performance.now();
const started = new Date();
console.log(
  `mailgun-mock soak · ${started.toISOString()} · node ${process.version} · budget ${minutes} min · cycles of ${cycleSeconds} s · ${concurrency} in flight · seed ${seed}`,
);
const result = await runSoak({
  cycles: Number(args['max-cycles']),
  cycleSeconds,
  concurrency,
  seed,
  deadline: t0 + budgetSec * 1000,
  snapshotDir: args['heap-snapshots'],
  // Test-only (not in the usage above): the child's deliberate leak, N copies of every request body.
  retainGarbage: Number(process.env.SOAK_CHILD_RETAIN ?? 0) || false,
  log: (line) => console.log(line),
});
const verdicts = judge(result, DEFAULT_THRESHOLDS);
console.log();
console.log(formatReport(result, verdicts, DEFAULT_THRESHOLDS));
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (args.json) {
  writeFileSync(args.json, JSON.stringify({ started: started.toISOString(), node: process.version, minutes, cycleSeconds, concurrency, seed, thresholds: DEFAULT_THRESHOLDS, verdicts, ...result }, null, 2) + '\n');
  console.log(`wrote ${args.json}`);
}
process.exitCode = verdicts.ok ? 0 : 1;

// `node bench/profile.mjs [list|create] [seconds] [--baseline] [--first-domain N] [--top N]`: loads
// one server under test (the mock, or the bare Express 5 baseline) in a child run with --cpu-prof,
// then prints where its time went per request: by owner (which src/ middleware or function, what it
// calls included), by area and by function (bench/lib/cpuprofile.mjs). `--first-domain N` starts the
// create walk N domains into the fixtures, to see the domain look-up grow. Profiles land in
// bench/results/profiles/ (git-ignored); open them in Chrome DevTools for the full picture.
// Samples are wall-clock: on a busy machine compare shares and mock-vs-baseline, not absolutes.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure } from './lib/load.mjs';
import { printSummary, summarise } from './lib/cpuprofile.mjs';

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { baseline: { type: 'boolean', default: false }, top: { type: 'string', default: '20' }, 'first-domain': { type: 'string', default: '0' } } });
const scenario = positionals[0] ?? 'list';
const seconds = Number(positionals[1] ?? 5);
const kind = args.baseline ? 'baseline' : 'mock';
const firstDomain = Number(args['first-domain']);
const dir = fileURLToPath(new URL(`./results/profiles/${kind}-${scenario}/`, import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const child = fork(new URL('./lib/server-child.mjs', import.meta.url), [], {
  execArgv: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
child.send({ start: kind, spec: { scenario, domains: firstDomain + Math.ceil((30_000 * (seconds + 1)) / 15) + 1 } });
const [{ url, error }] = await once(child, 'message');
if (error) throw new Error(error);
const r = await measure(url, scenario, { connections: 10, warmupSec: 1, durationSec: seconds, firstDomain });
console.log(`${kind} ${scenario}: ${r.reqPerSec} req/s, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}`);
const exited = once(child, 'exit');
child.send({ stop: true });
await exited;

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(dir + file, 'utf8'));
// Per request: every request the server answered (warm-up included), so mock and baseline compare.
printSummary(summarise(profile), r.requests + r.warmupRequests, Number(args.top));
console.log(`\nprofile: ${dir}${file}`);

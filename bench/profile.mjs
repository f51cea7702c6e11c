// `node bench/profile.mjs [list|create|send|rate] [seconds] [--baseline] [--client fetch|http]
// [--first-domain N] [--top N]`: loads one server under test (the mock, or the bare baseline) in a
// child run with --cpu-prof, then prints where its time went per request: by owner (which src/
// middleware or function, what it calls included), by area and by function
// (bench/lib/cpuprofile.mjs). `--first-domain N` starts the create walk N domains into the
// fixtures, to see the domain look-up grow. `send` profiles sequential sends, each waiting for its
// `delivered` webhook; `rate` sends with 50 in flight and 2 webhooks a message (per request: per
// message sent); `--baseline` then means the bare node:http send baseline posting with `--client`.
// Profiles land in bench/results/profiles/ (git-ignored); open them in Chrome DevTools for the full
// picture. Samples are wall-clock: on a busy machine compare shares and mock-vs-baseline, not absolutes.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure } from './lib/load.mjs';
import { printSummary, summarise } from './lib/cpuprofile.mjs';
import { measureDeliveryRate, measureSendLatency, SEND_SIGNING_KEY, sendHooks, startReceiver } from './lib/send.mjs';

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { baseline: { type: 'boolean', default: false }, client: { type: 'string', default: 'fetch' }, top: { type: 'string', default: '20' }, 'first-domain': { type: 'string', default: '0' } } });
const scenario = positionals[0] ?? 'list';
const seconds = Number(positionals[1] ?? 5);
const kind = args.baseline ? 'baseline' : 'mock';
const firstDomain = Number(args['first-domain']);
const sending = scenario === 'send' || scenario === 'rate';
const dir = fileURLToPath(new URL(`./results/profiles/${kind}${sending && args.baseline ? `-${args.client}` : ''}-${scenario}/`, import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const child = fork(new URL('./lib/server-child.mjs', import.meta.url), [], {
  execArgv: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const receiver = sending ? await startReceiver(SEND_SIGNING_KEY) : undefined;
child.send({
  start: kind,
  spec: sending
    ? { scenario: 'send', signingKey: SEND_SIGNING_KEY, hooks: sendHooks(receiver), client: args.client }
    : { scenario, domains: firstDomain + Math.ceil((30_000 * (seconds + 1)) / 15) + 1 },
});
const [{ url, error }] = await once(child, 'message');
if (error) throw new Error(error);
let requests;
if (scenario === 'send') {
  const r = await measureSendLatency(url, receiver, { warmup: 100, sends: 1_000_000, capSec: seconds });
  console.log(`${kind} send → webhook: p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms, p99 ${r.p99Ms} ms (answer p50 ${r.answer.p50Ms} ms), ${r.n} sends`);
  requests = r.n + 100;
} else if (scenario === 'rate') {
  const r = await measureDeliveryRate(url, receiver, { concurrency: 50, messages: 1_000_000, capSec: seconds, warmup: 500 });
  console.log(`${kind} rate: ${r.deliveriesPerSec} deliveries/s, ${r.sendsPerSec} sends/s, ${r.deliveries}/${r.expected} posts`);
  requests = r.messages + 500;
} else {
  const r = await measure(url, scenario, { connections: 10, warmupSec: 1, durationSec: seconds, firstDomain });
  console.log(`${kind} ${scenario}: ${r.reqPerSec} req/s, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}`);
  requests = r.requests + r.warmupRequests;
}
const exited = once(child, 'exit');
child.send({ stop: true });
await exited;
await receiver?.close();

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(dir + file, 'utf8'));
// Per request: every request the server answered (warm-up included), so mock and baseline compare.
printSummary(summarise(profile), requests, Number(args.top));
console.log(`\nprofile: ${dir}${file}`);

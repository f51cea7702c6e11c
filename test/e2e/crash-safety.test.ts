// With --data, an answered change survives the process: a CLI under a steady stream of concurrent
// writes (sends, suppressions added and removed, webhook URLs replaced) is killed with SIGKILL at a
// random moment, many times, on the same data file. After every kill the snapshot parses, every
// complete log line parses, and the state a restart sees holds every write that was answered 2xx
// (and every answered delete stays deleted); the restarted mock serves it. Unanswered writes (in
// flight at the kill) may or may not be there. Messages carry large texts sometimes, so the log
// outgrows the snapshot and is folded into a new one while the kills land (compaction is crashed too).
//
// CRASH_ROUNDS (default 10) and CRASH_SEED set the budget and the random moments; `npm run stress`
// runs a longer budget.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { readDataFile } from '../../src/index.js';
import { createRandom } from '../../src/lib/random.js';
import { ensureBuilt, exitOf, killAll, startCli } from './cli-process.js';
import { basic } from '../helpers.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 10);
const SEED = Number(process.env.CRASH_SEED ?? 20261126);
const WRITERS = 4;
const DOMAINS = Array.from({ length: WRITERS }, (_, i) => `crash-${i}.example.com`);
/** Names no send fires, so nothing is ever posted to their URLs. */
const QUIET_NAMES = ['complained', 'unsubscribed'] as const;

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'mailgun-mock-crash-'));
});
afterEach(() => killAll());
afterAll(() => (process.env.CRASH_KEEP ? console.log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })));


/** What the answered writes imply, over every round so far. */
interface Expected {
  subjects: Set<string>;
  /** Bounces added and answered, not deleted by an answered delete. */
  bounces: Map<string, Set<string>>;
  /** Bounces whose delete was answered. */
  unbounced: Map<string, Set<string>>;
  /** Bounces whose delete was in flight at the kill: gone or not, either is right. */
  maybeGone: Map<string, Set<string>>;
  /** Per domain/name: the last answered URL, and the one in flight after it (either may be on disk). */
  urls: Map<string, { acked: string; inFlight?: string }>;
}

async function post(url: string, method: string, body?: Record<string, string>): Promise<number> {
  const res = await fetch(url, {
    method,
    headers: { Authorization: basic(), ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { body: new URLSearchParams(body) } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

/** One writer: owns one domain, writes until stopped (or the process dies), records what was answered. */
async function writer(base: string, w: number, round: number, rnd: () => number, exp: Expected, stopped: () => boolean): Promise<number> {
  const domain = DOMAINS[w]!;
  const added = exp.bounces.get(domain)!;
  let n = 0;
  // Bounded: a writer stops after 400 writes even if the kill never came.
  for (; n < 400 && !stopped(); n++) {
    const tag = `r${round}w${w}n${n}`;
    const pick = rnd();
    try {
      if (pick < 0.45) {
        const subject = `crash ${tag}`;
        // In the first ten rounds one send in five carries 100 kB of text: the log outgrows the
        // snapshot (and is folded into a new one) within a round while the snapshot is small. Later
        // rounds (npm run stress) send small texts, so the file stays a few tens of MB however many.
        const text = round <= 10 && rnd() < 0.2 ? 'x'.repeat(100_000) : `body ${tag}`;
        const status = await post(`${base}/v3/${domain}/messages`, 'POST', { from: `w${w}@${domain}`, to: `rcpt-${tag}@example.com`, subject, text });
        if (status === 200) exp.subjects.add(subject);
      } else if (pick < 0.7 || added.size === 0) {
        const address = `b-${tag}@example.com`;
        const status = await post(`${base}/v3/${domain}/bounces`, 'POST', { address, code: '550', error: 'crash test' });
        if (status === 200) added.add(address);
      } else if (pick < 0.8) {
        const address = [...added][Math.floor(rnd() * added.size)]!;
        // Until it is answered, the delete may or may not have happened (the server may apply and
        // even write it, and die before the answer leaves).
        added.delete(address);
        exp.maybeGone.get(domain)!.add(address);
        const status = await post(`${base}/v3/${domain}/bounces/${encodeURIComponent(address)}`, 'DELETE');
        exp.maybeGone.get(domain)!.delete(address);
        (status === 200 ? exp.unbounced.get(domain)! : added).add(address);
      } else {
        const name = QUIET_NAMES[Math.floor(rnd() * QUIET_NAMES.length)]!;
        const key = `${domain}/${name}`;
        const url = `http://127.0.0.1:1/${tag}`;
        exp.urls.get(key)!.inFlight = url;
        const status = await post(`${base}/v3/domains/${domain}/webhooks/${name}`, 'PUT', { url });
        if (status === 200) exp.urls.set(key, { acked: url });
      }
    } catch {
      return n; // the process was killed: this write was never answered
    }
  }
  return n;
}

/** The number of the log's last complete line (0 without a log). */
function lastLogLine(data: string): number {
  const wal = `${data}.wal`;
  if (!existsSync(wal)) return 0;
  const lines = readFileSync(wal, 'utf8').split('\n');
  lines.pop();
  return lines.length ? (JSON.parse(lines.at(-1)!) as { n: number }).n : 0;
}

/** The snapshot parses; every complete line of the log parses (a torn last line is allowed). */
function checkFilesParse(data: string): { logLines: number; torn: boolean } {
  expect(() => JSON.parse(readFileSync(data, 'utf8'))).not.toThrow();
  const wal = `${data}.wal`;
  if (!existsSync(wal)) return { logLines: 0, torn: false };
  const lines = readFileSync(wal, 'utf8').split('\n');
  const last = lines.pop()!;
  for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  return { logLines: lines.length, torn: last.length > 0 };
}

it(`keeps every answered write across ${ROUNDS} SIGKILLs at random moments (seed ${SEED})`, async () => {
  // The same seeded generator the fault rules use: the same CRASH_SEED gives the same kill moments and writes.
  const rnd = createRandom(SEED);
  const fixtures = join(dir, 'fixtures.json');
  const data = join(dir, 'state.json');
  writeFileSync(
    fixtures,
    JSON.stringify({ domains: DOMAINS.map((name) => ({ name, webhooks: Object.fromEntries(QUIET_NAMES.map((h) => [h, { url: `http://127.0.0.1:1/${name}/${h}` }])) })) }),
  );
  const exp: Expected = {
    subjects: new Set(),
    bounces: new Map(DOMAINS.map((d) => [d, new Set<string>()])),
    unbounced: new Map(DOMAINS.map((d) => [d, new Set<string>()])),
    maybeGone: new Map(DOMAINS.map((d) => [d, new Set<string>()])),
    urls: new Map(DOMAINS.flatMap((d) => QUIET_NAMES.map((h) => [`${d}/${h}`, { acked: `http://127.0.0.1:1/${d}/${h}` }] as const))),
  };
  let writes = 0;
  let tornSeen = 0;
  let maxLogLines = 0;

  let compactedRounds = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    // The line number the fold at start gives the snapshot: the log's last complete line, else the snapshot's own.
    const logAtStart = Math.max(existsSync(data) ? ((JSON.parse(readFileSync(data, 'utf8')) as { log?: number }).log ?? 0) : 0, lastLogLine(data));
    // Retention above anything a run reaches: every answered send must stay, however many rounds.
    const cli = await startCli(['--port', '0', '--data', data, '--fixtures', fixtures, '--rate-limit', '0', '--log-level', 'silent', '--retain-messages', '1000000', '--retain-events', '10000000']);
    let killed = false;
    const stopped = () => killed;
    const writers = DOMAINS.map((_, w) => writer(cli.url, w, round, rnd, exp, stopped));
    // The kill lands anywhere from the first writes to well into a compaction.
    const delay = 30 + Math.floor(rnd() * 700);
    await new Promise((r) => setTimeout(r, delay));
    cli.child.kill('SIGKILL');
    killed = true;
    expect((await exitOf(cli)).signal).toBe('SIGKILL');
    writes += (await Promise.all(writers)).reduce((a, b) => a + b, 0);

    const files = checkFilesParse(data);
    // A new snapshot written during the round (not just the fold at start, which the next line number tells apart).
    const snapshotLog = (JSON.parse(readFileSync(data, 'utf8')) as { log?: number }).log ?? 0;
    if (snapshotLog > logAtStart) compactedRounds++;
    if (files.torn) tornSeen++;
    maxLogLines = Math.max(maxLogLines, files.logLines);

    // What a restart reads: every answered write.
    const state = await readDataFile(data);
    const subjects = new Set(state.messages.map((m) => m.subject));
    const missing = [...exp.subjects].filter((s) => !subjects.has(s));
    expect(missing, `round ${round}: answered sends missing`).toEqual([]);
    const accepted = new Set(state.events.filter((e) => e.data.event === 'accepted').map((e) => e.messageId));
    for (const m of state.messages) if (exp.subjects.has(m.subject)) expect(accepted.has(m.id), `accepted event of ${m.subject}`).toBe(true);
    for (const d of state.domains) {
      const bounced = new Set(d.bounces.map((b) => b.address));
      expect([...exp.bounces.get(d.name)!].filter((a) => !bounced.has(a)), `round ${round}: answered bounces missing on ${d.name}`).toEqual([]);
      expect([...exp.unbounced.get(d.name)!].filter((a) => bounced.has(a)), `round ${round}: answered deletes undone on ${d.name}`).toEqual([]);
      for (const h of QUIET_NAMES) {
        const want = exp.urls.get(`${d.name}/${h}`)!;
        const got = d.webhooks.find((x) => x.name === h)?.urls[0];
        expect([want.acked, want.inFlight], `round ${round}: ${d.name}/${h}`).toContain(got);
      }
    }
    // The bounces some rounds added but the kill cut short are unknown: take the file's word for them
    // from here on, so the next round's deletes pick among real entries.
    for (const d of state.domains) {
      const known = exp.bounces.get(d.name)!;
      for (const b of d.bounces) if (!exp.unbounced.get(d.name)!.has(b.address)) known.add(b.address);
      // A delete cut short by the kill: what the file says is what happened.
      const present = new Set(d.bounces.map((b) => b.address));
      for (const a of exp.maybeGone.get(d.name)!) if (!present.has(a)) exp.unbounced.get(d.name)!.add(a);
      exp.maybeGone.get(d.name)!.clear();
      for (const h of QUIET_NAMES) exp.urls.set(`${d.name}/${h}`, { acked: d.webhooks.find((x) => x.name === h)!.urls[0]! });
    }
    for (const m of state.messages) exp.subjects.add(m.subject);
  }

  // The restarted mock serves what the file holds, and a clean stop folds the log into one file.
  const last = await startCli(['--port', '0', '--data', data, '--fixtures', fixtures, '--log-level', 'silent', '--retain-messages', '1000000', '--retain-events', '10000000']);
  for (const domain of DOMAINS) {
    // Page through the Suppressions API as an SDK does (its pages hold at most 1000).
    const listed = new Set<string>();
    let url: string | undefined = `${last.url}/v3/${domain}/bounces?limit=1000`;
    for (let page = 0; url && page < 100; page++) {
      const body = (await (await fetch(url, { headers: { Authorization: basic() } })).json()) as { items: Array<{ address: string }>; paging: { next: string } };
      if (body.items.length === 0) break;
      for (const b of body.items) listed.add(b.address);
      url = body.paging.next;
    }
    expect([...exp.bounces.get(domain)!].filter((a) => !listed.has(a))).toEqual([]);
  }
  const listed = (await (await fetch(`${last.url}/__mock/messages`)).json()) as { total: number };
  expect(listed.total).toBe(exp.subjects.size);
  last.child.kill('SIGTERM');
  expect((await exitOf(last)).code).toBe(0);
  expect(existsSync(`${data}.wal`)).toBe(false);
  expect(JSON.parse(readFileSync(data, 'utf8')).state.messages).toHaveLength(exp.subjects.size);

  // The run did what it claims: writes were answered, kills landed with the log in use.
  expect(writes).toBeGreaterThan(ROUNDS * 5);
  expect(maxLogLines).toBeGreaterThan(0);
  expect(compactedRounds).toBeGreaterThan(0);
  console.log(
    `crash safety: ${ROUNDS} kills, ${writes} writes attempted, ${exp.subjects.size} messages kept, torn last log line seen ${tornSeen}×, ` +
      `up to ${maxLogLines} log lines at a kill, ${compactedRounds} rounds folded the log into a new snapshot before the kill`,
  );
}, Math.max(120_000, ROUNDS * 15_000));

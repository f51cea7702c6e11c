// The file store's write-ahead log, by property: random sequences of changes (messages and events
// appended, the oldest dropped by retention, lists replaced as a domain delete does, domains and
// suppressions changed, resets), some awaited and some left in flight, with a tiny compaction size
// so snapshots are written all the time. At random moments the files are read as a restart would
// read them (readDataFile): every change whose promise has resolved must be there, and the files
// never hold anything the state did not have. At the end the files equal the state, a re-open
// gives the same state, and a close leaves one plain JSON file. FUZZ_RUNS / FUZZ_SEED as the fuzz tests.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { OptionsError } from '../../src/config.js';
import { createMailgunMock, readDataFile, type EventRecord, type MessageRecord, type MockState } from '../../src/index.js';
import { openFileStore } from '../../src/store/file.js';

const RUNS = Math.max(1, Math.round(Number(process.env.FUZZ_RUNS ?? 200) / 4));
const SEED = Number(process.env.FUZZ_SEED ?? 424242);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailgun-mock-wal-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const seed = (): MockState => ({
  domains: [{ name: 'a.example.com', region: 'us', createdAt: '2026-01-01T00:00:00.000Z', webhooks: [], tracking: { open: true, click: true, unsubscribe: true }, bounces: [], unsubscribes: [], complaints: [], allowlist: [] }],
  signingKey: 'key-wal',
  messages: [],
  events: [],
  nextSeq: 1,
  accountWebhooks: [],
});

const message = (id: number, size: number): MessageRecord => ({
  id: `m${id}@a.example.com`, domain: 'a.example.com', storageKey: `k${id}`, apiBase: 'http://127.0.0.1:1', api: 'messages', acceptedAt: id,
  from: 'f@a.example.com', to: ['t@example.com'], cc: [], bcc: [], recipients: ['t@example.com'], subject: `s${id}`, text: 'x'.repeat(size),
  headers: {}, variables: {}, recipientVariables: {}, options: {}, tags: [], testMode: false, tracking: {}, attachments: [], size,
});

const event = (seq: number): EventRecord => ({ seq, domain: 'a.example.com', messageId: `m${seq}@a.example.com`, recipient: 't@example.com', data: { event: 'accepted', id: `e${seq}`, timestamp: seq, 'log-level': 'info' } });

type Op =
  | { kind: 'send'; size: number; events: number }
  | { kind: 'trim'; keep: number }
  | { kind: 'bounce' }
  | { kind: 'unbounce' }
  | { kind: 'replace' }
  | { kind: 'key' }
  | { kind: 'reset' }
  | { kind: 'check' }
  | { kind: 'await' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('send' as const), size: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 500, max: 3000 })), events: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trim' as const), keep: fc.integer({ min: 0, max: 8 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'bounce' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unbounce' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'replace' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'key' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'check' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'await' as const }) },
);

let fileNo = 0;

it('keeps every acknowledged change on disk at every moment, through compactions and resets', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), fc.integer({ min: 300, max: 5000 }), async (ops, compactBytes) => {
      const path = join(dir, `state-${++fileNo}.json`);
      const store = await openFileStore(path, seed(), { compactBytes });
      let id = 0;
      const inFlight: Array<Promise<unknown>> = [];
      /** What the acknowledged changes imply, kept as the state was when the latest acknowledgement came. */
      const acked = { messages: new Set<string>(), bounces: new Set<string>(), signingKey: 'key-wal' };
      // An addition is promised once acknowledged (if nothing removed it meanwhile); a removal, once
      // issued, un-promises what it removed (it may or may not be on disk until acknowledged).
      const ack = (p: Promise<unknown>, record: () => void) => inFlight.push(p.then(record));
      const forgetRemoved = () => {
        const kept = new Set(store.state.messages.map((m) => m.id));
        for (const m of acked.messages) if (!kept.has(m)) acked.messages.delete(m);
      };
      for (const o of ops) {
        switch (o.kind) {
          case 'send': {
            const n = ++id;
            const p = store.mutate((s) => {
              s.messages.push(message(n, o.size));
              for (let i = 0; i < o.events; i++) s.events.push(event(s.nextSeq++));
            });
            ack(p, () => store.state.messages.some((m) => m.id === `m${n}@a.example.com`) && acked.messages.add(`m${n}@a.example.com`));
            break;
          }
          case 'trim': {
            // Retention: the oldest go, in place (the same array), as delivery.ts trims.
            const p = store.mutate((s) => {
              if (s.messages.length > o.keep) s.messages.splice(0, s.messages.length - o.keep);
              if (s.events.length > o.keep) s.events.splice(0, s.events.length - o.keep);
            });
            forgetRemoved();
            inFlight.push(p);
            break;
          }
          case 'bounce': {
            const address = `b${++id}@example.com`;
            const p = store.mutate((s) => void s.domains[0]!.bounces.push({ address, code: '550', error: '', createdAt: '2026-01-01T00:00:00.000Z' }));
            ack(p, () => store.state.domains[0]!.bounces.some((b) => b.address === address) && acked.bounces.add(address));
            break;
          }
          case 'unbounce': {
            let gone: string | undefined;
            const p = store.mutate((s) => {
              gone = s.domains[0]!.bounces.shift()?.address;
            });
            // A removal in flight may or may not be on disk yet: from now on the address is not promised.
            if (gone) acked.bounces.delete(gone);
            inFlight.push(p);
            break;
          }
          case 'replace': {
            // A domain delete: the lists are replaced by filtered copies.
            const p = store.mutate((s) => {
              s.messages = s.messages.filter((_, i) => i % 2 === 0);
              s.events = s.events.filter((_, i) => i % 2 === 1);
            });
            forgetRemoved();
            inFlight.push(p);
            break;
          }
          case 'key': {
            const key = `key-${++id}`;
            ack(store.mutate((s) => void (s.signingKey = key)), () => store.state.signingKey === key && (acked.signingKey = key));
            break;
          }
          case 'reset':
            inFlight.push(store.reset());
            acked.messages.clear();
            acked.bounces.clear();
            acked.signingKey = 'key-wal';
            break;
          case 'check': {
            // What a crash right now would leave: every acknowledged change, nothing the state never had.
            // What was acknowledged before the read starts (acknowledgements may arrive while it reads).
            const before = { messages: [...acked.messages], bounces: [...acked.bounces] };
            const disk = await readDataFile(path);
            const ids = new Set(disk.messages.map((m) => m.id));
            for (const m of before.messages) expect(ids.has(m), `acknowledged ${m} on disk`).toBe(true);
            const bounced = new Set(disk.domains[0]!.bounces.map((b) => b.address));
            for (const b of before.bounces) expect(bounced.has(b), `acknowledged bounce ${b} on disk`).toBe(true);
            for (const m of disk.messages) expect(Number(m.id.slice(1, m.id.indexOf('@')))).toBeLessThanOrEqual(id);
            break;
          }
          case 'await':
            await Promise.all(inFlight.splice(0));
            break;
        }
      }
      await Promise.all(inFlight.splice(0));
      await store.flush();
      const expected = JSON.parse(JSON.stringify(store.state)) as MockState;
      expect(await readDataFile(path)).toEqual(expected);
      expect(acked.signingKey).toBe(expected.signingKey);
      // A restart without a clean close: a copy of the files as they are now opens to the same state.
      const crashed = join(dir, `crashed-${fileNo}.json`);
      copyFileSync(path, crashed);
      if (existsSync(`${path}.wal`)) copyFileSync(`${path}.wal`, `${crashed}.wal`);
      const reopened = await openFileStore(crashed, seed(), { compactBytes });
      expect(JSON.parse(JSON.stringify(reopened.state))).toEqual(expected);
      await reopened.close();
      await store.close();
      // A clean close leaves one plain file holding everything.
      expect(existsSync(`${path}.wal`)).toBe(false);
      expect((JSON.parse(readFileSync(path, 'utf8')) as { state: MockState }).state).toEqual(expected);
    }),
    { numRuns: RUNS, seed: SEED },
  );
}, 60_000);

it('with fsync, syncs and still keeps everything (and refuses dataFsync without a data file)', async () => {
  const path = join(dir, 'fsync.json');
  const store = await openFileStore(path, seed(), { fsync: true, compactBytes: 2000 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.mutate((s) => void s.messages.push(message(i, 300)))));
  expect((await readDataFile(path)).messages).toHaveLength(20);
  await store.close();
  expect((JSON.parse(readFileSync(path, 'utf8')) as { state: MockState }).state.messages).toHaveLength(20);
  await expect(createMailgunMock({ dataFsync: true })).rejects.toThrow(OptionsError);
  await expect(createMailgunMock({ dataFsync: true })).rejects.toThrow('option dataFsync needs dataFile');
  const mock = await createMailgunMock({ dataFile: join(dir, 'fsync-mock.json'), dataFsync: true });
  await mock.stop();
});

it('refuses a log it cannot read line by line, leaving both files as they were', async () => {
  const path = join(dir, 'bad-log.json');
  const store = await openFileStore(path, seed());
  await store.close();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${path}.wal`, '{"n":1,"nextSeq":1}\nnot json\n{"n":3,"nextSeq":1}\n');
  const before = readFileSync(path, 'utf8');
  await expect(openFileStore(path, seed())).rejects.toThrow(/line 2 is not valid JSON/);
  expect(readFileSync(path, 'utf8')).toBe(before);
  expect(readFileSync(`${path}.wal`, 'utf8')).toContain('not json');
  // A torn last line (no newline: a write the crash cut short) is dropped, not refused.
  writeFileSync(`${path}.wal`, '{"n":1,"core":{"domains":[],"accountWebhooks":[],"signingKey":"key-torn"},"nextSeq":1}\n{"n":2,"nextSe');
  const reopened = await openFileStore(path, seed());
  expect(reopened.state.signingKey).toBe('key-torn');
  expect(reopened.state.domains).toEqual([]);
  await reopened.close();
  expect(existsSync(`${path}.wal`)).toBe(false);
});

it('refuses an option it does not know (a misspelt dataFile would otherwise run in memory without a word)', async () => {
  const misspelt = { dataFlie: join(dir, 'typo.json') } as unknown as Parameters<typeof createMailgunMock>[0];
  await expect(createMailgunMock(misspelt)).rejects.toThrow(OptionsError);
  await expect(createMailgunMock(misspelt)).rejects.toThrow(/unknown option dataFlie/);
  expect(existsSync(join(dir, 'typo.json'))).toBe(false);
});

it('replays nothing twice after a crash between writing a snapshot and emptying the log', async () => {
  // The window the random kills rarely hit: the snapshot already holds line 1 (log: 1), the log
  // still has lines 1 and 2. Only line 2 may be applied.
  const path = join(dir, 'window.json');
  const { writeFileSync } = await import('node:fs');
  const snapshotState = { ...seed(), messages: [message(1, 5)], nextSeq: 1 };
  writeFileSync(path, JSON.stringify({ format: 'mailgun-mock', version: 1, log: 1, state: snapshotState }));
  writeFileSync(
    `${path}.wal`,
    `${JSON.stringify({ n: 1, m: { drop: 0, add: [message(1, 5)] }, nextSeq: 1 })}\n${JSON.stringify({ n: 2, m: { drop: 0, add: [message(2, 5)] }, nextSeq: 1 })}\n`,
  );
  expect((await readDataFile(path)).messages.map((m) => m.id)).toEqual(['m1@a.example.com', 'm2@a.example.com']);
  const store = await openFileStore(path, seed());
  expect(store.state.messages.map((m) => m.id)).toEqual(['m1@a.example.com', 'm2@a.example.com']);
  await store.close();
});

it('with fsync, syncs the log before it acknowledges, and the folder of a new log', async () => {
  const { open } = await import('node:fs/promises');
  const probe = await open(join(dir, 'probe.txt'), 'w');
  const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void>; sync: () => Promise<void> };
  await probe.close();
  const order: string[] = [];
  const datasync = vi.spyOn(proto, 'datasync').mockImplementation(async function (this: unknown) {
    order.push('datasync');
  });
  const sync = vi.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
    order.push('sync');
  });
  try {
    const path = join(dir, 'fsync-spy.json');
    const store = await openFileStore(path, seed(), { fsync: true });
    order.length = 0;
    await store.mutate((s) => void s.messages.push(message(1, 5))).then(() => order.push('acknowledged'));
    // The first append creates the log: its folder is synced, then the line, then the answer.
    expect(order).toEqual(['sync', 'datasync', 'acknowledged']);
    order.length = 0;
    await store.mutate((s) => void s.messages.push(message(2, 5))).then(() => order.push('acknowledged'));
    expect(order).toEqual(['datasync', 'acknowledged']);
    // A new snapshot: its temp file synced before the rename, the folder after it, then the answer.
    order.length = 0;
    await store.reset().then(() => order.push('acknowledged'));
    expect(order).toEqual(['sync', 'sync', 'acknowledged']);
    expect(existsSync(join(dir, '.fsync-spy.json.fsync.tmp'))).toBe(false);
    await store.close();
    // Without fsync, nothing is synced.
    order.length = 0;
    const plain = await openFileStore(join(dir, 'no-fsync-spy.json'), seed());
    await plain.mutate((s) => void s.messages.push(message(3, 5)));
    await plain.close();
    expect(order).toEqual([]);
  } finally {
    datasync.mockRestore();
    sync.mockRestore();
  }
});

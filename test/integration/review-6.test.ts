// Review 6: the data file (snapshot + write-ahead log), multipart bodies and the bundled CLI.
// Each test fails because of the defect its comment describes, unless marked GUARD.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataFile, type MockState } from '../../src/index.js';
import { openFileStore } from '../../src/store/file.js';
import { BIN, ensureBuilt } from '../e2e/cli-process.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailgun-mock-review6-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const seed = (): MockState => ({
  domains: [{ name: 'a.example.com', region: 'us', createdAt: '2026-01-01T00:00:00.000Z', webhooks: [], tracking: { open: true, click: true, unsubscribe: true }, bounces: [], unsubscribes: [], complaints: [], allowlist: [] }],
  signingKey: 'key-review6',
  messages: [],
  events: [],
  nextSeq: 1,
  accountWebhooks: [],
});

describe('data file: a torn last log line when nothing else is replayed', () => {
  // file.ts openFileStore: a log whose only content past the snapshot is a torn last line (a write
  // cut short by a crash or a full disk) replays 0 lines, so no start-up snapshot is written and the
  // log is NOT emptied. The next append (open(logPath, 'a')) is glued onto the torn bytes:
  // `{"n":2,"nextSe{"n":2,...}\n`, one invalid line. The write is acknowledged, yet readDataFile and
  // the next start refuse the files ("line 1 is not valid JSON"): the mock will not start again and
  // the acknowledged change is unreadable.
  it('an acknowledged write after a restart over a torn log line is readable, and the file opens again', async () => {
    const path = join(dir, 'torn.json');
    const first = await openFileStore(path, seed());
    await first.close();
    // A crash cut the next append short (no newline).
    writeFileSync(`${path}.wal`, '{"n":1,"core":{"domains":[],"accountWebhooks":[],"signingKey":"key-lost"},"next');
    const store = await openFileStore(path, seed());
    await store.mutate((s) => void (s.signingKey = 'key-acknowledged'));
    // The mock is killed here (no close): a restart must see the acknowledged change.
    await expect(readDataFile(path)).resolves.toMatchObject({ signingKey: 'key-acknowledged' });
    const restarted = await openFileStore(path, seed());
    expect(restarted.state.signingKey).toBe('key-acknowledged');
    await restarted.close();
    await store.close().catch(() => undefined);
  });
});

describe('the bundled CLI and its V8 code cache', () => {
  const ROOT = join(BIN, '..', '..', '..');
  /** A copy of the installed package (dist, fixtures, package.json; node_modules linked), as npm lays it out. */
  const installCopy = (name: string): string => {
    ensureBuilt();
    const pkg = join(dir, name, 'node_modules', 'mailgun-mock');
    mkdirSync(pkg, { recursive: true });
    for (const part of ['dist', 'fixtures', 'package.json']) cpSync(join(ROOT, part), join(pkg, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    // npm's bin link: node_modules/.bin/mailgun-mock -> ../mailgun-mock/dist/cli/mailgun-mock.cjs
    mkdirSync(join(dir, name, 'node_modules', '.bin'));
    symlinkSync('../mailgun-mock/dist/cli/mailgun-mock.cjs', join(dir, name, 'node_modules', '.bin', 'mailgun-mock'));
    return pkg;
  };
  const run = (project: string, args: string[]) =>
    spawnSync(process.execPath, [join(project, 'node_modules', '.bin', 'mailgun-mock'), ...args], { cwd: project, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '' } });

  // scripts/cli-loader.cjs hands whatever is in mailgun-mock-bundle.cjs.cache to V8 as cachedData.
  // V8 (Node 20 release builds) checks only the cache's header (version, flags, source *length*),
  // not its payload: a damaged cache (a bad disk block, a partial copy into a Docker layer, a
  // package cache gone wrong) is deserialised and V8 aborts the process ("Fatal error ... unreachable
  // code", SIGTRAP, exit 133, a native stack trace). The loader's comment and decision 0011 promise
  // that a cache V8 cannot use "only costs the compile it would have saved".
  it('a damaged code cache costs a compile, not a V8 abort', () => {
    const pkg = installCopy('corrupt-cache');
    const cache = join(pkg, 'dist', 'cli', 'mailgun-mock-bundle.cjs.cache');
    const bytes = readFileSync(cache);
    for (let i = 0; i < 200; i++) {
      const at = 64 + ((i * 7919) % (bytes.length - 64));
      bytes[at] = bytes[at]! ^ 0xff;
    }
    writeFileSync(cache, bytes);
    const res = run(join(dir, 'corrupt-cache'), ['--version']);
    expect({ status: res.status, signal: res.signal, stdout: res.stdout.trim(), fatal: /Fatal error/.test(res.stderr) }).toEqual({ status: 0, signal: null, stdout: '0.1.0', fatal: false });
  });

  // The cache is matched to the bundle by its length only (V8's source hash): a bundle changed after
  // the build but of the same length (patch-package, a hand edit while debugging a test run) runs
  // the functions compiled from the OLD source that the cache holds. Here the banner text is edited
  // in place and the CLI still prints the old one.
  it('a bundle edited after the build (same length) runs the edited code, not the cached one', () => {
    const pkg = installCopy('stale-cache');
    const bundle = join(pkg, 'dist', 'cli', 'mailgun-mock-bundle.cjs');
    const source = readFileSync(bundle, 'utf8');
    const before = 'A local stand-in for the Mailgun HTTP API.';
    const after = 'A LOCAL STAND-IN FOR THE MAILGUN HTTP API.';
    expect(source.split(before).length).toBe(2);
    writeFileSync(bundle, source.replace(before, after));
    const res = run(join(dir, 'stale-cache'), ['--help']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(after);
  });
});

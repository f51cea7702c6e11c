// With --data, an answered change is on disk: a process killed with SIGKILL right after a burst
// of concurrent, acknowledged writes restarts with every one of them (the group-commit promise).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { WEBHOOK_NAMES } from '../../src/index.js';
import { ensureBuilt, exitOf, killAll, startCli } from './cli-process.js';
import { basic } from '../helpers.js';

const DOMAINS = Array.from({ length: 5 }, (_, i) => ({ name: `crash-${i}.example.com` }));
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'mailgun-mock-crash-'));
});
afterEach(() => killAll());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps every acknowledged create after a SIGKILL', async () => {
  const fixtures = join(dir, 'fixtures.json');
  const data = join(dir, 'state.json');
  writeFileSync(fixtures, JSON.stringify({ domains: DOMAINS }));
  const first = await startCli(['--port', '0', '--data', data, '--fixtures', fixtures, '--rate-limit', '0', '--log-level', 'silent']);

  // 40 creates in flight at once: they land in a few group writes.
  const creates = DOMAINS.flatMap((d) => WEBHOOK_NAMES.map((name) => ({ domain: d.name, name })));
  const answers = await Promise.all(
    creates.map(({ domain, name }) =>
      fetch(`${first.url}/v3/domains/${domain}/webhooks`, {
        method: 'POST',
        headers: { Authorization: basic(), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ id: name, url: `http://h.example/${domain}/${name}` }),
      }).then((r) => r.status),
    ),
  );
  expect(answers.every((s) => s === 200)).toBe(true);
  first.child.kill('SIGKILL');
  expect((await exitOf(first)).signal).toBe('SIGKILL');

  // The file parses and holds every create, before and after a restart.
  const saved = JSON.parse(readFileSync(data, 'utf8')) as { state: { domains: Array<{ name: string; webhooks: Array<{ name: string }> }> } };
  expect(saved.state.domains.flatMap((d) => d.webhooks.map((h) => `${d.name}/${h.name}`)).sort()).toEqual(creates.map((c) => `${c.domain}/${c.name}`).sort());

  const second = await startCli(['--port', '0', '--data', data, '--fixtures', fixtures, '--log-level', 'silent']);
  for (const d of DOMAINS) {
    const list = await fetch(`${second.url}/v3/domains/${d.name}/webhooks`, { headers: { Authorization: basic() } });
    expect(Object.keys(((await list.json()) as { webhooks: object }).webhooks)).toEqual([...WEBHOOK_NAMES]);
  }
});

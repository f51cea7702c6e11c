// The built CLI (`node dist/cli/mailgun-mock.cjs`, the bundle the `mailgun-mock` command runs) as a user runs it: banner, signals, exit codes, env
// options, healthcheck and a data file that survives a restart. Always 127.0.0.1, always port 0.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_OPTIONS, envName } from '../../src/cli/options.js';
import { closedPort, ensureBuilt, exitOf, isAlive, killAll, spawnCli, startCli, waitFor } from './cli-process.js';

const DOMAIN = 'samples.mailgun.org';
const auth = (key = 'key-anything') => ({ authorization: 'Basic ' + Buffer.from(`api:${key}`).toString('base64') });
const dir = mkdtempSync(join(tmpdir(), 'mailgun-mock-cli-e2e-'));

beforeAll(() => ensureBuilt());
afterEach(() => killAll());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function statuses(url: string, n: number, key?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fetch(`${url}/v3/domains/${DOMAIN}/webhooks`, { headers: auth(key) })).status);
  return out;
}

describe('starting and stopping', () => {
  it('prints the URL first, serves the API and stops with exit 0 on SIGTERM', async () => {
    const cli = await startCli(['--port', '0']);
    expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.stdout()).toContain(`${cli.url}/__mock`);
    expect(cli.stdout()).toContain('any non-empty key is accepted');
    expect(cli.stdout()).toContain('in memory');

    const health = await fetch(`${cli.url}/__mock/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', storage: 'memory' });
    const list = await fetch(`${cli.url}/v3/domains/${DOMAIN}/webhooks`, { headers: auth() });
    expect(list.status).toBe(200);
    expect(await list.json()).toHaveProperty('webhooks.open.url', 'http://postbin.heroku.com/860bcd65');

    cli.child.kill('SIGTERM');
    expect(await exitOf(cli)).toEqual({ code: 0, signal: null });
    expect(isAlive(cli.child.pid!)).toBe(false);
  });

  it('prints the dashboard URL, serves the dashboard from the build, and a stream left open does not hold the exit', async () => {
    const cli = await startCli(['--port', '0']);
    await waitFor(cli, () => (cli.stdout().includes(`\n  dashboard      ${cli.url}/__mock/ui\n`) ? true : undefined), 'the dashboard line');

    const page = await fetch(`${cli.url}/__mock/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html\b/);
    expect(await page.text()).toContain('/__mock/ui/js/main.js');

    const stream = await fetch(`${cli.url}/__mock/stream`);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream\b/);
    const reader = stream.body!.getReader();
    let text = '';
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'end';
        text += Buffer.from(value).toString('utf8');
      }
    })().catch(() => 'cut');
    await waitFor(cli, () => (text.includes('event: hello') ? true : undefined), 'the hello frame');

    cli.child.kill('SIGTERM');
    expect(await exitOf(cli)).toEqual({ code: 0, signal: null });
    // The server finished the stream (it was not cut when the process went away).
    expect(await read).toBe('end');
  });

  it('stops with exit 0 on SIGINT too', async () => {
    const cli = await startCli(['--port', '0']);
    cli.child.kill('SIGINT');
    expect(await exitOf(cli)).toEqual({ code: 0, signal: null });
  });

  it('says in one line that the port is taken, and exits 1', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const cli = spawnCli(['--port', String(port)]);
      expect((await exitOf(cli)).code).toBe(1);
      expect(cli.stderr()).toBe(`mailgun-mock: port ${port} on 127.0.0.1 is already in use (choose another with --port, or --port 0 for a free one)\n`);
      expect(cli.stdout()).toBe('');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('names the fixtures file and the bad field, and exits 2', async () => {
    const file = join(dir, 'bad-fixtures.json');
    writeFileSync(file, JSON.stringify({ domains: [{ name: 'mg.example.com', region: 'mars' }] }));
    const cli = spawnCli(['--port', '0', '--fixtures', file]);
    expect((await exitOf(cli)).code).toBe(2);
    expect(cli.stderr()).toMatch(new RegExp(`^mailgun-mock: fixtures file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: field /domains/0/region .+\n$`));
  });

  it('refuses a data file that is not JSON, leaving it alone, and exits 2', async () => {
    const file = join(dir, 'broken-state.json');
    writeFileSync(file, '{ not json');
    const cli = spawnCli(['--port', '0', '--data', file]);
    expect((await exitOf(cli)).code).toBe(2);
    expect(cli.stderr()).toMatch(/^mailgun-mock: data file .*broken-state\.json is not valid JSON.*\n$/);
    expect(readFileSync(file, 'utf8')).toBe('{ not json');
  });

  it('refuses an unknown flag and a bad fault spec with exit 2', async () => {
    const typo = spawnCli(['--prot', '0']);
    expect((await exitOf(typo)).code).toBe(2);
    expect(typo.stderr()).toMatch(/^mailgun-mock: Unknown argument: prot .*\n$/);
    const fault = spawnCli(['--port', '0', '--fault', 'status=99']);
    expect((await exitOf(fault)).code).toBe(2);
    expect(fault.stderr()).toContain("--fault 'status=99'");
    const level = spawnCli(['--port', '0', '--log-level', 'loud']);
    expect((await exitOf(level)).code).toBe(2);
    expect(level.stderr()).toMatch(/^mailgun-mock: Invalid values: .*log-level.*\n$/);
  });
});

describe('help and version', () => {
  it('lists every option, its env variable, the healthcheck command and examples', async () => {
    const cli = spawnCli(['--help']);
    expect((await exitOf(cli)).code).toBe(0);
    for (const o of CLI_OPTIONS) {
      expect(cli.stdout()).toContain(`--${o.name}`);
      expect(cli.stdout()).toContain(envName(o.name));
    }
    expect(cli.stdout()).toContain('healthcheck');
    expect(cli.stdout()).toContain('Examples:');
  });

  it('prints the package version', async () => {
    const cli = spawnCli(['--version']);
    expect((await exitOf(cli)).code).toBe(0);
    expect(cli.stdout()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('options from the environment', () => {
  it('takes MAILGUN_MOCK_RATE_LIMIT', async () => {
    const cli = await startCli(['--port', '0'], { MAILGUN_MOCK_RATE_LIMIT: '2' });
    expect(cli.stdout()).toContain('2 requests/minute');
    expect(await statuses(cli.url, 3)).toEqual([200, 200, 429]);
  });

  it('takes two keys from MAILGUN_MOCK_API_KEY and checks them', async () => {
    const cli = await startCli(['--port', '0'], { MAILGUN_MOCK_API_KEY: 'key-one,key-two' });
    expect(cli.stdout()).toContain('checked');
    expect(await statuses(cli.url, 1, 'key-one')).toEqual([200]);
    expect(await statuses(cli.url, 1, 'key-two')).toEqual([200]);
    expect(await statuses(cli.url, 1, 'key-three')).toEqual([401]);
  });

  it('lets a flag beat the environment', async () => {
    const cli = await startCli(['--port', '0', '--rate-limit', '0'], { MAILGUN_MOCK_RATE_LIMIT: '1' });
    expect(cli.stdout()).toContain('rate limit     off');
    expect(await statuses(cli.url, 3)).toEqual([200, 200, 200]);
  });

  it('takes several fault rules from MAILGUN_MOCK_FAULT, separated by semicolons', async () => {
    const cli = await startCli(['--port', '0'], { MAILGUN_MOCK_FAULT: 'status=503,route=webhooks.list,times=1;preset=server-error,route=webhooks.list,times=1' });
    expect(await statuses(cli.url, 3)).toEqual([503, 500, 200]);
  });
});

describe('healthcheck', () => {
  it('exits 0 against a running mock', async () => {
    const mock = await startCli(['--port', '0']);
    const check = spawnCli(['healthcheck', '--port', new URL(mock.url).port]);
    expect((await exitOf(check)).code).toBe(0);
  });

  it('exits 1 against a closed port, with the port taken from the environment', async () => {
    const check = spawnCli(['healthcheck'], { MAILGUN_MOCK_PORT: String(await closedPort()) });
    expect((await exitOf(check)).code).toBe(1);
    expect(check.stderr()).toMatch(/^unhealthy: /);
  });
});

describe('--data', () => {
  it('keeps what the API wrote across a restart', async () => {
    const file = join(dir, 'state.json');
    const first = await startCli(['--port', '0', '--data', file]);
    expect(first.stdout()).toContain(`data file ${file}`);
    const created = await fetch(`${first.url}/v3/domains/${DOMAIN}/webhooks`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=delivered&url=https://example.com/hooks',
    });
    expect(created.status).toBe(200);
    first.child.kill('SIGTERM');
    expect((await exitOf(first)).code).toBe(0);

    const second = await startCli(['--port', '0', '--data', file]);
    const got = await fetch(`${second.url}/v3/domains/${DOMAIN}/webhooks/delivered`, { headers: auth() });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ webhook: { urls: ['https://example.com/hooks'] } });
  });
});

// The CLI option table: precedence (flag > env > config file > default), env lists, errors, and
// the README's configuration table being exactly the generated one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLI_OPTIONS, envName, optionsMarkdownTable } from '../../src/cli/options.js';
import { parseCli, UsageError, type CliCommand } from '../../src/cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'mailgun-mock-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  // A developer's own MAILGUN_MOCK_* variables must not leak into these cases.
  for (const key of Object.keys(process.env)) if (key.startsWith('MAILGUN_MOCK_')) vi.stubEnv(key, undefined);
});
afterEach(() => vi.unstubAllEnvs());

function configFile(content: object): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function serveOptions(args: string[]) {
  const cmd: CliCommand = await parseCli(args);
  if (cmd.kind !== 'serve') throw new Error(`expected serve, got ${cmd.kind}`);
  return cmd.options;
}

describe('the option table', () => {
  it('derives every env variable as MAILGUN_MOCK_<NAME>', () => {
    expect(CLI_OPTIONS.map((o) => envName(o.name))).toContain('MAILGUN_MOCK_RATE_LIMIT');
    for (const o of CLI_OPTIONS) expect(envName(o.name)).toBe(`MAILGUN_MOCK_${o.name.toUpperCase().replaceAll('-', '_')}`);
  });

  it('is the configuration table in README.md', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const match = /<!-- options:start -->\n([\s\S]*?)\n?<!-- options:end -->/.exec(readme);
    expect(match, 'README.md needs the <!-- options:start --> and <!-- options:end --> markers').not.toBeNull();
    expect(match![1]!.trim(), 'regenerate it with: npm run -s docs:options -- --write').toBe(optionsMarkdownTable());
  });
});

describe('precedence: flag > env > config file > default', () => {
  it('uses the defaults when nothing is given', async () => {
    const o = await serveOptions([]);
    expect(o).toMatchObject({ port: 8465, host: '127.0.0.1', rateLimit: 300, logLevel: 'info', faults: [] });
    expect(o.apiKeys).toBeUndefined();
    expect(o.dataFile).toBeUndefined();
  });

  it('lets a config file beat the defaults', async () => {
    const o = await serveOptions(['--config', configFile({ port: 1111, 'rate-limit': 7, 'api-key': ['key-c'] })]);
    expect(o).toMatchObject({ port: 1111, rateLimit: 7, apiKeys: ['key-c'] });
  });

  it('lets the environment beat the config file', async () => {
    vi.stubEnv('MAILGUN_MOCK_PORT', '2222');
    vi.stubEnv('MAILGUN_MOCK_API_KEY', 'key-e');
    const o = await serveOptions(['--config', configFile({ port: 1111, 'rate-limit': 7, 'api-key': ['key-c'] })]);
    expect(o).toMatchObject({ port: 2222, rateLimit: 7, apiKeys: ['key-e'] });
  });

  it('lets a flag beat the environment', async () => {
    vi.stubEnv('MAILGUN_MOCK_PORT', '2222');
    vi.stubEnv('MAILGUN_MOCK_RATE_LIMIT', '5');
    const o = await serveOptions(['--config', configFile({ port: 1111 }), '--port', '3333']);
    expect(o).toMatchObject({ port: 3333, rateLimit: 5 });
  });

  it('reads the config file named by MAILGUN_MOCK_CONFIG', async () => {
    vi.stubEnv('MAILGUN_MOCK_CONFIG', configFile({ 'log-level': 'debug' }));
    expect((await serveOptions([])).logLevel).toBe('debug');
  });

  it('resolves paths in a config file from its folder', async () => {
    const o = await serveOptions(['--config', configFile({ data: 'state.json', fixtures: './fx.json' })]);
    expect(o.dataFile).toBe(join(dir, 'state.json'));
    expect(o.fixtures).toBe(join(dir, 'fx.json'));
  });
});

describe('repeatable options', () => {
  it('takes several --api-key flags', async () => {
    expect((await serveOptions(['--api-key', 'key-a', '--api-key', 'key-b'])).apiKeys).toEqual(['key-a', 'key-b']);
  });

  it('takes --allowed-hosts names, all, and MAILGUN_MOCK_ALLOWED_HOSTS', async () => {
    expect((await serveOptions(['--allowed-hosts', 'mailgun.test', '--allowed-hosts', 'mock.internal'])).allowedHosts).toEqual(['mailgun.test', 'mock.internal']);
    expect((await serveOptions(['--allowed-hosts', 'all'])).allowedHosts).toBe('all');
    expect((await serveOptions([])).allowedHosts).toBeUndefined();
    vi.stubEnv('MAILGUN_MOCK_ALLOWED_HOSTS', 'a.test,b.test');
    expect((await serveOptions([])).allowedHosts).toEqual(['a.test', 'b.test']);
  });

  it('splits MAILGUN_MOCK_API_KEY on commas', async () => {
    vi.stubEnv('MAILGUN_MOCK_API_KEY', 'key-a, key-b');
    expect((await serveOptions([])).apiKeys).toEqual(['key-a', 'key-b']);
  });

  it('splits MAILGUN_MOCK_FAULT on semicolons, since each spec holds commas', async () => {
    vi.stubEnv('MAILGUN_MOCK_FAULT', 'preset=rate-limited,route=webhooks.create,times=2; 503');
    expect((await serveOptions([])).faults).toEqual([{ preset: 'rate-limited', route: 'webhooks.create', times: 2 }, { status: 503 }]);
  });

  it('passes --retain-messages and --retain-events, defaulting to the programmatic defaults', async () => {
    const opts = await serveOptions(['--retain-messages', '5', '--retain-events', '7']);
    expect([opts.retainMessages, opts.retainEvents]).toEqual([5, 7]);
    const plain = await serveOptions([]);
    expect([plain.retainMessages, plain.retainEvents]).toEqual([10_000, 100_000]);
  });

  it('passes --data-fsync yes with --data as dataFsync', async () => {
    const opts = await serveOptions(['--data', 'state.json', '--data-fsync', 'yes']);
    expect(opts.dataFsync).toBe(true);
    expect((await serveOptions(['--data', 'state.json'])).dataFsync).toBeUndefined();
  });

  it('does not let an array option swallow the healthcheck command', async () => {
    expect(await parseCli(['--api-key', 'key-a', 'healthcheck', '--port', '9'])).toEqual({ kind: 'healthcheck', host: '127.0.0.1', port: 9 });
  });
});

describe('mistakes fail loudly', () => {
  it.each([
    [['--prot', '1'], /Unknown argument: prot/],
    [['--port', 'abc'], /--port must be a whole number from 0 to 65535/],
    [['--port', '70000'], /--port must be a whole number/],
    [['--rate-limit', '-1'], /--rate-limit must be a whole number/],
    [['--log-level', 'loud'], /Invalid values/],
    [['--fault', 'preset=nope'], /--fault 'preset=nope': unknown preset 'nope'/],
    [['--api-key'], /Not enough arguments following: api-key/],
    [['--allowed-hosts', 'evil/path'], /--allowed-hosts 'evil\/path': not a host name/],
    [['--config', '/nonexistent/mailgun-mock.json'], /config file \/nonexistent\/mailgun-mock.json cannot be read \(ENOENT\)/],
    [['surprise'], /Unknown argument: surprise/],
    [['--data-fsync', 'yes'], /--data-fsync yes needs --data/],
    [['--retain-messages', '0'], /--retain-messages must be a whole number from 1/],
    [['--data-fsync', 'maybe', '--data', 'x.json'], /Invalid values/],
  ])('%j', async (args, message) => {
    await expect(parseCli(args)).rejects.toThrow(UsageError);
    await expect(parseCli(args)).rejects.toThrow(message);
  });

  it('refuses an unknown MAILGUN_MOCK_* variable (a typo in the environment)', async () => {
    vi.stubEnv('MAILGUN_MOCK_RATELIMIT', '5');
    await expect(parseCli([])).rejects.toThrow(/^unknown environment variable MAILGUN_MOCK_RATELIMIT \(mailgun-mock reads MAILGUN_MOCK_PORT, /);
    vi.stubEnv('MAILGUN_MOCK_BASE_URL', 'x');
    await expect(parseCli([])).rejects.toThrow(/^unknown environment variables MAILGUN_MOCK_RATELIMIT, MAILGUN_MOCK_BASE_URL /);
  });

  it('refuses an unknown key in a config file', async () => {
    await expect(parseCli(['--config', configFile({ prot: 1 })])).rejects.toThrow(/Unknown argument: prot/);
  });
});

// The README's examples stay true: its test-suite example is a test file here, and its curl and
// mailgun.js quick-start snippets are run against a started mock.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import Mailgun from 'mailgun.js';
import FormData from 'form-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ts from 'typescript';
import * as lib from '../../src/index.js';
import { startMailgunMock, type MailgunMock } from '../../src/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] ?? '' }));

let mock: MailgunMock;
beforeAll(async () => {
  mock = await startMailgunMock({ port: 0 });
});
afterAll(() => mock.stop());

describe('README', () => {
  it('shows test/e2e/readme-example.test.ts as its test-suite example (only the import path differs)', () => {
    const example = readFileSync(new URL('./readme-example.test.ts', import.meta.url), 'utf8').replace("'../../src/index.js'", "'mailgun-mock'");
    expect(blocks.some((b) => b.lang === 'ts' && b.code === example)).toBe(true);
  });

  it('prints what its curl example says it prints', async () => {
    const block = blocks.find((b) => b.lang === 'sh' && b.code.startsWith('curl -s --user'));
    const [command, comment] = (block?.code ?? '').trim().split('\n');
    const url = /(http:\/\/127\.0\.0\.1:8465\S+)/.exec(command ?? '')?.[1];
    expect(url).toBeDefined();
    const { stdout } = await promisify(execFile)('curl', ['-s', '--user', 'api:any-key', url!.replace('http://127.0.0.1:8465', mock.url)]);
    expect(stdout.trim()).toBe(comment?.replace(/^# /, ''));
  });

  it('runs its mailgun.js quick-start snippet', async () => {
    const block = blocks.find((b) => b.lang === 'js' && b.code.includes('mg.webhooks.create'));
    expect(block?.code).toContain("url: 'http://127.0.0.1:8465'");
    const mg = new Mailgun(FormData).client({ username: 'api', key: 'any-key', url: mock.url });
    await mg.webhooks.create('samples.mailgun.org', 'delivered', 'http://localhost:4000/hooks/mailgun', false);
    const list = await mg.webhooks.list('samples.mailgun.org', {});
    expect(list).toMatchObject({ delivered: { urls: ['http://localhost:4000/hooks/mailgun'] } });
  });
});

describe('README webhook sections', () => {
  it('shows test/e2e/readme-webhook-example.test.ts as its walkthrough (only the import path differs)', () => {
    const example = readFileSync(new URL('./readme-webhook-example.test.ts', import.meta.url), 'utf8').replace("'../../src/index.js'", "'mailgun-mock'");
    expect(blocks.some((b) => b.lang === 'ts' && b.code === example)).toBe(true);
  });

  it('runs its receiver-helper snippet, and each commented result is what the call returns', async () => {
    const block = blocks.find((b) => b.lang === 'ts' && b.code.includes('buildWebhookPayload'));
    expect(block).toBeDefined();
    // `call; // result` lines become assertions; the import line becomes the module's exports.
    let checks = 0;
    const body = block!.code
      .split('\n')
      .filter((line) => !line.startsWith('import '))
      .map((line) => {
        const m = /^(verifyWebhook\(.*\));\s*\/\/ (\{[^}]*\})/.exec(line);
        if (!m) return line;
        checks++;
        return `expect(${m[1]}).toEqual(${m[2]});`;
      })
      .join('\n');
    const js = ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const run = new Function('lib', 'expect', `return (async () => { const { buildWebhookPayload, buildLegacyWebhookForm, signPayload, verifyWebhook } = lib;\n${js}\n})();`);
    await run(lib, expect);
    expect(checks).toBe(4);
  });

  it('documents every control-plane endpoint the mock lists', async () => {
    const res = await fetch(`${mock.url}/__mock`);
    const { endpoints } = (await res.json()) as { endpoints: string[] };
    const table = readme.slice(readme.indexOf('## Control plane'), readme.indexOf('## API coverage'));
    for (const e of endpoints) {
      const [methods, path] = e.split(' ');
      for (const method of methods!.split('|')) expect(table, e).toMatch(new RegExp(`\`${method} ${path!.replace(/[{}]/g, '\\$&')}\``));
    }
  });
});

describe('README fixtures', () => {
  it('its fixtures example loads as the schema and the mock read it', async () => {
    const block = blocks.find((b) => b.lang === 'json' && b.code.includes('"apiKeys"'));
    const data = JSON.parse(block!.code) as Record<string, unknown>;
    delete data.$schema; // the example points at the installed package's copy
    const seed = await lib.loadFixtures(data as unknown as lib.FixtureData);
    expect(seed.state.domains[0]).toMatchObject({ name: 'mg.example.com', bounces: [{ address: 'gone@example.com' }], allowlist: [{ value: 'vip@example.com', type: 'address' }] });
    expect(seed.outcomes).toEqual([{ recipient: '*@bounce.test', outcome: 'permanent_fail' }]);
  });
});

// Regressions found by hostile probing: inputs that used to get a 500 (one an Express HTML page with
// a stack trace), a data file that started a mock answering 500 to everything, and a mock that
// could be started again after stop() without ever being stoppable.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMailgunMock, type MailgunMock } from '../../src/index.js';
import { DataFileError } from '../../src/store/file.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const HOOKS = `/v3/domains/${DOMAIN}/webhooks`;
const SEED_URL = 'http://postbin.heroku.com/860bcd65';

/** A JSON error as the catalogue writes it. */
function expectError(res: request.Response, status: number, body: Record<string, unknown>): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.text).toBe(JSON.stringify(body) + '\n');
}

let mock: MailgunMock;
beforeAll(async () => {
  mock = await createTestMock();
});
afterEach(() => mock.reset());

describe('fault rules whose answer Node could not write are refused up front', () => {
  it.each([
    ['a header value with CR LF', { 'X-A': 'a\r\nSet-Cookie: x' }, "Invalid fault rule: 'headers' has an invalid value for X-A (control characters are not allowed)"],
    ['a header name with a space', { 'bad name': 'x' }, 'Invalid fault rule: \'headers\' has an invalid header name "bad name"'],
    ['an empty header name', { '': 'x' }, 'Invalid fault rule: \'headers\' has an invalid header name ""'],
  ])('control plane: %s', async (_case, headers, message) => {
    const res = await request(mock.app).post('/__mock/faults').send({ status: 500, headers });
    expectError(res, 400, { message });
    expect(mock.faults.list()).toEqual([]);
    const api = await request(mock.app).get(`${HOOKS}/open`).set('Authorization', basic());
    expect(api.status).toBe(200);
  });

  it('X-Mailgun-Mock-Fault header: a JSON rule with a CR LF header value is a 400, not a 500', async () => {
    const res = await request(mock.app)
      .get(HOOKS)
      .set('Authorization', basic())
      .set('X-Mailgun-Mock-Fault', JSON.stringify({ status: 500, headers: { X: 'a\r\nb' } }));
    expectError(res, 400, { message: "Invalid X-Mailgun-Mock-Fault header: 'headers' has an invalid value for X (control characters are not allowed)" });
  });

  it('a body nested deeper than 32 levels is refused, and the faults list still answers', async () => {
    const deep = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const res = await request(mock.app)
      .post('/__mock/faults')
      .set('Content-Type', 'application/json')
      .send(`{"status":500,"body":${deep(5000)}}`);
    expectError(res, 400, { message: "Invalid fault rule: 'body' must be plain JSON, nested at most 32 levels" });
    expect(mock.faults.list()).toEqual([]);
    expect((await request(mock.app).get('/__mock/faults')).status).toBe(200);

    const ok = await request(mock.app).post('/__mock/faults').set('Content-Type', 'application/json').send(`{"status":500,"body":${deep(32)}}`);
    expect(ok.status).toBe(200);
    const api = await request(mock.app).get(HOOKS).set('Authorization', basic());
    expect(api.status).toBe(500);
    expect(api.text).toBe(deep(32) + '\n');
  });

  it('a cyclic or BigInt body is refused programmatically', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => mock.faults.add({ status: 500, body: cyclic })).toThrow(/'body' must be plain JSON/);
    expect(() => mock.faults.add({ status: 500, body: { n: 1n } })).toThrow(/'body' must be plain JSON/);
  });

  it('an answer that still cannot be written is a bare JSON 500, never an HTML stack trace', async () => {
    // The rule add() hands back is the registry's own: changing it afterwards skips the checks.
    const rule = mock.faults.add({ status: 503 });
    rule.headers = { X: 'a\r\nb' };
    const res = await request(mock.app).get(HOOKS).set('Authorization', basic());
    expectError(res, 500, { message: 'Internal Server Error' });
  });
});

describe('webhook URLs with control characters', () => {
  it.each([['NUL', '\u0000'], ['DEL', '\u007f'], ['ESC', '\u001b']])('a %s in the URL is not a valid url', async (_case, ch) => {
    const url = `https://a.example/${ch}x`;
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).type('form').send({ id: 'delivered', url });
    expectError(res, 400, { Reason: `${url} is not a valid url` });
  });
});

describe('a data file with records the routes cannot read stops the start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailgun-mock-hostile-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const file = (domains: unknown[]) => JSON.stringify({ format: 'mailgun-mock', version: 1, state: { domains } });
  const hook = { name: 'delivered', urls: ['https://a.example/'], legacy: false };
  const domain = { name: 'a.example', region: 'us', createdAt: '2026-01-01T00:00:00.000Z', webhooks: [hook] };

  it.each([
    ['a null domain', [null], '/state/domains/0 must be an object'],
    ['a domain without a name', [{ ...domain, name: 7 }], '/state/domains/0/name must be a string'],
    ['webhooks that are not a list', [{ ...domain, webhooks: 5 }], '/state/domains/0/webhooks must be an array'],
    ['a null webhook', [{ ...domain, webhooks: [null] }], '/state/domains/0/webhooks/0 must be an object'],
    ['a webhook without urls', [{ ...domain, webhooks: [{ ...hook, urls: 'https://a.example/' }] }], '/state/domains/0/webhooks/0/urls must be an array of strings'],
    ['a webhook without legacy', [{ ...domain, webhooks: [{ name: 'delivered', urls: [] }] }], '/state/domains/0/webhooks/0/legacy must be true or false'],
  ])('%s', async (_case, domains, field) => {
    const path = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
    const content = file(domains);
    await writeFile(path, content);
    const err = await createMailgunMock({ dataFile: path }).then(
      async (m) => {
        await m.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toBe(`data file ${path}: field ${field}; it was not changed`);
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('a well-formed file still opens and serves its records', async () => {
    const path = join(dir, 'good.json');
    await writeFile(path, file([domain]));
    const m = await createMailgunMock({ dataFile: path });
    try {
      const res = await request(m.app).get('/v3/domains/a.example/webhooks/delivered').set('Authorization', basic());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ webhook: { urls: ['https://a.example/'] } });
    } finally {
      await m.stop();
    }
  });
});

describe('a stopped mock stays stopped', () => {
  it('start() after stop() rejects instead of handing back a URL nobody serves', async () => {
    const m = await createTestMock();
    await m.start();
    await m.stop();
    await expect(m.start()).rejects.toThrow('this mock has been stopped; create a new one to listen again');
  });

  it('start() after a stop() that came first rejects, so no server outlives stop()', async () => {
    const m = await createTestMock();
    await m.stop();
    await expect(m.start()).rejects.toThrow('this mock has been stopped');
    expect(m.url).toBe('');
  });
});

describe('the mock still answers the seed afterwards', () => {
  it('lists the seed webhooks', async () => {
    const res = await request(mock.app).get(HOOKS).set('Authorization', basic());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ webhooks: { open: { url: SEED_URL }, click: { url: SEED_URL } } });
  });
});

// HTTP Basic `api:<key>` as Mailgun checks it: no header, an unreadable header, a wrong key or user,
// the right key (with X-Mailgun-Key-Id), and the "any key" mode when no keys are configured.
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const LIST = `/v3/domains/${DOMAIN}/webhooks`;
/** A current-format private key: `<32 hex>-<8 hex>-<8 hex>`. */
const CURRENT_KEY = '0123456789abcdef0123456789abcdef-01234567-89abcdef';
const SEED_DOMAINS = [{ name: DOMAIN, webhooks: { open: { url: 'http://postbin.heroku.com/860bcd65' } } }];

const UNREADABLE_HEADERS = [
  ['Bearer abc123', 'another scheme'],
  ['Basic', 'no credentials'],
  ['Basic !!!not-base64!!!', 'not base64'],
  ['Basic ' + Buffer.from('api').toString('base64'), 'no colon'],
  ['', 'empty'],
] as const;

/** Mailgun's answer to a missing or unreadable Authorization header. */
function expectNeedAuthorization(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers['www-authenticate']).toBe('Basic realm="MG API"');
  expect(res.text).toBe('{"message":"Need authorization header"}\n');
  expect(res.headers['x-mailgun-key-id']).toBeUndefined();
}

/** Mailgun's answer to a key the account does not hold: plain text, not JSON. */
function expectForbidden(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  expect(res.headers['www-authenticate']).toBe('Basic realm="MG API"');
  expect(res.headers['content-length']).toBe('9');
  expect(res.text).toBe('Forbidden');
  expect(res.headers['x-mailgun-key-id']).toBeUndefined();
}

describe('with keys configured (option apiKeys)', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ apiKeys: ['key-right', CURRENT_KEY] });
  });
  afterEach(() => mock.reset());

  const list = () => request(mock.app).get(LIST);

  it('says so in authMode', () => {
    expect(mock.authMode).toBe('keys');
  });

  it('answers a request without an Authorization header with 401 "Need authorization header" (JSON, no charset)', async () => {
    expectNeedAuthorization(await list());
  });

  it.each(UNREADABLE_HEADERS)('answers an unreadable header (%j: %s) the same way', async (header) => {
    expectNeedAuthorization(await list().set('Authorization', header));
  });

  it('answers a wrong key with 401 text/plain "Forbidden"', async () => {
    expectForbidden(await list().set('Authorization', basic('key-wrong')));
  });

  it('answers the right key with a user other than "api" with Forbidden', async () => {
    expectForbidden(await list().set('Authorization', basic('key-right', 'apiuser')));
  });

  it('answers an empty key with Forbidden', async () => {
    expectForbidden(await list().set('Authorization', basic('')));
  });

  it('sends the Mailgun headers with an auth error too', async () => {
    const res = await list().set('Authorization', basic('key-wrong'));
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('checks the key before looking at the domain', async () => {
    expectForbidden(await request(mock.app).get('/v3/domains/unknown.example.com/webhooks').set('Authorization', basic('key-wrong')));
  });

  it('checks the key on every method', async () => {
    const bad = basic('key-wrong');
    expectForbidden(await request(mock.app).post(LIST).set('Authorization', bad).type('form').send({ id: 'clicked', url: 'http://example.com' }));
    expectForbidden(await request(mock.app).put(`${LIST}/open`).set('Authorization', bad).type('form').send({ url: 'http://example.com' }));
    expectForbidden(await request(mock.app).delete(`${LIST}/open`).set('Authorization', bad));
    expect((await request(mock.app).get(`${LIST}/open`).set('Authorization', basic())).status).toBe(401);
  });

  it('lets the right key through, with X-Mailgun-Key-Id', async () => {
    const res = await list().set('Authorization', basic('key-right'));
    expect(res.status).toBe(200);
    expect(res.headers['x-mailgun-key-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
  });

  it('gives a current-format key its last two segments as X-Mailgun-Key-Id', async () => {
    const res = await list().set('Authorization', basic(CURRENT_KEY));
    expect(res.status).toBe(200);
    expect(res.headers['x-mailgun-key-id']).toBe('01234567-89abcdef');
  });

  it('gives the same key the same id every time, and another key another id', async () => {
    const a1 = (await list().set('Authorization', basic('key-right'))).headers['x-mailgun-key-id'];
    const a2 = (await list().set('Authorization', basic('key-right'))).headers['x-mailgun-key-id'];
    const b = (await list().set('Authorization', basic(CURRENT_KEY))).headers['x-mailgun-key-id'];
    expect(a1).toBe(a2);
    expect(a1).not.toBe(b);
  });

  it('records refused requests in the journal', async () => {
    await list();
    await list().set('Authorization', basic('key-wrong'));
    expect(mock.journal.list().map((e) => e.status)).toEqual([401, 401]);
  });

  it('never asks the control plane for a key', async () => {
    expect((await request(mock.app).get('/__mock/health')).status).toBe(200);
  });
});

describe('with keys from the fixtures', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ fixtures: { apiKeys: ['key-from-fixture'], domains: SEED_DOMAINS }, apiKeys: ['key-from-option'] });
  });
  afterEach(() => mock.reset());

  it.each([
    // key                 status
    ['key-from-fixture', 200],
    ['key-from-option', 200],
    ['key-other', 401],
  ] as const)('%s → %i', async (key, status) => {
    expect((await request(mock.app).get(LIST).set('Authorization', basic(key))).status).toBe(status);
  });

  it('says so in authMode', () => {
    expect(mock.authMode).toBe('keys');
  });
});

describe('with no keys configured', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock();
  });
  afterEach(() => mock.reset());

  const list = () => request(mock.app).get(LIST);

  it('says so in authMode', () => {
    expect(mock.authMode).toBe('any');
  });

  it.each(['key-anything', 'x', CURRENT_KEY, 'pubkey-123'])('accepts the key %j', async (key) => {
    const res = await list().set('Authorization', basic(key));
    expect(res.status).toBe(200);
    expect(res.headers['x-mailgun-key-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
  });

  it('accepts any user name (mailgun.js sends whatever it is given)', async () => {
    expect((await list().set('Authorization', basic('key-anything', 'someone'))).status).toBe(200);
  });

  it('still refuses an empty key with Forbidden', async () => {
    expectForbidden(await list().set('Authorization', basic('')));
  });

  it('still needs the header', async () => {
    expectNeedAuthorization(await list());
  });

  it.each(UNREADABLE_HEADERS)('still needs a readable header (%j: %s)', async (header) => {
    expectNeedAuthorization(await list().set('Authorization', header));
  });
});

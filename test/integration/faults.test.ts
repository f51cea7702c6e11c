// Forced responses, reached the four ways: programmatically, through /__mock/faults, at boot, and
// per request with the X-Mailgun-Mock-Fault header. Every preset's exact answer, custom answers,
// delays and dropped connections.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClock, FaultRuleError, type JournalEntry, type MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const LIST = `/v3/domains/${DOMAIN}/webhooks`;
const SEED_LIST = { webhooks: { open: { url: 'http://postbin.heroku.com/860bcd65' }, click: { url: 'http://postbin.heroku.com/860bcd65' } } };

describe('forced responses', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ clock: createClock({ frozenAt: NOW }) });
  });
  afterEach(() => mock.reset());

  const list = () => request(mock.app).get(LIST).set('Authorization', basic());
  const create = (id: string) => request(mock.app).post(LIST).set('Authorization', basic()).type('form').send({ id, url: 'http://example.com/hook' });
  const journal = async (): Promise<JournalEntry[]> => (await request(mock.app).get('/__mock/requests')).body.items;

  describe('every preset answers exactly as Mailgun would', () => {
    it.each([
      // preset             status  content type                    body
      ['server-error', 500, 'application/json; charset=utf-8', '{"message":"Internal Server Error"}\n'],
      ['bad-gateway', 502, 'application/json; charset=utf-8', '{"message":"Bad Gateway"}\n'],
      ['unavailable', 503, 'application/json; charset=utf-8', '{"message":"Service Unavailable"}\n'],
      ['gateway-timeout', 504, 'application/json; charset=utf-8', '{"message":"Gateway Timeout"}\n'],
      ['not-found', 404, 'application/json; charset=utf-8', '{"message":"Domain not found"}\n'],
      ['bad-request', 400, 'application/json; charset=utf-8', '{"message":"Bad Request"}\n'],
      ['unauthorized', 401, 'text/plain; charset=utf-8', 'Forbidden'],
      ['rate-limited', 429, 'application/json; charset=utf-8', '{"retry-seconds":60}\n'],
    ] as const)('%s → %i', async (preset, status, contentType, text) => {
      mock.faults.add({ preset });
      const res = await list();
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe(contentType);
      expect(res.text).toBe(text);
    });

    it('rate-limited tells the client when to come back: Retry-After and X-RateLimit-*', async () => {
      mock.faults.add({ preset: 'rate-limited' });
      const res = await list();
      expect(res.body).toEqual({ 'retry-seconds': 60 });
      expect(res.headers).toMatchObject({
        'retry-after': '60',
        'x-ratelimit-limit': '300',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(NOW / 1000 + 60),
      });
    });

    it('unauthorized asks for Basic credentials and gives no key id', async () => {
      mock.faults.add({ preset: 'unauthorized' });
      const res = await list();
      expect(res.headers['www-authenticate']).toBe('Basic realm="MG API"');
      expect(res.headers['x-mailgun-key-id']).toBeUndefined();
    });

    it('a bare status answers with its reason phrase as the message', async () => {
      mock.faults.add({ status: 418 });
      const res = await list();
      expect(res.status).toBe(418);
      expect(res.body).toEqual({ message: "I'm a Teapot" });
    });
  });

  describe('custom answers', () => {
    it('replaces the message', async () => {
      mock.faults.add({ status: 503, message: 'Down for maintenance' });
      const res = await list();
      expect(res.status).toBe(503);
      expect(res.text).toBe('{"message":"Down for maintenance"}\n');
    });

    it('adds a message next to retry-seconds on a forced 429', async () => {
      mock.faults.add({ preset: 'rate-limited', message: 'Too many requests' });
      expect((await list()).body).toEqual({ 'retry-seconds': 60, message: 'Too many requests' });
    });

    it('replaces the plain-text body of a forced 401 with the message', async () => {
      mock.faults.add({ preset: 'unauthorized', message: 'Invalid private key' });
      const res = await list();
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe('Invalid private key');
    });

    it('sends an object body as JSON', async () => {
      mock.faults.add({ status: 500, body: { error: 'boom', code: 7 } });
      const res = await list();
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.text).toBe('{"error":"boom","code":7}\n');
    });

    it('sends a string body as text/plain', async () => {
      mock.faults.add({ status: 502, body: '<html>bad gateway</html>' });
      const res = await list();
      expect(res.status).toBe(502);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe('<html>bad gateway</html>');
    });

    it('adds headers, and they win over the preset’s', async () => {
      mock.faults.add({ preset: 'rate-limited', headers: { 'Retry-After': '1', 'X-Request-Id': 'abc' } });
      const res = await list();
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['x-request-id']).toBe('abc');
    });
  });

  describe('programmatically (mock.faults)', () => {
    it('fires on the matching route only, the given number of times', async () => {
      const rule = mock.faults.add({ route: 'webhooks.create', preset: 'unavailable', times: 1 });
      expect((await list()).status).toBe(200);
      expect((await create('delivered')).status).toBe(503);
      expect((await create('delivered')).status).toBe(200);
      expect(mock.faults.list()).toEqual([{ ...rule, hits: 1, remaining: 0 }]);
    });

    it('matches the webhook named by the id field of a create', async () => {
      mock.faults.add({ webhook: 'clicked', status: 500 });
      expect((await create('opened')).status).toBe(200);
      expect((await create('clicked')).status).toBe(500);
    });

    it('matches the domain case-insensitively', async () => {
      mock.faults.add({ domain: 'SAMPLES.mailgun.org', status: 500 });
      const res = await request(mock.app).get('/v3/domains/Samples.Mailgun.Org/webhooks').set('Authorization', basic());
      expect(res.status).toBe(500);
    });

    it('records the rule that answered in the journal', async () => {
      const rule = mock.faults.add({ route: 'webhooks.list', status: 500 });
      await list();
      const [entry] = await journal();
      expect(entry).toMatchObject({ routeId: 'webhooks.list', status: 500, faultId: rule.id });
    });

    it('refuses an invalid rule with a FaultRuleError', () => {
      expect(() => mock.faults.add({ status: 200 })).toThrow(FaultRuleError);
    });

    it('is gone after reset', async () => {
      mock.faults.add({ status: 500 });
      await mock.reset();
      expect(mock.faults.list()).toEqual([]);
      expect((await list()).status).toBe(200);
    });
  });

  describe('through /__mock/faults', () => {
    const admin = () => request(mock.app);

    it('lists no rules to begin with', async () => {
      const res = await admin().get('/__mock/faults');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [] });
    });

    it('adds a rule sent as JSON', async () => {
      const res = await admin().post('/__mock/faults').send({ route: 'webhooks.list', preset: 'unavailable', times: 2 });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        message: 'Fault has been added',
        items: [{ id: 'fault-1', route: 'webhooks.list', preset: 'unavailable', times: 2, hits: 0, remaining: 2 }],
      });
      expect((await list()).status).toBe(503);
      expect((await admin().get('/__mock/faults')).body.items[0]).toMatchObject({ hits: 1, remaining: 1 });
    });

    it('adds a rule sent as a spec', async () => {
      const res = await admin().post('/__mock/faults').send({ spec: 'route=webhooks.*,status=502,times=1' });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([{ id: 'fault-1', route: 'webhooks.*', status: 502, times: 1, hits: 0, remaining: 1 }]);
      expect((await list()).status).toBe(502);
      expect((await list()).status).toBe(200);
    });

    it('adds a list of rules and specs at once, in order', async () => {
      const res = await admin()
        .post('/__mock/faults')
        .send([{ route: 'webhooks.create', status: 500 }, { spec: 'rate-limited,route=webhooks.list' }]);
      expect(res.status).toBe(200);
      expect(res.body.message).toBe('Faults have been added');
      expect(res.body.items.map((r: { id: string }) => r.id)).toEqual(['fault-1', 'fault-2']);
      expect((await list()).status).toBe(429);
      expect((await create('delivered')).status).toBe(500);
    });

    it('deletes one rule by id', async () => {
      mock.faults.add({ status: 500 });
      const keep = mock.faults.add({ route: 'webhooks.create', status: 503 });
      const res = await admin().delete('/__mock/faults/fault-1');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Fault has been removed' });
      expect(mock.faults.list().map((r) => r.id)).toEqual([keep.id]);
      expect((await list()).status).toBe(200);
    });

    it('answers 404 for an unknown id', async () => {
      const res = await admin().delete('/__mock/faults/fault-99');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'Fault not found' });
    });

    it('deletes every rule', async () => {
      mock.faults.add({ status: 500 });
      mock.faults.add({ status: 503 });
      const res = await admin().delete('/__mock/faults');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Faults have been cleared' });
      expect(mock.faults.list()).toEqual([]);
    });

    it.each([
      ['an unknown field', { preset: 'unavailable', colour: 'red' }, "Invalid fault rule: unknown fault rule field 'colour'"],
      ['an unknown preset', { preset: 'on-fire' }, "Invalid fault rule: unknown preset 'on-fire'"],
      ['a status out of range', { status: 302 }, "Invalid fault rule: 'status' must be an integer from 400 to 599"],
      ['two answers at once', { preset: 'unavailable', drop: true }, "Invalid fault rule: give only one of 'preset', 'status' and 'drop'"],
      ['nothing to answer', { route: 'webhooks.list' }, "Invalid fault rule: a fault rule needs one of 'preset', 'status', 'drop' or 'delayMs'"],
      ['a bad spec', { spec: 'status=200' }, "Invalid fault rule: 'status' must be an integer from 400 to 599"],
      ['a spec with extra fields', { spec: '503', times: 1 }, "Invalid fault rule: unknown fault rule field 'spec'"],
      ['a list holding one bad rule', [{ status: 500 }, { status: 'x' }], "Invalid fault rule: 'status' must be an integer from 400 to 599"],
    ])('refuses %s with 400 and a clear message, adding nothing', async (_name, body, message) => {
      const res = await admin().post('/__mock/faults').send(body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body.message).toContain(message);
      expect(mock.faults.list()).toEqual([]);
    });

    it('refuses a body that is not JSON with 400', async () => {
      const res = await admin().post('/__mock/faults').type('form').send({ status: '503' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'Send a fault rule as a JSON object (Content-Type: application/json)' });
    });
  });

  describe('per request, with the X-Mailgun-Mock-Fault header', () => {
    it('answers that request only', async () => {
      const forced = await list().set('X-Mailgun-Mock-Fault', 'unavailable');
      expect(forced.status).toBe(503);
      expect(forced.body).toEqual({ message: 'Service Unavailable' });
      const next = await list();
      expect(next.status).toBe(200);
      expect(next.body).toEqual(SEED_LIST);
    });

    it.each([
      ['429', 429],
      ['rate-limited', 429],
      ['status=500,message=Oops', 500],
      ['{"status":504}', 504],
      ['preset=not-found,route=webhooks.list', 404],
    ])('reads %s', async (spec, status) => {
      expect((await list().set('X-Mailgun-Mock-Fault', spec)).status).toBe(status);
    });

    it('leaves a request alone when its conditions do not match', async () => {
      const res = await list().set('X-Mailgun-Mock-Fault', 'route=webhooks.create,status=500');
      expect(res.status).toBe(200);
    });

    it('is recorded in the journal as the fault "header"', async () => {
      await list().set('X-Mailgun-Mock-Fault', '502');
      expect((await journal())[0]).toMatchObject({ status: 502, faultId: 'header' });
    });

    it('wins over the registry’s rules without spending them', async () => {
      mock.faults.add({ status: 500, times: 1 });
      expect((await list().set('X-Mailgun-Mock-Fault', '503')).status).toBe(503);
      expect((await list()).status).toBe(500);
    });

    it('rolls a probability given in the header against the seeded random source', async () => {
      expect((await list().set('X-Mailgun-Mock-Fault', '503,p=0')).status).toBe(200);
      expect((await list().set('X-Mailgun-Mock-Fault', '503,p=1')).status).toBe(503);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await list().set('X-Mailgun-Mock-Fault', '503,p=0.5')).status);
      expect(new Set(statuses)).toEqual(new Set([200, 503]));
    });

    it.each([
      ['on-fire', "Invalid X-Mailgun-Mock-Fault header: cannot read 'on-fire'"],
      ['status=200', "Invalid X-Mailgun-Mock-Fault header: 'status' must be an integer from 400 to 599"],
      ['preset=unavailable,status=500', "Invalid X-Mailgun-Mock-Fault header: give only one of 'preset', 'status' and 'drop'"],
      ['{"status":', 'Invalid X-Mailgun-Mock-Fault header: fault spec is not valid JSON'],
    ])('refuses %j with 400 and a clear message', async (spec, message) => {
      const res = await list().set('X-Mailgun-Mock-Fault', spec);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body.message).toContain(message);
    });
  });

  describe('delays', () => {
    it('a delay alone slows the real answer down and changes nothing else', async () => {
      mock.faults.add({ delayMs: 50, times: 1 });
      const res = await list();
      expect(res.status).toBe(200);
      expect(res.body).toEqual(SEED_LIST);
      expect((await journal())[0]).toMatchObject({ status: 200, faultId: 'fault-1' });
    });

    it('a delay from the header works the same way', async () => {
      const res = await list().set('X-Mailgun-Mock-Fault', 'delay=50');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(SEED_LIST);
    });

    it('a delay with a preset answers the preset after waiting', async () => {
      mock.faults.add({ delayMs: 50, preset: 'gateway-timeout' });
      const res = await list();
      expect(res.status).toBe(504);
      expect(res.body).toEqual({ message: 'Gateway Timeout' });
    });
  });
});

describe('faults given at boot', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ faults: ['preset=unavailable,route=webhooks.list', { route: 'webhooks.get', status: 500, times: 1 }] });
  });
  afterEach(() => mock.reset());

  const get = (path: string) => request(mock.app).get(path).set('Authorization', basic());

  it('are in force from the start', async () => {
    expect((await get(LIST)).status).toBe(503);
    expect((await get(`${LIST}/open`)).status).toBe(500);
    expect((await get(`${LIST}/open`)).status).toBe(200);
  });

  it('come back after a reset, even when they were cleared or spent', async () => {
    await get(`${LIST}/open`);
    await request(mock.app).delete('/__mock/faults').expect(200);
    expect((await get(LIST)).status).toBe(200);
    await mock.reset();
    expect(mock.faults.list().map((r) => [r.id, r.remaining])).toEqual([
      ['fault-1', null],
      ['fault-2', 1],
    ]);
    expect((await get(LIST)).status).toBe(503);
  });

  it('stop the start when one is invalid', async () => {
    await expect(createTestMock({ faults: ['preset=on-fire'] })).rejects.toThrow(FaultRuleError);
    await expect(createTestMock({ faults: [{ status: 200 }] })).rejects.toThrow(/'status' must be an integer from 400 to 599/);
  });
});

describe('dropped connections (a real socket)', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ port: 0 });
    await mock.start();
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.stop());

  const get = () => fetch(`${mock.url}${LIST}`, { headers: { Authorization: basic() } });

  it('the client sees a socket error, the journal records status 0, and the mock keeps answering', async () => {
    const rule = mock.faults.add({ drop: true, times: 1 });
    await expect(get()).rejects.toThrow();
    const next = await get();
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual(SEED_LIST);
    expect(mock.journal.list().map((e) => [e.status, e.faultId])).toEqual([
      [0, rule.id],
      [200, null],
    ]);
  });

  it('drops from the header too', async () => {
    await expect(fetch(`${mock.url}${LIST}`, { headers: { Authorization: basic(), 'X-Mailgun-Mock-Fault': 'drop' } })).rejects.toThrow();
    expect((await get()).status).toBe(200);
  });

  it('drops after a delay', async () => {
    mock.faults.add({ drop: true, delayMs: 50, times: 1 });
    await expect(get()).rejects.toThrow();
    expect((await get()).status).toBe(200);
  });
});

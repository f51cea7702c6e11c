// Mailgun's webhook API limit (300 requests a minute per account), driven by a frozen clock: no
// sleeping, the window moves only when the test advances the clock.
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClock, type Clock, type MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const LIST = `/v3/domains/${DOMAIN}/webhooks`;

/** Sends `count` authorised list requests one after another and returns their statuses. */
async function listTimes(mock: MailgunMock, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await request(mock.app).get(LIST).set('Authorization', basic())).status);
  return statuses;
}

describe('a limit of 5 requests a minute', () => {
  let mock: MailgunMock;
  let clock: Clock;
  beforeAll(async () => {
    clock = createClock({ frozenAt: NOW });
    mock = await createTestMock({ rateLimit: 5, clock });
  });
  afterEach(() => mock.reset());

  const list = () => request(mock.app).get(LIST).set('Authorization', basic());

  it('refuses the 6th request in the window with 429, retry-seconds and the rate-limit headers', async () => {
    expect(await listTimes(mock, 5)).toEqual([200, 200, 200, 200, 200]);
    const res = await list();
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.text)).toEqual({ 'retry-seconds': 60 });
    expect(res.headers).toMatchObject({
      'retry-after': '60',
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(NOW / 1000 + 60),
    });
  });

  it('tells how long is left of the window', async () => {
    await listTimes(mock, 5);
    clock.advance(45_000);
    const res = await list();
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ 'retry-seconds': 15 });
    expect(res.headers['retry-after']).toBe('15');
  });

  it('lets requests through again once the window has passed', async () => {
    await listTimes(mock, 6);
    clock.advance(59_999);
    expect((await list()).status).toBe(429);
    clock.advance(1);
    expect(await listTimes(mock, 6)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts every webhook route against the same account budget', async () => {
    const auth = { Authorization: basic() };
    const statuses = [
      (await request(mock.app).get(LIST).set(auth)).status,
      (await request(mock.app).get(`${LIST}/open`).set(auth)).status,
      (await request(mock.app).post(LIST).set(auth).type('form').send({ id: 'clicked', url: 'http://example.com/a' })).status,
      (await request(mock.app).put(`${LIST}/clicked`).set(auth).type('form').send({ url: 'http://example.com/b' })).status,
      (await request(mock.app).delete(`${LIST}/clicked`).set(auth)).status,
      (await request(mock.app).get('/v2/domains/samples.mailgun.org/webhooks').set(auth)).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts every key against the one account', async () => {
    for (let i = 0; i < 5; i++) await request(mock.app).get(LIST).set('Authorization', basic(`key-${i}`)).expect(200);
    expect((await request(mock.app).get(LIST).set('Authorization', basic('key-other'))).status).toBe(429);
  });

  it('does not count requests refused by auth', async () => {
    for (let i = 0; i < 10; i++) await request(mock.app).get(LIST).expect(401);
    for (let i = 0; i < 10; i++) await request(mock.app).get(LIST).set('Authorization', basic('')).expect(401);
    expect(await listTimes(mock, 6)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('records refused requests in the journal', async () => {
    await listTimes(mock, 6);
    expect(mock.journal.list({ status: 429 })).toHaveLength(1);
  });

  it('starts fresh windows after reset()', async () => {
    await listTimes(mock, 6);
    await mock.reset();
    expect(await listTimes(mock, 5)).toEqual([200, 200, 200, 200, 200]);
  });

  it('starts fresh windows after POST /__mock/reset', async () => {
    await listTimes(mock, 6);
    await request(mock.app).post('/__mock/reset').expect(200);
    expect((await list()).status).toBe(200);
  });

  it('never limits the control plane', async () => {
    await listTimes(mock, 6);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await request(mock.app).get('/__mock/health')).status);
      statuses.push((await request(mock.app).get('/__mock/requests')).status);
      statuses.push((await request(mock.app).get('/__mock/faults')).status);
    }
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('the default limit', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ clock: createClock({ frozenAt: NOW }) });
  });
  afterEach(() => mock.reset());

  it('is 300 a minute: the 301st request in a minute is refused', async () => {
    const statuses = await listTimes(mock, 300);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const res = await request(mock.app).get(LIST).set('Authorization', basic());
    expect(res.status).toBe(429);
    expect(res.headers['x-ratelimit-limit']).toBe('300');
    expect(res.body).toEqual({ 'retry-seconds': 60 });
  });
});

describe('rateLimit: 0', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ rateLimit: 0, clock: createClock({ frozenAt: NOW }) });
  });
  afterEach(() => mock.reset());

  it('switches the limiter off', async () => {
    const statuses = await listTimes(mock, 301);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});

describe('a custom window (rateLimitWindowMs)', () => {
  let mock: MailgunMock;
  let clock: Clock;
  beforeAll(async () => {
    clock = createClock({ frozenAt: NOW });
    mock = await createTestMock({ rateLimit: 2, rateLimitWindowMs: 1_000, clock });
  });
  afterEach(() => mock.reset());

  it('refuses within the window and rounds retry-seconds up to at least 1', async () => {
    await listTimes(mock, 2);
    clock.advance(500);
    const res = await request(mock.app).get(LIST).set('Authorization', basic());
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ 'retry-seconds': 1 });
    expect(res.headers['x-ratelimit-reset']).toBe(String(NOW / 1000 + 1));
    clock.advance(500);
    expect(await listTimes(mock, 3)).toEqual([200, 200, 429]);
  });
});

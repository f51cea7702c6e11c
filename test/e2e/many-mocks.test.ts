// Many mocks in one process (parallel test files do exactly this): each has its own port, state,
// faults, journal, rate-limit budget and clock.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClock, startMailgunMock, type MailgunMock } from '../../src/index.js';
import { basic, DOMAIN } from '../helpers.js';

const HOOKS = `/v3/domains/${DOMAIN}/webhooks`;
let a: MailgunMock;
let b: MailgunMock;

beforeAll(async () => {
  [a, b] = await Promise.all([startMailgunMock({ port: 0, rateLimit: 3, clock: createClock({ frozenAt: 0 }) }), startMailgunMock({ port: 0, rateLimit: 3 })]);
});
afterAll(() => Promise.all([a.stop(), b.stop()]));

const call = (mock: MailgunMock, path = HOOKS, init: RequestInit = {}) =>
  fetch(mock.url + path, { ...init, headers: { Authorization: basic(), ...(init.headers as Record<string, string>) } });

it('two mocks started together listen on different ports', () => {
  expect(a.port).not.toBe(b.port);
  expect(a.port).toBeGreaterThan(0);
});

it('a change in one mock is not seen by the other', async () => {
  const created = await call(a, HOOKS, { method: 'POST', body: new URLSearchParams({ id: 'delivered', url: 'http://h.example/a' }) });
  expect(created.status).toBe(200);
  expect(Object.keys(((await (await call(a)).json()) as { webhooks: object }).webhooks)).toContain('delivered');
  expect(Object.keys(((await (await call(b)).json()) as { webhooks: object }).webhooks)).not.toContain('delivered');
});

it('faults, journals and rate-limit budgets are per mock', async () => {
  await Promise.all([a.reset(), b.reset()]);
  a.faults.add({ route: 'webhooks.list', status: 503 });
  expect((await call(a)).status).toBe(503);
  expect((await call(b)).status).toBe(200);
  expect(b.faults.list()).toEqual([]);
  expect(a.journal.list().map((e) => e.status)).toEqual([503]);
  expect(b.journal.list().map((e) => e.status)).toEqual([200]);
  // b's budget of 3 is spent by b's requests only.
  a.faults.clear();
  expect([(await call(b)).status, (await call(b)).status, (await call(b)).status]).toEqual([200, 200, 429]);
  expect((await call(a)).status).toBe(200);
});

// A message scheduled with o:deliverytime (or --delivery-delay) meets the suppression lists and
// outcome rules in force when it is delivered, not those of when it was sent.
import request from 'supertest';
import { expect, it } from 'vitest';
import { createClock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');

async function scheduledSend(deliveryTime: string) {
  const mock = await createTestMock({ clock: createClock({ frozenAt: T0 }) });
  const res = await request(mock.app).post(`/v3/${DOMAIN}/messages`).set('Authorization', basic()).type('form')
    .send({ from: `a@${DOMAIN}`, to: 'later@example.com', subject: 'Later', text: 'x', 'o:deliverytime': deliveryTime });
  expect(res.status).toBe(200);
  return mock;
}

it('is only accepted until its delivery time', async () => {
  const mock = await scheduledSend('Mon, 02 Mar 2026 11:00:00 +0000');
  expect(mock.events.list().map((e) => e.event)).toEqual(['accepted']);
  await mock.advanceClock(59 * 60_000);
  expect(mock.events.list().map((e) => e.event)).toEqual(['accepted']);
  await mock.advanceClock(60_000);
  expect(mock.events.list().map((e) => e.event)).toEqual(['accepted', 'delivered']);
  await mock.stop();
});

it('fails with 605 when the address bounced between the send and its delivery time', async () => {
  const mock = await scheduledSend('Mon, 02 Mar 2026 11:00:00 +0000');
  const added = await request(mock.app).post(`/v3/${DOMAIN}/bounces`).set('Authorization', basic()).type('form').send({ address: 'later@example.com' });
  expect(added.status).toBe(200);
  await mock.advanceClock(60 * 60_000);
  const failed = mock.events.list({ event: 'failed' });
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({ severity: 'permanent', reason: 'suppress-bounce', 'delivery-status': { code: 605 } });
  await mock.stop();
});

it('meets an outcome rule added after the send', async () => {
  const mock = await scheduledSend('Mon, 02 Mar 2026 10:30:00 +0000');
  mock.outcomes.add({ recipient: 'later@example.com', outcome: 'permanent_fail' });
  await mock.advanceClock(30 * 60_000);
  expect(mock.events.list().map((e) => `${e.event}${e.severity ? ` ${e.severity}` : ''}`)).toEqual(['accepted', 'failed permanent']);
  await mock.stop();
});

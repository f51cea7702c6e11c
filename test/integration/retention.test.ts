// Messages and events are kept up to a limit per account; the oldest go first.
import request from 'supertest';
import { expect, it } from 'vitest';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

it('keeps the newest messages and events once over the limits', async () => {
  const mock = await createTestMock({ retainMessages: 10, retainEvents: 30 });
  for (let i = 0; i < 50; i++) {
    const res = await request(mock.app).post(`/v3/${DOMAIN}/messages`).set('Authorization', basic()).type('form').send({ from: `a@${DOMAIN}`, to: 'b@example.com', subject: `n${i}`, text: 'x' });
    expect(res.status).toBe(200);
  }
  const subjects = mock.messages.list().map((m) => m.subject);
  // Trimmed in steps of a tenth: never more than the limit plus a tenth, never fewer than the limit.
  expect(subjects.length).toBeGreaterThanOrEqual(10);
  expect(subjects.length).toBeLessThanOrEqual(11);
  expect(subjects.at(-1)).toBe('n49');
  expect(subjects).toEqual([...subjects].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
  const events = mock.events.list();
  expect(events.length).toBeGreaterThanOrEqual(30);
  expect(events.length).toBeLessThanOrEqual(33);
  // The Events API pages over what is kept, newest first.
  const page = await request(mock.app).get(`/v3/${DOMAIN}/events?limit=300`).set('Authorization', basic());
  expect(page.body.items).toHaveLength(events.length);
  await mock.stop();
});

it('refuses limits that are not whole numbers of at least 1', async () => {
  await expect(createTestMock({ retainMessages: 0 })).rejects.toThrow(/retainMessages/);
  await expect(createTestMock({ retainEvents: 1.5 })).rejects.toThrow(/retainEvents/);
});

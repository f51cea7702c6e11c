// The founding document's samples, replayed from the default fixtures: same keys, order and values.
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const SAMPLES = {
  list: '{"webhooks":{"open":{"url":"http://postbin.heroku.com/860bcd65"},"click":{"url":"http://postbin.heroku.com/860bcd65"}}}',
  create: '{"message":"Webhook has been created","webhook":{"url":"http://bin.mailgun.net/8de4a9c4"}}',
  update: '{"message":"Webhook has been updated","webhook":{"url":"http://google.com"}}',
  get: '{"webhook":{"url":"http://google.com"}}',
  remove: '{"message":"Webhook has been deleted","webhook":{"url":"http://postbin.heroku.com/860bcd65"}}',
};

describe('the seed walk (seed-api-webhooks.txt)', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock();
  });
  afterEach(() => mock.reset());

  it('replays every documented sample byte for byte, in order', async () => {
    const api = request(mock.app);
    const base = `/v3/domains/${DOMAIN}/webhooks`;
    const steps = [
      { name: 'list', res: await api.get(base).set('Authorization', basic()) },
      { name: 'create', res: await api.post(base).set('Authorization', basic()).type('form').send({ id: 'deliver', url: 'http://bin.mailgun.net/8de4a9c4' }) },
      { name: 'update', res: await api.put(`${base}/deliver`).set('Authorization', basic()).type('form').send({ url: 'http://google.com' }) },
      { name: 'get', res: await api.get(`${base}/deliver`).set('Authorization', basic()) },
      { name: 'remove', res: await api.delete(`${base}/open`).set('Authorization', basic()) },
    ] as const;
    for (const step of steps) {
      expect(step.res.status, step.name).toBe(200);
      expect(step.res.headers['content-type'], step.name).toBe('application/json; charset=utf-8');
      expect(step.res.text, step.name).toBe(SAMPLES[step.name] + '\n');
      // Same keys in the same order: the parsed sample and the answer serialise identically.
      expect(JSON.stringify(step.res.body), step.name).toBe(JSON.stringify(JSON.parse(SAMPLES[step.name])));
    }
  });

  it('lists the seed again after a reset', async () => {
    const api = request(mock.app);
    await api.delete(`/v3/domains/${DOMAIN}/webhooks/open`).set('Authorization', basic()).expect(200);
    await mock.reset();
    const res = await api.get(`/v3/domains/${DOMAIN}/webhooks`).set('Authorization', basic());
    expect(res.text).toBe(SAMPLES.list + '\n');
  });
});

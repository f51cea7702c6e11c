// What each official SDK sends, byte for byte in encoding, and what it needs back (reference §4).
// mailgun.js is driven for real in test/e2e; the others are replayed here by protocol.
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const BASE = `/v3/domains/${DOMAIN}/webhooks`;

/** A multipart body as mailgun-php and mailgun-java build it: one part per value, repeated names repeated. */
function multipartBody(boundary: string, fields: Array<[string, string]>): string {
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return parts.join('') + `--${boundary}--\r\n`;
}

let mock: MailgunMock;
beforeAll(async () => {
  mock = await createTestMock();
});
afterEach(() => mock.reset());

describe('mailgun-go (urlencoded, id + repeated url; accepts 200/202/204)', () => {
  it('creates with two urls and reads them back from webhook.urls', async () => {
    const api = request(mock.app);
    const create = await api.post(BASE).set('Authorization', basic()).set('User-Agent', 'mailgun-go/5.0.0').type('form')
      .send('id=delivered&url=https%3A%2F%2Fa.example%2Fh&url=https%3A%2F%2Fb.example%2Fh');
    expect([200, 202, 204]).toContain(create.status);
    const get = await api.get(`${BASE}/delivered`).set('Authorization', basic());
    expect(get.body.webhook.urls).toEqual(['https://a.example/h', 'https://b.example/h']);
  });

  it('lists legacy {url} and current {urls} entries in one map, as ListWebhooks merges them', async () => {
    const api = request(mock.app);
    await api.post(BASE).set('Authorization', basic()).type('form').send('id=permanent_fail&url=http%3A%2F%2Fh.example%2Ff');
    const list = await api.get(BASE).set('Authorization', basic());
    expect(list.body.webhooks).toEqual({
      open: { url: 'http://postbin.heroku.com/860bcd65' },
      click: { url: 'http://postbin.heroku.com/860bcd65' },
      permanent_fail: { urls: ['http://h.example/f'] },
    });
  });
});

describe('mailgun-ruby (urlencoded; PUT also sends id; compares message strings exactly)', () => {
  it('gets the exact messages and webhook.urls containing the url it sent', async () => {
    const api = request(mock.app);
    const create = await api.post(BASE).set('Authorization', basic()).type('form').send('id=clicked&url=http%3A%2F%2Fexample.com%2Fmailgun%2Fevents%2Fclicked');
    expect(create.body.message).toBe('Webhook has been created');
    expect(create.body.webhook.urls).toContain('http://example.com/mailgun/events/clicked');
    const update = await api.put(`${BASE}/clicked`).set('Authorization', basic()).type('form').send('id=clicked&url=http%3A%2F%2Fexample.com%2Fnew');
    expect(update.body).toEqual({ message: 'Webhook has been updated', webhook: { urls: ['http://example.com/new'] } });
    const remove = await api.delete(`${BASE}/clicked`).set('Authorization', basic());
    expect(remove.body).toEqual({ message: 'Webhook has been deleted', webhook: { urls: ['http://example.com/new'] } });
  });
});

describe('mailgun-php (multipart with a quoted boundary; empty multipart body on DELETE)', () => {
  const boundary = 'php-boundary-8a1b';
  const type = `multipart/form-data; boundary="${boundary}"`;

  it('creates with repeated url parts and gets a JSON content type (required by its hydrator)', async () => {
    const res = await request(mock.app).post(BASE).set('Authorization', basic()).set('Content-Type', type)
      .send(multipartBody(boundary, [['id', 'opened'], ['url', 'https://a.example/o'], ['url', 'https://b.example/o']]));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.webhook.urls).toEqual(['https://a.example/o', 'https://b.example/o']);
  });

  it('deletes with an empty multipart body', async () => {
    const res = await request(mock.app).delete(`${BASE}/open`).set('Authorization', basic()).set('Content-Type', type).send(`--${boundary}--\r\n`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook has been deleted', webhook: { url: 'http://postbin.heroku.com/860bcd65' } });
  });
});

describe('mailgun-python (urlencoded dict; list values repeat; .json() on the answer)', () => {
  it('replaces urls with a PUT of repeated url values and gets valid JSON', async () => {
    const api = request(mock.app);
    await api.post(BASE).set('Authorization', basic()).set('User-Agent', 'mailgun-api-python/1.9.0').type('form').send('id=complained&url=https%3A%2F%2Fa.example%2Fc');
    const res = await api.put(`${BASE}/complained`).set('Authorization', basic()).type('form').send('url=https%3A%2F%2Fb.example%2Fc&url=https%3A%2F%2Fc.example%2Fc');
    expect(JSON.parse(res.text)).toEqual({ message: 'Webhook has been updated', webhook: { urls: ['https://b.example/c', 'https://c.example/c'] } });
  });
});

describe('mailgun-java (multipart, Accept: application/json; typed list of current names)', () => {
  it('creates and reads {webhook:{urls}} and a list keyed by current names', async () => {
    const boundary = 'java-feign-1234';
    const api = request(mock.app);
    const res = await api.post(BASE).set('Authorization', basic()).set('Accept', 'application/json').set('Content-Type', `multipart/form-data; boundary=${boundary}`)
      .send(multipartBody(boundary, [['id', 'temporary_fail'], ['url', 'https://j.example/t']]));
    expect(res.body).toEqual({ message: 'Webhook has been created', webhook: { urls: ['https://j.example/t'] } });
    const list = await api.get(BASE).set('Authorization', basic()).set('Accept', 'application/json');
    expect(list.body.webhooks.temporary_fail).toEqual({ urls: ['https://j.example/t'] });
  });
});

describe('mailgun-js 0.2x (urlencoded via querystring; only status 200 is success; JSON only with a JSON content type)', () => {
  it('gets exactly 200 and a content type containing application/json on every success', async () => {
    const api = request(mock.app);
    const answers = [
      await api.post(BASE).set('Authorization', basic()).type('form').send('id=accepted&url=https%3A%2F%2Fa.example%2Fa'),
      await api.put(`${BASE}/accepted`).set('Authorization', basic()).type('form').send('url=https%3A%2F%2Fb.example%2Fa'),
      await api.get(`${BASE}/accepted`).set('Authorization', basic()),
      await api.delete(`${BASE}/accepted`).set('Authorization', basic()),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('application/json');
    }
  });
});

describe('a browser running mailgun.js (CORS preflight before each cross-origin call)', () => {
  it('answers OPTIONS with 200 and the methods and headers it may use', async () => {
    const res = await request(mock.app).options(BASE).set('Origin', 'http://localhost:5173').set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, DELETE, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type, x-requested-with, Authorization');
  });
});

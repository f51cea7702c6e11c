// The control plane under /__mock: health, the index, reset, and the request journal with its filters.
import request from 'supertest';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClock, type JournalEntry, type MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const LIST = `/v3/domains/${DOMAIN}/webhooks`;
const BOOT_FAULT = 'domain=faulty.example.com,status=503';

describe('the control plane', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ clock: createClock({ frozenAt: NOW }), faults: [BOOT_FAULT] });
  });
  afterEach(() => mock.reset());

  const api = () => request(mock.app);
  const auth = { Authorization: basic() };
  const journal = async (query = ''): Promise<JournalEntry[]> => {
    const res = await api().get(`/__mock/requests${query}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(res.body.items.length);
    return res.body.items;
  };

  it('GET /__mock/health says it is up, with the version and the storage in use', async () => {
    const res = await api().get('/__mock/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ status: 'ok', version: mock.version, storage: 'memory' });
  });

  it('GET /__mock lists what is there', async () => {
    const res = await api().get('/__mock');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'mailgun-mock', version: mock.version });
    expect(res.body.endpoints).toEqual(expect.arrayContaining(['GET /__mock/health', 'POST /__mock/reset', 'GET|POST|DELETE /__mock/faults', 'DELETE /__mock/faults/{id}', 'GET|DELETE /__mock/requests', 'GET /__mock/messages', 'GET|POST /__mock/events', 'GET|POST|DELETE /__mock/outcomes', 'GET /__mock/webhooks/deliveries', 'POST /__mock/clock/advance']));
  });

  it('needs no API key', async () => {
    for (const path of ['/__mock', '/__mock/health', '/__mock/faults', '/__mock/requests']) {
      expect((await api().get(path)).status, path).toBe(200);
    }
  });

  it('POST /__mock/reset restores the seed, the boot faults and an empty journal', async () => {
    await api().delete(`${LIST}/open`).set(auth).expect(200);
    await api().post(LIST).set(auth).type('form').send({ id: 'clicked', url: 'http://example.com/hook' }).expect(200);
    await api().delete('/__mock/faults').expect(200);
    mock.faults.add({ status: 500, route: 'webhooks.get' });

    const res = await api().post('/__mock/reset');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Mock has been reset' });

    expect((await api().get(LIST).set(auth)).body).toEqual({
      webhooks: { open: { url: 'http://postbin.heroku.com/860bcd65' }, click: { url: 'http://postbin.heroku.com/860bcd65' } },
    });
    expect((await api().get('/__mock/faults')).body.items).toEqual([{ id: 'fault-1', domain: 'faulty.example.com', status: 503, hits: 0, remaining: null }]);
    // The list above is the only request since the reset.
    expect((await journal()).map((e) => e.routeId)).toEqual(['webhooks.list']);
  });

  it('answers an unknown control-plane path with 404 JSON', async () => {
    for (const [method, path] of [
      ['get', '/__mock/nope'],
      ['put', '/__mock/health'],
      ['get', '/__mock/faults/fault-1/extra'],
    ] as const) {
      const res = await api()[method](path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual({ message: 'Unknown control-plane endpoint; see GET /__mock' });
    }
  });

  it('answers a malformed JSON body with 400 JSON, not a stack trace', async () => {
    const res = await api().post('/__mock/faults').set('Content-Type', 'application/json').send('{"status": 503,');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ message: 'Malformed request body' });
    expect(res.text).not.toMatch(/at .*\.(js|ts)/);
  });

  describe('the request journal', () => {
    /** Six requests with something different about each, so every filter picks a different set. */
    beforeEach(async () => {
      await api().get(`${LIST}?limit=10`).set(auth).expect(200); // 1
      await api().post(LIST).set(auth).type('form').send('id=clicked&url=http://a.example.com&url=http://b.example.com').expect(200); // 2
      await api().get('/v3/domains/Other.Example.com/webhooks').set(auth).expect(404); // 3
      await api().delete(`${LIST}/open`).set(auth).expect(200); // 4
      await api().get(`/v2/domains/${DOMAIN}/webhooks/click`).set(auth).expect(200); // 5
      await api().put(`${LIST}/click`).expect(401); // 6
    });

    it('records what each request was and how it was answered', async () => {
      const entries = await journal();
      expect(entries).toHaveLength(6);
      expect(entries[0]).toEqual({
        seq: 1,
        time: '2026-01-01T00:00:00.000Z',
        method: 'GET',
        path: LIST,
        query: { limit: '10' },
        routeId: 'webhooks.list',
        domain: DOMAIN,
        webhook: null,
        fields: {},
        files: [],
        status: 200,
        durationMs: expect.any(Number),
        faultId: null,
        client: null,
      });
      expect(entries[1]).toMatchObject({
        seq: 2,
        method: 'POST',
        routeId: 'webhooks.create',
        webhook: 'clicked',
        fields: { id: 'clicked', url: ['http://a.example.com', 'http://b.example.com'] },
        status: 200,
      });
      expect(entries[2]).toMatchObject({ method: 'GET', domain: 'other.example.com', routeId: 'webhooks.list', status: 404 });
      expect(entries[3]).toMatchObject({ method: 'DELETE', path: `${LIST}/open`, routeId: 'webhooks.delete', webhook: 'open' });
      expect(entries[4]).toMatchObject({ path: `/v2/domains/${DOMAIN}/webhooks/click`, routeId: 'webhooks.get', webhook: 'click' });
      expect(entries[5]).toMatchObject({ method: 'PUT', routeId: 'webhooks.update', status: 401 });
    });

    it('records multipart fields the same way', async () => {
      await api().post(LIST).set(auth).field('id', 'opened').field('url', 'http://a.example.com').field('url', 'http://b.example.com').expect(200);
      const [entry] = await journal('?limit=1');
      expect(entry).toMatchObject({ routeId: 'webhooks.create', fields: { id: 'opened', url: ['http://a.example.com', 'http://b.example.com'] } });
    });

    it.each([
      // query                              seqs
      ['', [1, 2, 3, 4, 5, 6]],
      ['?method=post', [2]],
      ['?method=GET', [1, 3, 5]],
      ['?route=webhooks.list', [1, 3]],
      ['?route=webhooks.create', [2]],
      ['?domain=OTHER.example.com', [3]],
      [`?domain=${DOMAIN}`, [1, 2, 4, 5, 6]],
      ['?webhook=open', [4]],
      ['?webhook=click', [5, 6]],
      ['?status=200', [1, 2, 4, 5]],
      ['?status=401', [6]],
      ['?path=/v2/', [5]],
      [`?path=${LIST}/`, [4, 6]],
      ['?after=4', [5, 6]],
      ['?limit=2', [5, 6]],
      ['?limit=0', []],
      ['?method=GET&status=200', [1, 5]],
      ['?route=webhooks.list&limit=1', [3]],
      ['?after=1&limit=1', [6]],
      ['?webhook=none', []],
    ])('GET /__mock/requests%s', async (query, seqs) => {
      expect((await journal(query)).map((e) => e.seq)).toEqual(seqs);
    });

    it.each(['status=abc', 'after=-1', 'limit=1.5'])('refuses a filter that is not a whole number (%s)', async (query) => {
      const res = await api().get(`/__mock/requests?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Query parameter '(status|after|limit)' must be a whole number$/);
    });

    it('is the same list programmatically', async () => {
      expect(mock.journal.list({ method: 'POST' }).map((e) => e.seq)).toEqual([2]);
      expect(mock.journal.list()).toEqual(await journal());
    });

    it('does not record control-plane requests', async () => {
      await api().get('/__mock/health');
      await api().get('/__mock/requests');
      await api().post('/__mock/faults').send({ status: 500, domain: 'nowhere.example.com' });
      await api().get('/__mock/nope');
      expect(await journal()).toHaveLength(6);
    });

    it('records pages the mock does not route, with no route id', async () => {
      await api().get('/v3/nothing-here').set(auth).expect(404);
      await api().get('/__mockery').expect(404);
      const entries = await journal('?after=6');
      expect(entries.map((e) => [e.path, e.routeId, e.status])).toEqual([
        ['/v3/nothing-here', null, 404],
        ['/__mockery', null, 404],
      ]);
    });

    it('DELETE /__mock/requests empties it and keeps counting, so polling with after= misses nothing', async () => {
      const last = Math.max(...(await journal()).map((e) => e.seq));
      const res = await api().delete('/__mock/requests');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Journal has been cleared' });
      expect(await journal()).toEqual([]);
      await api().get(LIST).set(auth);
      expect((await journal()).map((e) => e.seq)).toEqual([last + 1]);
      const after = await api().get(`/__mock/requests?after=${last}`);
      expect(after.body.items.map((e: { seq: number }) => e.seq)).toEqual([last + 1]);
    });

    it('a reset numbers from 1 again', async () => {
      await mock.reset();
      await api().get(LIST).set(auth);
      expect((await journal()).map((e) => e.seq)).toEqual([1]);
    });
  });
});

describe('journalLimit', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ journalLimit: 3 });
  });
  afterEach(() => mock.reset());

  it('keeps only the newest entries', async () => {
    for (let i = 0; i < 40; i++) await request(mock.app).get(LIST).set('Authorization', basic());
    const res = await request(mock.app).get('/__mock/requests');
    expect(res.body.items.map((e: JournalEntry) => e.seq)).toEqual([38, 39, 40]);
    expect(res.body.total).toBe(3);
  });
});

describe('journalLimit: 0', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ journalLimit: 0 });
  });
  afterEach(() => mock.reset());

  it('keeps nothing', async () => {
    await request(mock.app).get(LIST).set('Authorization', basic()).expect(200);
    expect(mock.journal.list()).toEqual([]);
  });
});

// The Events API over HTTP: GET /v3/{domain}/events and the paging URLs it hands out
// (absolute, on the Host the client used, walkable to the empty page), its 400s and 404s, and the
// fields every event carries.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock, type MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const OTHER = 'other.example.com';
const EVENTS = `/v3/${DOMAIN}/events`;
/** Five messages, one recipient each: accepted + delivered = 10 events on DOMAIN. */
const SENT = 5;

interface Paging {
  first: string;
  last: string;
  next: string;
  previous: string;
}
interface EventItem {
  event: string;
  id: string;
  timestamp: number;
  'log-level': string;
  [field: string]: unknown;
}

let mock: MailgunMock;
const ids: string[] = [];

beforeAll(async () => {
  mock = await createTestMock({ clock: createClock({ frozenAt: NOW }), fixtures: { domains: [{ name: DOMAIN }, { name: OTHER }] } });
  for (let i = 0; i < SENT; i++) {
    mock.clock.advance(1000);
    const res = await api()
      .post(`/v3/${DOMAIN}/messages`)
      .set('Authorization', basic())
      .type('form')
      .send({ from: 'Bob <bob@samples.mailgun.org>', to: `user${i}@example.com`, subject: `Message ${i}`, text: 'Hi', 'o:tag': 'batch' });
    expect(res.status).toBe(200);
    ids.push(res.body.id);
  }
  await api().post(`/v3/${OTHER}/messages`).set('Authorization', basic()).type('form').send({ from: 'x@other.example.com', to: 'y@example.com', subject: 'Other', text: 'x' }).expect(200);
});
afterAll(() => mock.stop());

function api() {
  return request(mock.app);
}
const get = (path: string) => api().get(path).set('Authorization', basic());
/** The path and query of a paging URL (supertest serves every request on a new port). */
const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

function expectError(res: request.Response, status: number, message: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Object.keys(res.body)).toEqual(['message']);
  if (typeof message === 'string') expect(res.body.message).toBe(message);
  else expect(res.body.message).toMatch(message);
  expect(res.text.endsWith('}\n')).toBe(true);
}

describe('GET /v3/{domain}/events', () => {
  it('answers {items, paging: {first, last, next, previous}} as compact JSON', async () => {
    const res = await get(EVENTS);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text).toBe(JSON.stringify(res.body) + '\n');
    expect(Object.keys(res.body)).toEqual(['items', 'paging']);
    expect(Object.keys(res.body.paging).sort()).toEqual(['first', 'last', 'next', 'previous']);
    expect(res.body.items).toHaveLength(2 * SENT);
  });

  it('lists only the domain\'s own events, newest first by default', async () => {
    const items: EventItem[] = (await get(EVENTS)).body.items;
    const stamps = items.map((e) => e.timestamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
    for (const e of items) expect((e.domain as { name: string }).name).toBe(DOMAIN);
  });

  it('builds absolute paging URLs on the Host the client used (supertest: 127.0.0.1:port)', async () => {
    const res = await get(`${EVENTS}?limit=3`);
    for (const url of Object.values(res.body.paging as Paging)) {
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/v3/${DOMAIN}/events/[A-Za-z0-9_-]+$`));
    }
  });

  it('builds them on a custom Host header too: http://api.mailgun.net/v3/…', async () => {
    const res = await get(`${EVENTS}?limit=3`).set('Host', 'api.mailgun.net');
    expect(res.status).toBe(200);
    for (const url of Object.values(res.body.paging as Paging)) {
      expect(url.startsWith(`http://api.mailgun.net/v3/${DOMAIN}/events/`)).toBe(true);
    }
  });

  it('hands out tokens mailgun.js and mailgun-ruby can cut from the URL: no /, ?, # or %', async () => {
    const { paging } = (await get(`${EVENTS}?limit=3&event=accepted&subject="Message 1" OR "Message 2"`)).body as { paging: Paging };
    for (const url of Object.values(paging)) {
      const parts = url.split('/');
      // mailgun-ruby takes element 6: scheme:, '', host, v3, domain, events, token.
      expect(parts).toHaveLength(7);
      expect(parts.slice(3, 6)).toEqual(['v3', DOMAIN, 'events']);
      expect(parts[6]).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('walks every event exactly once by following next until a page is empty', async () => {
    const seen: EventItem[] = [];
    let url = `${EVENTS}?limit=3`;
    const pageSizes: number[] = [];
    for (let page = 0; page < 20; page++) {
      const res = await get(url);
      expect(res.status).toBe(200);
      pageSizes.push(res.body.items.length);
      if (res.body.items.length === 0) break;
      seen.push(...res.body.items);
      url = pathOf(res.body.paging.next);
    }
    expect(pageSizes).toEqual([3, 3, 3, 1, 0]);
    expect(new Set(seen.map((e) => e.id)).size).toBe(2 * SENT);
    expect(seen.map((e) => e.timestamp)).toEqual([...seen.map((e) => e.timestamp)].sort((a, b) => b - a));
  });

  it('walks ascending the same way, oldest first, and previous of the first page is empty', async () => {
    const first = await get(`${EVENTS}?ascending=yes&limit=4`);
    expect(first.body.items.map((e: EventItem) => e.event)).toEqual(['accepted', 'delivered', 'accepted', 'delivered']);
    const previous = await get(pathOf(first.body.paging.previous));
    expect(previous.status).toBe(200);
    expect(previous.body.items).toEqual([]);
    const last = await get(pathOf(first.body.paging.last));
    expect(last.body.items.map((e: EventItem) => e.id)).toEqual((await get(`${EVENTS}?ascending=yes`)).body.items.slice(-4).map((e: EventItem) => e.id));
  });

  it('applies a limit given next to a page token', async () => {
    const first = await get(`${EVENTS}?limit=2`);
    const next = await get(`${pathOf(first.body.paging.next)}?limit=5`);
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(5);
  });

  it('filters by event, recipient and message-id (with or without <>)', async () => {
    expect((await get(`${EVENTS}?event=delivered`)).body.items).toHaveLength(SENT);
    expect((await get(`${EVENTS}?recipient=user3@example.com`)).body.items.map((e: EventItem) => e.event).sort()).toEqual(['accepted', 'delivered']);
    const bare = ids[2]!.slice(1, -1);
    for (const id of [ids[2]!, bare]) {
      const res = await get(`${EVENTS}?message-id=${encodeURIComponent(id)}`);
      expect(res.body.items).toHaveLength(2);
    }
  });

  describe('answers 400 with a clear message for a query it cannot run', () => {
    it.each([
      // query                                                              message
      ['limit=0', /"limit" must be an integer between 1 and 300, got '0'/],
      ['limit=301', /"limit" must be an integer between 1 and 300, got '301'/],
      ['limit=abc', /"limit" must be an integer between 1 and 300, got 'abc'/],
      ['limit=-1', /"limit"/],
      ['limit=1.5', /"limit"/],
      ['begin=yesterday', /"begin" must be an RFC 2822 date .* or epoch seconds, got 'yesterday'/],
      ['begin=Fri, 31 Feb 2013 09:00:00 -0000', /"begin"/],
      ['end=13:00', /"end"/],
      ['ascending=maybe', /"ascending" must be yes or no, got 'maybe'/],
      ['begin=1767225600&end=1767229200&ascending=no', /"ascending" is no but "end" is after "begin"/],
      ['begin=1767229200&end=1767225600&ascending=yes', /"ascending" is yes but "end" is before "begin"/],
      ['event=(accepted', /Invalid filter expression for "event"/],
      ['size=big', /Invalid filter expression for "size"/],
    ])('?%s', async (query, message) => {
      const [name, ...rest] = query.split('&');
      const q = [name!, ...rest].map((p) => p.split('=').map(encodeURIComponent).join('=')).join('&');
      expectError(await get(`${EVENTS}?${q}`), 400, message);
    });

    it('a page token minted for another domain', async () => {
      const other = await get(`/v3/${OTHER}/events`);
      const token = (other.body.paging as Paging).next.split('/').at(-1)!;
      expectError(await get(`${EVENTS}/${token}`), 400, 'Invalid page token: it belongs to another domain');
    });

    it.each([
      ['garbage', 'not-a-token'],
      ['valid base64url of something else', Buffer.from('{"hello":"world"}').toString('base64url')],
      ['a real token with one character changed', 'TOKEN'],
      ['a token with padding', 'eyJ2IjoxfQ=='],
    ])('a page token that is %s', async (_case, token) => {
      let t = token;
      if (t === 'TOKEN') {
        const real = ((await get(EVENTS)).body.paging as Paging).next.split('/').at(-1)!;
        t = real.slice(0, 5) + (real[5] === 'A' ? 'B' : 'A') + real.slice(6);
      }
      expectError(await get(`${EVENTS}/${encodeURIComponent(t)}`), 400, /^Invalid page token/);
    });

    it('a bad limit next to a page token', async () => {
      const first = await get(`${EVENTS}?limit=2`);
      expectError(await get(`${pathOf(first.body.paging.next)}?limit=0`), 400, /"limit"/);
    });
  });

  it.each([
    ['the list', '/v3/nope.example.com/events'],
    ['a page', '/v3/nope.example.com/events/abc'],
  ])('answers 404 naming an unknown domain on %s', async (_case, path) => {
    expectError(await get(path), 404, 'Domain not found: nope.example.com');
  });

  it('answers 401 without an API key', async () => {
    const res = await api().get(EVENTS);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'Need authorization header' });
  });
});

describe('an event as the Events API lists it', () => {
  const accepted = async (): Promise<EventItem> => (await get(`${EVENTS}?event=accepted&limit=1`)).body.items[0];
  const delivered = async (): Promise<EventItem> => (await get(`${EVENTS}?event=delivered&limit=1`)).body.items[0];

  it('carries id (22 URL-safe characters), a float timestamp and log-level', async () => {
    for (const e of [await accepted(), await delivered()]) {
      expect(e.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(typeof e.timestamp).toBe('number');
      expect(e.timestamp).toBeGreaterThan(NOW / 1000);
      expect(e.timestamp).toBeLessThan(NOW / 1000 + 3600);
      expect(e['log-level']).toBe('info');
    }
  });

  it('gives microsecond timestamps: events in one millisecond keep their order', async () => {
    const items: EventItem[] = (await get(`${EVENTS}?ascending=yes`)).body.items;
    // The frozen clock is the same for a message's accepted and delivered events: they differ in µs only.
    const [a, d] = items;
    expect(Math.floor(a!.timestamp * 1000)).toBe(Math.floor(d!.timestamp * 1000));
    expect(d!.timestamp).toBeGreaterThan(a!.timestamp);
  });

  it('names the message without angle brackets, and the envelope, flags, tags and recipient', async () => {
    const e = await accepted();
    const message = e.message as { headers: Record<string, string>; recipients: string[]; size: number };
    expect(ids).toContain(`<${message.headers['message-id']}>`);
    expect(message.headers['message-id']).not.toMatch(/[<>]/);
    expect(message.headers).toMatchObject({ from: 'Bob <bob@samples.mailgun.org>', to: 'user4@example.com', subject: 'Message 4' });
    expect(message.recipients).toEqual(['user4@example.com']);
    expect(typeof message.size).toBe('number');
    expect(e).toMatchObject({
      event: 'accepted',
      recipient: 'user4@example.com',
      'recipient-domain': 'example.com',
      method: 'HTTP',
      envelope: { sender: 'bob@samples.mailgun.org', targets: 'user4@example.com', transport: 'smtp' },
      tags: ['batch'],
      campaigns: [],
      'user-variables': {},
    });
    expect(e.flags).toEqual({
      'is-authenticated': true,
      'is-routed': false,
      'is-system-test': false,
      'is-test-mode': false,
      'is-big': false,
      'is-amp': false,
      'is-encrypted': false,
      'is-delayed-bounce': false,
    });
  });

  it('has a delivery-status on delivered events', async () => {
    const e = await delivered();
    expect(e['delivery-status']).toMatchObject({ code: 250, message: 'OK', 'attempt-no': 1 });
    expect(e.envelope).toMatchObject({ 'sending-ip': expect.any(String) });
  });

  it('links storage.url back to the mock\'s stored-message route, which answers 200', async () => {
    const e = await accepted();
    const storage = e.storage as { url: string; key: string; region: string; env: string };
    expect(storage.url).toBe(`${storage.url.split('/v3/')[0]}/v3/domains/${DOMAIN}/messages/${storage.key}`);
    expect(storage.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const res = await get(new URL(storage.url).pathname);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ subject: 'Message 4', recipients: 'user4@example.com', 'body-plain': 'Hi' });
  });
});

// Hostile input against every messages, events, signing-key and delivery control-plane route: random
// bytes, wrong content types, floods of fields, prototype-ish names, huge headers, invalid UTF-8,
// enormous recipient lists, odd path parameters and repeated query keys. None of it may get a 5xx, a
// stack trace or a crash, and the mock must still send and report healthy afterwards.
// Inputs come from a seeded generator (mulberry32), so every run sends the same bytes.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock, type MailgunMock } from '../../src/index.js';
import { createRandom } from '../../src/lib/random.js';
import { startReceiver, type Receiver } from '../receiver.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const rng = createRandom(0x6d61696c);
const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rng() * 256)));

type Method = 'get' | 'post' | 'delete';
interface Params {
  domain: string;
  key: string;
  index: string;
  id: string;
  token: string;
  delivery: string;
  outcome: string;
}
interface Route {
  name: string;
  method: Method;
  path: (p: Params) => string;
  /** Which params the path uses (the ones hostile values are put into). */
  params: Array<keyof Params>;
}

const ROUTES: Route[] = [
  { name: 'messages.send', method: 'post', path: (p) => `/v3/${p.domain}/messages`, params: ['domain'] },
  { name: 'messages.mime', method: 'post', path: (p) => `/v3/${p.domain}/messages.mime`, params: ['domain'] },
  { name: 'messages.stored', method: 'get', path: (p) => `/v3/domains/${p.domain}/messages/${p.key}`, params: ['domain', 'key'] },
  { name: 'messages.attachment', method: 'get', path: (p) => `/v3/domains/${p.domain}/messages/${p.key}/attachments/${p.index}`, params: ['domain', 'key', 'index'] },
  { name: 'events.list', method: 'get', path: (p) => `/v3/${p.domain}/events`, params: ['domain'] },
  { name: 'events.page', method: 'get', path: (p) => `/v3/${p.domain}/events/${p.token}`, params: ['domain', 'token'] },
  { name: 'signingKey.get', method: 'get', path: () => '/v5/accounts/http_signing_key', params: [] },
  { name: 'signingKey.regenerate', method: 'post', path: () => '/v5/accounts/http_signing_key', params: [] },
  { name: 'admin messages', method: 'get', path: () => '/__mock/messages', params: [] },
  { name: 'admin messages latest', method: 'get', path: () => '/__mock/messages/latest', params: [] },
  { name: 'admin message', method: 'get', path: (p) => `/__mock/messages/${p.id}`, params: ['id'] },
  { name: 'admin attachment', method: 'get', path: (p) => `/__mock/messages/${p.id}/attachments/${p.index}`, params: ['id', 'index'] },
  { name: 'admin events', method: 'get', path: () => '/__mock/events', params: [] },
  { name: 'admin emit', method: 'post', path: () => '/__mock/events', params: [] },
  { name: 'admin outcomes', method: 'get', path: () => '/__mock/outcomes', params: [] },
  { name: 'admin add outcome', method: 'post', path: () => '/__mock/outcomes', params: [] },
  { name: 'admin remove outcome', method: 'delete', path: (p) => `/__mock/outcomes/${p.outcome}`, params: ['outcome'] },
  { name: 'admin deliveries', method: 'get', path: () => '/__mock/webhooks/deliveries', params: [] },
  { name: 'admin delivery', method: 'get', path: (p) => `/__mock/webhooks/deliveries/${p.delivery}`, params: ['delivery'] },
  { name: 'admin retry', method: 'post', path: (p) => `/__mock/webhooks/deliveries/${p.delivery}/retry`, params: ['delivery'] },
  { name: 'admin clock', method: 'get', path: () => '/__mock/clock', params: [] },
  { name: 'admin advance', method: 'post', path: () => '/__mock/clock/advance', params: [] },
];
// DELETE /__mock/outcomes clears every rule: hostile input to it is covered below, once, at the end.

let mock: MailgunMock;
let receiver: Receiver;
let real: Params;
let canary: string;

const api = () => request(mock.app);

/** Sends a request and says what was wrong with the answer, or undefined when it was a sane one. */
async function probe(label: string, build: () => request.Test): Promise<string | undefined> {
  let res: request.Response;
  try {
    res = await build();
  } catch (err) {
    return `${label}: no answer (${(err as Error).message})`;
  }
  const text = typeof res.text === 'string' ? res.text : '';
  if (res.status < 200 || res.status >= 500) return `${label}: ${res.status} ${text.slice(0, 200)}`;
  if (/\n\s+at |node_modules|\.[jt]s:\d+:\d+/.test(text)) return `${label}: stack trace in ${text.slice(0, 200)}`;
  const type = String(res.headers['content-type'] ?? '');
  if (res.status >= 400 && type.startsWith('application/json')) {
    const body = res.body as Record<string, unknown> | undefined;
    if (typeof body?.message !== 'string' && typeof body?.Reason !== 'string') return `${label}: ${res.status} without a message: ${text.slice(0, 200)}`;
  }
  return undefined;
}

/** Runs every probe in order (bounded by the caller's lists) and expects none to have gone wrong. */
async function expectAllSane(probes: Array<[string, () => request.Test]>): Promise<void> {
  const bad: string[] = [];
  for (const [label, build] of probes) {
    const problem = await probe(label, build);
    if (problem) bad.push(problem);
  }
  expect(bad).toEqual([]);
}

function call(route: Route, params: Params = real): request.Test {
  return api()[route.method](route.path(params)).set('Authorization', basic());
}

beforeAll(async () => {
  receiver = await startReceiver();
  mock = await createTestMock({ clock: createClock({ frozenAt: Date.parse('2026-01-01T00:00:00Z') }), fixtures: { domains: [{ name: DOMAIN }] } });
  await api().post(`/v3/domains/${DOMAIN}/webhooks`).set('Authorization', basic()).type('form').send({ id: 'delivered', url: `${receiver.url}/delivered` }).expect(200);
  const sent = await api()
    .post(`/v3/${DOMAIN}/messages`)
    .set('Authorization', basic())
    .field('from', 'bob@samples.mailgun.org')
    .field('to', 'alice@example.com')
    .field('subject', 'Canary')
    .field('text', 'still here')
    .attach('attachment', Buffer.from('canary file'), 'canary.txt')
    .expect(200);
  canary = (sent.body.id as string).slice(1, -1);
  const m = mock.messages.get(canary)!;
  const delivery = await mock.waitForDelivery({ messageId: canary, state: 'delivered' });
  // The delivery stays in the journal (its id is probed below); no later send posts anywhere.
  await api().delete(`/v3/domains/${DOMAIN}/webhooks/delivered`).set('Authorization', basic()).expect(200);
  const page = await api().get(`/v3/${DOMAIN}/events?limit=1`).set('Authorization', basic()).expect(200);
  const rule = mock.outcomes.add({ recipient: '*@never.test', outcome: 'delivered' });
  real = { domain: DOMAIN, key: m.storageKey, index: '0', id: canary, token: (page.body.paging.next as string).split('/').at(-1)!, delivery: delivery.id, outcome: rule.id };
});
afterAll(async () => {
  await mock.stop();
  await receiver.close();
});

const CONTENT_TYPES: Array<string | undefined> = [
  undefined,
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/x-www-form-urlencoded; charset=bogus-charset',
  'multipart/form-data; boundary=----hostile',
  'multipart/form-data; boundary="quoted boundary"',
  'multipart/form-data',
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/xml',
  'text/xml',
  'application/octet-stream',
  'image/png',
];

describe('random bytes in every content type', () => {
  it.each(ROUTES.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    const probes: Array<[string, () => request.Test]> = [];
    for (const type of CONTENT_TYPES) {
      for (const size of [0, 1, 64, 4096]) {
        const body = randomBytes(size);
        probes.push([`${type ?? '(none)'} ${size} bytes`, () => {
          const req = call(route);
          if (type !== undefined) req.set('Content-Type', type);
          return req.send(body);
        }]);
      }
    }
    for (const encoding of ['gzip', 'deflate', 'br', 'x-bogus']) {
      probes.push([`Content-Encoding ${encoding}`, () => call(route).set('Content-Type', 'application/x-www-form-urlencoded').set('Content-Encoding', encoding).send(randomBytes(256))]);
      probes.push([`Content-Encoding ${encoding} (json)`, () => call(route).set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(randomBytes(256))]);
    }
    await expectAllSane(probes);
  });
});

describe('bodies of the wrong shape', () => {
  const SHAPES: Array<[string, string, string]> = [
    ['JSON object', 'application/json', '{"from":"bob@samples.mailgun.org","to":"a@example.com","subject":"x","text":"y","message":"m","event":"opened","outcome":"delivered","ms":1}'],
    ['JSON array', 'application/json', '[{"outcome":"delivered"},{"ms":1},null,1,"x"]'],
    ['JSON scalars', 'application/json', '123'],
    ['JSON nested 5000 deep', 'application/json', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)],
    ['text', 'text/plain', 'from=bob@samples.mailgun.org&to=a@example.com'],
    ['XML', 'application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><message><to>a@example.com</to>&e;</message>'],
    ['form on the control plane', 'application/x-www-form-urlencoded', 'message=x&event=opened&outcome=delivered&ms=1000'],
  ];
  it.each(ROUTES.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    await expectAllSane(SHAPES.map(([label, type, body]) => [label, () => call(route).set('Content-Type', type).send(body)]));
  });
});

describe('floods of repeated fields', () => {
  const repeated = (name: string, value: string, n: number) => Array.from({ length: n }, () => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  const base = 'from=bob%40samples.mailgun.org&subject=flood&text=x';

  /** A multipart body written by hand: 1000 parts via .field() would be slow for no gain. */
  function multipart(fields: Array<[string, string]>): { type: string; body: Buffer } {
    const boundary = '----flood';
    const parts = fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`);
    return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(parts.join('') + `--${boundary}--\r\n`) };
  }

  it.each(ROUTES.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    const forms = [
      [`${base}&${repeated('to', 'a@example.com', 1000)}`, '1000 identical to fields'],
      [`${base}&to=a@example.com&${repeated('o:tag', 'tag', 1000)}`, '1000 o:tag fields'],
      [`${base}&to=a@example.com&${repeated('h:X-Flood', 'v', 1000)}`, '1000 h: fields'],
      [`${base}&to=a@example.com&${repeated('v:flood', 'v', 1000)}`, '1000 v: fields'],
      [`${base}&to=a@example.com&${repeated('attachment', 'not a file', 1000)}`, '1000 attachment fields that are no files'],
      [repeated('limit', '1', 1000), '1000 limit fields'],
    ];
    const probes: Array<[string, () => request.Test]> = forms.map(([body, label]) => [label!, () => call(route).type('form').send(body!)]);
    const mp = multipart([['from', 'bob@samples.mailgun.org'], ['subject', 'flood'], ['text', 'x'], ...Array.from({ length: 990 }, (): [string, string] => ['to', 'a@example.com'])]);
    probes.push(['990 multipart to parts', () => call(route).set('Content-Type', mp.type).send(mp.body)]);
    const over = multipart(Array.from({ length: 1500 }, (_, i): [string, string] => [`v:x${i}`, 'x']));
    probes.push(['1500 multipart parts (over the limit)', () => call(route).set('Content-Type', over.type).send(over.body)]);
    probes.push(['1000 repeated query keys', () => api()[route.method](`${route.path(real)}?${repeated('limit', '1', 1000)}`).set('Authorization', basic())]);
    await expectAllSane(probes);
  });
});

describe('__proto__, constructor and friends as names and ids', () => {
  const NAMES = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];

  it('as form field names in a send (each prefix), which is still accepted and readable', async () => {
    const fields: Array<[string, string]> = [['from', 'bob@samples.mailgun.org'], ['to', 'alice@example.com'], ['subject', 'proto'], ['text', 'x']];
    for (const n of NAMES) fields.push([n, 'x'], [`h:${n}`, 'x'], [`v:${n}`, '{"polluted":true}'], [`o:${n}`, 'x'], [`t:${n}`, 'x']);
    fields.push(['recipient-variables', JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, { polluted: true }])))]);
    fields.push(['h:X-Mailgun-Variables', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}']);
    for (const encoding of ['urlencoded', 'multipart'] as const) {
      const req = api().post(`/v3/${DOMAIN}/messages`).set('Authorization', basic());
      if (encoding === 'urlencoded') req.type('form').send(new URLSearchParams(fields).toString());
      else for (const [n, v] of fields) req.field(n, v);
      const res = await req;
      expect(res.status, encoding).toBe(200);
      const id = (res.body.id as string).slice(1, -1);
      const m = await api().get(`/__mock/messages/${id}`).expect(200);
      expect(m.body.headers.constructor).toBe('x');
      expect(Object.keys(m.body.variables)).toEqual(expect.arrayContaining(NAMES));
      await api().get(`/v3/domains/${DOMAIN}/messages/${m.body.storageKey}`).set('Authorization', basic()).expect(200);
      const events = await api().get(`/v3/${DOMAIN}/events?message-id=${encodeURIComponent(id)}`).set('Authorization', basic()).expect(200);
      expect(events.body.items.length).toBeGreaterThan(0);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('as recipients, tags and filter values', async () => {
    await expectAllSane([
      ['to __proto__@example.com', () => api().post(`/v3/${DOMAIN}/messages`).set('Authorization', basic()).type('form').send({ from: 'bob@samples.mailgun.org', to: '__proto__@example.com, constructor@example.com', subject: 's', text: 'x', 'o:tag': '__proto__' })],
      ...NAMES.flatMap((n): Array<[string, () => request.Test]> => [
        [`events ?${n}=`, () => api().get(`/v3/${DOMAIN}/events?${n}=1&event=${n}&recipient=${n}&tags=${n}`).set('Authorization', basic())],
        [`/__mock/messages ?tag=${n}`, () => api().get(`/__mock/messages?${n}=1&tag=${n}&recipient=${n}&from=${n}&subject=${n}&domain=${n}`)],
        [`/__mock/events ?event=${n}`, () => api().get(`/__mock/events?${n}=1&event=${n}&recipient=${n}&message=${n}&severity=${n}&domain=${n}`)],
        [`/__mock/webhooks/deliveries ?webhook=${n}`, () => api().get(`/__mock/webhooks/deliveries?${n}=1&webhook=${n}&url=${n}&event=${n}&message=${n}&recipient=${n}&domain=${n}`)],
      ]),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('as path ids on every route', async () => {
    const probes: Array<[string, () => request.Test]> = [];
    for (const route of ROUTES) {
      for (const param of route.params) {
        for (const n of NAMES) probes.push([`${route.name} ${param}=${n}`, () => call(route, { ...real, [param]: n })]);
      }
    }
    await expectAllSane(probes);
  });

  it('as JSON keys on the control plane', async () => {
    const bodies = [
      '{"__proto__":{"outcome":"delivered","ms":1,"message":"x","event":"opened"}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      `{"message":"${canary}","event":"opened","__proto__":{"recipient":"alice@example.com"}}`,
      '{"outcome":"delivered","__proto__":{"times":1}}',
      '{"ms":0,"__proto__":{"ms":1e300}}',
      '[{"__proto__":{"outcome":"delivered"}}]',
    ];
    const probes: Array<[string, () => request.Test]> = [];
    for (const route of ROUTES.filter((r) => r.method !== 'get')) {
      for (const body of bodies) probes.push([`${route.name} ${body.slice(0, 40)}`, () => call(route).set('Content-Type', 'application/json').send(body)]);
    }
    await expectAllSane(probes);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('huge header values', () => {
  it.each(ROUTES.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    const big = 'a'.repeat(12_000);
    await expectAllSane([
      ['a 12 kB custom header', () => call(route).set('X-Huge', big)],
      ['a 12 kB Authorization header', () => api()[route.method](route.path(real)).set('Authorization', `Basic ${Buffer.from(`api:${big}`).toString('base64').slice(0, 12_000)}`)],
      ['a 10 kB Host header', () => call(route).set('Host', `${'h'.repeat(10_000)}.example.com`)],
      ['a 12 kB Content-Type', () => call(route).set('Content-Type', `multipart/form-data; boundary=${'b'.repeat(12_000)}`).send('x')],
      ['a 12 kB X-Mailgun-Mock-Fault header', () => call(route).set('X-Mailgun-Mock-Fault', big)],
    ]);
  });

  it('in h: and v: fields of a send, up to the 16 kB option limit and past it', async () => {
    const send = (extra: Record<string, string>) => () =>
      api().post(`/v3/${DOMAIN}/messages`).set('Authorization', basic()).type('form').send({ from: 'bob@samples.mailgun.org', to: 'a@example.com', subject: 's', text: 'x', ...extra });
    await expectAllSane([
      ['15 kB h: value', send({ 'h:X-Big': 'v'.repeat(15_000) })],
      ['17 kB h: value', send({ 'h:X-Big': 'v'.repeat(17_000) })],
      ['15 kB header name', send({ [`h:${'N'.repeat(15_000)}`]: 'v' })],
      ['1 MB subject', send({ subject: 's'.repeat(1_000_000) })],
      ['1 MB text', send({ text: 't'.repeat(1_000_000) })],
    ]);
  });
});

describe('invalid UTF-8', () => {
  const BAD = ['\xff\xfe', '\xc0\xaf', '\xed\xa0\x80', '\xf8\x88\x80\x80\x80', 'ok\x00nul', '\xe2\x82'];
  const raw = (s: string) => Buffer.from(s, 'latin1');

  it.each(ROUTES.map((r) => [r.name, r] as const))('%s: raw bytes and percent-escapes in fields', async (_name, route) => {
    const probes: Array<[string, () => request.Test]> = [];
    for (const b of BAD) {
      const esc = [...raw(b)].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
      probes.push([`urlencoded raw ${JSON.stringify(b)}`, () => call(route).set('Content-Type', 'application/x-www-form-urlencoded').send(Buffer.concat([raw('from=bob%40samples.mailgun.org&to=a%40example.com&subject='), raw(b), raw('&text='), raw(b), raw('&message='), raw(b)]))]);
      probes.push([`urlencoded escaped ${esc}`, () => call(route).type('form').send(`from=${esc}&to=${esc}%40example.com&subject=${esc}&text=${esc}&h:${esc}=1&v:${esc}=1&o:tag=${esc}`)]);
      const boundary = '----utf8';
      const mp = Buffer.concat([
        raw(`--${boundary}\r\nContent-Disposition: form-data; name="subject"\r\n\r\n`), raw(b), raw('\r\n'),
        raw(`--${boundary}\r\nContent-Disposition: form-data; name="from"\r\n\r\nbob@samples.mailgun.org\r\n`),
        raw(`--${boundary}\r\nContent-Disposition: form-data; name="to"\r\n\r\na@example.com\r\n`),
        raw(`--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n`), raw(b), raw('\r\n'),
        raw(`--${boundary}\r\nContent-Disposition: form-data; name="`), raw(b), raw('"\r\n\r\nx\r\n'),
        raw(`--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="`), raw(b), raw(`.txt"; filename*=utf-8''${esc}.txt\r\nContent-Type: text/plain\r\n\r\nbody\r\n`),
        raw(`--${boundary}--\r\n`),
      ]);
      probes.push([`multipart ${JSON.stringify(b)}`, () => call(route).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(mp)]);
      probes.push([`query ${esc}`, () => api()[route.method](`${route.path(real)}?limit=${esc}&event=${esc}&recipient=${esc}&begin=${esc}&state=${esc}`).set('Authorization', basic())]);
    }
    await expectAllSane(probes);
  });

  it('a send with invalid UTF-8 is stored and listed without breaking the JSON of any read', async () => {
    const before = mock.messages.list().length;
    const res = await api().post(`/v3/${DOMAIN}/messages`).set('Authorization', basic()).type('form').send('from=bob%40samples.mailgun.org&to=a%40example.com&subject=%ED%A0%80%FF&text=%C0%AF');
    expect(res.status).toBe(200);
    expect(mock.messages.list()).toHaveLength(before + 1);
    for (const path of ['/__mock/messages', '/__mock/messages/latest', '/__mock/events']) expect((await api().get(path)).status, path).toBe(200);
    expect((await api().get(`/v3/${DOMAIN}/events`).set('Authorization', basic())).status).toBe(200);
  });
});

describe('odd path parameters', () => {
  const VALUES = ['%00', '%FF', '%E0%A4%A', '%', '..', '%2e%2e', '%2F', '%5C', '%0D%0A', '%20', 'x'.repeat(10_000), '%3Cx%3E', '%25FF'];

  it.each(ROUTES.filter((r) => r.params.length > 0).map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    const probes: Array<[string, () => request.Test]> = [];
    for (const param of route.params) {
      for (const v of VALUES) probes.push([`${param}=${v.slice(0, 20)}`, () => call(route, { ...real, [param]: v })]);
    }
    probes.push(['../ walking out', () => api()[route.method](`${route.path(real)}/../../../__mock/health`).set('Authorization', basic())]);
    await expectAllSane(probes);
  });
});

describe('queries with repeated and odd keys', () => {
  const QUERIES = [
    'limit=1&limit=abc',
    'limit=abc&limit=1',
    'limit=&limit=2',
    'limit[]=1',
    'limit=1&LIMIT=2',
    'begin=x&begin=1767225600',
    'begin=1767225600&begin=x&end=1&end=2&ascending=yes&ascending=no',
    Array.from({ length: 40 }, () => 'event=accepted').join('&'),
    'event=accepted&event=delivered&event=NOT%20failed',
    `event=${'('.repeat(100)}accepted${')'.repeat(100)}`,
    `subject=${'x'.repeat(3000)}`,
    'recipient=a&recipient=b&recipient=c',
    'state=delivered&state=bogus',
    'status=200&status=abc',
    'message=%3Cx%3E&message=y',
    'a=1&a=2&a=3&&&=&==&%=%',
    '%FF=%FF',
  ];

  it.each(ROUTES.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
    await expectAllSane(QUERIES.map((q): [string, () => request.Test] => [q.slice(0, 40), () => api()[route.method](`${route.path(real)}?${q}`).set('Authorization', basic())]));
  });
});

describe('hostile MIME in /messages.mime', () => {
  const mime = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
  const head = ['From: a@example.com', 'To: b@example.com', 'Subject: hostile', 'MIME-Version: 1.0'];
  const withAttachment = (contentType: string) =>
    mime([...head, 'Content-Type: multipart/mixed; boundary=BB', '', '--BB', 'Content-Type: text/plain', '', 'body', '--BB', `Content-Type: ${contentType}`, 'Content-Disposition: attachment; filename="a.bin"', 'Content-Transfer-Encoding: base64', '', 'aGVsbG8=', '--BB--', '']);
  const nested = (depth: number) => {
    const open = Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}`).join('\r\n');
    const close = Array.from({ length: depth }, (_, i) => `--b${depth - 1 - i}--`).join('\r\n');
    return Buffer.from(`${head.join('\r\n')}\r\n${open}\r\nContent-Type: text/plain\r\n\r\ndeep\r\n${close}\r\n`);
  };
  const send = (message: Buffer) => () => api().post(`/v3/${DOMAIN}/messages.mime`).set('Authorization', basic()).field('to', 'b@example.com').attach('message', message, 'm.eml');

  it('never answers 5xx to the send', async () => {
    await expectAllSane([
      ['random bytes', send(randomBytes(4096))],
      ['empty', send(Buffer.alloc(0))],
      ['headers only', send(mime(head))],
      ['a bogus charset', send(mime([...head, 'Content-Type: text/plain; charset=x-no-such-charset', '', 'body']))],
      ['encoded words with a bogus charset', send(mime(['From: =?x-bogus?B?QUJD?= <a@example.com>', 'To: b@example.com', 'Subject: =?utf-8?B?@@@?= =?utf-8?Q?=FF=FE?=', '', 'x']))],
      ['1000 X-Mailgun-Tag headers', send(mime([...head, ...Array.from({ length: 1000 }, (_, i) => `X-Mailgun-Tag: t${i}`), '', 'x']))],
      ['bad X-Mailgun-Variables and Deliver-By', send(mime([...head, 'X-Mailgun-Variables: {"a":', 'X-Mailgun-Recipient-Variables: [1]', 'X-Mailgun-Deliver-By: whenever', '', 'x']))],
      ['a 200-deep multipart', send(nested(200))],
      ['an unterminated multipart', send(mime([...head, 'Content-Type: multipart/mixed; boundary=BB', '', '--BB', 'Content-Type: text/plain', '', 'never closed']))],
      ['a base64 part of garbage', send(mime([...head, 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', '!!!!@@@@', '']))],
      ['a header line of 100 kB', send(mime([...head, `X-Long: ${'x'.repeat(100_000)}`, '', 'x']))],
    ]);
  });

  // A MIME part's Content-Type is served back as the Content-Type header of the attachment: one that
  // Node refuses as a header value (a character above U+00FF, a control character) must not be a 500.
  it.each([
    ['a character above U+00FF', 'application/x-\u20acuro'],
    ['a control character', 'text/plain\u0001'],
  ])('serves an attachment whose Content-Type holds %s without a 5xx', async (_case, contentType) => {
    const res = await send(withAttachment(contentType))();
    expect(res.status).toBe(200);
    const m = mock.messages.get(res.body.id)!;
    await expectAllSane([
      ['GET /v3/domains/{domain}/messages/{key}', () => api().get(`/v3/domains/${DOMAIN}/messages/${m.storageKey}`).set('Authorization', basic())],
      ['GET /v3/domains/{domain}/messages/{key}/attachments/0', () => api().get(`/v3/domains/${DOMAIN}/messages/${m.storageKey}/attachments/0`).set('Authorization', basic())],
      ['GET /__mock/messages/{id}/attachments/0', () => api().get(`/__mock/messages/${m.id}/attachments/0`)],
    ]);
  });
});

// Last before the checks: a 1000-recipient message makes every unlimited listing big.
describe('enormous recipient lists', () => {
  const send = (to: string | string[]) => () => {
    const req = api().post(`/v3/${DOMAIN}/messages`).set('Authorization', basic()).type('form');
    const fields = new URLSearchParams({ from: 'bob@samples.mailgun.org', subject: 'many', text: 'x' });
    for (const t of [to].flat()) fields.append('to', t);
    return req.send(fields.toString());
  };
  const many = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@example.com`);

  it('never answers 5xx, however the list is written', async () => {
    await expectAllSane([
      ['5000 addresses in one field', send(many(5000).join(','))],
      ['20000 addresses in one field', send(many(20000).join(', '))],
      ['5000 to fields', send(many(5000))],
      ['100 kB of commas', send(','.repeat(100_000))],
      ['100 kB of semicolons', send(';'.repeat(100_000))],
      ['50 kB of open comments', send('('.repeat(50_000))],
      ['50 kB of quotes', send('"'.repeat(50_000))],
      ['50 kB of angle brackets', send('<'.repeat(25_000) + '>'.repeat(25_000))],
      ['50 kB of group colons', send(':'.repeat(50_000) + 'a@example.com')],
      ['a 100 kB local part', send(`${'a'.repeat(100_000)}@example.com`)],
      ['a 100 kB domain', send(`a@${'b.'.repeat(50_000)}com`)],
      ['1000 distinct recipients with names', send(many(1000).map((a, i) => `"User, ${i}" <${a}>`).join(', '))],
    ]);
  });

  it('reads a 1000-recipient message back from every list', async () => {
    const res = await send(many(1000).join(','))();
    expect(res.status).toBe(200);
    for (const path of ['/__mock/messages?limit=1', '/__mock/events?limit=5']) expect((await api().get(path)).status, path).toBe(200);
    expect((await api().get(`/v3/${DOMAIN}/events?limit=300`).set('Authorization', basic())).status).toBe(200);
  });
});

describe('afterwards', () => {
  it('DELETE /__mock/outcomes shrugs off hostile bodies too', async () => {
    await expectAllSane(CONTENT_TYPES.map((type): [string, () => request.Test] => [`${type}`, () => {
      const req = api().delete('/__mock/outcomes');
      if (type !== undefined) req.set('Content-Type', type);
      return req.send(randomBytes(128));
    }]));
  });

  it('kept the message sent before all of it, with its file', async () => {
    const m = await api().get(`/__mock/messages/${canary}`);
    expect(m.status).toBe(200);
    expect(m.body).toMatchObject({ subject: 'Canary', text: 'still here' });
    expect(Buffer.from(m.body.attachments[0].content, 'base64').toString()).toBe('canary file');
  });

  it('still answers a normal send with 200, and GET /__mock/health with 200', async () => {
    const res = await api().post(`/v3/${DOMAIN}/messages`).set('Authorization', basic()).type('form').send({ from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'After', text: 'fine' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.stringMatching(/^<.+@samples\.mailgun\.org>$/), message: 'Queued. Thank you.' });
    const health = await api().get('/__mock/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  });
});

// The domain webhooks API as Mailgun answers it (reference §1.3–1.6, §2.1–2.3, §3): every route on
// /v3 and its /v2 alias, both body encodings, Mailgun's headers, every error row, and the test
// endpoint really posting a signed event to a receiver on 127.0.0.1.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailgunMock } from '../../src/index.js';
import { createClock } from '../../src/lib/clock.js';
import { basic, createTestMock, DOMAIN, refusingUrl } from '../helpers.js';

const SEED_URL = 'http://postbin.heroku.com/860bcd65';
const SEED_LIST = { webhooks: { open: { url: SEED_URL }, click: { url: SEED_URL } } };
const VERSIONS = ['v3', 'v2'] as const;

/** `/v3/domains/{domain}/webhooks[/{name}]`. */
function hooks(version: string = 'v3', domain = DOMAIN, name?: string): string {
  return `/${version}/domains/${domain}/webhooks${name === undefined ? '' : `/${name}`}`;
}

/** A urlencoded body with repeated names, as mailgun-go, ruby and python send it. */
function form(fields: Array<[string, string]>): string {
  return new URLSearchParams(fields).toString();
}

/** A multipart body built by hand, one part per value (repeated names repeated). */
function multipart(boundary: string, fields: Array<[string, string]>): string {
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return parts.join('') + `--${boundary}--\r\n`;
}

/** A success as Mailgun sends it: 200, compact JSON + `\n`, its content type and its headers. */
function expectMailgunSuccess(res: request.Response, body: unknown): void {
  expect(res.status).toBe(200);
  expectMailgunJson(res, body);
}

/** JSON exactly as Mailgun writes it (status checked by the caller), with the headers of an authenticated answer. */
function expectMailgunJson(res: request.Response, body: unknown): void {
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.text).toBe(JSON.stringify(body) + '\n');
  expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
  expect(res.headers).toMatchObject({
    'access-control-allow-origin': '*',
    'access-control-allow-credentials': 'true',
    'cache-control': 'no-store',
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
    'x-xss-protection': '1; mode=block',
  });
  expect(res.headers['x-mailgun-key-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
}

/** A webhook handler on 127.0.0.1: records what it receives and answers what it is told to. */
interface Receiver {
  url: string;
  received: Array<{ method: string; path: string; contentType: string; body: string }>;
  answer: { status: number; body: string };
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const answer = { status: 200, body: 'ok' };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
      res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** An independent check of Mailgun's signature: hex HMAC-SHA256 of timestamp + token, keyed with the signing key. */
function expectValidSignature(signingKey: string, sig: { timestamp: string; token: string; signature: string }): void {
  expect(sig.timestamp).toMatch(/^\d+$/);
  expect(sig.token.length).toBeGreaterThanOrEqual(50);
  expect(sig.signature).toBe(createHmac('sha256', signingKey).update(sig.timestamp + sig.token).digest('hex'));
}

let mock: MailgunMock;
let receiver: Receiver;
beforeAll(async () => {
  mock = await createTestMock();
  receiver = await startReceiver();
});
afterEach(async () => {
  await mock.reset();
  receiver.received.length = 0;
  receiver.answer.status = 200;
  receiver.answer.body = 'ok';
});
afterAll(() => receiver.close());

describe('listing webhooks', () => {
  it('GET /v3/domains/{domain}/webhooks lists the seeded legacy names, each with a single url', async () => {
    const res = await request(mock.app).get(hooks()).set('Authorization', basic());
    expectMailgunSuccess(res, SEED_LIST);
  });

  it('a domain holds legacy and current names at once: {url} next to {urls}', async () => {
    const api = request(mock.app);
    await api.post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'delivered'], ['url', 'https://a.example/d'], ['url', 'https://b.example/d']])).expect(200);
    await api.post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'drop'], ['url', 'https://a.example/drop']])).expect(200);
    const res = await api.get(hooks()).set('Authorization', basic());
    expectMailgunSuccess(res, {
      webhooks: {
        open: { url: SEED_URL },
        click: { url: SEED_URL },
        delivered: { urls: ['https://a.example/d', 'https://b.example/d'] },
        drop: { url: 'https://a.example/drop' },
      },
    });
  });

  it('ignores the query parameters mailgun.js may append', async () => {
    const res = await request(mock.app).get(`${hooks()}?limit=10&skip=0`).set('Authorization', basic());
    expectMailgunSuccess(res, SEED_LIST);
  });

  it('a domain with no webhook set lists an empty map', async () => {
    const api = request(mock.app);
    await api.delete(hooks('v3', DOMAIN, 'open')).set('Authorization', basic()).expect(200);
    await api.delete(hooks('v3', DOMAIN, 'click')).set('Authorization', basic()).expect(200);
    expectMailgunSuccess(await api.get(hooks()).set('Authorization', basic()), { webhooks: {} });
  });

  it('reads the domain name case-insensitively, as DNS names are', async () => {
    const res = await request(mock.app).get(hooks('v3', 'SAMPLES.Mailgun.ORG')).set('Authorization', basic());
    expectMailgunSuccess(res, SEED_LIST);
  });
});

describe.each(VERSIONS)('every route on /%s', (version) => {
  it('creates, gets, updates, lists and deletes a current webhook', async () => {
    const api = request(mock.app);
    expectMailgunSuccess(
      await api.post(hooks(version)).set('Authorization', basic()).type('form').send(form([['id', 'opened'], ['url', 'https://a.example/o']])),
      { message: 'Webhook has been created', webhook: { urls: ['https://a.example/o'] } },
    );
    expectMailgunSuccess(await api.get(hooks(version, DOMAIN, 'opened')).set('Authorization', basic()), { webhook: { urls: ['https://a.example/o'] } });
    expectMailgunSuccess(
      await api.put(hooks(version, DOMAIN, 'opened')).set('Authorization', basic()).type('form').send(form([['url', 'https://b.example/o'], ['url', 'https://c.example/o']])),
      { message: 'Webhook has been updated', webhook: { urls: ['https://b.example/o', 'https://c.example/o'] } },
    );
    expectMailgunSuccess(await api.get(hooks(version)).set('Authorization', basic()), {
      webhooks: { ...SEED_LIST.webhooks, opened: { urls: ['https://b.example/o', 'https://c.example/o'] } },
    });
    expectMailgunSuccess(await api.delete(hooks(version, DOMAIN, 'opened')).set('Authorization', basic()), {
      message: 'Webhook has been deleted',
      webhook: { urls: ['https://b.example/o', 'https://c.example/o'] },
    });
    expectMailgunSuccess(await api.get(hooks(version)).set('Authorization', basic()), SEED_LIST);
  });

  it('creates, updates, gets and deletes a legacy webhook with a single url', async () => {
    const api = request(mock.app);
    expectMailgunSuccess(
      await api.post(hooks(version)).set('Authorization', basic()).type('form').send(form([['id', 'bounce'], ['url', 'http://bin.example/b']])),
      { message: 'Webhook has been created', webhook: { url: 'http://bin.example/b' } },
    );
    expectMailgunSuccess(
      await api.put(hooks(version, DOMAIN, 'bounce')).set('Authorization', basic()).type('form').send(form([['url', 'http://google.com']])),
      { message: 'Webhook has been updated', webhook: { url: 'http://google.com' } },
    );
    expectMailgunSuccess(await api.get(hooks(version, DOMAIN, 'bounce')).set('Authorization', basic()), { webhook: { url: 'http://google.com' } });
    expectMailgunSuccess(await api.delete(hooks(version, DOMAIN, 'bounce')).set('Authorization', basic()), {
      message: 'Webhook has been deleted',
      webhook: { url: 'http://google.com' },
    });
  });

  it('answers the test endpoint PUT …/{name}/test', async () => {
    const res = await request(mock.app).put(`${hooks(version, DOMAIN, 'clicked')}/test`).set('Authorization', basic()).field('url', `${receiver.url}/${version}`);
    expectMailgunSuccess(res, { code: 200, message: 'ok' });
    expect(receiver.received.map((r) => r.path)).toEqual([`/${version}`]);
  });
});

describe('current names take 1–3 urls (repeated url fields) and answer urls arrays', () => {
  const URLS = ['https://one.example/h', 'https://two.example/h', 'https://three.example/h'];

  it.each([1, 2, 3])('creates with %i url(s), urlencoded', async (n) => {
    const urls = URLS.slice(0, n);
    const res = await request(mock.app).post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'delivered'], ...urls.map((u): [string, string] => ['url', u])]));
    expectMailgunSuccess(res, { message: 'Webhook has been created', webhook: { urls } });
  });

  it.each([1, 2, 3])('creates with %i url(s), multipart', async (n) => {
    const urls = URLS.slice(0, n);
    let req = request(mock.app).post(hooks()).set('Authorization', basic()).field('id', 'permanent_fail');
    for (const u of urls) req = req.field('url', u);
    expectMailgunSuccess(await req, { message: 'Webhook has been created', webhook: { urls } });
  });

  it.each([1, 2, 3])('replaces the list with %i url(s) on PUT', async (n) => {
    const api = request(mock.app);
    await api.post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'temporary_fail'], ['url', 'https://old.example/t']])).expect(200);
    const urls = URLS.slice(0, n);
    const res = await api.put(hooks('v3', DOMAIN, 'temporary_fail')).set('Authorization', basic()).type('form').send(form(urls.map((u): [string, string] => ['url', u])));
    expectMailgunSuccess(res, { message: 'Webhook has been updated', webhook: { urls } });
  });

  it('accepts every current name', async () => {
    const names = ['accepted', 'clicked', 'complained', 'delivered', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed'];
    const api = request(mock.app);
    for (const id of names) {
      await api.post(hooks()).set('Authorization', basic()).type('form').send(form([['id', id], ['url', `https://h.example/${id}`]])).expect(200);
    }
    const list = await api.get(hooks()).set('Authorization', basic());
    expect(Object.keys(list.body.webhooks)).toEqual(['open', 'click', ...names]);
  });

  it('accepts local and IP urls: only the syntax is checked, never DNS', async () => {
    const urls = ['http://localhost:3000/x', 'http://127.0.0.1:8080/hooks', 'https://[::1]/h'];
    const res = await request(mock.app).post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'clicked'], ...urls.map((u): [string, string] => ['url', u])]));
    expectMailgunSuccess(res, { message: 'Webhook has been created', webhook: { urls } });
  });
});

describe('bodies in every encoding the SDKs use', () => {
  it('reads a multipart body whose boundary is quoted, as mailgun-php sends it', async () => {
    const boundary = '7bd3c1a2-quoted';
    const res = await request(mock.app).post(hooks()).set('Authorization', basic())
      .set('Content-Type', `multipart/form-data; boundary="${boundary}"`)
      .send(multipart(boundary, [['id', 'complained'], ['url', 'https://a.example/c'], ['url', 'https://b.example/c']]));
    expectMailgunSuccess(res, { message: 'Webhook has been created', webhook: { urls: ['https://a.example/c', 'https://b.example/c'] } });
  });

  it('reads a multipart PUT (mailgun.js update with an array)', async () => {
    const res = await request(mock.app).put(hooks('v3', DOMAIN, 'open')).set('Authorization', basic()).field('url', 'http://new.example/open');
    expectMailgunSuccess(res, { message: 'Webhook has been updated', webhook: { url: 'http://new.example/open' } });
  });

  it('deletes with an empty multipart body, as mailgun-php sends it', async () => {
    const boundary = 'php-empty';
    const res = await request(mock.app).delete(hooks('v3', DOMAIN, 'open')).set('Authorization', basic())
      .set('Content-Type', `multipart/form-data; boundary="${boundary}"`).send(`--${boundary}--\r\n`);
    expectMailgunSuccess(res, { message: 'Webhook has been deleted', webhook: { url: SEED_URL } });
  });

  it('deletes with a multipart content type and a zero-length body', async () => {
    const res = await request(mock.app).delete(hooks('v3', DOMAIN, 'click')).set('Authorization', basic())
      .set('Content-Type', 'multipart/form-data; boundary=empty').send('');
    expectMailgunSuccess(res, { message: 'Webhook has been deleted', webhook: { url: SEED_URL } });
  });

  it.each([
    ['GET', hooks(), SEED_LIST],
    ['GET', hooks('v3', DOMAIN, 'open'), { webhook: { url: SEED_URL } }],
    ['DELETE', hooks('v3', DOMAIN, 'open'), { message: 'Webhook has been deleted', webhook: { url: SEED_URL } }],
  ] as const)('%s %s with a urlencoded content type and no body (as mailgun.js sends it)', async (method, path, body) => {
    const api = request(mock.app);
    const req = method === 'GET' ? api.get(path) : api.delete(path);
    expectMailgunSuccess(await req.set('Authorization', basic()).set('Content-Type', 'application/x-www-form-urlencoded'), body);
  });

  it('ignores the id a PUT also carries (mailgun-ruby sends it)', async () => {
    const res = await request(mock.app).put(hooks('v3', DOMAIN, 'click')).set('Authorization', basic()).type('form').send(form([['id', 'open'], ['url', 'http://c.example/']]));
    expectMailgunSuccess(res, { message: 'Webhook has been updated', webhook: { url: 'http://c.example/' } });
    const list = await request(mock.app).get(hooks()).set('Authorization', basic());
    expect(list.body).toEqual({ webhooks: { open: { url: SEED_URL }, click: { url: 'http://c.example/' } } });
  });
});

describe('the headers Mailgun puts on an answer', () => {
  it('names the key with X-Mailgun-Key-Id: the last two segments of a current-format key', async () => {
    const key = '0123456789abcdef0123456789abcdef-1a2b3c4d-5e6f7a8b';
    const res = await request(mock.app).get(hooks()).set('Authorization', basic(key));
    expect(res.headers['x-mailgun-key-id']).toBe('1a2b3c4d-5e6f7a8b');
  });

  it('sends no ETag and no X-Powered-By', async () => {
    const res = await request(mock.app).get(hooks()).set('Authorization', basic());
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('errors, as the catalogue lists them (reference §3)', () => {
  const NOPE = 'nope.example.com';
  const domainNotFound = { message: 'Domain not found' };
  const webhookNotFound = { message: 'Webhook not found' };

  // [case, method, path, urlencoded body, status, exact JSON body]
  const ROWS: Array<[string, 'GET' | 'POST' | 'PUT' | 'DELETE', string, Array<[string, string]> | null, number, Record<string, unknown>]> = [
    ['E4 unknown domain: list', 'GET', hooks('v3', NOPE), null, 404, domainNotFound],
    ['E4 unknown domain: get', 'GET', hooks('v3', NOPE, 'opened'), null, 404, domainNotFound],
    ['E4 unknown domain: create', 'POST', hooks('v3', NOPE), [['id', 'opened'], ['url', 'https://a.example/']], 404, domainNotFound],
    ['E4 unknown domain: update', 'PUT', hooks('v3', NOPE, 'opened'), [['url', 'https://a.example/']], 404, domainNotFound],
    ['E4 unknown domain: delete', 'DELETE', hooks('v3', NOPE, 'opened'), null, 404, domainNotFound],
    ['E4 unknown domain: test', 'PUT', `${hooks('v3', NOPE, 'opened')}/test`, [['url', 'https://a.example/']], 404, domainNotFound],
    ['E4 unknown domain on /v2', 'GET', hooks('v2', NOPE), null, 404, domainNotFound],
    ['E5 get of an unset current name', 'GET', hooks('v3', DOMAIN, 'delivered'), null, 404, webhookNotFound],
    ['E5 update of an unset current name', 'PUT', hooks('v3', DOMAIN, 'delivered'), [['url', 'https://a.example/']], 404, webhookNotFound],
    ['E5 delete of an unset current name', 'DELETE', hooks('v3', DOMAIN, 'delivered'), null, 404, webhookNotFound],
    ['E5 get of an unset legacy name', 'GET', hooks('v3', DOMAIN, 'bounce'), null, 404, webhookNotFound],
    ['E5 delete of an unset legacy name', 'DELETE', hooks('v2', DOMAIN, 'deliver'), null, 404, webhookNotFound],
    ['E6 create on a legacy name already set', 'POST', hooks(), [['id', 'open'], ['url', 'https://b.example/']], 400, { message: 'Webhook already exists' }],
    ['E7 create without id', 'POST', hooks(), [['url', 'https://a.example/']], 400, { message: "Missing parameter 'id'" }],
    ['E7 create with an empty id', 'POST', hooks(), [['id', ''], ['url', 'https://a.example/']], 400, { message: "Missing parameter 'id'" }],
    ['E7 create with no fields at all', 'POST', hooks(), [], 400, { message: "Missing parameter 'id'" }],
    ['E8 create without url', 'POST', hooks(), [['id', 'opened']], 400, { message: "Missing parameter 'url'" }],
    ['E8 create with an empty url', 'POST', hooks(), [['id', 'opened'], ['url', '']], 400, { message: "Missing parameter 'url'" }],
    ['E8 update without url', 'PUT', hooks('v3', DOMAIN, 'open'), [], 400, { message: "Missing parameter 'url'" }],
    ['E8 test without url on an unset name', 'PUT', `${hooks('v3', DOMAIN, 'opened')}/test`, [], 400, { message: "Missing parameter 'url'" }],
    ['E9 invalid url: no scheme', 'POST', hooks(), [['id', 'opened'], ['url', 'example.com/hook']], 400, { Reason: 'example.com/hook is not a valid url' }],
    ['E9 invalid url: not http(s)', 'POST', hooks(), [['id', 'opened'], ['url', 'ftp://example.com/hook']], 400, { Reason: 'ftp://example.com/hook is not a valid url' }],
    ['E9 invalid url: no host', 'POST', hooks(), [['id', 'opened'], ['url', 'http://']], 400, { Reason: 'http:// is not a valid url' }],
    ['E9 invalid url: spaces', 'POST', hooks(), [['id', 'opened'], ['url', 'http://exa mple.com/']], 400, { Reason: 'http://exa mple.com/ is not a valid url' }],
    ['E9 invalid url among valid ones', 'POST', hooks(), [['id', 'opened'], ['url', 'https://a.example/'], ['url', 'nope']], 400, { Reason: 'nope is not a valid url' }],
    ['E9 invalid url on update', 'PUT', hooks('v3', DOMAIN, 'open'), [['url', 'javascript:alert(1)']], 400, { Reason: 'javascript:alert(1) is not a valid url' }],
    ['E9 invalid url on test', 'PUT', `${hooks('v3', DOMAIN, 'opened')}/test`, [['url', 'not a url']], 400, { Reason: 'not a url is not a valid url' }],
    ['E10 more than 3 urls on create', 'POST', hooks(), [['id', 'delivered'], ['url', 'https://1.example/'], ['url', 'https://2.example/'], ['url', 'https://3.example/'], ['url', 'https://4.example/']], 400, { message: 'unable to add more than 3 urls for webhook delivered' }],
    ['a legacy name takes a single url', 'PUT', hooks('v3', DOMAIN, 'click'), [['url', 'https://1.example/'], ['url', 'https://2.example/']], 400, { message: 'webhook click accepts a single url' }],
    ['E11 unknown name on create', 'POST', hooks(), [['id', 'foo'], ['url', 'https://a.example/']], 400, { message: "Invalid webhook name 'foo'" }],
    ['E11 names are case-sensitive', 'POST', hooks(), [['id', 'Delivered'], ['url', 'https://a.example/']], 400, { message: "Invalid webhook name 'Delivered'" }],
    ['E11 unknown name on get', 'GET', hooks('v3', DOMAIN, 'foo'), null, 400, { message: "Invalid webhook name 'foo'" }],
    ['E11 unknown name on update', 'PUT', hooks('v3', DOMAIN, 'foo'), [['url', 'https://a.example/']], 400, { message: "Invalid webhook name 'foo'" }],
    ['E11 unknown name on delete', 'DELETE', hooks('v3', DOMAIN, 'Delivered'), null, 400, { message: "Invalid webhook name 'Delivered'" }],
    ['E11 unknown name on test', 'PUT', `${hooks('v3', DOMAIN, 'foo')}/test`, [['url', 'https://a.example/']], 400, { message: "Invalid webhook name 'foo'" }],
  ];

  it.each(ROWS)('%s', async (_case, method, path, fields, status, body) => {
    const api = request(mock.app);
    const req = { GET: api.get(path), POST: api.post(path), PUT: api.put(path), DELETE: api.delete(path) }[method].set('Authorization', basic());
    const res = fields === null ? await req : await req.type('form').send(form(fields));
    expect(res.status).toBe(status);
    expectMailgunJson(res, body);
    // Nothing changed.
    expect((await api.get(hooks()).set('Authorization', basic())).body).toEqual(SEED_LIST);
  });

  it('E6 refuses to create a current name that is already set (PUT changes it)', async () => {
    const api = request(mock.app);
    await api.post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'clicked'], ['url', 'https://a.example/']])).expect(200);
    const res = await api.post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'clicked'], ['url', 'https://b.example/']]));
    expect(res.status).toBe(400);
    expectMailgunJson(res, { message: 'Webhook already exists' });
    expect((await api.get(hooks('v3', DOMAIN, 'clicked')).set('Authorization', basic())).body).toEqual({ webhook: { urls: ['https://a.example/'] } });
  });

  it('E10 also answers a current name given more than 3 urls on update', async () => {
    const api = request(mock.app);
    await api.post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'opened'], ['url', 'https://0.example/']])).expect(200);
    const res = await api.put(hooks('v3', DOMAIN, 'opened')).set('Authorization', basic()).type('form')
      .send(form([1, 2, 3, 4].map((i): [string, string] => ['url', `https://${i}.example/`])));
    expect(res.status).toBe(400);
    expectMailgunJson(res, { message: 'unable to add more than 3 urls for webhook opened' });
    expect((await api.get(hooks('v3', DOMAIN, 'opened')).set('Authorization', basic())).body).toEqual({ webhook: { urls: ['https://0.example/'] } });
  });

  it('E10 counts distinct urls: a url given twice counts once', async () => {
    const urls = ['https://1.example/', 'https://2.example/', 'https://3.example/', 'https://1.example/'];
    const res = await request(mock.app).post(hooks()).set('Authorization', basic()).type('form').send(form([['id', 'delivered'], ...urls.map((u): [string, string] => ['url', u])]));
    expectMailgunSuccess(res, { message: 'Webhook has been created', webhook: { urls: urls.slice(0, 3) } });
  });

  it.each([
    ['an unknown path', 'GET', '/v3/nothing/here'],
    ['a route one segment too deep', 'GET', `${hooks('v3', DOMAIN, 'opened')}/test/more`],
    ['a GET of the test endpoint', 'GET', `${hooks('v3', DOMAIN, 'opened')}/test`],
    ['a version Mailgun does not serve webhooks on', 'GET', hooks('v9')],
    ['an upper-case version', 'GET', hooks('V3')],
    ['a POST on a single webhook', 'POST', hooks('v3', DOMAIN, 'opened')],
  ] as const)('E13 unknown route (%s): 404 page not found, plain text', async (_case, method, path) => {
    const api = request(mock.app);
    const res = await (method === 'GET' ? api.get(path) : api.post(path)).set('Authorization', basic());
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toBe('404 page not found\n');
  });

  it('E13 answers an unknown route before asking for credentials', async () => {
    const res = await request(mock.app).get('/v3/nothing/here');
    expect(res.status).toBe(404);
    expect(res.text).toBe('404 page not found\n');
  });

  it('GET / answers "Mailgun Magnificent API", which mailgun.js reads as a wrong base url', async () => {
    const res = await request(mock.app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('Mailgun Magnificent API');
  });
});

describe('PUT …/webhooks/{name}/test posts a signed test event and reports the answer', () => {
  it('posts a JSON event for a current name, signed with the account signing key, and answers {code, message}', async () => {
    const res = await request(mock.app).put(`${hooks('v3', DOMAIN, 'delivered')}/test`).set('Authorization', basic()).field('url', `${receiver.url}/mailgun/delivered`);
    expectMailgunSuccess(res, { code: 200, message: 'ok' });

    expect(receiver.received).toHaveLength(1);
    const [hit] = receiver.received;
    expect(hit).toMatchObject({ method: 'POST', path: '/mailgun/delivered', contentType: 'application/json' });
    const payload = JSON.parse(hit!.body) as { signature: { timestamp: string; token: string; signature: string }; 'event-data': { event: string; recipient: string } };
    expectValidSignature(mock.signingKey, payload.signature);
    expect(payload['event-data'].event).toBe('delivered');
    // The test endpoint sets nothing up.
    expect((await request(mock.app).get(hooks()).set('Authorization', basic())).body).toEqual(SEED_LIST);
  });

  it("reports the receiver's status and body, whatever they are", async () => {
    receiver.answer.status = 500;
    receiver.answer.body = 'Hi!';
    const res = await request(mock.app).put(`${hooks('v3', DOMAIN, 'opened')}/test`).set('Authorization', basic()).type('form').send(form([['url', `${receiver.url}/o`]]));
    expectMailgunSuccess(res, { code: 500, message: 'Hi!' });
  });

  it('posts failed events with their severity for permanent_fail', async () => {
    await request(mock.app).put(`${hooks('v3', DOMAIN, 'permanent_fail')}/test`).set('Authorization', basic()).field('url', receiver.url).expect(200);
    const payload = JSON.parse(receiver.received[0]!.body) as { 'event-data': { event: string; severity: string } };
    expect(payload['event-data']).toMatchObject({ event: 'failed', severity: 'permanent' });
  });

  it('posts the legacy form, signed in its fields, for a legacy name', async () => {
    const res = await request(mock.app).put(`${hooks('v3', DOMAIN, 'deliver')}/test`).set('Authorization', basic()).field('url', `${receiver.url}/legacy`);
    expectMailgunSuccess(res, { code: 200, message: 'ok' });
    const [hit] = receiver.received;
    expect(hit?.contentType).toBe('application/x-www-form-urlencoded');
    const fields = new URLSearchParams(hit!.body);
    expect(fields.get('event')).toBe('delivered');
    expectValidSignature(mock.signingKey, { timestamp: fields.get('timestamp') ?? '', token: fields.get('token') ?? '', signature: fields.get('signature') ?? '' });
  });

  it('without a url, posts to the urls the name is set to', async () => {
    const api = request(mock.app);
    await api.put(hooks('v3', DOMAIN, 'open')).set('Authorization', basic()).type('form').send(form([['url', `${receiver.url}/open`]])).expect(200);
    const res = await api.put(`${hooks('v3', DOMAIN, 'open')}/test`).set('Authorization', basic()).set('Content-Type', 'application/x-www-form-urlencoded');
    expectMailgunSuccess(res, { code: 200, message: 'ok' });
    expect(receiver.received.map((r) => r.path)).toEqual(['/open']);
  });

  it('is served on /v2 too', async () => {
    const res = await request(mock.app).put(`${hooks('v2', DOMAIN, 'clicked')}/test`).set('Authorization', basic()).field('url', receiver.url);
    expectMailgunSuccess(res, { code: 200, message: 'ok' });
    expect(receiver.received).toHaveLength(1);
  });

  it('signs with the signing key the mock was given', async () => {
    const own = await createTestMock({ signingKey: 'key-my-own-signing-key' });
    await request(own.app).put(`${hooks('v3', DOMAIN, 'clicked')}/test`).set('Authorization', basic()).field('url', receiver.url).expect(200);
    const payload = JSON.parse(receiver.received[0]!.body) as { signature: { timestamp: string; token: string; signature: string } };
    expectValidSignature('key-my-own-signing-key', payload.signature);
    await own.stop();
  });

  it('signs a test event with real time and dates its event on the mock clock, as deliveries do', async () => {
    const frozen = await createTestMock({ clock: createClock({ frozenAt: Date.parse('2020-01-01T00:00:00Z') }) });
    await request(frozen.app).put(`${hooks('v3', DOMAIN, 'clicked')}/test`).set('Authorization', basic()).field('url', receiver.url).expect(200);
    const payload = JSON.parse(receiver.received.at(-1)!.body) as { signature: { timestamp: string }; 'event-data': { timestamp: number } };
    expect(Math.abs(Number(payload.signature.timestamp) - Date.now() / 1000)).toBeLessThan(120);
    expect(Math.floor(payload['event-data'].timestamp)).toBe(Date.parse('2020-01-01T00:00:00Z') / 1000);
    await frozen.stop();
  });

  it('answers code 0 and says why when the url refuses the connection', async () => {
    const url = refusingUrl('/hook');
    const res = await request(mock.app).put(`${hooks('v3', DOMAIN, 'clicked')}/test`).set('Authorization', basic()).field('url', url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 0, message: `could not reach ${url}: ECONNREFUSED` });
  });
});

// Bad input never crashes the mock and never yields a 500: each case gets an exact Mailgun-shaped
// answer, and afterwards the mock answers normally with its state (and Object.prototype) intact.
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const SEED_URL = 'http://postbin.heroku.com/860bcd65';
const SEED_LIST_TEXT = JSON.stringify({ webhooks: { open: { url: SEED_URL }, click: { url: SEED_URL } } }) + '\n';
const HOOKS = `/v3/domains/${DOMAIN}/webhooks`;
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/** A multipart body built by hand, one part per value. */
function multipart(boundary: string, fields: Array<[string, string]>): string {
  return fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + `--${boundary}--\r\n`;
}

/** The mock still lists exactly the seed, and nothing leaked onto Object.prototype. */
async function expectIntact(mock: MailgunMock): Promise<void> {
  const res = await request(mock.app).get(HOOKS).set('Authorization', basic());
  expect(res.status).toBe(200);
  expect(res.text).toBe(SEED_LIST_TEXT);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** A JSON error as the catalogue writes it. */
function expectError(res: request.Response, status: number, body: Record<string, unknown>): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.text).toBe(JSON.stringify(body) + '\n');
}

let mock: MailgunMock;
/** A mock with the smallest body limit, so oversized bodies stay small in the tests. */
let small: MailgunMock;
beforeAll(async () => {
  mock = await createTestMock();
  small = await createTestMock({ maxBodyBytes: 1024 });
});
afterEach(async () => {
  await mock.reset();
  await small.reset();
});

describe('malformed multipart bodies get 400 and a reason', () => {
  const body = multipart('abc', [['id', 'opened'], ['url', 'https://a.example/']]);

  it.each([
    ['no boundary in the content type', 'multipart/form-data', body, 'Malformed multipart body: missing or invalid boundary'],
    ['an empty boundary', 'multipart/form-data; boundary=', body, 'Malformed multipart body: missing or invalid boundary'],
    ['a boundary the body never uses', 'multipart/form-data; boundary=xyz', body, 'Malformed multipart body: Unexpected end of form'],
    ['a body cut short inside a part header', 'multipart/form-data; boundary=abc', body.slice(0, 60), 'Malformed multipart body: Unexpected end of form'],
    ['a body cut short inside a value', 'multipart/form-data; boundary=abc', body.slice(0, body.indexOf('opened') + 3), 'Malformed multipart body: Unexpected end of form'],
    ['a body without its closing boundary', 'multipart/form-data; boundary=abc', body.replace('--abc--\r\n', ''), 'Malformed multipart body: Unexpected end of form'],
    ['garbage', 'multipart/form-data; boundary=abc', '\u0000\u0001 not multipart at all', 'Malformed multipart body: Unexpected end of form'],
  ])('%s', async (_case, type, payload, message) => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', type).send(payload);
    expectError(res, 400, { message });
    await expectIntact(mock);
  });
});

describe('multipart bodies cut short inside a file part, and compressed multipart bodies', () => {
  const filePart = '--abc\r\nContent-Disposition: form-data; name="attachment"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n';
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);
  beforeAll(() => process.on('uncaughtException', onCrash));
  afterAll(() => void process.off('uncaughtException', onCrash));

  // Found by the request fuzzer: the file part's stream was destroyed with an error nothing listened
  // to, an uncaught exception that stopped the CLI after it had answered 400.
  it.each([
    ['ends right after the part head', filePart + '\r\n'],
    ['ends inside the file', filePart + 'hello'],
  ])('%s: 400, and no uncaught exception', async (_case, payload) => {
    const res = await request(mock.app).post(`/v3/${DOMAIN}/messages`).set('Authorization', basic()).set('Content-Type', 'multipart/form-data; boundary=abc').send(payload);
    expectError(res, 400, { message: 'Malformed multipart body: Unexpected end of form' });
    await new Promise((r) => setImmediate(r));
    expect(crashes).toEqual([]);
    await expectIntact(mock);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('inflates a %s multipart body, as it does a urlencoded one', async (encoding, compress) => {
    const payload = compress(Buffer.from(multipart('abc', [['id', 'opened'], ['url', 'https://a.example/gz']])));
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'multipart/form-data; boundary=abc').set('Content-Encoding', encoding).send(payload);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook has been created', webhook: { urls: ['https://a.example/gz'] } });
  });

  it('answers 415 to a multipart body in an unknown Content-Encoding, and 400 to one that is not what it says', async () => {
    const body = multipart('abc', [['id', 'opened'], ['url', 'https://a.example/']]);
    const odd = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'multipart/form-data; boundary=abc').set('Content-Encoding', 'x-squash').send(body);
    expectError(odd, 415, { message: 'Unsupported Content-Encoding' });
    const fake = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'multipart/form-data; boundary=abc').set('Content-Encoding', 'gzip').send(body);
    expectError(fake, 400, { message: 'Malformed request body: it is not what Content-Encoding says' });
    await expectIntact(mock);
  });

  it('takes a GET that names a compressed multipart type but sends no body as having none', async () => {
    const res = await request(mock.app).get(HOOKS).set('Authorization', basic()).set('Content-Type', 'multipart/form-data; boundary=abc').set('Content-Encoding', 'gzip');
    expect(res.status).toBe(200);
    expect(res.text).toBe(SEED_LIST_TEXT);
  });

  it('counts the inflated size against the body limit', async () => {
    const payload = gzipSync(Buffer.from(multipart('abc', [['id', 'opened'], ['url', 'https://a.example/' + 'a'.repeat(4000)]])));
    expect(payload.length).toBeLessThan(1024);
    const res = await request(small.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'multipart/form-data; boundary=abc').set('Content-Encoding', 'gzip').send(payload);
    expectError(res, 413, { message: 'Request entity too large' });
  });
});

describe('oversized bodies get a Mailgun-shaped 413', () => {
  const TOO_LARGE = { message: 'Request entity too large' };

  it('refuses a urlencoded body over maxBodyBytes', async () => {
    const res = await request(small.app).post(HOOKS).set('Authorization', basic()).type('form').send(`id=opened&url=https://a.example/${'a'.repeat(2000)}`);
    expectError(res, 413, TOO_LARGE);
    await expectIntact(small);
  });

  it('refuses a multipart body over maxBodyBytes by its Content-Length', async () => {
    const res = await request(small.app).post(HOOKS).set('Authorization', basic()).field('id', 'opened').field('url', `https://a.example/${'a'.repeat(2000)}`);
    expectError(res, 413, TOO_LARGE);
    expect(res.headers.connection).toBe('close');
    await expectIntact(small);
  });

  it('refuses a chunked multipart body (no Content-Length) once it grows over maxBodyBytes', async () => {
    const boundary = 'chunked';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="id"\r\n\r\nopened\r\n--${boundary}\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttps://a.example/`;
    const req = request(small.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', `multipart/form-data; boundary=${boundary}`);
    req.write(head);
    req.write('a'.repeat(2000));
    req.write(`\r\n--${boundary}--\r\n`);
    const res = await req;
    expectError(res, 413, TOO_LARGE);
    await expectIntact(small);
  });

  it('refuses a single multipart value over maxBodyBytes', async () => {
    // The body as a whole is checked first; a lone oversized field hits the same limit.
    const res = await request(small.app).put(`${HOOKS}/open`).set('Authorization', basic()).field('url', 'x'.repeat(1500));
    expectError(res, 413, TOO_LARGE);
    await expectIntact(small);
  });

  it('still takes a body just under the limit', async () => {
    const url = `https://a.example/${'a'.repeat(900)}`;
    const res = await request(small.app).put(`${HOOKS}/open`).set('Authorization', basic()).type('form').send(`url=${url}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook has been updated', webhook: { url } });
  });
});

describe('hostile names in the path are only names', () => {
  const LONG = 'a'.repeat(5000);

  const HOSTILE_DOMAINS = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', '%2e%2e', '..', '%2E%2E%2F%2E%2E', 'a%2Fb', '%00', '%F0%9F%92%A9', 'a very long name'];

  it.each(HOSTILE_DOMAINS)('%s as a domain: 404 Domain not found', async (raw) => {
    const segment = raw === 'a very long name' ? LONG : raw;
    const api = request(mock.app);
    expectError(await api.get(`/v3/domains/${segment}/webhooks`).set('Authorization', basic()), 404, { message: 'Domain not found' });
    expectError(await api.post(`/v3/domains/${segment}/webhooks`).set('Authorization', basic()).type('form').send('id=opened&url=https%3A%2F%2Fa.example%2F'), 404, { message: 'Domain not found' });
    expectError(await api.delete(`/v3/domains/${segment}/webhooks/open`).set('Authorization', basic()), 404, { message: 'Domain not found' });
    await expectIntact(mock);
  });

  it.each([
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['hasOwnProperty', 'hasOwnProperty'],
    ['%2e%2e', '..'],
    ['..', '..'],
    ['%2E%2E%2F%2E%2E', '../..'],
    ['%00', '\u0000'],
    ['%F0%9F%92%A9', '💩'],
    ['a very long name', LONG],
  ])('%s as a webhook name: 400 Invalid webhook name, on every route', async (raw, decoded) => {
    const segment = raw === 'a very long name' ? LONG : raw;
    const invalid = { message: `Invalid webhook name '${decoded}'` };
    const api = request(mock.app);
    expectError(await api.get(`${HOOKS}/${segment}`).set('Authorization', basic()), 400, invalid);
    expectError(await api.put(`${HOOKS}/${segment}`).set('Authorization', basic()).type('form').send('url=https%3A%2F%2Fa.example%2F'), 400, invalid);
    expectError(await api.delete(`${HOOKS}/${segment}`).set('Authorization', basic()), 400, invalid);
    expectError(await api.put(`${HOOKS}/${segment}/test`).set('Authorization', basic()).type('form').send('url=https%3A%2F%2Fa.example%2F'), 400, invalid);
    expectError(await api.post(HOOKS).set('Authorization', basic()).type('form').send(new URLSearchParams({ id: decoded, url: 'https://a.example/' }).toString()), 400, invalid);
    await expectIntact(mock);
  });

  it.each([
    ['in the domain', '/v3/domains/%E0%A4%A/webhooks'],
    ['in the webhook name', `${HOOKS}/%E0%A4%A`],
    ['a lone percent sign', `${HOOKS}/%`],
    ['an invalid UTF-8 sequence', `${HOOKS}/%C3%28`],
  ])('bad percent-encoding %s: 400', async (_case, path) => {
    const res = await request(mock.app).get(path).set('Authorization', basic());
    expectError(res, 400, { message: 'Bad request' });
    await expectIntact(mock);
  });

  it('an empty domain segment is an unknown route', async () => {
    const res = await request(mock.app).get('/v3/domains//webhooks').set('Authorization', basic());
    expect(res.status).toBe(404);
    expect(res.text).toBe('404 page not found\n');
    await expectIntact(mock);
  });

  it("a path over Node's 16 KiB header limit is refused by the HTTP parser (431), and the mock carries on", async () => {
    const res = await request(mock.app).get(`/v3/domains/${'d'.repeat(20_000)}/webhooks`).set('Authorization', basic());
    expect(res.status).toBe(431);
    await expectIntact(mock);
  });
});

describe('hostile field names and values are only data', () => {
  it.each(['__proto__', 'constructor', 'hasOwnProperty', '__proto__[polluted]', 'constructor[prototype][polluted]'])(
    'a urlencoded field named %s is ignored',
    async (name) => {
      const body = `${encodeURIComponent(name)}=yes&id=opened&url=https%3A%2F%2Fa.example%2F`;
      const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).type('form').send(body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Webhook has been created', webhook: { urls: ['https://a.example/'] } });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
    },
  );

  it('query parameters shaped like prototype paths are ignored on a list', async () => {
    const res = await request(mock.app).get(`${HOOKS}?__proto__[polluted]=1&constructor[prototype][polluted]=1&__proto__=x`).set('Authorization', basic());
    expect(res.status).toBe(200);
    expect(res.text).toBe(SEED_LIST_TEXT);
    await expectIntact(mock);
  });

  it('a multipart field named __proto__ is ignored', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic())
      .field('__proto__', 'yes').field('constructor', 'yes').field('id', 'opened').field('url', 'https://a.example/');
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  });

  it('a repeated id takes the first, as Go’s FormValue reads it', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).type('form').send('id=opened&id=clicked&url=https%3A%2F%2Fa.example%2F');
    expect(res.status).toBe(200);
    const list = await request(mock.app).get(HOOKS).set('Authorization', basic());
    expect(Object.keys(list.body.webhooks)).toEqual(['open', 'click', 'opened']);
  });

  it('the same url twice is kept once', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).type('form').send('id=opened&url=https%3A%2F%2Fa.example%2F&url=https%3A%2F%2Fa.example%2F');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook has been created', webhook: { urls: ['https://a.example/'] } });
  });

  it('empty url values next to a real one are skipped', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).type('form').send('id=opened&url=&url=https%3A%2F%2Fa.example%2F&url=');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook has been created', webhook: { urls: ['https://a.example/'] } });
  });

  it.each([
    ['an empty url', 'POST', HOOKS, 'id=opened&url=', { message: "Missing parameter 'url'" }],
    ['only empty urls', 'PUT', `${HOOKS}/open`, 'url=&url=', { message: "Missing parameter 'url'" }],
    ['an empty id', 'POST', HOOKS, 'id=&url=https%3A%2F%2Fa.example%2F', { message: "Missing parameter 'id'" }],
    ['a bare id with no =', 'POST', HOOKS, 'id&url=https%3A%2F%2Fa.example%2F', { message: "Missing parameter 'id'" }],
    ['bad percent-encoding in the body (kept literally)', 'POST', HOOKS, 'id=%ZZ&url=https%3A%2F%2Fa.example%2F', { message: "Invalid webhook name '%ZZ'" }],
    // WHATWG form decoding: a broken escape stays literal, a broken UTF-8 sequence becomes U+FFFD.
    ['a url with bad percent-encoding', 'PUT', `${HOOKS}/open`, 'url=%E0%A4%A', { Reason: '\ufffd%A is not a valid url' }],
  ] as const)('%s: 400', async (_case, method, path, body, answer) => {
    const api = request(mock.app);
    const res = await (method === 'POST' ? api.post(path) : api.put(path)).set('Authorization', basic()).type('form').send(body);
    expectError(res, 400, answer);
    await expectIntact(mock);
  });

  it('a url sent as a file part is not a url field', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).field('id', 'opened').attach('url', Buffer.from('https://a.example/'), 'url.txt');
    expectError(res, 400, { message: "Missing parameter 'url'" });
    await expectIntact(mock);
  });
});

describe('bodies Mailgun does not read', () => {
  it('a JSON body on a create: its fields are not read, so id is missing', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).send({ id: 'opened', url: 'https://a.example/' });
    expectError(res, 400, { message: "Missing parameter 'id'" });
    await expectIntact(mock);
  });

  it('a JSON body on an update: url is missing', async () => {
    const res = await request(mock.app).put(`${HOOKS}/open`).set('Authorization', basic()).send({ url: 'https://a.example/' });
    expectError(res, 400, { message: "Missing parameter 'url'" });
    await expectIntact(mock);
  });

  it('malformed JSON on a create is not parsed either', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'application/json').send('{"id": "opened",');
    expectError(res, 400, { message: "Missing parameter 'id'" });
    await expectIntact(mock);
  });

  it('a text/plain body on a create: id is missing', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'text/plain').send('id=opened&url=https://a.example/');
    expectError(res, 400, { message: "Missing parameter 'id'" });
    await expectIntact(mock);
  });

  it('an unsupported charset: 415', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'application/x-www-form-urlencoded; charset=x-no-such-charset').send('id=opened&url=https%3A%2F%2Fa.example%2F');
    expectError(res, 415, { message: 'Unsupported charset in Content-Type' });
    await expectIntact(mock);
  });

  it('an unsupported Content-Encoding: 415', async () => {
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Encoding', 'x-squash').type('form').send('id=opened&url=https%3A%2F%2Fa.example%2F');
    expectError(res, 415, { message: 'Unsupported Content-Encoding' });
    await expectIntact(mock);
  });

  it('a latin-1 body is decoded by its declared charset', async () => {
    const res = await request(mock.app).put(`${HOOKS}/open`).set('Authorization', basic()).set('Content-Type', 'application/x-www-form-urlencoded; charset=latin1')
      // Sent as raw bytes: superagent would otherwise re-encode a Buffer as form fields.
      .serialize((bytes: unknown) => bytes as string)
      .send(Buffer.from('url=https://a.example/caf\u00e9', 'latin1'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook has been updated', webhook: { url: 'https://a.example/café' } });
  });
});

describe('huge numbers of fields', () => {
  it('reads 20 000 urlencoded fields and still finds id and url', async () => {
    const noise = Array.from({ length: 20_000 }, (_, i) => `f${i}=${i}`).join('&');
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).type('form').send(`${noise}&id=opened&url=https%3A%2F%2Fa.example%2F`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook has been created', webhook: { urls: ['https://a.example/'] } });
  });

  it('answers 20 000 url values with the too-many-urls error', async () => {
    const urls = Array.from({ length: 20_000 }, (_, i) => `url=https%3A%2F%2F${i}.example%2F`).join('&');
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).type('form').send(`id=opened&${urls}`);
    expectError(res, 400, { message: 'unable to add more than 3 urls for webhook opened' });
    await expectIntact(mock);
  });

  it('reads a multipart body of exactly 1000 parts', async () => {
    const fields = [...Array.from({ length: 998 }, (_, i): [string, string] => [`f${i}`, 'x']), ['id', 'opened'] as [string, string], ['url', 'https://a.example/'] as [string, string]];
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'multipart/form-data; boundary=many').send(multipart('many', fields));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook has been created', webhook: { urls: ['https://a.example/'] } });
  });

  it('refuses a multipart body of more than 1000 parts with 413', async () => {
    const fields = Array.from({ length: 1001 }, (_, i): [string, string] => [`f${i}`, 'x']);
    const res = await request(mock.app).post(HOOKS).set('Authorization', basic()).set('Content-Type', 'multipart/form-data; boundary=many').send(multipart('many', fields));
    expectError(res, 413, { message: 'Request entity too large' });
    await expectIntact(mock);
  });
});

describe('a client that goes away mid-body', () => {
  let live: MailgunMock;
  beforeAll(async () => {
    live = await createTestMock();
    await live.start();
  });
  afterAll(() => live.stop());

  /** Sends raw bytes on a fresh connection, then hangs up; resolves when the socket is closed. */
  function sendAndHangUp(raw: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect(live.port, '127.0.0.1', () => {
        socket.write(raw);
        socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.resume();
    });
  }

  it.each([
    ['urlencoded', 'application/x-www-form-urlencoded', 'id=opened&url=https'],
    ['multipart', 'multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form-data; name="id"\r\n\r\nope'],
  ])('%s: the request is dropped, nothing is created, the mock carries on', async (_case, type, partial) => {
    const head = `POST ${HOOKS} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basic()}\r\nContent-Type: ${type}\r\nContent-Length: 1000\r\n\r\n`;
    await sendAndHangUp(head + partial);
    const res = await fetch(`${live.url}${HOOKS}`, { headers: { Authorization: basic() } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(SEED_LIST_TEXT);
  });
});

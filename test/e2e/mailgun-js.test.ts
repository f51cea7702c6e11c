// The official SDKs, unmodified, against a started mock: mailgun.js (the current SDK) for the whole
// webhook API and its errors, and the deprecated mailgun-js 0.22 through its generic methods.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { Enums } from 'mailgun.js/definitions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMailgunMock, type MailgunMock } from '../../src/index.js';
import { API_KEY, DOMAIN, rejection, refusingUrl } from '../helpers.js';

const SEED_URL = 'http://postbin.heroku.com/860bcd65';



let mock: MailgunMock;
beforeAll(async () => {
  mock = await startMailgunMock({ port: 0 });
});
afterEach(() => mock.reset());
afterAll(() => mock.stop());

/** A client exactly as the mailgun.js README builds one, pointed at the mock. */
function client(key = API_KEY) {
  return new Mailgun(FormData).client({ username: 'api', key, url: mock.url });
}

describe('mailgun.js: webhooks CRUD', () => {
  it('lists the seeded webhooks', async () => {
    expect(await client().webhooks.list(DOMAIN, {})).toEqual({ open: { url: SEED_URL }, click: { url: SEED_URL } });
  });

  it('creates, gets, updates with an array, lists and destroys a webhook', async () => {
    const mg = client();
    expect(await mg.webhooks.create(DOMAIN, 'delivered', 'https://hooks.example/delivered', false)).toEqual({
      id: 'delivered',
      url: 'https://hooks.example/delivered',
      urls: ['https://hooks.example/delivered'],
    });
    expect(await mg.webhooks.get(DOMAIN, Enums.WebhooksIds.DELIVERED)).toEqual({
      id: 'delivered',
      url: 'https://hooks.example/delivered',
      urls: ['https://hooks.example/delivered'],
    });

    const three = ['https://a.example/d', 'https://b.example/d', 'https://c.example/d'];
    expect(await mg.webhooks.update(DOMAIN, 'delivered', three)).toEqual({ id: 'delivered', url: three[0], urls: three });
    expect(await mg.webhooks.list(DOMAIN, {})).toEqual({ open: { url: SEED_URL }, click: { url: SEED_URL }, delivered: { urls: three } });

    expect(await mg.webhooks.update(DOMAIN, 'delivered', 'https://only.example/d')).toEqual({
      id: 'delivered',
      url: 'https://only.example/d',
      urls: ['https://only.example/d'],
    });
    expect(await mg.webhooks.destroy(DOMAIN, 'delivered')).toEqual({ id: 'delivered', url: 'https://only.example/d', urls: ['https://only.example/d'] });
    expect(await mg.webhooks.list(DOMAIN, {})).toEqual({ open: { url: SEED_URL }, click: { url: SEED_URL } });
  });

  it('reads legacy {url} webhooks into the same shape', async () => {
    const mg = client();
    expect(await mg.webhooks.get(DOMAIN, 'open' as Enums.WebhooksIds)).toEqual({ id: 'open', url: SEED_URL, urls: [SEED_URL] });
    expect(await mg.webhooks.update(DOMAIN, 'open', 'http://google.com')).toEqual({ id: 'open', url: 'http://google.com', urls: ['http://google.com'] });
    expect(await mg.webhooks.destroy(DOMAIN, 'click')).toEqual({ id: 'click', url: SEED_URL, urls: [SEED_URL] });
  });

  it('accepts localhost and IP urls: the mock checks syntax only, never DNS', async () => {
    const created = await client().webhooks.create(DOMAIN, 'opened', 'http://localhost:3000/x', false);
    expect(created).toMatchObject({ urls: ['http://localhost:3000/x'] });
    expect(await client().webhooks.update(DOMAIN, 'opened', ['http://127.0.0.1:3000/x', 'http://10.0.0.1/x'])).toMatchObject({ urls: ['http://127.0.0.1:3000/x', 'http://10.0.0.1/x'] });
  });

  it("WebhooksIds.UNSUBSCRIBED is 'unsubscribe', the legacy name: the mock sets the legacy webhook", async () => {
    const mg = client();
    expect(Enums.WebhooksIds.UNSUBSCRIBED).toBe('unsubscribe');
    expect(await mg.webhooks.create(DOMAIN, Enums.WebhooksIds.UNSUBSCRIBED, 'https://hooks.example/u', false)).toEqual({ id: 'unsubscribe', url: 'https://hooks.example/u', urls: ['https://hooks.example/u'] });
    // The current name is a different webhook; pass it as a string.
    await mg.webhooks.create(DOMAIN, 'unsubscribed', 'https://hooks.example/u2', false);
    expect(await mg.webhooks.list(DOMAIN, {})).toEqual({
      open: { url: SEED_URL },
      click: { url: SEED_URL },
      unsubscribe: { url: 'https://hooks.example/u' },
      unsubscribed: { urls: ['https://hooks.example/u2'] },
    });
  });
});

describe('mailgun.js: create(domain, id, url, true) sends a test event', () => {
  let receiver: Server;
  let receiverUrl = '';
  const received: Array<{ contentType: string; body: string }> = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(202, { 'Content-Type': 'text/plain' }).end('thanks');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    received.length = 0;
  });
  afterAll(() => {
    receiver.closeAllConnections();
    return new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("posts a signed event to the url and returns the handler's {code, message}", async () => {
    const answer = await client().webhooks.create(DOMAIN, 'clicked', `${receiverUrl}/mailgun`, true);
    expect(answer).toEqual({ code: 202, message: 'thanks' });
    expect(received).toHaveLength(1);
    const payload = JSON.parse(received[0]!.body) as { signature: { timestamp: string; token: string; signature: string }; 'event-data': { event: string } };
    const { timestamp, token, signature } = payload.signature;
    expect(signature).toBe(createHmac('sha256', mock.signingKey).update(timestamp + token).digest('hex'));
    expect(payload['event-data'].event).toBe('clicked');
    // Testing sets nothing up.
    expect(await client().webhooks.list(DOMAIN, {})).toEqual({ open: { url: SEED_URL }, click: { url: SEED_URL } });
  });

  it('returns code 0 when nothing listens at the url', async () => {
    const url = refusingUrl();
    const answer = await client().webhooks.create(DOMAIN, 'clicked', url, true);
    expect(answer).toEqual({ code: 0, message: `could not reach ${url}: ECONNREFUSED` });
  });
});

describe('mailgun.js: errors arrive as APIError {status, details}', () => {
  it.each<[string, (mg: ReturnType<typeof client>) => Promise<unknown>, number, string]>([
    ['list on an unknown domain', (mg) => mg.webhooks.list('nope.example.com', {}), 404, 'Domain not found'],
    ['get on an unknown domain', (mg) => mg.webhooks.get('nope.example.com', Enums.WebhooksIds.CLICKED), 404, 'Domain not found'],
    ['create on an unknown domain', (mg) => mg.webhooks.create('nope.example.com', 'clicked', 'https://a.example/', false), 404, 'Domain not found'],
    ['get of a name that is not set', (mg) => mg.webhooks.get(DOMAIN, Enums.WebhooksIds.CLICKED), 404, 'Webhook not found'],
    ['update of a name that is not set', (mg) => mg.webhooks.update(DOMAIN, 'clicked', 'https://a.example/'), 404, 'Webhook not found'],
    ['destroy of a name that is not set', (mg) => mg.webhooks.destroy(DOMAIN, 'clicked'), 404, 'Webhook not found'],
    // mailgun.js drops falsy form fields, so an empty url or id is a missing one.
    ['create with an empty url', (mg) => mg.webhooks.create(DOMAIN, 'clicked', '', false), 400, "Missing parameter 'url'"],
    ['create with an empty id', (mg) => mg.webhooks.create(DOMAIN, '', 'https://a.example/', false), 400, "Missing parameter 'id'"],
    ['update with no urls', (mg) => mg.webhooks.update(DOMAIN, 'open', []), 400, "Missing parameter 'url'"],
    ['create on a name already set', (mg) => mg.webhooks.create(DOMAIN, 'open', 'https://a.example/', false), 400, 'Webhook already exists'],
    ['create with an unknown name', (mg) => mg.webhooks.create(DOMAIN, 'foo', 'https://a.example/', false), 400, "Invalid webhook name 'foo'"],
    ['test with an unknown name', (mg) => mg.webhooks.create(DOMAIN, 'foo', 'https://a.example/', true), 400, "Invalid webhook name 'foo'"],
  ])('%s: %i %s', async (_case, call, status, details) => {
    const err = await rejection(call(client()));
    expect(err).toMatchObject({ status, details, type: 'MailgunAPIError' });
  });

  it('more than 3 urls on update: 400', async () => {
    const mg = client();
    await mg.webhooks.create(DOMAIN, 'opened', 'https://0.example/', false);
    const err = await rejection(mg.webhooks.update(DOMAIN, 'opened', ['https://1.example/', 'https://2.example/', 'https://3.example/', 'https://4.example/']));
    expect(err).toMatchObject({ status: 400, details: 'unable to add more than 3 urls for webhook opened' });
    expect(await mg.webhooks.get(DOMAIN, Enums.WebhooksIds.OPENED)).toMatchObject({ urls: ['https://0.example/'] });
  });

  it('an invalid url: 400 with Mailgun\'s "Reason" key, which mailgun.js does not read into details', async () => {
    const err = await rejection(client().webhooks.create(DOMAIN, 'opened', 'not a url', false));
    expect(err).toMatchObject({ status: 400, details: '', message: 'Bad Request' });
  });

  it("a wrong key when keys are configured: 401, details 'Forbidden'", async () => {
    const guarded = await startMailgunMock({ port: 0, apiKeys: ['key-right'] });
    try {
      const wrong = new Mailgun(FormData).client({ username: 'api', key: 'key-wrong', url: guarded.url });
      expect(await rejection(wrong.webhooks.list(DOMAIN, {}))).toMatchObject({ status: 401, details: 'Forbidden' });
      const right = new Mailgun(FormData).client({ username: 'api', key: 'key-right', url: guarded.url });
      expect(await right.webhooks.list(DOMAIN, {})).toEqual({ open: { url: SEED_URL }, click: { url: SEED_URL } });
    } finally {
      await guarded.stop();
    }
  });
});

/** The generic client of the deprecated mailgun-js 0.22 (no types of its own). */
interface MailgunJsClient {
  get(path: string, data?: object): Promise<unknown>;
  post(path: string, data?: object): Promise<unknown>;
  put(path: string, data?: object): Promise<unknown>;
  delete(path: string, data?: object): Promise<unknown>;
}
type MailgunJsFactory = (opts: { apiKey: string; domain: string; host: string; port: number; protocol: string }) => MailgunJsClient;

describe('mailgun-js 0.22 (deprecated): generic get/post/put/delete on /domains/{d}/webhooks', () => {
  const mailgunJs = createRequire(import.meta.url)('mailgun-js') as MailgunJsFactory;
  const hooks = `/domains/${DOMAIN}/webhooks`;
  const old = () => mailgunJs({ apiKey: API_KEY, domain: DOMAIN, host: '127.0.0.1', port: mock.port, protocol: 'http:' });

  it('walks the whole CRUD with urlencoded bodies, repeated url fields included', async () => {
    const mg = old();
    expect(await mg.get(hooks)).toEqual({ webhooks: { open: { url: SEED_URL }, click: { url: SEED_URL } } });
    expect(await mg.post(hooks, { id: 'delivered', url: ['https://a.example/', 'https://b.example/'] })).toEqual({
      message: 'Webhook has been created',
      webhook: { urls: ['https://a.example/', 'https://b.example/'] },
    });
    expect(await mg.put(`${hooks}/delivered`, { url: 'https://c.example/' })).toEqual({ message: 'Webhook has been updated', webhook: { urls: ['https://c.example/'] } });
    expect(await mg.get(`${hooks}/delivered`)).toEqual({ webhook: { urls: ['https://c.example/'] } });
    expect(await mg.delete(`${hooks}/delivered`)).toEqual({ message: 'Webhook has been deleted', webhook: { urls: ['https://c.example/'] } });
  });

  it('gets errors with statusCode and the message from the JSON body', async () => {
    const mg = old();
    expect(await rejection(mg.get(`${hooks}/delivered`))).toMatchObject({ statusCode: 404, message: 'Webhook not found' });
    expect(await rejection(mg.get('/domains/nope.example.com/webhooks'))).toMatchObject({ statusCode: 404, message: 'Domain not found' });
    expect(await rejection(mg.post(hooks, { id: 'opened' }))).toMatchObject({ statusCode: 400, message: "Missing parameter 'url'" });
  });
});

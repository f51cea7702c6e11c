// Mailgun's two regions as a user meets them: the mock listens on a US port (`mock.url`) and an EU
// port (`mock.euUrl`); a domain answers only in its own region, and the other one says what Mailgun
// says for a wrong region, 404 Domain not found. Checked with mailgun.js on both listeners, with
// supertest and a `Host: api.mailgun.net` / `api.eu.mailgun.net` header, and with the built CLI.
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { Enums, type MailgunMessageData } from 'mailgun.js/definitions';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCli } from '../../src/cli/run.js';
import { createClock, createMailgunMock, startMailgunMock, type FixtureData, type MailgunMock } from '../../src/index.js';
import { basic, rejection } from '../helpers.js';
import { isSignedBy, startReceiver, type Receiver } from '../receiver.js';
import { closedPort, ensureBuilt, exitOf, killAll, spawnCli, startCli } from './cli-process.js';

const US = 'us.example.com';
const EU = 'eu.example.com';
const NOPE = 'nope.example.com';
const KEY = 'key-regions';
const FROZEN = Date.parse('2026-11-26T12:00:00Z');

type Client = ReturnType<InstanceType<typeof Mailgun>['client']>;

/** POST /v5/accounts/http_signing_key through mailgun.js (whose typings leave out the key it answers with). */
const regenerateSigningKey = async (c: Client) => (await c.accountManagement.createWebhookSigningKey()) as unknown as { http_signing_key: string };


/** A US and an EU domain, each with a delivered webhook on the local receiver. */
function fixtures(hooks: string): FixtureData {
  return {
    domains: [
      { name: US, region: 'us', webhooks: { delivered: { url: `${hooks}/us/delivered` } } },
      { name: EU, region: 'eu', webhooks: { delivered: { url: `${hooks}/eu/delivered` } } },
    ],
  };
}

let mock: MailgunMock;
let receiver: Receiver;
/** mailgun.js on the US listener and on the EU listener. */
let mg: { us: Client; eu: Client };

beforeAll(async () => {
  receiver = await startReceiver();
  mock = await startMailgunMock({ clock: createClock({ frozenAt: FROZEN }), fixtures: fixtures(receiver.url) });
  const client = (url: string) => new Mailgun(FormData).client({ username: 'api', key: KEY, url });
  mg = { us: client(mock.url), eu: client(mock.euUrl) };
});
afterAll(async () => {
  await mock?.stop();
  await receiver?.close();
});
beforeEach(async () => {
  await mock.advanceClock(0); // webhook posts still in flight land before they are forgotten
  await mock.reset();
  receiver.posts.length = 0;
  // mailgun.js warns on every call that events.get is deprecated in favour of logs.list.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  return () => vi.restoreAllMocks();
});


const message = (domain: string, to = 'alice@example.com'): MailgunMessageData =>
  ({ from: `Bob <bob@${domain}>`, to, subject: 'Hello', text: 'Hi there' }) as MailgunMessageData;

/** One mailgun.js call per API area, and the 404 details Mailgun gives for a domain it does not have there. */
const OPERATIONS: ReadonlyArray<readonly [string, (c: Client, domain: string) => Promise<unknown>, (domain: string) => string]> = [
  ['webhooks.list', (c, d) => c.webhooks.list(d, {}), () => 'Domain not found'],
  ['webhooks.get', (c, d) => c.webhooks.get(d, Enums.WebhooksIds.DELIVERED), () => 'Domain not found'],
  ['webhooks.create', (c, d) => c.webhooks.create(d, 'opened', `${receiver.url}/opened`, false), () => 'Domain not found'],
  ['webhooks.update', (c, d) => c.webhooks.update(d, 'delivered', `${receiver.url}/delivered-2`), () => 'Domain not found'],
  ['webhooks.test', (c, d) => c.webhooks.create(d, 'delivered', `${receiver.url}/test`, true), () => 'Domain not found'],
  ['webhooks.destroy', (c, d) => c.webhooks.destroy(d, 'delivered'), () => 'Domain not found'],
  ['messages.create', (c, d) => c.messages.create(d, message(d)), (d) => `Domain not found: ${d}`],
  ['events.get', (c, d) => c.events.get(d, {}), (d) => `Domain not found: ${d}`],
];

/** Which listener, which domain, and whether the domain lives there. */
const PLACES = [
  // listener  domain  found
  ['us', US, true],
  ['us', EU, false],
  ['us', NOPE, false],
  ['eu', EU, true],
  ['eu', US, false],
  ['eu', NOPE, false],
] as const;

const MATRIX = PLACES.flatMap(([listener, domain, found]) => OPERATIONS.map(([op, call, details]) => [listener, domain, op, found, call, details] as const));

describe('mailgun.js on mock.url (US) and mock.euUrl (EU)', () => {
  it('the two listeners are different ports of the same mock', () => {
    expect(mock.port).toBeGreaterThan(0);
    expect(mock.euPort).toBeGreaterThan(0);
    expect(mock.euPort).not.toBe(mock.port);
    expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
    expect(mock.euUrl).toBe(`http://127.0.0.1:${mock.euPort}`);
  });

  it.each(MATRIX)('on the %s listener, %s: %s answers (found: %s)', async (listener, domain, _op, found, call, details) => {
    const client = mg[listener];
    if (found) {
      await expect(call(client, domain)).resolves.toBeDefined();
    } else {
      const err = await rejection(call(client, domain));
      expect(err).toMatchObject({ status: 404, details: details(domain) });
    }
  });

  it('the US client lists, creates and sends on the US domain, and the EU domain is left as it was', async () => {
    expect(await mg.us.webhooks.list(US, {})).toEqual({ delivered: { urls: [`${receiver.url}/us/delivered`] } });
    await mg.us.webhooks.create(US, 'opened', `${receiver.url}/us/opened`, false);
    const sent = await mg.us.messages.create(US, message(US));
    expect(sent).toMatchObject({ status: 200, message: 'Queued. Thank you.' });

    expect(Object.keys(await mg.us.webhooks.list(US, {})).sort()).toEqual(['delivered', 'opened']);
    expect(Object.keys(await mg.eu.webhooks.list(EU, {}))).toEqual(['delivered']);
    expect(mock.messages.list().map((m) => m.domain)).toEqual([US]);
  });

  it('the EU client lists, creates and sends on the EU domain, and the US domain is left as it was', async () => {
    expect(await mg.eu.webhooks.list(EU, {})).toEqual({ delivered: { urls: [`${receiver.url}/eu/delivered`] } });
    await mg.eu.webhooks.create(EU, 'opened', `${receiver.url}/eu/opened`, false);
    const sent = await mg.eu.messages.create(EU, message(EU));
    expect(sent).toMatchObject({ status: 200, message: 'Queued. Thank you.' });

    expect(Object.keys(await mg.eu.webhooks.list(EU, {})).sort()).toEqual(['delivered', 'opened']);
    expect(Object.keys(await mg.us.webhooks.list(US, {}))).toEqual(['delivered']);
    expect(mock.messages.list().map((m) => m.domain)).toEqual([EU]);
  });

  it('a refused wrong-region call changes nothing and stores nothing', async () => {
    await rejection(mg.us.webhooks.create(EU, 'opened', `${receiver.url}/x`, false));
    await rejection(mg.us.webhooks.destroy(EU, 'delivered'));
    await rejection(mg.eu.messages.create(US, message(US)));
    expect(Object.keys(await mg.eu.webhooks.list(EU, {}))).toEqual(['delivered']);
    expect(mock.messages.list()).toEqual([]);
    expect(mock.events.list()).toEqual([]);
    expect(mock.journal.list().map((e) => e.status)).toEqual([404, 404, 404, 200]);
  });
});

describe('a message sent through the EU listener', () => {
  it('reaches the EU domain’s delivered webhook, signed, with a storage URL on the EU listener', async () => {
    const sent = await mg.eu.messages.create(EU, message(EU, 'eve@example.com'));
    const [post] = await receiver.waitFor(1, '/eu/delivered');
    expect(isSignedBy(post!, mock.signingKey)).toBe(true);
    const data = post!.json!['event-data'] as { event: string; recipient: string; storage: { url: string; key: string }; message: { headers: Record<string, string> } };
    expect(data).toMatchObject({ event: 'delivered', recipient: 'eve@example.com' });
    expect(`<${data.message.headers['message-id']}>`).toBe(sent.id);
    expect(data.storage.url).toBe(`${mock.euUrl}/v3/domains/${EU}/messages/${data.storage.key}`);

    await mock.advanceClock(0);
    expect(receiver.posts.map((p) => p.path)).toEqual(['/eu/delivered']);
    expect(mock.deliveries.list().map((d) => [d.domain, d.url, d.state])).toEqual([[EU, `${receiver.url}/eu/delivered`, 'delivered']]);
  });

  it('is read back from storage on the EU listener; the US listener does not have it', async () => {
    await mg.eu.messages.create(EU, message(EU));
    const { storage } = mock.events.list({ event: 'delivered' })[0]! as unknown as { storage: { url: string; key: string } };
    const path = `/v3/domains/${EU}/messages/${storage.key}`;

    const onEu = await fetch(`${mock.euUrl}${path}`, { headers: { Authorization: basic(KEY) } });
    expect(onEu.status).toBe(200);
    expect(await onEu.json()).toMatchObject({ subject: 'Hello', recipients: 'alice@example.com' });

    const onUs = await fetch(`${mock.url}${path}`, { headers: { Authorization: basic(KEY) } });
    expect(onUs.status).toBe(404);
    expect(await onUs.json()).toEqual({ message: `Domain not found: ${EU}` });
  });

  it('is listed by the Events API on the EU listener, whose paging URLs lead back to the EU listener', async () => {
    for (let i = 0; i < 3; i++) await mg.eu.messages.create(EU, message(EU, `r${i}@example.com`));
    const first = await mg.eu.events.get(EU, { limit: 2 });
    expect(first.items).toHaveLength(2);
    for (const link of ['first', 'last', 'next', 'previous'] as const) {
      expect(first.pages[link].url.startsWith(`${mock.euUrl}/v3/${EU}/events/`)).toBe(true);
    }

    const seen = [...first.items.map((e) => e.id)];
    let page = first;
    for (let i = 0; i < 10 && page.items.length > 0; i++) {
      page = await mg.eu.events.get(EU, { page: page.pages.next.page, limit: 2 });
      seen.push(...page.items.map((e) => e.id));
    }
    expect(page.items).toEqual([]);
    expect(new Set(seen).size).toBe(6); // accepted and delivered for each of the three

    // The same paging token on the US listener: the EU domain is not there.
    const next = await fetch(first.pages.next.url.replace(mock.euUrl, mock.url), { headers: { Authorization: basic(KEY) } });
    expect(next.status).toBe(404);
    expect(await next.json()).toEqual({ message: `Domain not found: ${EU}` });
  });
});

describe('the webhook test endpoint and the signing key', () => {
  it.each([
    // listener  domain
    ['us', US],
    ['eu', EU],
  ] as const)('the %s listener tests a webhook of %s: the receiver gets a signed test event', async (listener, domain) => {
    const result = await mg[listener].webhooks.create(domain, 'delivered', `${receiver.url}/test/${listener}`, true);
    expect(result).toMatchObject({ code: 200 });
    const [post] = await receiver.waitFor(1, `/test/${listener}`);
    expect(isSignedBy(post!, mock.signingKey)).toBe(true);
    expect(post!.json!['event-data']).toMatchObject({ event: 'delivered' });
  });

  it('the signing key is read and regenerated on either listener, and is the same key on both', async () => {
    expect(await mg.us.accountManagement.getWebhookSigningKey()).toMatchObject({ status: 200, http_signing_key: mock.signingKey });
    expect(await mg.eu.accountManagement.getWebhookSigningKey()).toMatchObject({ status: 200, http_signing_key: mock.signingKey });

    const fresh = await regenerateSigningKey(mg.eu);
    expect(fresh.http_signing_key).toMatch(/^key-[0-9a-f]{32}$/);
    expect(await mg.us.accountManagement.getWebhookSigningKey()).toMatchObject({ http_signing_key: fresh.http_signing_key });

    // Webhooks of either region are signed with it from now on.
    await mg.us.messages.create(US, message(US));
    await mg.eu.messages.create(EU, message(EU));
    const posts = [...(await receiver.waitFor(1, '/us/delivered')), ...(await receiver.waitFor(1, '/eu/delivered'))];
    expect(posts.map((p) => isSignedBy(p, fresh.http_signing_key))).toEqual([true, true]);
  });
});

describe('the region from the Host header (supertest)', () => {
  /** The app without a port, or the EU listener over a socket (a Host header beats the port it came in on). */
  const targets = {
    app: () => request(mock.app),
    'EU listener': () => request(mock.euUrl),
    'US listener': () => request(mock.url),
  } as const;

  it.each([
    // target         Host                        domain  webhooks  messages  events
    ['app', 'api.mailgun.net', US, 200, 200, 200],
    ['app', 'api.mailgun.net', EU, 404, 404, 404],
    ['app', 'api.mailgun.net', NOPE, 404, 404, 404],
    ['app', 'api.eu.mailgun.net', EU, 200, 200, 200],
    ['app', 'api.eu.mailgun.net', US, 404, 404, 404],
    ['app', 'api.eu.mailgun.net', NOPE, 404, 404, 404],
    ['app', 'API.EU.MAILGUN.NET:443', EU, 200, 200, 200],
    ['app', 'api.eu.mailgun.net:8466', US, 404, 404, 404],
    ['EU listener', 'api.mailgun.net', US, 200, 200, 200],
    ['EU listener', 'api.mailgun.net', EU, 404, 404, 404],
    ['US listener', 'api.eu.mailgun.net', EU, 200, 200, 200],
    ['US listener', 'api.eu.mailgun.net', US, 404, 404, 404],
  ] as const)('%s with Host %s, %s: webhooks %i, messages %i, events %i', async (target, host, domain, hooks, send, events) => {
    const call = targets[target];
    const list = await call().get(`/v3/domains/${domain}/webhooks`).set('Host', host).set('Authorization', basic(KEY));
    const sent = await call().post(`/v3/${domain}/messages`).set('Host', host).set('Authorization', basic(KEY)).type('form')
      .send({ from: `bob@${domain}`, to: 'alice@example.com', subject: 'Hello', text: 'Hi' });
    const listed = await call().get(`/v3/${domain}/events`).set('Host', host).set('Authorization', basic(KEY));
    expect([list.status, sent.status, listed.status]).toEqual([hooks, send, events]);
    if (hooks === 404) expect(list.body).toEqual({ message: 'Domain not found' });
    if (send === 404) expect(sent.body).toEqual({ message: `Domain not found: ${domain}` });
    if (events === 404) expect(listed.body).toEqual({ message: `Domain not found: ${domain}` });
  });

  it('events listed through Host api.eu.mailgun.net page on that host', async () => {
    const res = await request(mock.app).get(`/v3/${EU}/events`).set('Host', 'api.eu.mailgun.net').set('Authorization', basic(KEY));
    expect(res.status).toBe(200);
    for (const url of Object.values(res.body.paging as Record<string, string>)) expect(url.startsWith(`http://api.eu.mailgun.net/v3/${EU}/events/`)).toBe(true);
  });

  it('without a Mailgun Host header the app answers as the US region', async () => {
    expect((await request(mock.app).get(`/v3/domains/${US}/webhooks`).set('Authorization', basic(KEY))).status).toBe(200);
    expect((await request(mock.app).get(`/v3/domains/${EU}/webhooks`).set('Authorization', basic(KEY))).status).toBe(404);
  });
});

describe('listening', () => {
  it('a mock picks two free ports, and has no URLs before it starts', async () => {
    const idle = await createMailgunMock({ fixtures: fixtures(receiver.url) });
    try {
      expect([idle.url, idle.euUrl, idle.port, idle.euPort]).toEqual(['', '', 0, 0]);
      await idle.start();
      expect(idle.euPort).not.toBe(idle.port);
      const health = await Promise.all([fetch(`${idle.url}/__mock/health`), fetch(`${idle.euUrl}/__mock/health`)]);
      expect(health.map((r) => r.status)).toEqual([200, 200]);
    } finally {
      await idle.stop();
    }
  });

  it('the EU port follows the US port by default: --port 5000 gives EU 5001, --port 0 a free one', async () => {
    expect(await parseCli(['--port', '5000'])).toMatchObject({ kind: 'serve', options: { port: 5000, euPort: 5001 } });
    expect(await parseCli(['--port', '0'])).toMatchObject({ kind: 'serve', options: { port: 0, euPort: 0 } });
    expect(await parseCli(['--port', '5000', '--eu-port', '6000'])).toMatchObject({ kind: 'serve', options: { port: 5000, euPort: 6000 } });
  });
});

describe('the CLI', () => {
  beforeAll(() => ensureBuilt());
  afterEach(() => killAll());

  /** The two URLs of the banner's regions line. */
  const regionsLine = (stdout: string) => /^ {2}regions +US (http:\/\/\S+) +EU (http:\/\/\S+) \(or Host api\.mailgun\.net \/ api\.eu\.mailgun\.net\)$/m.exec(stdout);

  it('--port 0 listens on two different free ports, and the banner prints both URLs', async () => {
    const cli = await startCli(['--port', '0', '--log-level', 'silent']);
    const m = regionsLine(cli.stdout());
    expect(m).not.toBeNull();
    const [, us, eu] = m!;
    expect(us).toBe(cli.url);
    expect(eu).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(eu).not.toBe(us);

    // The bundled fixtures' domain is a US domain: found on the US port only.
    const hooks = (base: string) => fetch(`${base}/v3/domains/samples.mailgun.org/webhooks`, { headers: { Authorization: basic(KEY) } });
    const [onUs, onEu] = await Promise.all([hooks(us!), hooks(eu!)]);
    expect([onUs.status, onEu.status]).toEqual([200, 404]);
    expect(await onEu.json()).toEqual({ message: 'Domain not found' });

    cli.child.kill('SIGTERM');
    expect(await exitOf(cli)).toEqual({ code: 0, signal: null });
  });

  it('--port P --eu-port Q listens on exactly those ports', async () => {
    const p = await closedPort();
    let q = await closedPort();
    for (let i = 0; i < 5 && q === p; i++) q = await closedPort();
    const cli = await startCli(['--port', String(p), '--eu-port', String(q), '--log-level', 'silent']);
    expect(cli.url).toBe(`http://127.0.0.1:${p}`);
    expect(regionsLine(cli.stdout())?.slice(1)).toEqual([`http://127.0.0.1:${p}`, `http://127.0.0.1:${q}`]);
    const health = await fetch(`http://127.0.0.1:${q}/__mock/health`);
    expect(health.status).toBe(200);

    cli.child.kill('SIGTERM');
    expect(await exitOf(cli)).toEqual({ code: 0, signal: null });
  });

  it('--port 5000 --eu-port 5000 exits 2 with a one-line error and listens on nothing', async () => {
    const cli = spawnCli(['--port', '5000', '--eu-port', '5000']);
    expect((await exitOf(cli)).code).toBe(2);
    expect(cli.stderr()).toBe('mailgun-mock: --port and --eu-port must differ (both are 5000) (see mailgun-mock --help)\n');
    expect(cli.stdout()).toBe('');
  });
});

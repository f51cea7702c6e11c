// One mock shared by many test workers: with `accountPerKey`, each API key gets an account of its
// own (webhooks, messages, events, outcome rules, faults, journal, deliveries, rate-limit budget,
// signing key, data file), and the control plane picks one with the X-Mailgun-Mock-Account header.
// The proof is a crowd: eight keys working at once through mailgun.js, each seeing only its own.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { Enums, type MailgunMessageData } from 'mailgun.js/definitions';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { accountIdOf } from '../../src/account.js';
import { ACCOUNT_HEADER, createClock, DEFAULT_SIGNING_KEY, startMailgunMock, type FixtureData, type MailgunMock, type MailgunMockOptions } from '../../src/index.js';
import { basic, rejection } from '../helpers.js';
import { isSignedBy, startReceiver, type ReceivedPost, type Receiver } from '../receiver.js';

const DOMAIN = 'd.example.com';
const A = 'key-alpha';
const B = 'key-bravo';
const FROZEN = Date.parse('2026-11-26T12:00:00Z');
const MIN = 60_000;
const FIXTURES: FixtureData = { domains: [{ name: DOMAIN }] };

type Client = ReturnType<InstanceType<typeof Mailgun>['client']>;

/** POST /v5/accounts/http_signing_key through mailgun.js (whose typings leave out the key it answers with). */
const regenerateSigningKey = async (c: Client) => (await c.accountManagement.createWebhookSigningKey()) as unknown as { http_signing_key: string };


/** The parts of a webhook's `event-data` these tests read. */
interface EventJson {
  event: string;
  recipient: string;
  account: { id: string };
}

const client = (mock: MailgunMock, key: string, username = 'api'): Client => new Mailgun(FormData).client({ username, key, url: mock.url });

const message = (to: string, extra: Partial<MailgunMessageData> = {}): MailgunMessageData =>
  ({ from: `Bob <bob@${DOMAIN}>`, to, subject: 'Hello', text: 'Hi there', ...extra }) as MailgunMessageData;


/** A control-plane call, for the account of `key` when given (the X-Mailgun-Mock-Account header). */
async function control(mock: MailgunMock, method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers[ACCOUNT_HEADER] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${mock.url}/__mock${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const items = <T = Record<string, unknown>>(r: { body: Record<string, unknown> }) => r.body.items as T[];
const recipientOf = (post: ReceivedPost) => (post.json!['event-data'] as unknown as EventJson).recipient;

/** A started mock and a receiver for a describe block: reset before each test, stopped after. */
function useMock(options: MailgunMockOptions): { mock: MailgunMock; receiver: Receiver } {
  const s = {} as { mock: MailgunMock; receiver: Receiver };
  beforeAll(async () => {
    s.receiver = await startReceiver();
    s.mock = await startMailgunMock({ clock: createClock({ frozenAt: FROZEN }), fixtures: FIXTURES, ...options });
  });
  afterAll(async () => {
    await s.mock?.stop();
    await s.receiver?.close();
  });
  beforeEach(async () => {
    await s.mock.advanceClock(0); // webhook posts still in flight land before they are forgotten
    await s.mock.reset();
    s.receiver.posts.length = 0;
    // mailgun.js warns on every call that events.get is deprecated in favour of logs.list.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    return () => vi.restoreAllMocks();
  });
  return s;
}

describe('accountPerKey: one account per API key', () => {
  const s = useMock({ accountPerKey: true });
  let mgA: Client;
  let mgB: Client;
  beforeAll(() => {
    mgA = client(s.mock, A);
    mgB = client(s.mock, B);
  });

  it('a webhook created with key A is listed for A only', async () => {
    await mgA.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/a`, false);
    expect(await mgA.webhooks.list(DOMAIN, {})).toEqual({ delivered: { urls: [`${s.receiver.url}/a`] } });
    expect(await mgB.webhooks.list(DOMAIN, {})).toEqual({});
    expect(await rejection(mgB.webhooks.get(DOMAIN, Enums.WebhooksIds.DELIVERED))).toMatchObject({ status: 404, details: 'Webhook not found' });
    // B may create the same webhook name: it is B's own.
    await mgB.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/b`, false);
    expect(await mgA.webhooks.list(DOMAIN, {})).toEqual({ delivered: { urls: [`${s.receiver.url}/a`] } });
  });

  it('messages and events of key A are seen by A only (API, control plane and programmatic)', async () => {
    await mgA.messages.create(DOMAIN, message('alice@example.com'));
    const a = await s.mock.account(A);
    const b = await s.mock.account(B);
    expect(a.messages.list().map((m) => m.recipients)).toEqual([['alice@example.com']]);
    expect(b.messages.list()).toEqual([]);
    expect(s.mock.messages.list()).toEqual([]); // the default account is nobody's key here

    expect((await mgA.events.get(DOMAIN, {})).items.map((e) => e.event).sort()).toEqual(['accepted', 'delivered']);
    expect((await mgB.events.get(DOMAIN, {})).items).toEqual([]);
    expect(a.events.list().every((e) => (e as unknown as EventJson).account.id === accountIdOf(A))).toBe(true);

    expect(items(await control(s.mock, 'GET', '/messages', A)).map((m) => m.recipients)).toEqual([['alice@example.com']]);
    expect(items(await control(s.mock, 'GET', '/messages', B))).toEqual([]);
    expect(items(await control(s.mock, 'GET', '/events', A))).toHaveLength(2);
    expect(items(await control(s.mock, 'GET', '/events', B))).toEqual([]);
  });

  it('outcome rules are per account', async () => {
    const added = await control(s.mock, 'POST', '/outcomes', A, { recipient: 'carol@example.com', outcome: 'permanent_fail' });
    expect(added.status).toBe(200);
    expect(items(await control(s.mock, 'GET', '/outcomes', A))).toHaveLength(1);
    expect(items(await control(s.mock, 'GET', '/outcomes', B))).toEqual([]);
    expect((await s.mock.account(B)).outcomes.list()).toEqual([]);

    await mgA.messages.create(DOMAIN, message('carol@example.com'));
    await mgB.messages.create(DOMAIN, message('carol@example.com'));
    expect((await s.mock.account(A)).events.list().map((e) => e.event)).toEqual(['accepted', 'failed']);
    expect((await s.mock.account(B)).events.list().map((e) => e.event)).toEqual(['accepted', 'delivered']);
  });

  it('fault rules are per account, from the control plane and from the X-Mailgun-Mock-Fault header', async () => {
    const added = await control(s.mock, 'POST', '/faults', A, { route: 'webhooks.list', status: 503 });
    expect(added.status).toBe(200);
    expect(items(await control(s.mock, 'GET', '/faults', A))).toHaveLength(1);
    expect(items(await control(s.mock, 'GET', '/faults', B))).toEqual([]);

    expect((await rejection(mgA.webhooks.list(DOMAIN, {}))).status).toBe(503);
    expect(await mgB.webhooks.list(DOMAIN, {})).toEqual({});

    // A header fault lands in the journal of the key that sent it.
    const hooks = `${s.mock.url}/v3/domains/${DOMAIN}/webhooks`;
    const faulted = await fetch(hooks, { headers: { Authorization: basic(B), 'X-Mailgun-Mock-Fault': 'status=500' } });
    expect(faulted.status).toBe(500);
    const a = await s.mock.account(A);
    const b = await s.mock.account(B);
    const rule = items<{ id: string }>(added)[0]!.id;
    expect(a.journal.list().map((e) => [e.status, e.faultId])).toEqual([[503, rule]]);
    expect(b.journal.list().map((e) => [e.status, e.faultId])).toEqual([[200, null], [500, 'header']]);
  });

  it('GET /__mock/requests with the header lists that account’s requests only', async () => {
    await mgA.webhooks.list(DOMAIN, {});
    await mgA.messages.create(DOMAIN, message('alice@example.com'));
    await mgB.webhooks.create(DOMAIN, 'opened', `${s.receiver.url}/b`, false);

    const routes = async (key?: string) => items<{ routeId: string }>(await control(s.mock, 'GET', '/requests', key)).map((e) => e.routeId);
    expect(await routes(A)).toEqual(['webhooks.list', 'messages.send']);
    expect(await routes(B)).toEqual(['webhooks.create']);
    expect(await routes()).toEqual([]); // the default account's journal
  });

  it('webhooks of account A are delivered only to A’s URLs, signed, carrying A’s account id', async () => {
    await mgA.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/a`, false);
    await mgB.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/b`, false);
    await mgA.messages.create(DOMAIN, message('alice@example.com'));
    await mgB.messages.create(DOMAIN, message('bob@example.com'));
    const a = await s.mock.account(A);
    const b = await s.mock.account(B);
    await a.waitForDelivery({ state: 'delivered' });
    await b.waitForDelivery({ state: 'delivered' });
    await s.mock.advanceClock(0);

    expect(s.receiver.posts.map((p) => [p.path, recipientOf(p)]).sort()).toEqual([['/a', 'alice@example.com'], ['/b', 'bob@example.com']]);
    for (const [path, key] of [['/a', A], ['/b', B]] as const) {
      const post = s.receiver.posts.find((p) => p.path === path)!;
      expect(isSignedBy(post, DEFAULT_SIGNING_KEY)).toBe(true);
      expect((post.json!['event-data'] as unknown as EventJson).account.id).toBe(accountIdOf(key));
    }
    expect(a.deliveries.list().map((d) => d.url)).toEqual([`${s.receiver.url}/a`]);
    expect(b.deliveries.list().map((d) => d.url)).toEqual([`${s.receiver.url}/b`]);
    expect(items<{ url: string }>(await control(s.mock, 'GET', '/webhooks/deliveries', A)).map((d) => d.url)).toEqual([`${s.receiver.url}/a`]);
    expect(s.mock.deliveries.list()).toEqual([]);
  });

  it('regenerating A’s signing key leaves B’s; each account’s webhooks are signed with its own', async () => {
    const fresh = await regenerateSigningKey(mgA);
    expect(fresh.http_signing_key).toMatch(/^key-[0-9a-f]{32}$/);
    expect(await mgA.accountManagement.getWebhookSigningKey()).toMatchObject({ http_signing_key: fresh.http_signing_key });
    expect(await mgB.accountManagement.getWebhookSigningKey()).toMatchObject({ http_signing_key: DEFAULT_SIGNING_KEY });
    expect((await s.mock.account(A)).signingKey).toBe(fresh.http_signing_key);
    expect((await s.mock.account(B)).signingKey).toBe(DEFAULT_SIGNING_KEY);

    await mgA.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/a`, false);
    await mgB.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/b`, false);
    await mgA.messages.create(DOMAIN, message('alice@example.com'));
    await mgB.messages.create(DOMAIN, message('bob@example.com'));
    const [postA] = await s.receiver.waitFor(1, '/a');
    const [postB] = await s.receiver.waitFor(1, '/b');
    expect(isSignedBy(postA!, fresh.http_signing_key)).toBe(true);
    expect(isSignedBy(postB!, DEFAULT_SIGNING_KEY)).toBe(true);
  });

  it('resetting one account (control plane or programmatic) leaves the others intact', async () => {
    const C = 'key-charlie';
    for (const [mg, key] of [[mgA, A], [mgB, B], [client(s.mock, C), C]] as const) {
      await mg.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/${key}`, false);
      await mg.messages.create(DOMAIN, message(`${key}@example.com`));
    }
    const names = async (key: string) => Object.keys(await client(s.mock, key).webhooks.list(DOMAIN, {}));

    expect((await control(s.mock, 'POST', '/reset', A)).body).toEqual({ message: 'Mock has been reset' });
    expect(await names(A)).toEqual([]);
    expect((await s.mock.account(A)).messages.list()).toEqual([]);
    expect(await names(B)).toEqual(['delivered']);
    expect((await s.mock.account(B)).messages.list()).toHaveLength(1);
    expect((await s.mock.account(B)).journal.list().length).toBeGreaterThan(0);

    await (await s.mock.account(B)).reset();
    expect(await names(B)).toEqual([]);
    expect(await names(C)).toEqual(['delivered']);
    expect((await s.mock.account(C)).messages.list()).toHaveLength(1);
  });

  it('POST /__mock/reset without the header resets every account', async () => {
    await mgA.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/a`, false);
    await mgB.messages.create(DOMAIN, message('bob@example.com'));
    await control(s.mock, 'POST', '/faults', B, { route: 'webhooks.list', status: 503 });

    expect(await control(s.mock, 'POST', '/reset')).toEqual({ status: 200, body: { message: 'Mock has been reset' } });
    expect(await mgA.webhooks.list(DOMAIN, {})).toEqual({});
    expect(await mgB.webhooks.list(DOMAIN, {})).toEqual({}); // the fault went with the reset
    expect((await s.mock.account(B)).messages.list()).toEqual([]);
  });

  it('GET /__mock/accounts and mock.accounts() list the accounts opened, with their ids and counts', async () => {
    await mgA.messages.create(DOMAIN, message('alice@example.com'));
    await mgB.webhooks.list(DOMAIN, {});
    const listed = await control(s.mock, 'GET', '/accounts');
    expect(listed.status).toBe(200);
    expect(items(listed)).toEqual(expect.arrayContaining([
      { id: accountIdOf(A), messages: 1, events: 2 },
      { id: accountIdOf(B), messages: 0, events: 0 },
    ]));
    expect(s.mock.accounts().map((a) => a.id)).toEqual(expect.arrayContaining([accountIdOf(A), accountIdOf(B)]));
    expect((await s.mock.account(A)).id).toBe(accountIdOf(A));
  });

  it('a request without Authorization is 401 "Need authorization header" (JSON) and opens no account', async () => {
    const before = s.mock.accounts().length;
    const res = await fetch(`${s.mock.url}/v3/domains/${DOMAIN}/webhooks`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ message: 'Need authorization header' });
    expect(s.mock.accounts()).toHaveLength(before);
  });

  it('with no keys configured, a username other than "api" is accepted as it is without accountPerKey', async () => {
    // Without accountPerKey and with no keys configured, any non-empty key is accepted whatever the username.
    const res = await fetch(`${s.mock.url}/v3/domains/${DOMAIN}/webhooks`, { headers: { Authorization: basic('key-user', 'user') } });
    expect(res.status).toBe(200);
    expect((await s.mock.account('key-user')).journal.list().map((e) => e.status)).toEqual([200]);
  });

  it('eight keys working at once each see exactly their own webhooks, messages, events, journal and deliveries', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `key-worker-${i}`);
    const PER = 20;
    const recipientsOf = (w: number) => Array.from({ length: PER }, (_, i) => `r${i}@w${w}.example.com`);
    const hookOf = (w: number) => `${s.receiver.url}/w${w}/delivered`;

    const seen = await Promise.all(keys.map(async (key, w) => {
      const mg = client(s.mock, key);
      await mg.webhooks.create(DOMAIN, 'delivered', hookOf(w), false);
      await Promise.all(recipientsOf(w).map((to) => mg.messages.create(DOMAIN, message(to, { subject: `from ${key}` }))));
      const events = await mg.events.get(DOMAIN, { limit: 300 });
      const webhooks = await mg.webhooks.list(DOMAIN, {});
      return { events: events.items, webhooks };
    }));

    for (const [w, key] of keys.entries()) {
      const mine = recipientsOf(w);
      const account = await s.mock.account(key);
      const { events, webhooks } = seen[w]!;

      // What the key saw through the API.
      expect(webhooks).toEqual({ delivered: { urls: [hookOf(w)] } });
      expect(events).toHaveLength(2 * PER);
      expect(events.filter((e) => e.event === 'accepted').map((e) => e.recipient).sort()).toEqual([...mine].sort());
      expect(events.filter((e) => e.event === 'delivered').map((e) => e.recipient).sort()).toEqual([...mine].sort());

      // What the account holds.
      const messages = account.messages.list();
      expect(messages.map((m) => m.recipients[0]).sort()).toEqual([...mine].sort());
      expect(messages.every((m) => m.subject === `from ${key}`)).toBe(true);
      expect(account.events.list().every((e) => (e as unknown as EventJson).account.id === accountIdOf(key))).toBe(true);

      // Its journal: exactly its own requests.
      const journal = account.journal.list();
      const count = (route: string) => journal.filter((e) => e.routeId === route).length;
      expect(journal).toHaveLength(PER + 3);
      expect([count('webhooks.create'), count('messages.send'), count('events.list'), count('webhooks.list')]).toEqual([1, PER, 1, 1]);
      expect(journal.filter((e) => e.routeId === 'messages.send').map((e) => e.fields.to).sort()).toEqual([...mine].sort());
      expect(journal.find((e) => e.routeId === 'webhooks.create')!.fields.url).toBe(hookOf(w));
    }

    // Every delivery went to the URL of the account that sent the message, and only there.
    await Promise.all(keys.map((_, w) => s.receiver.waitFor(PER, `/w${w}/delivered`)));
    await s.mock.advanceClock(0);
    expect(s.receiver.posts).toHaveLength(keys.length * PER);
    for (const [w, key] of keys.entries()) {
      const posts = s.receiver.posts.filter((p) => p.path === `/w${w}/delivered`);
      expect(posts.map(recipientOf).sort()).toEqual([...recipientsOf(w)].sort());
      expect(posts.every((p) => (p.json!['event-data'] as unknown as EventJson).account.id === accountIdOf(key))).toBe(true);
      const deliveries = (await s.mock.account(key)).deliveries.list();
      expect(deliveries).toHaveLength(PER);
      expect(deliveries.every((d) => d.url === hookOf(w) && d.state === 'delivered')).toBe(true);
    }
    expect(s.mock.messages.list()).toEqual([]);
  });
});

describe('accountPerKey: each account has its own rate-limit budget', () => {
  const s = useMock({ accountPerKey: true, rateLimit: 3 });

  it.each([
    // who calls, in order                   statuses
    [[A, A, A, A, B, B, B, B], [200, 200, 200, 429, 200, 200, 200, 429]],
    [[A, B, A, B, A, B, A, B], [200, 200, 200, 200, 200, 200, 429, 429]],
  ])('calls by %j get %j', async (who, statuses) => {
    const got: number[] = [];
    for (const key of who) got.push((await fetch(`${s.mock.url}/v3/domains/${DOMAIN}/webhooks`, { headers: { Authorization: basic(key) } })).status);
    expect(got).toEqual(statuses);
  });

  it('key A exhausted does not 429 key B, and A’s window reopens when the clock moves', async () => {
    const list = (key: string) => fetch(`${s.mock.url}/v3/domains/${DOMAIN}/webhooks`, { headers: { Authorization: basic(key) } });
    for (let i = 0; i < 3; i++) expect((await list(A)).status).toBe(200);
    const limited = await list(A);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
    expect((await list(B)).status).toBe(200);
    await s.mock.advanceClock(MIN);
    expect((await list(A)).status).toBe(200);
  });
});

describe('accountPerKey with configured apiKeys', () => {
  const s = useMock({ accountPerKey: true, apiKeys: [A, B] });

  it.each([
    // key             username  status  body
    [A, 'api', 200, undefined],
    [B, 'api', 200, undefined],
    ['key-charlie', 'api', 401, 'Forbidden'],
    [A, 'user', 401, 'Forbidden'],
  ] as const)('key %s as %s: %i', async (key, username, status, details) => {
    const call = client(s.mock, key, username).webhooks.list(DOMAIN, {});
    if (status === 200) await expect(call).resolves.toEqual({});
    else expect(await rejection(call)).toMatchObject({ status, details });
  });

  it('only the configured keys open accounts', async () => {
    await fetch(`${s.mock.url}/v3/domains/${DOMAIN}/webhooks`, { headers: { Authorization: basic('key-charlie') } });
    const ids = s.mock.accounts().map((a) => a.id);
    expect(ids).not.toContain(accountIdOf('key-charlie'));
    await expect(s.mock.account('key-charlie')).rejects.toThrow();
    expect((await s.mock.account(A)).id).toBe(accountIdOf(A));

    const named = await control(s.mock, 'GET', '/requests', 'key-charlie');
    expect(named.status).toBe(400);
    expect(String(named.body.message)).toContain(ACCOUNT_HEADER);
  });
});

describe('accountPerKey with a data file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailgun-mock-accounts-'));
  const dataFile = join(dir, 'state.json');
  let receiver: Receiver;
  const started: MailgunMock[] = [];
  const start = async () => {
    const mock = await startMailgunMock({ accountPerKey: true, dataFile, fixtures: FIXTURES, clock: createClock({ frozenAt: FROZEN }) });
    started.push(mock);
    return mock;
  };
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all(started.map((m) => m.stop()));
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each account in its own file <data>.<accountId>.json, and a new mock on the file finds them', async () => {
    const first = await start();
    await client(first, A).webhooks.create(DOMAIN, 'delivered', `${receiver.url}/a`, false);
    await client(first, A).messages.create(DOMAIN, message('alice@example.com'));
    await client(first, B).webhooks.create(DOMAIN, 'opened', `${receiver.url}/b`, false);
    await first.advanceClock(0);
    await first.stop();

    const fileA = join(dir, `state.${accountIdOf(A)}.json`);
    const fileB = join(dir, `state.${accountIdOf(B)}.json`);
    expect(existsSync(fileA) && existsSync(fileB)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('state.') && f.endsWith('.json'))).toEqual(expect.arrayContaining(['state.json', `state.${accountIdOf(A)}.json`, `state.${accountIdOf(B)}.json`]));
    expect(readFileSync(fileA, 'utf8')).toContain(`${receiver.url}/a`);
    expect(readFileSync(fileA, 'utf8')).not.toContain(`${receiver.url}/b`);
    expect(readFileSync(fileB, 'utf8')).toContain(`${receiver.url}/b`);
    expect(readFileSync(fileB, 'utf8')).not.toContain('alice@example.com');

    const second = await start();
    expect(await client(second, A).webhooks.list(DOMAIN, {})).toEqual({ delivered: { urls: [`${receiver.url}/a`] } });
    expect(await client(second, B).webhooks.list(DOMAIN, {})).toEqual({ opened: { urls: [`${receiver.url}/b`] } });
    expect((await second.account(A)).messages.list().map((m) => m.recipients)).toEqual([['alice@example.com']]);
    expect((await second.account(B)).messages.list()).toEqual([]);
    // A key seen for the first time starts from the fixtures.
    expect(await client(second, 'key-new').webhooks.list(DOMAIN, {})).toEqual({});
  });
});

describe('without accountPerKey (the default)', () => {
  const s = useMock({});

  it('every key shares the one account', async () => {
    const mgA = client(s.mock, A);
    const mgB = client(s.mock, B);
    await mgA.webhooks.create(DOMAIN, 'delivered', `${s.receiver.url}/a`, false);
    await mgA.messages.create(DOMAIN, message('alice@example.com'));
    expect(await mgB.webhooks.list(DOMAIN, {})).toEqual({ delivered: { urls: [`${s.receiver.url}/a`] } });
    expect((await mgB.events.get(DOMAIN, {})).items.map((e) => e.recipient)).toEqual(['alice@example.com', 'alice@example.com']);

    expect(s.mock.accountPerKey).toBe(false);
    expect((await s.mock.account(A)).id).toBe(s.mock.id);
    expect((await s.mock.account(B)).id).toBe(s.mock.id);
    expect(s.mock.accounts().map((a) => a.id)).toEqual([s.mock.id]);
    expect(s.mock.messages.list()).toHaveLength(1);
    // The account header changes nothing: the one journal holds both keys' requests.
    const journal = items<{ routeId: string }>(await control(s.mock, 'GET', '/requests', B)).map((e) => e.routeId);
    expect(journal).toEqual(['webhooks.create', 'messages.send', 'webhooks.list', 'events.list']);
  });
});

// Account-level (v1) webhooks as a handler sees them: a real local receiver (test/receiver.ts, which
// checks signatures with its own HMAC code) gets events of every domain of the webhook's region,
// the same URL at domain and account level for the same event is posted once, different URLs each
// get theirs, and the US and EU regions never mix. Sends go through mailgun.js; mailgun.js has no
// v1 or v4 webhook client, so those are plain fetch calls, multipart as mailgun-java sends them.
// No sleeps: waits go through the receiver, the mock's waitFor and advanceClock(0) (drains attempts).
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import type { MailgunMessageData } from 'mailgun.js/definitions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClock, startMailgunMock, type MailgunMock } from '../../src/index.js';
import { isSignedBy, startReceiver, type ReceivedPost, type Receiver } from '../receiver.js';

const US_ONE = 'us-one.example.com';
const US_TWO = 'us-two.example.com';
const EU_ONE = 'eu-one.example.com';
const AUTH = 'Basic ' + Buffer.from('api:key-test').toString('base64');

type Client = ReturnType<InstanceType<typeof Mailgun>['client']>;

let mock: MailgunMock;
let receiver: Receiver;
let us: Client;
let eu: Client;

beforeAll(async () => {
  receiver = await startReceiver();
  mock = await startMailgunMock({
    logLevel: 'silent',
    clock: createClock({ frozenAt: Date.parse('2026-11-26T12:00:00Z') }),
    fixtures: { domains: [{ name: US_ONE }, { name: US_TWO }, { name: EU_ONE, region: 'eu' }] },
  });
  us = new Mailgun(FormData).client({ username: 'api', key: 'key-test', url: mock.url });
  eu = new Mailgun(FormData).client({ username: 'api', key: 'key-test', url: mock.euUrl });
});
afterAll(async () => {
  await mock?.stop();
  await receiver?.close();
});
beforeEach(async () => {
  await mock.reset();
  receiver.posts.length = 0;
});

/** `POST /v1/webhooks` on a region's port; answers the webhook id. */
async function accountHook(base: string, path: string, eventTypes: string[]): Promise<string> {
  const body = new globalThis.FormData();
  body.append('url', receiver.url + path);
  for (const t of eventTypes) body.append('event_types', t);
  body.append('description', `test hook at ${path}`);
  const res = await fetch(`${base}/v1/webhooks`, { method: 'POST', headers: { Authorization: AUTH }, body });
  expect(res.status).toBe(200);
  return ((await res.json()) as { webhook_id: string }).webhook_id;
}

function send(client: Client, domain: string, to: string) {
  return client.messages.create(domain, { from: `Bob <bob@${domain}>`, to, subject: 'Hello', text: 'Hi there' } as MailgunMessageData);
}

/** `event-data` of a current (JSON) post, after checking its signature independently. */
function eventOf(post: ReceivedPost): Record<string, unknown> & { event: string; recipient: string; envelope: { sender: string } } {
  expect(post.contentType).toBe('application/json');
  expect(isSignedBy(post, mock.signingKey)).toBe(true);
  return post.json!['event-data'] as ReturnType<typeof eventOf>;
}

/** Waits for `n` posts to `path`, then for every attempt in flight to end, and answers exactly what came. */
async function postsTo(path: string, n: number): Promise<ReceivedPost[]> {
  if (n > 0) await receiver.waitFor(n, path);
  await mock.advanceClock(0);
  return receiver.posts.filter((p) => p.path === path);
}

/** Waits until `event` has been recorded for `recipient` and its webhook posts have all ended. */
async function settled(event: string, recipient: string): Promise<void> {
  await mock.waitForEvent({ event, recipient });
  await mock.advanceClock(0);
}

describe('an account webhook fires for every domain of its region', () => {
  it('delivered events of two US domains both reach the US account webhook, signed', async () => {
    await accountHook(mock.url, '/account', ['delivered']);
    await send(us, US_ONE, 'alice@example.com');
    await send(us, US_TWO, 'bob@example.com');
    const posts = await postsTo('/account', 2);
    const events = posts.map(eventOf).sort((a, b) => a.recipient.localeCompare(b.recipient));
    expect(events.map((e) => [e.event, e.recipient, e.envelope.sender])).toEqual([
      ['delivered', 'alice@example.com', `bob@${US_ONE}`],
      ['delivered', 'bob@example.com', `bob@${US_TWO}`],
    ]);
    expect(mock.deliveries.list({ url: `${receiver.url}/account` }).map((d) => [d.webhook, d.domain, d.state])).toEqual([
      ['delivered', US_ONE, 'delivered'],
      ['delivered', US_TWO, 'delivered'],
    ]);
  });

  it('only the event types it lists: accepted and delivered, not opened', async () => {
    await accountHook(mock.url, '/some', ['accepted', 'delivered']);
    await send(us, US_ONE, 'alice@example.com');
    const posts = await postsTo('/some', 2);
    expect(posts.map((p) => eventOf(p).event).sort()).toEqual(['accepted', 'delivered']);
  });

  it('a deleted account webhook gets nothing more', async () => {
    const id = await accountHook(mock.url, '/gone', ['delivered']);
    const res = await fetch(`${mock.url}/v1/webhooks/${id}`, { method: 'DELETE', headers: { Authorization: AUTH } });
    expect(res.status).toBe(204);
    await accountHook(mock.url, '/still', ['delivered']);
    await send(us, US_ONE, 'alice@example.com');
    expect(await postsTo('/still', 1)).toHaveLength(1);
    expect(receiver.posts.filter((p) => p.path === '/gone')).toHaveLength(0);
  });
});

describe('deduplication across account and domain level', () => {
  it('the same URL for delivered at both levels gets ONE post per event', async () => {
    await us.webhooks.create(US_ONE, 'delivered', `${receiver.url}/same`, false);
    await accountHook(mock.url, '/same', ['delivered']);
    await send(us, US_ONE, 'alice@example.com');
    await send(us, US_ONE, 'carol@example.com');
    await settled('delivered', 'alice@example.com');
    await settled('delivered', 'carol@example.com');
    const posts = await postsTo('/same', 2);
    expect(posts.map((p) => eventOf(p).recipient).sort()).toEqual(['alice@example.com', 'carol@example.com']);
    expect(mock.deliveries.list({ event: 'delivered' })).toHaveLength(2);
  });

  it('the same URL set through v4 at domain level is deduplicated too', async () => {
    const res = await fetch(`${mock.url}/v4/domains/${US_ONE}/webhooks`, {
      method: 'POST',
      headers: { Authorization: AUTH, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['url', `${receiver.url}/same`], ['event_types', 'delivered,accepted']]),
    });
    expect(res.status).toBe(200);
    await accountHook(mock.url, '/same', ['accepted', 'delivered']);
    await send(us, US_ONE, 'alice@example.com');
    await settled('delivered', 'alice@example.com');
    const posts = await postsTo('/same', 2);
    expect(posts.map((p) => eventOf(p).event).sort()).toEqual(['accepted', 'delivered']);
  });

  it('two account webhooks with the same URL and event post it once', async () => {
    await accountHook(mock.url, '/twice', ['delivered']);
    await accountHook(mock.url, '/twice', ['delivered', 'opened']);
    await send(us, US_TWO, 'alice@example.com');
    await settled('delivered', 'alice@example.com');
    expect(await postsTo('/twice', 1)).toHaveLength(1);
  });

  it('a different URL at each level: both get the event', async () => {
    await us.webhooks.create(US_ONE, 'delivered', `${receiver.url}/domain`, false);
    await accountHook(mock.url, '/account', ['delivered']);
    await send(us, US_ONE, 'alice@example.com');
    await settled('delivered', 'alice@example.com');
    const [domainPosts, accountPosts] = [await postsTo('/domain', 1), await postsTo('/account', 1)];
    expect(domainPosts.map((p) => eventOf(p).event)).toEqual(['delivered']);
    expect(accountPosts.map((p) => eventOf(p).event)).toEqual(['delivered']);
    expect(eventOf(domainPosts[0]!).id).toBe(eventOf(accountPosts[0]!).id);
  });

  it('a legacy domain webhook (deliver) at the same URL keeps its own legacy form post', async () => {
    await us.webhooks.create(US_ONE, 'deliver', `${receiver.url}/both`, false);
    await accountHook(mock.url, '/both', ['delivered']);
    await send(us, US_ONE, 'alice@example.com');
    await settled('delivered', 'alice@example.com');
    const posts = await postsTo('/both', 2);
    expect(posts.map((p) => (p.json ? 'json' : 'form')).sort()).toEqual(['form', 'json']);
  });
});

describe('US and EU account webhooks never mix', () => {
  it('an EU account webhook does not fire for a US domain, and the US one does not fire for an EU domain', async () => {
    await accountHook(mock.euUrl, '/eu', ['delivered']);
    await accountHook(mock.url, '/us', ['delivered']);

    await send(us, US_ONE, 'alice@example.com');
    await settled('delivered', 'alice@example.com');
    expect((await postsTo('/us', 1)).map((p) => eventOf(p).recipient)).toEqual(['alice@example.com']);
    expect(receiver.posts.filter((p) => p.path === '/eu')).toHaveLength(0);

    await send(eu, EU_ONE, 'zoe@example.com');
    await settled('delivered', 'zoe@example.com');
    expect((await postsTo('/eu', 1)).map((p) => eventOf(p).recipient)).toEqual(['zoe@example.com']);
    expect((await postsTo('/us', 1)).map((p) => eventOf(p).recipient)).toEqual(['alice@example.com']);
  });

  it('each region lists only its own account webhooks', async () => {
    const euId = await accountHook(mock.euUrl, '/eu', ['opened']);
    const usId = await accountHook(mock.url, '/us', ['opened']);
    const list = async (base: string) => ((await (await fetch(`${base}/v1/webhooks`, { headers: { Authorization: AUTH } })).json()) as { webhooks: Array<{ webhook_id: string }> }).webhooks.map((w) => w.webhook_id);
    expect(await list(mock.euUrl)).toEqual([euId]);
    expect(await list(mock.url)).toEqual([usId]);
  });
});

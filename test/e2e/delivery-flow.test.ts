// The delivery issue's headline: a message sent through mailgun.js reaches the user's own webhook
// handler, signed with the HTTP webhook signing key, and a failing handler sees Mailgun's retries
// on a fast-forwarded schedule.
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refusingUrl } from '../helpers.js';
import { createClock, startMailgunMock, type MailgunMock } from '../../src/index.js';
import { isSignedBy, startReceiver, type Receiver } from '../receiver.js';

const DOMAIN = 'samples.mailgun.org';
const MIN = 60_000;

let mock: MailgunMock;
let receiver: Receiver;
let mg: ReturnType<InstanceType<typeof Mailgun>['client']>;

beforeAll(async () => {
  mock = await startMailgunMock({ clock: createClock({ frozenAt: Date.parse('2026-11-26T12:00:00Z') }) });
  receiver = await startReceiver();
  mg = new Mailgun(FormData).client({ username: 'api', key: 'key-test', url: mock.url });
});
afterAll(async () => {
  await mock.stop();
  await receiver.close();
});
beforeEach(async () => {
  await mock.reset();
  receiver.posts.length = 0;
  receiver.answer = () => ({ status: 200, body: 'ok' });
});

async function hook(name: string, path = `/${name}`) {
  await mg.webhooks.create(DOMAIN, name, receiver.url + path, false);
}

describe('a send through mailgun.js', () => {
  it('answers with the id and Queued. Thank you.', async () => {
    const res = await mg.messages.create(DOMAIN, { from: 'Bob <bob@samples.mailgun.org>', to: ['alice@example.com'], subject: 'Hi', text: 'Hello' });
    expect(res.status).toBe(200);
    expect(res.message).toBe('Queued. Thank you.');
    expect(res.id).toMatch(/^<\d{14}\.[0-9a-f]{16}@samples\.mailgun\.org>$/);
  });

  it('reaches the delivered webhook, signed with the signing key', async () => {
    await hook('delivered');
    const res = await mg.messages.create(DOMAIN, { from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'Hi', text: 'Hello' });
    const [post] = await receiver.waitFor(1, '/delivered');
    expect(post!.contentType).toBe('application/json');
    expect(isSignedBy(post!, mock.signingKey)).toBe(true);
    expect(isSignedBy(post!, 'key-wrong')).toBe(false);
    const data = post!.json!['event-data'];
    expect(data.event).toBe('delivered');
    expect(data.recipient).toBe('alice@example.com');
    expect((data.message as { headers: Record<string, string> }).headers['message-id']).toBe(res.id!.slice(1, -1));
    const d = await mock.waitForDelivery({ webhook: 'delivered', state: 'delivered' });
    expect(d.attempts).toHaveLength(1);
    expect(d.attempts[0]!.status).toBe(200);
  });

  it('fires accepted and delivered for every recipient', async () => {
    await hook('accepted');
    await hook('delivered');
    await mg.messages.create(DOMAIN, { from: 'bob@samples.mailgun.org', to: ['a@example.com', 'b@example.com'], cc: 'c@example.com', subject: 'Hi', text: 'x' });
    await receiver.waitFor(3, '/accepted');
    await receiver.waitFor(3, '/delivered');
    const got = receiver.posts.map((p) => `${p.path} ${String(p.json!['event-data'].recipient)}`).sort();
    expect(got).toEqual(['/accepted a@example.com', '/accepted b@example.com', '/accepted c@example.com', '/delivered a@example.com', '/delivered b@example.com', '/delivered c@example.com']);
  });
});

describe('retries', () => {
  it('a 406 stops at once', async () => {
    await hook('delivered');
    receiver.answer = () => ({ status: 406, body: 'no thanks' });
    await mg.messages.create(DOMAIN, { from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'Hi', text: 'x' });
    const d = await mock.waitForDelivery({ state: 'rejected' });
    expect(d.attempts.map((a) => a.status)).toEqual([406]);
    expect(d.nextRetryAt).toBeNull();
    await mock.advanceClock(24 * 60 * MIN);
    expect(receiver.posts).toHaveLength(1);
  });

  it('a 500 is retried on the schedule, each attempt signed afresh, then given up', async () => {
    await hook('delivered');
    receiver.answer = () => ({ status: 500, body: 'boom' });
    await mg.messages.create(DOMAIN, { from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'Hi', text: 'x' });
    const first = await mock.waitForDelivery({ state: 'retrying' });
    expect(first.nextRetryAt! - first.attempts[0]!.at).toBe(10 * MIN);
    await mock.advanceClock(9 * MIN);
    expect(receiver.posts).toHaveLength(1);
    await mock.advanceClock(MIN);
    expect(receiver.posts).toHaveLength(2);
    await mock.advanceClock(8 * 60 * MIN);
    const d = mock.deliveries.list()[0]!;
    expect(d.state).toBe('failed');
    expect(d.attempts).toHaveLength(8);
    const gaps = d.attempts.slice(1).map((a, i) => (a.at - d.attempts[i]!.at) / MIN);
    expect(gaps).toEqual([10, 10, 15, 30, 60, 120, 240]);
    expect(new Set(receiver.posts.map((p) => p.json!.signature.token)).size).toBe(8);
    expect(receiver.posts.every((p) => isSignedBy(p, mock.signingKey))).toBe(true);
  });

  it('a refused connection is retried and then succeeds when the handler comes back', async () => {
    await mg.webhooks.create(DOMAIN, 'delivered', refusingUrl('/hook'), false);
    await mg.messages.create(DOMAIN, { from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'Hi', text: 'x' });
    const d = await mock.waitForDelivery({ state: 'retrying' });
    expect(d.attempts[0]!.status).toBe(0);
    expect(d.attempts[0]!.error).toMatch(/refused/);
  });
});

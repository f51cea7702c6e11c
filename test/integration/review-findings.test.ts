// Defects found in review (hostile input, resets, stops, concurrency, the delivery journal). Each test
// fails until its defect is fixed; the comment above it says what goes wrong today.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createClock, DataFileError, type MailgunMock, type MailgunMockOptions } from '../../src/index.js';
import { startReceiver, type Receiver } from '../receiver.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const A = basic();
/** Lets announced work start, then waits until nothing is in flight. */
const quiet = async (mock: MailgunMock) => {
  await new Promise((resolve) => setImmediate(resolve));
  await mock.advanceClock(0);
};
const tempFile = () => join(mkdtempSync(join(tmpdir(), 'mailgun-mock-review-')), 'state.json');
/** `{"a": [[[…]]]}` nested `depth` lists deep: about 2 bytes a level, so 6000 levels fit the 16 kB send-options budget. */
const deepVariables = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const BASIC_SEND = { from: `Sender <sender@${DOMAIN}>`, to: 'alice@example.com', subject: 'Hello', text: 'Hi' };

const send = (mock: MailgunMock, fields: Record<string, string> = BASIC_SEND) =>
  request(mock.app).post(`/v3/${DOMAIN}/messages`).set('Authorization', A).type('form').send(fields);

/** A mock whose fixture domain posts the given webhook names to the receiver (`/<name>`). */
function mockWithHooks(rx: Receiver, names: string[], options: MailgunMockOptions = {}): Promise<MailgunMock> {
  const webhooks = Object.fromEntries(names.map((n) => [n, { urls: [`${rx.url}/${n}`] }]));
  return createTestMock({ fixtures: { domains: [{ name: DOMAIN, webhooks }] }, ...options });
}

describe('X-Mailgun-Variables nested thousands deep', () => {
  // event-data.ts userVariables() re-parses the stored X-Mailgun-Variables header without the depth
  // limit message-input.ts applies, so the event's user-variables hold a 6000-deep value that
  // JSON.stringify cannot serialise: every Events API listing of the domain answers 500 from then on
  // (and mock.events.list() throws), until a reset.
  it('a send with a deeply nested h:X-Mailgun-Variables leaves the Events API answering 200', async () => {
    const mock = await createTestMock();
    const sent = await send(mock, { ...BASIC_SEND, 'h:X-Mailgun-Variables': deepVariables(6000) });
    expect(sent.status).toBeLessThan(500);
    const events = await request(mock.app).get(`/v3/${DOMAIN}/events`).set('Authorization', A);
    expect(events.status).toBe(200);
    expect(() => mock.events.list()).not.toThrow();
    await mock.stop();
  });

  // The same through messages.mime: the MIME's own X-Mailgun-Variables header has no size limit at all.
  it('a MIME send with a deeply nested X-Mailgun-Variables header leaves the Events API answering 200', async () => {
    const mock = await createTestMock();
    const mime = `X-Mailgun-Variables: ${deepVariables(6000)}\r\nFrom: a@example.com\r\nTo: b@example.com\r\nSubject: s\r\n\r\nbody`;
    const sent = await request(mock.app).post(`/v3/${DOMAIN}/messages.mime`).set('Authorization', A).field('to', 'b@example.com').attach('message', Buffer.from(mime), 'm.eml');
    expect(sent.status).toBeLessThan(500);
    const events = await request(mock.app).get(`/v3/${DOMAIN}/events`).set('Authorization', A);
    expect(events.status).toBe(200);
    await mock.stop();
  });

  // With a data file it is worse: the group write stringifies the whole state, so that send and every
  // later change (any route, any domain) answers 500 and never reaches the file. After a restart all of
  // it is gone: acknowledged-looking state is lost and the mock cannot persist again until reset.
  it('does not stop later changes from reaching the data file', async () => {
    const dataFile = tempFile();
    let mock = await createTestMock({ dataFile });
    await send(mock, { ...BASIC_SEND, 'h:X-Mailgun-Variables': deepVariables(6000) });
    const bounce = await request(mock.app).post(`/v3/${DOMAIN}/bounces`).set('Authorization', A).type('form').send({ address: 'later@example.com' });
    expect(bounce.status).toBe(200);
    await mock.stop().catch(() => undefined);
    mock = await createTestMock({ dataFile });
    const read = await request(mock.app).get(`/v3/${DOMAIN}/bounces/later@example.com`).set('Authorization', A);
    expect(read.status).toBe(200);
    await mock.stop();
  });
});

describe('deeply nested JSON in a suppressions batch', () => {
  // suppressions.ts invalidFormat() quotes a non-string value with JSON.stringify before cutting it to
  // 200 characters; a value nested ~20000 deep (40 kB of body) overflows the stack: 500, not 400.
  it.each([
    ['bounces', 'address'],
    ['bounces', 'created_at'],
    ['bounces', 'code'],
    ['unsubscribes', 'tags'],
    ['complaints', 'address'],
  ])('%s with a deep %s is a 400', async (type, field) => {
    const mock = await createTestMock();
    const deep = `${'['.repeat(20000)}"x"${']'.repeat(20000)}`;
    const record = field === 'address' ? `{"address": ${deep}}` : field === 'tags' ? `{"address": "a@example.com", "tags": [${deep}]}` : `{"address": "a@example.com", "${field}": ${deep}}`;
    const res = await request(mock.app).post(`/v3/${DOMAIN}/${type}`).set('Authorization', A).set('Content-Type', 'application/json').send(`[${record}]`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Invalid format for parameter /);
    await mock.stop();
  });
});

describe('a reset wins over work that was already under way', () => {
  // delivery.ts emit() (and the scheduled `later` tasks) announce after `await store.mutate(…)` with no
  // generation check, and send() captures the generation only after that await. With a data file the
  // await spans the file write, so a reset made in between is followed by the old events being
  // POSTed (to the webhooks of the re-seeded domain) and announced on the bus, where a waitForEvent
  // made while the reset ran resolves with an event the state no longer holds.
  it('posts nothing and announces nothing after a reset for an event made just before it (data file)', async () => {
    const rx = await startReceiver();
    const mock = await mockWithHooks(rx, ['delivered', 'opened'], { dataFile: tempFile() });
    const sent = await send(mock);
    await rx.waitFor(1, '/delivered');
    const before = rx.posts.length;
    const emitting = mock.events.emit({ messageId: sent.body.id, event: 'opened' }).catch(() => undefined);
    const resetting = mock.reset();
    await resetting;
    await emitting;
    // A waiter made once the reset is done must not be handed an event the reset threw away.
    const waiter = mock.waitForEvent({ event: 'opened' }, { timeoutMs: 300 }).then(
      (e) => `resolved with ${e.id}`,
      () => 'timed out',
    );
    await quiet(mock);
    expect(rx.posts.slice(before).map((p) => p.path)).toEqual([]);
    expect(mock.deliveries.list()).toEqual([]);
    expect(await waiter).toBe('timed out');
    await mock.stop();
    await rx.close();
  });

  it('posts nothing after a reset for a send answered while the reset ran (data file)', async () => {
    const rx = await startReceiver();
    const mock = await mockWithHooks(rx, ['accepted', 'delivered'], { dataFile: tempFile() });
    const sending = send(mock).then((r) => r);
    let resetDone = false;
    // The change is applied at once and its file write follows a few ticks later: reset in that gap.
    for (let i = 0; i < 10_000 && !resetDone; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (mock.store.state.messages.length > 0) {
        await mock.reset();
        resetDone = true;
      }
    }
    expect(resetDone).toBe(true);
    await sending;
    await quiet(mock);
    expect(mock.store.state.messages).toEqual([]);
    expect(rx.posts.map((p) => p.path)).toEqual([]);
    await mock.stop();
    await rx.close();
  });

  // In memory the same happens when emit() and reset() are called in one tick (a test's cleanup racing
  // a fire-and-forget emit): the announce runs before the store is re-seeded and after the dispatcher
  // was reset, so the post is made and kept in the fresh delivery journal.
  it('posts nothing after a reset begun in the same tick as an emit (memory)', async () => {
    const rx = await startReceiver();
    const mock = await mockWithHooks(rx, ['delivered', 'opened']);
    const sent = await send(mock);
    await rx.waitFor(1, '/delivered');
    const before = rx.posts.length;
    const emitting = mock.events.emit({ messageId: sent.body.id, event: 'opened' });
    await mock.reset();
    await emitting;
    await quiet(mock);
    expect(rx.posts.slice(before).map((p) => p.path)).toEqual([]);
    expect(mock.deliveries.list()).toEqual([]);
    await mock.stop();
    await rx.close();
  });
});

describe('stop() ends delivery', () => {
  // account.stop() stops the dispatcher before store.close() has flushed; an emit waiting on that
  // flush then dispatches through the stopped dispatcher (its agents destroyed, not refused), so a
  // webhook POST goes out after stop() resolved and keeps the process busy until the handler answers.
  it('no webhook POST reaches the handler after stop() resolves (data file)', async () => {
    const rx = await startReceiver();
    const mock = await mockWithHooks(rx, ['opened'], { dataFile: tempFile() });
    const sent = await send(mock);
    rx.answer = () => ({ status: 200, delayMs: 200 });
    const emitting = mock.events.emit({ messageId: sent.body.id, event: 'opened' }).catch(() => undefined);
    await mock.stop();
    const stoppedAt = Date.now();
    await emitting;
    // Nothing may arrive after stop(): wait a bounded while for a post that must not come.
    await rx.waitFor(rx.posts.length + 1, undefined, 500).catch(() => undefined);
    expect(rx.posts.filter((p) => p.at >= stoppedAt).map((p) => p.path)).toEqual([]);
    await rx.close();
  });
});

describe('retrying a delivery by hand', () => {
  // dispatcher.retryNow() starts a second post while the first attempt is still in flight: both carry
  // attempt number 1, both settle, and each schedules its own retry (the second overwrites the first's
  // cancel function), so every later retry is POSTed twice.
  it('while its first attempt is in flight does not double the attempts that follow', async () => {
    const rx = await startReceiver();
    const mock = await mockWithHooks(rx, ['accepted'], { clock: createClock({ frozenAt: Date.parse('2026-01-01T00:00:00Z') }) });
    rx.answer = () => ({ status: 500, delayMs: 200 });
    await send(mock);
    await rx.waitFor(1);
    const id = mock.deliveries.list()[0]!.id;
    const retried = await request(mock.app).post(`/__mock/webhooks/deliveries/${id}/retry`);
    expect(retried.status).toBe(200);
    await mock.advanceClock(0); // waits for the first attempt's answer too
    const numbers = mock.deliveries.get(id)!.attempts.map((a) => a.attempt);
    expect(new Set(numbers).size).toBe(numbers.length);
    const posted = rx.posts.length;
    rx.answer = () => ({ status: 500 });
    await mock.advanceClock(10 * 60_000); // the first scheduled retry is due; resolves after it ran
    expect(rx.posts.length - posted).toBe(1);
    await mock.stop();
    await rx.close();
  });
});

describe('the delivery journal limit', () => {
  // keep() evicts before the first post builds its body, and body() reads the evicted payload: with
  // deliveryLimit 0 ("keep no journal") not a single webhook is ever POSTed (each attempt fails with
  // "could not build the payload" and is invisible).
  it('deliveryLimit 0 still posts webhooks', async () => {
    const rx = await startReceiver();
    const mock = await mockWithHooks(rx, ['delivered'], { deliveryLimit: 0 });
    await send(mock);
    await rx.waitFor(1, '/delivered', 1_000).catch(() => undefined);
    expect(rx.posts.map((p) => p.path)).toEqual(['/delivered']);
    await mock.stop();
    await rx.close();
  });

  // Evicting a delivery from the journal also cancels its pending retry: an inspection limit changes
  // what the handler receives (Mailgun would retry it).
  it('dropping a retrying delivery from the journal does not cancel its retry', async () => {
    const rx = await startReceiver();
    const mock = await mockWithHooks(rx, ['delivered'], { deliveryLimit: 1, clock: createClock({ frozenAt: Date.parse('2026-01-01T00:00:00Z') }) });
    rx.answer = (_post, n) => ({ status: n === 1 ? 500 : 200 });
    await send(mock, { ...BASIC_SEND, to: 'first@example.com' });
    await rx.waitFor(1);
    await mock.advanceClock(0); // the first attempt has settled (retrying)
    await send(mock, { ...BASIC_SEND, to: 'second@example.com' });
    await rx.waitFor(2);
    await mock.advanceClock(11 * 60_000);
    const recipients = rx.posts.map((p) => p.json?.['event-data'].recipient);
    expect(recipients).toEqual(['first@example.com', 'second@example.com', 'first@example.com']);
    await mock.stop();
    await rx.close();
  });
});

describe('hostile but well-formed input', () => {
  // Tag lists are de-duplicated with a Set (it once was quadratic: 40 000 tags held the event loop
  // for seconds) and capped at 1000 per address.
  it('an unsubscribe with 40 000 tags is refused with a 400 naming the limit', async () => {
    const mock = await createTestMock();
    const tags = Array.from({ length: 40_000 }, (_, i) => `tag${i}`);
    const res = await request(mock.app).post(`/v3/${DOMAIN}/unsubscribes`).set('Authorization', A).set('Content-Type', 'application/json').send(JSON.stringify([{ address: 'a@example.com', tags }]));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: 'Too many tags: at most 1000 per address' });
    await mock.stop();
  });

  it('an unsubscribe with 1000 tags, many repeated in other cases, keeps each tag once', async () => {
    const mock = await createTestMock();
    const tags = Array.from({ length: 1000 }, (_, i) => (i % 2 ? `Tag${i % 300}` : `tag${i % 300}`));
    const res = await request(mock.app).post(`/v3/${DOMAIN}/unsubscribes`).set('Authorization', A).set('Content-Type', 'application/json').send(JSON.stringify([{ address: 'a@example.com', tags }]));
    expect(res.status).toBe(200);
    const one = await request(mock.app).get(`/v3/${DOMAIN}/unsubscribes/a@example.com`).set('Authorization', A);
    expect(one.body.tags).toHaveLength(300);
    await mock.stop();
  });

  // recipient-variables keys are looked up case-insensitively through an index built once per
  // message (it once scanned every key for every recipient, four times: 100 000 keys took seconds).
  it('a send with 100 000 recipient-variables keys gives each of 100 recipients its own variables', async () => {
    const mock = await createTestMock();
    const rv: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) rv[`K${i}@EXAMPLE.COM`] = { i };
    const to = Array.from({ length: 100 }, (_, i) => `k${i * 1000}@example.com`).join(',');
    const res = await send(mock, { ...BASIC_SEND, to, 'v:n': '%recipient.i%', 'recipient-variables': JSON.stringify(rv) });
    expect(res.status).toBe(200);
    const delivered = mock.events.list({ event: 'delivered' });
    expect(delivered).toHaveLength(100);
    for (const e of delivered) expect(e['user-variables']).toEqual({ n: String(Number(String(e.recipient).slice(1, -12))) });
    await mock.stop();
  });
});

describe('data-file checks', () => {
  // store/file.ts checks every domain field the routes read except `region`. A hand-edited `"EU"` (or
  // a missing region) starts fine and the domain then vanishes: absent from every list and 404 on
  // every route of both regions, instead of the start being refused with the field named.
  it('refuses a data file whose domain has a region other than us or eu', async () => {
    const dataFile = tempFile();
    const mock = await createTestMock({ dataFile });
    await mock.stop();
    const file = JSON.parse(readFileSync(dataFile, 'utf8'));
    file.state.domains[0].region = 'EU';
    writeFileSync(dataFile, JSON.stringify(file));
    const opening = createTestMock({ dataFile });
    await expect(opening).rejects.toBeInstanceOf(DataFileError);
    await expect(opening).rejects.toThrow(/region/);
    await opening.then((m) => m.stop(), () => undefined);
  });
});

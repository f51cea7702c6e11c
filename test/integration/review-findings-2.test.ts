// Defects found in the second review (retention against scheduled work, domain delete with work
// pending, suppression paging and fixtures). Each test fails until its defect is fixed; the comment
// above it says what goes wrong today. No sleeps: advanceClock resolves once due work has run.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createClock, type MailgunMock, type MailgunMockOptions } from '../../src/index.js';
import { startReceiver } from '../receiver.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const A = basic();
const T0 = Date.parse('2026-03-02T10:00:00Z');
const frozen = (options: MailgunMockOptions = {}) => createTestMock({ clock: createClock({ frozenAt: T0 }), ...options });

const send = (mock: MailgunMock, to: string, extra: Record<string, string> = {}) =>
  request(mock.app).post(`/v3/${DOMAIN}/messages`).set('Authorization', A).type('form').send({ from: `a@${DOMAIN}`, to, subject: `to ${to}`, text: 'x', ...extra });

const outcomesOf = (mock: MailgunMock, recipient: string) => mock.events.list({ recipient }).map((e) => `${e.event}${e.severity ? ` ${e.severity}` : ''}`);

describe('retainMessages and work still scheduled for a message', () => {
  // delivery.ts `later` runs a scheduled outcome only while `s.messages` still holds the message.
  // trim() in send() drops the oldest messages once over retainMessages + a tenth, whether or not
  // work is scheduled for them, so a message accepted with o:deliverytime (or --delivery-delay) and
  // then pushed out by newer sends is never delivered: it stays `accepted` for ever, no webhook, no
  // failure. The dispatcher's journal limit explicitly never drops an unfinished delivery; the
  // message retention does.
  it('a scheduled send is still delivered when newer sends pushed its message out of retention', async () => {
    const mock = await frozen({ retainMessages: 2 });
    expect((await send(mock, 'later@example.com', { 'o:deliverytime': 'Mon, 02 Mar 2026 11:00:00 +0000' })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await send(mock, `n${i}@example.com`)).status).toBe(200);
    await mock.advanceClock(60 * 60_000);
    expect(outcomesOf(mock, 'later@example.com')).toEqual(['accepted', 'delivered']);
    await mock.stop();
  });

  it('with deliveryDelayMs, a send pushed out of retention before its delay ends is still delivered', async () => {
    const mock = await frozen({ retainMessages: 2, deliveryDelayMs: 2_000 });
    for (let i = 0; i < 4; i++) expect((await send(mock, `n${i}@example.com`)).status).toBe(200);
    await mock.advanceClock(2_000);
    expect(outcomesOf(mock, 'n0@example.com')).toEqual(['accepted', 'delivered']);
    await mock.stop();
  });

  // The same for a soft-bounce retry chain: the retry due after the trim finds no message and the
  // recipient never gets its `delivered` (recoverAfter) or its final `failed … old`.
  it('a soft-bouncing recipient still gets its outcome when newer sends pushed its message out of retention', async () => {
    const mock = await frozen({ retainMessages: 2 });
    mock.outcomes.add({ recipient: 'soft@example.com', outcome: 'temporary_fail', recoverAfter: 1 });
    expect((await send(mock, 'soft@example.com')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await send(mock, `n${i}@example.com`)).status).toBe(200);
    await mock.advanceClock(8 * 3600_000);
    expect(outcomesOf(mock, 'soft@example.com')).toEqual(['accepted', 'failed temporary', 'delivered']);
    await mock.stop();
  });
});

describe('deleting a domain while webhook deliveries are retrying', () => {
  // DELETE /v3/domains/{d} removes the domain "with its webhooks, suppression lists, messages and
  // events" (docs/api-coverage.md), and announce() posts nothing for a domain that is gone, but the
  // dispatcher's scheduled retries are not cancelled: the removed webhooks' URLs keep receiving the
  // removed events (whose storage URLs now 404) on the full retry schedule, even after a domain of
  // the same name has been created again with no webhooks at all.
  it('no webhook of the deleted domain is posted again, even once the name is created anew', async () => {
    const rx = await startReceiver();
    rx.answer = () => ({ status: 500 });
    const mock = await frozen({ fixtures: { domains: [{ name: DOMAIN, webhooks: { delivered: { urls: [`${rx.url}/delivered`] } } }] } });
    expect((await send(mock, 'alice@example.com')).status).toBe(200);
    await mock.waitForDelivery({ webhook: 'delivered', state: 'retrying' });
    expect((await request(mock.app).delete(`/v3/domains/${DOMAIN}`).set('Authorization', A)).status).toBe(200);
    expect((await request(mock.app).post('/v4/domains').set('Authorization', A).type('form').send({ name: DOMAIN })).status).toBe(200);
    const before = rx.posts.length;
    await mock.advanceClock(60 * 60_000); // past the first three retries of the default schedule
    expect(rx.posts.length - before).toBe(0);
    await mock.stop();
    await rx.close();
  });
});

describe('suppression list paging from an empty page', () => {
  const addresses = ['a', 'b', 'c', 'd', 'e'].map((x) => `${x}@example.com`);
  const seeded = () => createTestMock({ fixtures: { domains: [{ name: DOMAIN, bounces: addresses.map((address) => ({ address })) }] } });
  const follow = (mock: MailgunMock, link: string) => request(mock.app).get(`/v3/${DOMAIN}/bounces${new URL(link).search}`).set('Authorization', A);
  const names = (res: request.Response) => (res.body.items as Array<{ address: string }>).map((i) => i.address);

  // listPage() gives an empty page the divider it was asked with as both its `next` and `previous`
  // ("so `previous` leads back"). But an empty `page=next&address=e` page holds what comes after
  // `e`, so its previous page ends with `e`; the mock answers `address < e` and skips `e`.
  // NB: suppressions-api.test.ts ("following next walks the list…", lines 238-241) asserts today's
  // skip (previous of the empty page past u04 is [u02, u03]); a fix must change that assertion too.
  // (The Events API flips the cursor's inclusiveness for the same case and does not skip.)
  it('the previous page of the empty page after the last one is the last page', async () => {
    const mock = await seeded();
    const last = await request(mock.app).get(`/v3/${DOMAIN}/bounces?page=last&limit=2`).set('Authorization', A);
    expect(names(last)).toEqual(['d@example.com', 'e@example.com']);
    const after = await follow(mock, last.body.paging.next);
    expect(names(after)).toEqual([]);
    const back = await follow(mock, after.body.paging.previous);
    expect(names(back)).toEqual(['d@example.com', 'e@example.com']);
    await mock.stop();
  });

  // The mirror image: the empty page before the first one leads forward to `b, c`, skipping `a`.
  it('the next page of the empty page before the first one is the first page', async () => {
    const mock = await seeded();
    const first = await request(mock.app).get(`/v3/${DOMAIN}/bounces?limit=2`).set('Authorization', A);
    expect(names(first)).toEqual(['a@example.com', 'b@example.com']);
    const before = await follow(mock, first.body.paging.previous);
    expect(names(before)).toEqual([]);
    const forward = await follow(mock, before.body.paging.next);
    expect(names(forward)).toEqual(['a@example.com', 'b@example.com']);
    await mock.stop();
  });
});

describe('fixture suppression entries', () => {
  // seed.ts lower-cases and trims each address but never merges or refuses repeats, so two fixture
  // entries that differ only in case or spaces become two records with one key. The Suppressions API
  // finds and removes the first only: DELETE answers 200, yet GET still finds the address and sends
  // to it still fail with 605 (the list paging also skips a repeat that falls on a page boundary).
  it('a DELETE of a fixture bounce listed twice in different cases removes it for good', async () => {
    const mock = await createTestMock({ fixtures: { domains: [{ name: DOMAIN, bounces: [{ address: 'Gone@Example.com' }, { address: 'gone@example.com ' }] }] } });
    expect((await request(mock.app).delete(`/v3/${DOMAIN}/bounces/gone@example.com`).set('Authorization', A)).status).toBe(200);
    expect((await request(mock.app).get(`/v3/${DOMAIN}/bounces/gone@example.com`).set('Authorization', A)).status).toBe(404);
    expect((await send(mock, 'gone@example.com')).status).toBe(200);
    expect(outcomesOf(mock, 'gone@example.com')).toEqual(['accepted', 'delivered']);
    await mock.stop();
  });

  // The schema only asks an allowlist value to be non-empty, and seed.ts calls anything with an `@`
  // an address and anything else a domain, so values the Suppressions API refuses with a 400
  // (`Invalid format for parameter …`) start silently and can never match a recipient.
  it.each(['not an address', '   ', '@example.com', 'a@b@example.com'])('a fixture allowlist value %j stops the start', async (value) => {
    await expect(createTestMock({ fixtures: { domains: [{ name: DOMAIN, allowlist: [{ value }] }] } })).rejects.toThrow(/allowlist/);
  });

  // A blank fixture tag is kept as the tag "  ", which no message can carry, so the entry suppresses
  // nothing; the same blank tag through the Suppressions API means every tag.
  it('a fixture unsubscribe whose only tag is blank covers every tag, as through the API', async () => {
    const mock = await createTestMock({ fixtures: { domains: [{ name: DOMAIN, unsubscribes: [{ address: 'bored@example.com', tags: ['  '] }] }] } });
    expect((await send(mock, 'bored@example.com', { 'o:tag': 'newsletter' })).status).toBe(200);
    expect(mock.events.list({ recipient: 'bored@example.com', event: 'failed' })).toHaveLength(1);
    await mock.stop();
  });
});

describe('suppression look-ups of delayed and scheduled sends', () => {
  // Commit bec4476 builds one look-up table per send, but only when the outcome is decided at once.
  // A scheduled or --delivery-delay send schedules one task per recipient, and each calls plan()
  // without a table, so suppressionIndex() copies the domain's whole lists once per recipient
  // (measured: 1000 recipients against 20 000 bounces, 1.5 s of blocked event loop at delivery time
  // against 0.09 s for the same send without a delay). Counted here through the bounces list's map().
  it('builds the table once per send, not once per recipient', async () => {
    const mock = await frozen({ deliveryDelayMs: 1_000, fixtures: { domains: [{ name: DOMAIN, bounces: [{ address: 'gone@example.com' }] }] } });
    const bounces = mock.store.state.domains[0]!.bounces;
    let builds = 0;
    Object.defineProperty(bounces, 'map', {
      value: function (this: unknown[], ...args: Parameters<unknown[]['map']>) {
        builds++;
        return Array.prototype.map.apply(this, args);
      },
    });
    const to = Array.from({ length: 50 }, (_, i) => `r${i}@example.com`).join(', ');
    expect((await send(mock, to)).status).toBe(200);
    await mock.advanceClock(1_000);
    expect(mock.events.list({ event: 'delivered' })).toHaveLength(50);
    expect(builds).toBeLessThanOrEqual(1);
    await mock.stop();
  });
});

// Sending through the SDKs people actually use, unmodified and pointed at a started mock: mailgun.js
// (every send option, MIME, the Events API with paging, errors), nodemailer with
// nodemailer-mailgun-transport, and the old mailgun-js. What was sent is checked on the mock's side
// (stored message, attachments byte for byte, events); the clock is frozen and moved only by the test.
import { createRequire } from 'node:module';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { rejection } from '../helpers.js';
import type { MailgunMessageData } from 'mailgun.js/definitions';
import nodemailer, { type Transport } from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClock, startMailgunMock, type EventData, type MailgunMock } from '../../src/index.js';
import { isSignedBy, startReceiver, type Receiver } from '../receiver.js';

const DOMAIN = 'samples.mailgun.org';
const FROZEN = Date.parse('2026-11-26T12:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;


/** The old mailgun-js 0.22 (no types of its own): only what these tests call. */
type MailgunJs = (opts: { apiKey: string; domain: string; host: string; port: number; protocol: string }) => {
  messages(): { send(data: Record<string, unknown>): Promise<{ id: string; message: string }> };
};
/** nodemailer-mailgun-transport 2.x (no types of its own). */
type MailgunTransport = (opts: { auth: { api_key: string; domain: string }; url: string }) => Transport<{ id: string; message: string; messageId: string }>;

const require = createRequire(import.meta.url);
const mailgunJs = require('mailgun-js') as MailgunJs;
const mg = require('nodemailer-mailgun-transport') as MailgunTransport;

let mock: MailgunMock;
let receiver: Receiver;
let client: ReturnType<InstanceType<typeof Mailgun>['client']>;
/** The mock clock when the test started (reset does not rewind it). */
let t0: number;

beforeAll(async () => {
  receiver = await startReceiver();
  // Only the sending domain, with no webhooks: nothing here posts anywhere but the local receiver.
  mock = await startMailgunMock({ clock: createClock({ frozenAt: FROZEN }), fixtures: { domains: [{ name: DOMAIN }] } });
  client = new Mailgun(FormData).client({ username: 'api', key: 'key-test', url: mock.url });
});
afterAll(async () => {
  await mock.stop();
  await receiver.close();
});
beforeEach(async () => {
  await mock.advanceClock(0); // lets posts still in flight land before they are forgotten
  await mock.reset();
  receiver.posts.length = 0;
  t0 = mock.clock.now();
});


const message = (extra: Partial<MailgunMessageData> = {}): MailgunMessageData =>
  ({ from: 'Bob <bob@samples.mailgun.org>', to: 'alice@example.com', subject: 'Hello', text: 'Hi there', ...extra }) as MailgunMessageData;
const bareId = (id: string | undefined) => id!.replace(/^<|>$/g, '');
const seconds = (ms: number) => Math.floor(ms / 1000);
const byRecipient = (events: EventData[]) => {
  const out: Record<string, string[]> = {};
  for (const e of events) (out[String(e.recipient)] ??= []).push(e.event);
  return out;
};

/** Some bytes that are not text: every byte value, twice, and a PNG signature. */
const BINARY = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), BINARY.subarray(0, 100)]);
const PDF = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n', 'latin1');

describe('mailgun.js messages.create', () => {
  it('sends text and html to To, Cc and Bcc: stored as sent, accepted and delivered for each recipient', async () => {
    const res = await client.messages.create(DOMAIN, message({
      to: ['Alice <alice@example.com>', 'bob@example.com'],
      cc: 'carol@example.com',
      bcc: 'dave@example.com',
      html: '<p>Hi there</p>',
    }));
    expect(res).toEqual({ status: 200, id: expect.stringMatching(/^<.+@samples\.mailgun\.org>$/), message: 'Queued. Thank you.' });

    const stored = mock.messages.latest()!;
    expect(stored).toMatchObject({
      id: bareId(res.id),
      api: 'messages',
      from: 'Bob <bob@samples.mailgun.org>',
      to: ['Alice <alice@example.com>', 'bob@example.com'],
      cc: ['carol@example.com'],
      bcc: ['dave@example.com'],
      recipients: ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com'],
      subject: 'Hello',
      text: 'Hi there',
      html: '<p>Hi there</p>',
    });
    expect(byRecipient(mock.events.list({ messageId: res.id }))).toEqual({
      'alice@example.com': ['accepted', 'delivered'],
      'bob@example.com': ['accepted', 'delivered'],
      'carol@example.com': ['accepted', 'delivered'],
      'dave@example.com': ['accepted', 'delivered'],
    });
    const accepted = mock.events.list({ event: 'accepted', recipient: 'dave@example.com' })[0]!;
    // Bcc is an envelope recipient, not a header.
    expect(accepted.message).toMatchObject({ headers: { to: 'Alice <alice@example.com>, bob@example.com', subject: 'Hello' } });
  });

  it('keeps the first 3 of 4 o:tag values, on the message and its events', async () => {
    const res = await client.messages.create(DOMAIN, message({ 'o:tag': ['one', 'two', 'three', 'four'] }));
    expect(mock.messages.get(res.id!)!.tags).toEqual(['one', 'two', 'three']);
    for (const e of mock.events.list({ messageId: res.id })) expect(e.tags).toEqual(['one', 'two', 'three']);
  });

  it('o:testmode: accepted and "delivered" with flags.is-test-mode true', async () => {
    const test = await client.messages.create(DOMAIN, message({ 'o:testmode': true }));
    const normal = await client.messages.create(DOMAIN, message());
    expect(mock.messages.get(test.id!)!.testMode).toBe(true);
    expect(mock.events.list({ messageId: test.id }).map((e) => [e.event, (e.flags as Record<string, boolean>)['is-test-mode']])).toEqual([
      ['accepted', true],
      ['delivered', true],
    ]);
    expect(mock.events.list({ messageId: normal.id }).every((e) => (e.flags as Record<string, boolean>)['is-test-mode'] === false)).toBe(true);
  });

  it('h: headers are stored with the message; v: variables come back as user-variables in every event', async () => {
    const res = await client.messages.create(DOMAIN, message({
      'h:X-Campaign-Id': 'spring-2026',
      'h:Reply-To': 'help@samples.mailgun.org',
      'v:user-id': '42',
      'v:order': JSON.stringify({ id: 7, total: 9.5 }),
    }));
    expect(mock.messages.get(res.id!)!.headers).toEqual({ 'X-Campaign-Id': 'spring-2026', 'Reply-To': 'help@samples.mailgun.org' });
    const events = mock.events.list({ messageId: res.id });
    expect(events).toHaveLength(2);
    // A JSON-looking v: value stays the string it was sent as.
    for (const e of events) expect(e['user-variables']).toEqual({ 'user-id': '42', order: '{"id":7,"total":9.5}' });
  });

  it('recipient-variables: one event stream per recipient, with %recipient.x% filled in', async () => {
    const res = await client.messages.create(DOMAIN, message({
      to: ['alice@example.com', 'bob@example.com'],
      text: 'Hi %recipient.first%',
      'recipient-variables': JSON.stringify({ 'alice@example.com': { first: 'Alice', id: 1 }, 'bob@example.com': { first: 'Bob', id: 2 } }),
      'v:customer-id': '%recipient.id%',
    }));
    const events = mock.events.list({ messageId: res.id });
    expect(byRecipient(events)).toEqual({ 'alice@example.com': ['accepted', 'delivered'], 'bob@example.com': ['accepted', 'delivered'] });
    for (const e of events) {
      expect(e['user-variables']).toEqual({ 'customer-id': e.recipient === 'alice@example.com' ? '1' : '2' });
      expect((e.envelope as Record<string, string>).targets).toBe(e.recipient);
    }
    expect(mock.messages.get(res.id!)!.recipientVariables).toEqual({ 'alice@example.com': { first: 'Alice', id: 1 }, 'bob@example.com': { first: 'Bob', id: 2 } });
  });

  it('attachments and inline files (Buffers with a filename) are stored byte for byte', async () => {
    const res = await client.messages.create(DOMAIN, message({
      html: '<img src="cid:logo.png">',
      attachment: [
        { data: PDF, filename: 'report.pdf', contentType: 'application/pdf' },
        { data: BINARY, filename: 'data.bin' },
      ],
      inline: { data: PNG, filename: 'logo.png', contentType: 'image/png' },
    }));
    const stored = mock.messages.latest()!;
    expect(stored.id).toBe(bareId(res.id));
    expect(stored.attachments.map(({ content: _c, ...meta }) => meta)).toEqual([
      { field: 'attachment', filename: 'report.pdf', contentType: 'application/pdf', size: PDF.length },
      { field: 'attachment', filename: 'data.bin', contentType: 'application/octet-stream', size: BINARY.length },
      { field: 'inline', filename: 'logo.png', contentType: 'image/png', size: PNG.length },
    ]);
    for (const [i, bytes] of [PDF, BINARY, PNG].entries()) {
      expect(Buffer.from(stored.attachments[i]!.content, 'base64').equals(bytes)).toBe(true);
      const file = await fetch(`${mock.url}/__mock/messages/${encodeURIComponent(stored.id)}/attachments/${i}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe(stored.attachments[i]!.contentType);
      expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
    }
    // Events list the attachments, not the inline parts.
    const accepted = mock.events.list({ event: 'accepted' })[0]!;
    expect((accepted.message as { attachments: unknown[] }).attachments).toEqual([
      { filename: 'report.pdf', 'content-type': 'application/pdf', size: PDF.length },
      { filename: 'data.bin', 'content-type': 'application/octet-stream', size: BINARY.length },
    ]);
  });

  it('o:deliverytime in the future: accepted now, delivered only once the clock passes it', async () => {
    const due = t0 + 2 * HOUR;
    const res = await client.messages.create(DOMAIN, message({ 'o:deliverytime': new Date(due).toUTCString() }));
    expect(mock.messages.get(res.id!)!.deliveryTime).toBe(due);
    const accepted = mock.events.list({ messageId: res.id });
    expect(accepted.map((e) => e.event)).toEqual(['accepted']);
    expect(Math.floor(accepted[0]!.timestamp)).toBe(seconds(t0));
    expect((accepted[0]!.message as Record<string, unknown>)['scheduled-for']).toBe(seconds(due));

    await mock.advanceClock(2 * HOUR - 1000);
    expect(mock.events.list({ event: 'delivered' })).toEqual([]);
    await mock.advanceClock(1000);
    const delivered = mock.events.list({ event: 'delivered' });
    expect(delivered).toHaveLength(1);
    expect(Math.floor(delivered[0]!.timestamp)).toBe(seconds(due));
    expect((delivered[0]!.message as Record<string, unknown>)['scheduled-for']).toBe(seconds(due));
  });
});

describe('mailgun.js messages.create with a MIME message (→ /messages.mime)', () => {
  const mime = [
    'From: Bob <bob@samples.mailgun.org>',
    'To: Alice <alice@example.com>',
    'Subject: Straight from MIME',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello from a raw message.',
    '',
  ].join('\r\n');

  it.each([
    ['a Buffer', Buffer.from(mime)],
    ['a string', mime],
  ])('accepts the message as %s', async (_what, body) => {
    const res = await client.messages.create(DOMAIN, { to: 'alice@example.com', message: body });
    expect(res).toMatchObject({ status: 200, message: 'Queued. Thank you.' });
    const stored = mock.messages.get(res.id!)!;
    expect(stored).toMatchObject({ api: 'messages.mime', from: 'Bob <bob@samples.mailgun.org>', subject: 'Straight from MIME', recipients: ['alice@example.com'] });
    expect(stored.text).toContain('Hello from a raw message.');
    expect(Buffer.from(stored.mime!, 'base64').toString('utf8')).toBe(mime);
    expect(mock.events.list({ messageId: res.id }).map((e) => e.event)).toEqual(['accepted', 'delivered']);
  });
});

describe('mailgun.js events.get (the Events API)', () => {
  beforeEach(() => {
    // mailgun.js warns on every call that events.get is deprecated in favour of logs.list.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    return () => vi.restoreAllMocks();
  });

  async function sendMany(n: number) {
    for (let i = 0; i < n; i++) await client.messages.create(DOMAIN, message({ to: ['alice@example.com', 'bob@example.com'], subject: `Message ${i}` }));
  }

  it('pages through 100 events 30 at a time with the returned page tokens, each event seen once', async () => {
    await sendMany(25);
    const all = mock.events.list({ domain: DOMAIN });
    expect(all).toHaveLength(100);

    let page = await client.events.get(DOMAIN, { limit: 30 });
    // Newest first when no range is given.
    expect(page.items[0]!.id).toBe(all.at(-1)!.id);
    const pageUrl = new RegExp(`^${mock.url.replace(/\./g, '\\.')}/v3/${DOMAIN.replace(/\./g, '\\.')}/events/[A-Za-z0-9_-]+$`);
    for (const link of ['first', 'last', 'next', 'previous'] as const) expect(page.pages[link].url).toMatch(pageUrl);

    const seen: string[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < 20 && page.items.length > 0; i++) {
      seen.push(...page.items.map((e) => e.id));
      sizes.push(page.items.length);
      page = await client.events.get(DOMAIN, { page: page.pages.next.page });
    }
    expect(page.items).toEqual([]);
    expect(sizes).toEqual([30, 30, 30, 10]);
    expect(new Set(seen).size).toBe(100);
    expect([...seen].sort()).toEqual(all.map((e) => e.id).sort());
  });

  it('filters by event and recipient', async () => {
    await sendMany(5);
    const delivered = await client.events.get(DOMAIN, { event: 'delivered' });
    expect(delivered.items).toHaveLength(10);
    expect(delivered.items.every((e) => e.event === 'delivered')).toBe(true);

    const bobs = await client.events.get(DOMAIN, { recipient: 'bob@example.com' });
    expect(bobs.items).toHaveLength(10);
    expect(bobs.items.every((e) => e.recipient === 'bob@example.com')).toBe(true);

    const both = await client.events.get(DOMAIN, { event: 'accepted', recipient: 'alice@example.com' });
    expect(both.items.map((e) => [e.event, e.recipient])).toEqual(Array.from({ length: 5 }, () => ['accepted', 'alice@example.com']));
  });

  it('begin, end and ascending pick a time range and a direction', async () => {
    await sendMany(3); // 12 events at t0
    await mock.advanceClock(HOUR);
    await sendMany(2); // 8 events an hour later
    const ts = (items: Array<{ timestamp: number }>) => items.map((e) => e.timestamp);

    const later = await client.events.get(DOMAIN, { begin: String(seconds(t0 + 30 * MIN)), ascending: 'yes' });
    expect(later.items).toHaveLength(8);
    expect(later.items.every((e) => e.timestamp >= seconds(t0 + HOUR))).toBe(true);
    expect(ts(later.items)).toEqual([...ts(later.items)].sort((a, b) => a - b));

    // RFC 2822 dates work too; end after begin lists oldest first, end excluded.
    const earlier = await client.events.get(DOMAIN, { begin: new Date(t0).toUTCString(), end: new Date(t0 + 30 * MIN).toUTCString() });
    expect(earlier.items).toHaveLength(12);
    expect(earlier.items.every((e) => e.timestamp < seconds(t0 + 30 * MIN))).toBe(true);

    const backwards = await client.events.get(DOMAIN, { begin: String(seconds(t0 + 2 * HOUR)), end: String(seconds(t0) - 1) });
    expect(backwards.items).toHaveLength(20);
    expect(ts(backwards.items)).toEqual([...ts(backwards.items)].sort((a, b) => b - a));
  });
});

describe('mailgun.js errors', () => {
  const full = { from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'Hello', text: 'Hi there' };
  const without = (key: keyof typeof full) => Object.fromEntries(Object.entries(full).filter(([k]) => k !== key)) as unknown as MailgunMessageData;

  it.each([
    // missing    Mailgun's answer (400)
    ['from', "'from' parameter is missing"],
    ['to', "'to' parameter is missing"],
    ['subject', "'subject' parameter is missing"],
    ['text', "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified"],
  ] as const)('without %s: 400 %s', async (key, details) => {
    const err = await rejection(client.messages.create(DOMAIN, without(key)));
    expect(err).toMatchObject({ type: 'MailgunAPIError', status: 400, details });
    expect(mock.messages.list()).toEqual([]);
  });

  it('an unknown domain: 404 Domain not found: <domain>', async () => {
    const err = await rejection(client.messages.create('nope.example.com', message()));
    expect(err).toMatchObject({ status: 404, details: 'Domain not found: nope.example.com' });
  });
});

describe('nodemailer with nodemailer-mailgun-transport', () => {
  it('sends with attachments; the message is stored and its delivered webhook reaches the handler', async () => {
    await client.webhooks.create(DOMAIN, 'delivered', `${receiver.url}/delivered`, false);
    const transport = nodemailer.createTransport(mg({ auth: { api_key: 'key-test', domain: DOMAIN }, url: mock.url }));
    const info = await transport.sendMail({
      from: 'Shop <shop@samples.mailgun.org>',
      to: 'alice@example.com',
      subject: 'Your receipt',
      text: 'Thanks for your order.',
      html: '<p>Thanks for your order.</p><img src="cid:logo@shop">',
      attachments: [
        { filename: 'receipt.pdf', content: PDF, contentType: 'application/pdf' },
        { filename: 'notes.txt', content: 'plain notes' },
        { filename: 'logo.png', content: PNG, cid: 'logo@shop' },
      ],
    });
    expect(info).toMatchObject({ id: expect.stringMatching(/^<.+>$/), message: 'Queued. Thank you.' });

    const stored = mock.messages.get(info.id)!;
    expect(stored).toMatchObject({ from: 'Shop <shop@samples.mailgun.org>', to: ['alice@example.com'], subject: 'Your receipt', text: 'Thanks for your order.' });
    // The transport names an inline part after its cid.
    expect(stored.attachments.map((a) => [a.field, a.filename, a.size])).toEqual([
      ['attachment', 'receipt.pdf', PDF.length],
      ['attachment', 'notes.txt', 'plain notes'.length],
      ['inline', 'logo@shop', PNG.length],
    ]);
    expect(Buffer.from(stored.attachments[0]!.content, 'base64').equals(PDF)).toBe(true);
    expect(Buffer.from(stored.attachments[2]!.content, 'base64').equals(PNG)).toBe(true);

    const [post] = await receiver.waitFor(1, '/delivered');
    expect(isSignedBy(post!, mock.signingKey)).toBe(true);
    const data = post!.json!['event-data'] as { event: string; message: { headers: Record<string, string> } };
    expect(data.event).toBe('delivered');
    expect(data.message.headers['message-id']).toBe(bareId(info.id));
  });
});

describe('mailgun-js 0.22 (deprecated)', () => {
  it('messages().send works against the mock and answers with id and message', async () => {
    const old = mailgunJs({ apiKey: 'key-test', domain: DOMAIN, host: '127.0.0.1', port: mock.port, protocol: 'http:' });
    const res = await old.messages().send({ from: 'Bob <bob@samples.mailgun.org>', to: 'alice@example.com', subject: 'From the old SDK', text: 'Still works' });
    expect(res).toEqual({ id: expect.stringMatching(/^<.+@samples\.mailgun\.org>$/), message: 'Queued. Thank you.' });
    expect(mock.messages.get(res.id)).toMatchObject({ subject: 'From the old SDK', text: 'Still works', recipients: ['alice@example.com'] });
    expect(mock.events.list({ messageId: res.id }).map((e) => e.event)).toEqual(['accepted', 'delivered']);
  });
});

// What a webhook POST carries (reference §2, §3.2, §4): the current JSON envelope, the legacy form
// posts read back with the standard library, and which names one event fires. Signatures are
// checked with an HMAC written here, not with the module under test.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LEGACY_WEBHOOK_NAMES, type LegacyWebhookName } from '../../src/lib/webhook-names.js';
import type { EventData, MessageRecord } from '../../src/store/types.js';
import { buildEventData, type EventSpec } from '../../src/webhooks/event-data.js';
import { currentWebhookBody, legacyWebhookBody, webhookNamesFor, type WebhookBody } from '../../src/webhooks/payloads.js';
import type { WebhookSignature } from '../../src/webhooks/signing.js';
import { buildTestEvent } from '../../src/webhooks/test-event.js';

const KEY = 'key-55c5c5c5c55f55ca5cd5f55d5c555c55';
const NOW_MS = Date.UTC(2016, 3, 21, 17, 55, 30);

/** Mailgun's algorithm, written out independently: hex HMAC-SHA256 of timestamp + token. */
function hmac(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
}

/** A signature made with the independent HMAC. */
function sign(timestamp = String(Math.floor(NOW_MS / 1000)), token = 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0'): WebhookSignature {
  return { timestamp, token, signature: hmac(KEY, timestamp, token) };
}

function message(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: '20160421175529.19495.89030.B3AE3728@samples.mailgun.org',
    domain: 'samples.mailgun.org',
    storageKey: 'key1',
    apiBase: 'http://127.0.0.1:8465',
    api: 'messages',
    acceptedAt: NOW_MS - 1000,
    from: 'Bob <bob@samples.mailgun.org>',
    to: ['Alice <alice@example.com>'],
    cc: [],
    bcc: [],
    recipients: ['alice@example.com'],
    subject: 'Webhook testing',
    text: 'Hi',
    html: '<p>Hi</p>',
    headers: { 'Reply-To': 'help@samples.mailgun.org' },
    variables: { 'order-id': '42' },
    recipientVariables: {},
    options: {},
    tags: ['tag1', 'tag2'],
    testMode: false,
    tracking: {},
    attachments: [],
    size: 111,
    ...overrides,
  };
}

function eventOf(spec: EventSpec, msg = message()): EventData {
  return buildEventData(spec, { message: msg, recipient: 'alice@example.com', nowMs: NOW_MS, storageBaseUrl: 'http://127.0.0.1:8465', accountId: '0123456789abcdef01234567', micros: 1 });
}

const SPEC_FOR: Record<LegacyWebhookName, EventSpec> = {
  deliver: { event: 'delivered' },
  drop: { event: 'failed', severity: 'permanent', reason: 'suppress-bounce', code: 605 },
  bounce: { event: 'failed', severity: 'permanent', reason: 'bounce', code: 550, message: '550 5.1.1 The email account that you tried to reach does not exist', description: 'mailbox unknown' },
  spam: { event: 'complained' },
  unsubscribe: { event: 'unsubscribed' },
  click: { event: 'clicked', url: 'https://example.com/offer' },
  open: { event: 'opened' },
};

/** Reads a legacy body back as its receiver would: URLSearchParams or the standard multipart parser. */
async function readForm({ contentType, body }: WebhookBody): Promise<URLSearchParams | FormData> {
  if (contentType === 'application/x-www-form-urlencoded') return new URLSearchParams(String(body));
  return new Response(body, { headers: { 'content-type': contentType } }).formData();
}

async function legacy(name: LegacyWebhookName, msg = message(), spec = SPEC_FOR[name]): Promise<{ raw: WebhookBody; form: URLSearchParams | FormData }> {
  const raw = await legacyWebhookBody(name, eventOf(spec, msg), msg, sign());
  return { raw, form: await readForm(raw) };
}

describe('currentWebhookBody', () => {
  it('posts JSON {signature, event-data} that verifies with the signing key', () => {
    const data = eventOf({ event: 'delivered' });
    const { contentType, body } = currentWebhookBody(data, sign());
    expect(contentType).toBe('application/json');
    const parsed = JSON.parse(String(body)) as { signature: WebhookSignature; 'event-data': EventData };
    expect(Object.keys(parsed)).toEqual(['signature', 'event-data']);
    expect(parsed['event-data']).toEqual(data);
    expect(parsed.signature.timestamp).toBe('1461261330');
    expect(parsed.signature.signature).toBe(hmac(KEY, parsed.signature.timestamp, parsed.signature.token));
  });
});

describe('legacyWebhookBody: transport', () => {
  it.each<[LegacyWebhookName, string, string]>([
    ['deliver', 'application/x-www-form-urlencoded', 'delivered'],
    ['open', 'application/x-www-form-urlencoded', 'opened'],
    ['click', 'application/x-www-form-urlencoded', 'clicked'],
    ['unsubscribe', 'application/x-www-form-urlencoded', 'unsubscribed'],
    ['drop', 'multipart/form-data', 'dropped'],
    ['bounce', 'multipart/form-data', 'bounced'],
    ['spam', 'multipart/form-data', 'complained'],
  ])('posts %s as %s with event=%s', async (name, type, event) => {
    const { raw, form } = await legacy(name);
    expect(raw.contentType.split(';')[0]).toBe(type);
    if (type === 'multipart/form-data') expect(raw.contentType).toMatch(/; boundary=/);
    expect(form.getAll('event')).toEqual([event]);
    expect(form.get('recipient')).toBe('alice@example.com');
    expect(form.get('domain')).toBe('samples.mailgun.org');
  });

  it.each([...LEGACY_WEBHOOK_NAMES])('signs %s in top-level timestamp, token and signature fields', async (name) => {
    const { form } = await legacy(name);
    const [timestamp, token, signature] = ['timestamp', 'token', 'signature'].map((f) => String(form.get(f)));
    expect(timestamp).toBe('1461261330');
    expect(token).toHaveLength(50);
    expect(signature).toBe(hmac(KEY, timestamp!, token!));
  });

  it.each([...LEGACY_WEBHOOK_NAMES])('posts the custom variables of %s as top-level fields', async (name) => {
    const { form } = await legacy(name);
    expect(form.get('order-id')).toBe('42');
  });
});

describe('legacyWebhookBody: fields per name', () => {
  it('posts deliver with Message-Id in angle brackets, X-Mailgun-Sid and one X-Mailgun-Tag per tag', async () => {
    const { form } = await legacy('deliver');
    expect(form.get('Message-Id')).toBe('<20160421175529.19495.89030.B3AE3728@samples.mailgun.org>');
    expect(form.getAll('X-Mailgun-Tag')).toEqual(['tag1', 'tag2']);
    expect(form.has('tag')).toBe(false);
    const sid = JSON.parse(Buffer.from(String(form.get('X-Mailgun-Sid')), 'base64').toString()) as unknown[];
    expect(sid).toHaveLength(3);
    expect(sid[1]).toBe('alice@example.com');
  });

  it('posts message-headers as a JSON list of [name, value] pairs built from the message', async () => {
    const { form } = await legacy('deliver');
    const pairs = JSON.parse(String(form.get('message-headers'))) as Array<[string, unknown]>;
    const names = pairs.map(([name]) => name);
    expect(names).toEqual(['Date', 'X-Mailgun-Sid', 'Received', 'Message-Id', 'To', 'From', 'Subject', 'Mime-Version', 'Content-Type', 'Reply-To', 'X-Mailgun-Variables']);
    const header = (name: string): unknown => pairs.find(([n]) => n === name)?.[1];
    expect(header('Date')).toBe('Thu, 21 Apr 2016 17:55:29 +0000');
    expect(header('Message-Id')).toBe('<20160421175529.19495.89030.B3AE3728@samples.mailgun.org>');
    expect(header('To')).toBe('Alice <alice@example.com>');
    expect(header('From')).toBe('Bob <bob@samples.mailgun.org>');
    expect(header('Subject')).toBe('Webhook testing');
    expect(header('Mime-Version')).toBe('1.0');
    expect(header('Content-Type')).toEqual(['multipart/alternative', { boundary: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown }]);
    expect(header('Reply-To')).toBe('help@samples.mailgun.org');
    expect(JSON.parse(String(header('X-Mailgun-Variables')))).toEqual({ 'order-id': '42' });
  });

  it('describes a text-only message as text/plain and one with attachments as multipart/mixed', async () => {
    const textOnly = message({ html: undefined });
    const { form: a } = await legacy('deliver', textOnly);
    expect((JSON.parse(String(a.get('message-headers'))) as Array<[string, unknown]>).find(([n]) => n === 'Content-Type')?.[1]).toEqual(['text/plain', { charset: 'utf-8' }]);
    const withFile = message({ attachments: [{ field: 'attachment', filename: 'a.txt', contentType: 'text/plain', size: 1, content: 'YQ==' }] });
    const { form: b } = await legacy('deliver', withFile);
    expect((JSON.parse(String(b.get('message-headers'))) as Array<[string, unknown]>).find(([n]) => n === 'Content-Type')?.[1]).toMatchObject(['multipart/mixed', {}]);
  });

  it('posts a suppressed send as a drop with reason hardfail, code and description', async () => {
    const { form } = await legacy('drop');
    expect(form.get('reason')).toBe('hardfail');
    expect(form.get('code')).toBe('605');
    expect(form.get('description')).toBe('Not delivering to previously bounced address');
    expect(form.get('Message-Id')).toBe('<20160421175529.19495.89030.B3AE3728@samples.mailgun.org>');
    expect(form.getAll('X-Mailgun-Tag')).toEqual(['tag1', 'tag2']);
    expect(form.has('message-headers')).toBe(true);
  });

  it('posts a send Mailgun gave up on as a drop with reason old', async () => {
    const { form } = await legacy('drop', message(), { event: 'failed', severity: 'permanent', reason: 'old', code: 499, description: 'Unable to connect to MX servers: [example.com]' });
    expect(form.get('reason')).toBe('old');
    expect(form.get('code')).toBe('499');
    expect(form.get('description')).toBe('Unable to connect to MX servers: [example.com]');
  });

  it('posts a bounce with the SMTP code, the error and the notification', async () => {
    const { form } = await legacy('bounce');
    expect(form.get('code')).toBe('550');
    expect(form.get('error')).toBe('550 5.1.1 The email account that you tried to reach does not exist');
    expect(form.get('notification')).toBe('mailbox unknown');
    expect(form.has('message-headers')).toBe(true);
  });

  it('posts a complaint with message-headers and one tag field per tag', async () => {
    const { form } = await legacy('spam');
    expect(form.getAll('tag')).toEqual(['tag1', 'tag2']);
    expect(form.has('message-headers')).toBe(true);
  });

  it.each<LegacyWebhookName>(['open', 'click', 'unsubscribe'])('posts %s with the client fields, one tag field per tag and a bare message-id', async (name) => {
    const { form } = await legacy(name);
    expect(Object.fromEntries(['ip', 'country', 'region', 'city', 'device-type', 'client-type', 'client-name', 'client-os'].map((f) => [f, form.get(f)]))).toEqual({
      ip: '50.56.129.169',
      country: 'US',
      region: 'CA',
      city: 'San Francisco',
      'device-type': 'desktop',
      'client-type': 'browser',
      'client-name': 'Chrome',
      'client-os': 'Linux',
    });
    expect(form.get('user-agent')).toMatch(/Chrome/);
    expect(form.getAll('tag')).toEqual(['tag1', 'tag2']);
    expect(form.get('message-id')).toBe('20160421175529.19495.89030.B3AE3728@samples.mailgun.org');
    expect(form.has('message-headers')).toBe(false);
  });

  it('posts the clicked url on click only', async () => {
    expect((await legacy('click')).form.get('url')).toBe('https://example.com/offer');
    expect((await legacy('open')).form.has('url')).toBe(false);
  });

  it("keeps both values when a variable's name collides: Mailgun's last for the signature fields, first otherwise", async () => {
    const msg = message({ variables: { token: 'mine', timestamp: 'then', signature: 'forged', event: 'custom', recipient: 'someone', 'message-headers': 'nope' } });
    const { form } = await legacy('click', msg);
    const token = form.getAll('token');
    expect(token).toHaveLength(2);
    expect(token[0]).toBe('mine');
    expect(form.getAll('timestamp')).toEqual(['then', '1461261330']);
    expect(form.getAll('signature')[0]).toBe('forged');
    expect(form.getAll('signature')[1]).toBe(hmac(KEY, '1461261330', String(token[1])));
    expect(form.getAll('event')).toEqual(['clicked', 'custom']);
    expect(form.getAll('recipient')).toEqual(['alice@example.com', 'someone']);
    expect(form.has('message-headers')).toBe(false);
  });

  it('never lets a variable shadow message-headers', async () => {
    const msg = message({ variables: { 'message-headers': 'nope' } });
    const { form } = await legacy('deliver', msg);
    expect(form.getAll('message-headers')).toHaveLength(1);
    expect(String(form.get('message-headers'))).toMatch(/^\[\["Date"/);
  });

  it('posts variable values that are JSON objects (from h:X-Mailgun-Variables) as JSON strings', async () => {
    const msg = message({ headers: { 'X-Mailgun-Variables': '{"cart":{"items":2}}' }, variables: {} });
    const { form } = await legacy('open', msg);
    expect(form.get('cart')).toBe('{"items":2}');
  });
});

describe('webhookNamesFor', () => {
  it.each<[string, EventSpec, string[]]>([
    ['accepted', { event: 'accepted' }, ['accepted']],
    ['delivered', { event: 'delivered' }, ['delivered', 'deliver']],
    ['a hard bounce', { event: 'failed', severity: 'permanent', reason: 'bounce', code: 550 }, ['permanent_fail', 'bounce']],
    ['a generic permanent failure', { event: 'failed', severity: 'permanent', reason: 'generic', code: 554 }, ['permanent_fail', 'bounce']],
    ['suppress-bounce', { event: 'failed', severity: 'permanent', reason: 'suppress-bounce', code: 605 }, ['permanent_fail', 'drop']],
    ['suppress-unsubscribe', { event: 'failed', severity: 'permanent', reason: 'suppress-unsubscribe', code: 606 }, ['permanent_fail', 'drop']],
    ['suppress-complaint', { event: 'failed', severity: 'permanent', reason: 'suppress-complaint', code: 607 }, ['permanent_fail', 'drop']],
    ['old', { event: 'failed', severity: 'permanent', reason: 'old', code: 499 }, ['permanent_fail', 'drop']],
    ['a temporary failure', { event: 'failed', severity: 'temporary', reason: 'generic', code: 452 }, ['temporary_fail']],
    ['opened', { event: 'opened' }, ['opened', 'open']],
    ['clicked', { event: 'clicked', url: 'https://x.example/' }, ['clicked', 'click']],
    ['unsubscribed', { event: 'unsubscribed' }, ['unsubscribed', 'unsubscribe']],
    ['complained', { event: 'complained' }, ['complained', 'spam']],
  ])('fires %s at %j', (_label, spec, names) => {
    expect(webhookNamesFor(eventOf(spec))).toEqual(names);
  });

  it('fires nothing for events that have no webhook', () => {
    expect(webhookNamesFor({ event: 'rejected', id: 'x', timestamp: 1, 'log-level': 'warn' })).toEqual([]);
  });
});

describe('buildTestEvent (PUT …/webhooks/{name}/test)', () => {
  it("posts Mailgun's canned test values for a current name: Bob to Alice, my_tag_1/my_tag_2, my_var_1/my-var-2", async () => {
    const { contentType, body } = await buildTestEvent('delivered', 'samples.mailgun.org', KEY, NOW_MS);
    expect(contentType).toBe('application/json');
    const { signature, 'event-data': data } = JSON.parse(String(body)) as { signature: WebhookSignature; 'event-data': EventData };
    expect(signature.signature).toBe(hmac(KEY, signature.timestamp, signature.token));
    expect(data).toMatchObject({
      event: 'delivered',
      recipient: 'alice@example.com',
      tags: ['my_tag_1', 'my_tag_2'],
      'user-variables': { my_var_1: 'Mailgun Variable #1', 'my-var-2': 'awesome' },
      message: { headers: { to: 'Alice <alice@example.com>', from: 'Bob <bob@samples.mailgun.org>', subject: 'Test delivered webhook' } },
      envelope: { 'sending-ip': '209.61.154.250' },
      storage: { key: 'message_key', url: 'https://se.api.mailgun.net/v3/domains/samples.mailgun.org/messages/message_key' },
    });
    expect(Math.floor(data.timestamp)).toBe(NOW_MS / 1000);
  });

  it.each<[string, Record<string, unknown>]>([
    ['permanent_fail', { event: 'failed', severity: 'permanent', reason: 'bounce', 'delivery-status': { code: 550, message: 'No Such User Here' } }],
    ['temporary_fail', { event: 'failed', severity: 'temporary', reason: 'generic', 'delivery-status': { code: 452, 'retry-seconds': 600 } }],
    ['clicked', { event: 'clicked', url: 'https://example.com/', ip: '50.56.129.169' }],
    ['complained', { event: 'complained', 'log-level': 'warn' }],
  ])('posts a %s test event', async (name, expected) => {
    const { body } = await buildTestEvent(name, 'samples.mailgun.org', KEY, NOW_MS);
    expect((JSON.parse(String(body)) as { 'event-data': unknown })['event-data']).toMatchObject(expected);
  });

  it('posts legacy names as their forms: a signed multipart drop that parses back', async () => {
    const raw = await buildTestEvent('drop', 'samples.mailgun.org', KEY, NOW_MS);
    const form = await readForm(raw);
    expect(raw.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(form.get('event')).toBe('dropped');
    expect(form.get('code')).toBe('605');
    expect(form.get('my_var_1')).toBe('Mailgun Variable #1');
    expect(form.get('signature')).toBe(hmac(KEY, String(form.get('timestamp')), String(form.get('token'))));
  });

  it('refuses a name it has no test event for', async () => {
    await expect(buildTestEvent('constructor', 'samples.mailgun.org', KEY, NOW_MS)).rejects.toThrow(TypeError);
  });
});

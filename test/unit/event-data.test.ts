// The event-data of every event type (reference §3.3–§3.5, §8): fields, types, log-levels,
// failure shapes and user-variables, built from a stored message.
import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/store/types.js';
import { buildEventData, eventTimestamp, type EventContext, type EventSpec } from '../../src/webhooks/event-data.js';

const NOW_MS = 1529006854329;
const ACCOUNT_ID = '0123456789abcdef01234567';
const BASE_URL = 'http://127.0.0.1:8465';

/** A message as the messages service stores it. */
function message(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: '20180622182958.1.48906CB188F1A454@samples.mailgun.org',
    domain: 'samples.mailgun.org',
    storageKey: 'eyJwIjpmYWxzZSwiayI6IjEyMyJ9',
    apiBase: BASE_URL,
    api: 'messages',
    acceptedAt: NOW_MS - 1000,
    from: 'Bob <bob@samples.mailgun.org>',
    to: ['Alice <alice@example.com>', 'carol@gmail.com'],
    cc: [],
    bcc: [],
    recipients: ['alice@example.com', 'carol@gmail.com'],
    subject: 'Hello',
    text: 'Hi',
    headers: {},
    variables: {},
    recipientVariables: {},
    options: {},
    tags: ['welcome'],
    testMode: false,
    tracking: {},
    attachments: [],
    size: 586,
    ...overrides,
  };
}

/** The context of an event for alice, with a fixed id and microseconds. */
function ctx(overrides: Partial<EventContext> = {}): EventContext {
  return { message: message(), recipient: 'alice@example.com', nowMs: NOW_MS, storageBaseUrl: BASE_URL, accountId: ACCOUNT_ID, id: 'jxVuhYlhReaK3QsggHfFRA', micros: 574, ...overrides };
}

const PERMANENT_BOUNCE: EventSpec = { event: 'failed', severity: 'permanent', reason: 'bounce', code: 550, message: 'No Such User Here', enhancedCode: '5.1.1' };
const TEMPORARY: EventSpec = { event: 'failed', severity: 'temporary', reason: 'generic', code: 452, message: '4.2.2 Over quota', enhancedCode: '4.2.2' };

describe('every event carries the common fields', () => {
  it('timestamps events in epoch seconds with microsecond precision', () => {
    expect(buildEventData({ event: 'delivered' }, ctx()).timestamp).toBe(1529006854.329574);
    expect(eventTimestamp(NOW_MS, 0)).toBe(1529006854.329);
  });

  it('gives two events of the same millisecond different timestamps when their micros differ', () => {
    const a = buildEventData({ event: 'accepted' }, ctx({ micros: 1 }));
    const b = buildEventData({ event: 'delivered' }, ctx({ micros: 2 }));
    expect(b.timestamp).toBeGreaterThan(a.timestamp);
  });

  it('makes a 22-character URL-safe base64 id when none is given, and a different one each time', () => {
    const { id: _omit, ...noId } = ctx();
    const first = buildEventData({ event: 'opened' }, noId).id;
    const second = buildEventData({ event: 'opened' }, noId).id;
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second).not.toBe(first);
  });

  it.each<[string, EventSpec, string]>([
    ['accepted', { event: 'accepted' }, 'info'],
    ['delivered', { event: 'delivered' }, 'info'],
    ['opened', { event: 'opened' }, 'info'],
    ['clicked', { event: 'clicked', url: 'https://example.com/' }, 'info'],
    ['unsubscribed', { event: 'unsubscribed' }, 'info'],
    ['failed temporary', TEMPORARY, 'warn'],
    ['complained', { event: 'complained' }, 'warn'],
    ['failed permanent', PERMANENT_BOUNCE, 'error'],
  ])('logs %s at level %s', (_name, spec, level) => {
    const data = buildEventData(spec, ctx());
    expect(data['log-level']).toBe(level);
    expect(data.event).toBe(spec.event);
  });

  it.each<EventSpec>([{ event: 'accepted' }, { event: 'delivered' }, PERMANENT_BOUNCE, { event: 'opened' }, { event: 'clicked', url: 'https://x.example/' }, { event: 'unsubscribed' }, { event: 'complained' }])(
    'gives $event the recipient, tags, campaigns, user-variables, domain and account',
    (spec) => {
      const data = buildEventData(spec, ctx());
      expect(data).toMatchObject({ recipient: 'alice@example.com', tags: ['welcome'], campaigns: [], 'user-variables': {}, domain: { name: 'samples.mailgun.org' }, account: { id: ACCOUNT_ID } });
      expect(typeof data.id).toBe('string');
      expect(typeof data.timestamp).toBe('number');
    },
  );

  it('names the recipient domain and, for the big providers, the recipient provider', () => {
    expect(buildEventData({ event: 'delivered' }, ctx())).toMatchObject({ 'recipient-domain': 'example.com' });
    expect(buildEventData({ event: 'delivered' }, ctx())).not.toHaveProperty('recipient-provider');
    expect(buildEventData({ event: 'delivered' }, ctx({ recipient: 'carol@gmail.com' }))).toMatchObject({ 'recipient-domain': 'gmail.com', 'recipient-provider': 'Gmail' });
  });

  it('copies the tags, so changing an event never changes the message', () => {
    const msg = message();
    const data = buildEventData({ event: 'accepted' }, ctx({ message: msg }));
    (data.tags as string[]).push('x');
    expect(msg.tags).toEqual(['welcome']);
  });
});

describe('accepted, delivered and failed describe the message', () => {
  it('builds an accepted event as Mailgun does, with every recipient of the message', () => {
    const data = buildEventData({ event: 'accepted' }, ctx({ apiKeyId: '12345678-87654321' }));
    expect(data).toEqual({
      event: 'accepted',
      id: 'jxVuhYlhReaK3QsggHfFRA',
      timestamp: 1529006854.329574,
      'log-level': 'info',
      'api-key-id': '12345678-87654321',
      method: 'HTTP',
      envelope: { sender: 'bob@samples.mailgun.org', targets: 'alice@example.com', transport: 'smtp' },
      flags: {
        'is-authenticated': true,
        'is-routed': false,
        'is-system-test': false,
        'is-test-mode': false,
        'is-big': false,
        'is-amp': false,
        'is-encrypted': false,
        'is-delayed-bounce': false,
      },
      message: {
        headers: { to: 'Alice <alice@example.com>, carol@gmail.com', 'message-id': '20180622182958.1.48906CB188F1A454@samples.mailgun.org', from: 'Bob <bob@samples.mailgun.org>', subject: 'Hello' },
        attachments: [],
        size: 586,
        recipients: ['alice@example.com', 'carol@gmail.com'],
      },
      storage: {
        url: `${BASE_URL}/v3/domains/samples.mailgun.org/messages/eyJwIjpmYWxzZSwiayI6IjEyMyJ9`,
        key: 'eyJwIjpmYWxzZSwiayI6IjEyMyJ9',
        region: 'us-east4',
        env: 'production',
      },
      recipient: 'alice@example.com',
      'recipient-domain': 'example.com',
      tags: ['welcome'],
      campaigns: [],
      'user-variables': {},
      domain: { name: 'samples.mailgun.org' },
      account: { id: ACCOUNT_ID },
    });
  });

  it('leaves api-key-id out when the key is unknown', () => {
    expect(buildEventData({ event: 'accepted' }, ctx())).not.toHaveProperty('api-key-id');
  });

  it('keeps the Message-Id without angle brackets', () => {
    const data = buildEventData({ event: 'delivered' }, ctx());
    expect((data.message as { headers: Record<string, string> }).headers['message-id']).not.toMatch(/[<>]/);
  });

  it('lists attachments (not inline images) with filename, content-type and size', () => {
    const attachments: MessageRecord['attachments'] = [
      { field: 'attachment', filename: 'report.pdf', contentType: 'application/pdf', size: 1234, content: '' },
      { field: 'inline', filename: 'logo.png', contentType: 'image/png', size: 99, content: '' },
    ];
    const data = buildEventData({ event: 'delivered' }, ctx({ message: message({ attachments }) }));
    expect((data.message as { attachments: unknown }).attachments).toEqual([{ filename: 'report.pdf', 'content-type': 'application/pdf', size: 1234 }]);
  });

  it('adds scheduled-for (epoch seconds) to a message sent with o:deliverytime', () => {
    const data = buildEventData({ event: 'accepted' }, ctx({ message: message({ deliveryTime: 1529100000000 }) }));
    expect(data.message).toMatchObject({ 'scheduled-for': 1529100000 });
  });

  it('flags test-mode and AMP messages', () => {
    const data = buildEventData({ event: 'delivered' }, ctx({ message: message({ testMode: true, ampHtml: '<html amp4email></html>' }) }));
    expect(data.flags).toMatchObject({ 'is-test-mode': true, 'is-amp': true });
  });

  it('builds a delivered event with the SMTP answer in delivery-status', () => {
    const data = buildEventData({ event: 'delivered', attemptNo: 2 }, ctx());
    expect(data).toMatchObject({ method: 'HTTP', envelope: { sender: 'bob@samples.mailgun.org', targets: 'alice@example.com', transport: 'smtp', 'sending-ip': '209.61.154.250' } });
    expect(data['delivery-status']).toEqual({
      tls: true,
      'mx-host': 'mx.example.com',
      code: 250,
      description: '',
      'session-seconds': 0.43,
      utf8: true,
      'attempt-no': 2,
      message: 'OK',
      'certificate-verified': true,
    });
    expect(data).not.toHaveProperty('severity');
    expect(data.message).not.toHaveProperty('recipients');
    expect(data.storage).toMatchObject({ key: 'eyJwIjpmYWxzZSwiayI6IjEyMyJ9' });
  });

  it('builds a temporary failure with severity, reason and retry-seconds', () => {
    const data = buildEventData({ ...TEMPORARY, attemptNo: 3, retrySeconds: 1800 } as EventSpec, ctx());
    expect(data).toMatchObject({ event: 'failed', severity: 'temporary', reason: 'generic', 'log-level': 'warn' });
    expect(data['delivery-status']).toEqual({
      'attempt-no': 3,
      message: '4.2.2 Over quota',
      code: 452,
      description: '',
      'enhanced-code': '4.2.2',
      'mx-host': 'mx.example.com',
      tls: true,
      utf8: true,
      'certificate-verified': true,
      'session-seconds': 0.43,
      'retry-seconds': 1800,
    });
  });

  it('gives a temporary failure 600 retry-seconds when none is given', () => {
    expect(buildEventData(TEMPORARY, ctx())['delivery-status']).toMatchObject({ 'retry-seconds': 600 });
  });

  it('builds a permanent bounce with the SMTP answer and no retry-seconds', () => {
    const data = buildEventData(PERMANENT_BOUNCE, ctx());
    expect(data).toMatchObject({ severity: 'permanent', reason: 'bounce', 'log-level': 'error' });
    expect(data['delivery-status']).toMatchObject({ code: 550, message: 'No Such User Here', 'enhanced-code': '5.1.1', description: '', 'attempt-no': 1 });
    expect(data['delivery-status']).not.toHaveProperty('retry-seconds');
  });

  it.each([
    ['suppress-bounce', 605, 'Not delivering to previously bounced address'],
    ['suppress-unsubscribe', 606, 'Not delivering to unsubscribed address'],
    ['suppress-complaint', 607, 'Not delivering to a user who marked your messages as spam'],
  ])('builds a %s failure as Mailgun refuses it: code %i, "%s", no SMTP session', (reason, code, description) => {
    const data = buildEventData({ event: 'failed', severity: 'permanent', reason, code }, ctx());
    expect(data).toMatchObject({ event: 'failed', severity: 'permanent', reason, 'log-level': 'error' });
    expect(data['delivery-status']).toEqual({ 'attempt-no': 1, message: '', code, description, 'session-seconds': 0 });
  });
});

describe('engagement events and complaints', () => {
  it.each<EventSpec>([{ event: 'opened' }, { event: 'clicked', url: 'https://example.com/offer' }, { event: 'unsubscribed' }])(
    'gives $event only the Message-Id of the message, plus ip, geolocation and client-info',
    (spec) => {
      const data = buildEventData(spec, ctx());
      expect(data.message).toEqual({ headers: { 'message-id': '20180622182958.1.48906CB188F1A454@samples.mailgun.org' } });
      expect(data).toMatchObject({
        ip: '50.56.129.169',
        geolocation: { country: 'US', region: 'CA', city: 'San Francisco' },
        'client-info': { 'client-type': 'browser', 'client-os': 'Linux', 'device-type': 'desktop', 'client-name': 'Chrome' },
        'recipient-domain': 'example.com',
      });
      expect(typeof (data['client-info'] as Record<string, unknown>)['user-agent']).toBe('string');
      for (const absent of ['envelope', 'storage', 'delivery-status', 'flags', 'method']) expect(data).not.toHaveProperty(absent);
    },
  );

  it('puts the clicked url on clicked events only', () => {
    expect(buildEventData({ event: 'clicked', url: 'https://example.com/offer' }, ctx()).url).toBe('https://example.com/offer');
    expect(buildEventData({ event: 'opened' }, ctx())).not.toHaveProperty('url');
  });

  it('builds a complaint without recipient-domain or delivery-status, with the full message headers', () => {
    const data = buildEventData({ event: 'complained' }, ctx());
    expect(data).toMatchObject({ 'log-level': 'warn', envelope: { 'sending-ip': '209.61.154.250' }, flags: { 'is-test-mode': false }, recipient: 'alice@example.com' });
    expect(data.message).toMatchObject({ headers: { subject: 'Hello', from: 'Bob <bob@samples.mailgun.org>' }, attachments: [], size: 586 });
    expect(data).not.toHaveProperty('recipient-domain');
    expect(data).not.toHaveProperty('delivery-status');
  });
});

describe('user-variables', () => {
  it('passes v: variables through as the strings they were sent as, JSON-looking ones included', () => {
    const data = buildEventData({ event: 'delivered' }, ctx({ message: message({ variables: { 'order-id': '42', meta: '{"a":1}' } }) }));
    expect(data['user-variables']).toEqual({ 'order-id': '42', meta: '{"a":1}' });
  });

  it("replaces %recipient.KEY% with that recipient's value", () => {
    const msg = message({
      variables: { 'user-id': '%recipient.id%', greeting: 'hi %recipient.name%, %recipient.name%', prefs: '%recipient.prefs%' },
      recipientVariables: { 'alice@example.com': { id: 7, name: 'Alice', prefs: { news: true } }, 'carol@gmail.com': { id: 8, name: 'Carol' } },
    });
    expect(buildEventData({ event: 'delivered' }, ctx({ message: msg }))['user-variables']).toEqual({ 'user-id': '7', greeting: 'hi Alice, Alice', prefs: '{"news":true}' });
    expect(buildEventData({ event: 'delivered' }, ctx({ message: msg, recipient: 'carol@gmail.com' }))['user-variables']).toMatchObject({ 'user-id': '8', greeting: 'hi Carol, Carol' });
  });

  it('leaves a placeholder the recipient has no value for as written', () => {
    const msg = message({ variables: { code: '%recipient.code%' }, recipientVariables: { 'carol@gmail.com': { code: 'C' } } });
    expect(buildEventData({ event: 'opened' }, ctx({ message: msg }))['user-variables']).toEqual({ code: '%recipient.code%' });
  });

  it('matches recipient-variables keys case-insensitively', () => {
    const msg = message({ variables: { id: '%recipient.id%' }, recipientVariables: { 'Alice@Example.com': { id: 'A1' } } });
    expect(buildEventData({ event: 'opened' }, ctx({ message: msg }))['user-variables']).toEqual({ id: 'A1' });
  });

  it('parses an h:X-Mailgun-Variables header, keeping nested values as JSON, and lets v: variables win', () => {
    const msg = message({ headers: { 'X-Mailgun-Variables': '{"hash_value":{"key":"value"},"id":"header"}' }, variables: { id: 'v' } });
    expect(buildEventData({ event: 'delivered' }, ctx({ message: msg }))['user-variables']).toEqual({ hash_value: { key: 'value' }, id: 'v' });
  });

  it('keeps a variable named __proto__ as plain data', () => {
    const data = buildEventData({ event: 'delivered' }, ctx({ message: message({ variables: JSON.parse('{"__proto__":"x"}') as Record<string, string> }) }));
    const vars = data['user-variables'] as Record<string, unknown>;
    expect(Object.keys(vars)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(vars)).toBe(Object.prototype);
    expect(JSON.stringify(vars)).toBe('{"__proto__":"x"}');
  });
});

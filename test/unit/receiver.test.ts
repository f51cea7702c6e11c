// Receiver-side helpers, used the way a webhook handler's unit tests would: build a signed payload,
// verify it, and see every refusal (wrong key, stale, replayed, malformed, tampered). Signatures
// are checked against an HMAC written here, not the module under test.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildLegacyWebhookForm, buildWebhookPayload, signPayload, verifyWebhook, type WebhookEventType } from '../../src/webhooks/receiver.js';

const KEY = 'key-my-signing-key';
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

/** Mailgun's algorithm, written out independently. */
function hmac(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', key).update(timestamp + token).digest('hex');
}

describe('buildWebhookPayload', () => {
  it('builds a signed {signature, event-data} body that an independent HMAC accepts', () => {
    const payload = buildWebhookPayload('delivered', { signingKey: KEY, timestamp: NOW_S });
    const { timestamp, token, signature } = payload.signature;
    expect(timestamp).toBe(String(NOW_S));
    expect(token).toMatch(/^[0-9a-f]{50}$/);
    expect(signature).toBe(hmac(KEY, timestamp, token));
    expect(payload['event-data']).toMatchObject({ event: 'delivered', 'log-level': 'info', recipient: 'alice@example.com', 'delivery-status': { code: 250, message: 'OK' } });
    expect(Math.floor(payload['event-data'].timestamp)).toBe(NOW_S);
  });

  it('uses the recipient, domain and message id it is given', () => {
    const data = buildWebhookPayload('opened', { signingKey: KEY, recipient: 'Bob@Example.org', domain: 'mg.example.com', messageId: '<abc.123@mg.example.com>' })['event-data'];
    expect(data).toMatchObject({ recipient: 'bob@example.org', 'recipient-domain': 'example.org', domain: { name: 'mg.example.com' }, message: { headers: { 'message-id': 'abc.123@mg.example.com' } } });
  });

  it('accepts a Date as the timestamp and a fixed token, so a replay can be built', () => {
    const payload = buildWebhookPayload('clicked', { signingKey: KEY, timestamp: new Date(NOW_MS), token: 't'.repeat(50), url: 'https://example.com/a' });
    expect(payload.signature.timestamp).toBe(String(NOW_S));
    expect(payload.signature.token).toBe('t'.repeat(50));
    expect(payload['event-data'].url).toBe('https://example.com/a');
  });

  it.each<[WebhookEventType, Record<string, unknown>]>([
    ['accepted', { event: 'accepted', 'log-level': 'info' }],
    ['opened', { event: 'opened', 'log-level': 'info' }],
    ['unsubscribed', { event: 'unsubscribed', 'log-level': 'info' }],
    ['complained', { event: 'complained', 'log-level': 'warn' }],
    ['permanent_fail', { event: 'failed', severity: 'permanent', reason: 'bounce', 'log-level': 'error', 'delivery-status': { code: 550 } }],
    ['temporary_fail', { event: 'failed', severity: 'temporary', reason: 'generic', 'log-level': 'warn', 'delivery-status': { code: 452, 'retry-seconds': 600 } }],
    ['failed', { event: 'failed', severity: 'permanent' }],
  ])('builds %s', (event, expected) => {
    expect(buildWebhookPayload(event, { signingKey: KEY })['event-data']).toMatchObject(expected);
  });

  it('builds failed events with the severity and reason asked for, suppressions with their Mailgun codes', () => {
    expect(buildWebhookPayload('failed', { signingKey: KEY, severity: 'temporary' })['event-data']).toMatchObject({ severity: 'temporary', 'log-level': 'warn' });
    expect(buildWebhookPayload('failed', { signingKey: KEY, reason: 'suppress-unsubscribe' })['event-data']).toMatchObject({
      reason: 'suppress-unsubscribe',
      'delivery-status': { code: 606, description: 'Not delivering to unsubscribed address' },
    });
    expect(buildWebhookPayload('permanent_fail', { signingKey: KEY, code: 554 })['event-data']).toMatchObject({ 'delivery-status': { code: 554 } });
  });

  it('uses the canned test values of Mailgun’s dashboard: Bob to Alice, my_tag_1/my_tag_2, my_var_1/my-var-2', () => {
    const data = buildWebhookPayload('permanent_fail', { signingKey: KEY, domain: 'mg.example.com' })['event-data'];
    expect(data).toMatchObject({
      tags: ['my_tag_1', 'my_tag_2'],
      'user-variables': { my_var_1: 'Mailgun Variable #1', 'my-var-2': 'awesome' },
      message: { headers: { from: 'Bob <bob@mg.example.com>', to: 'Alice <alice@example.com>', subject: 'Test permanent_fail webhook' } },
    });
  });

  it('merges eventData over the built object: objects deeply, arrays replaced, undefined removes', () => {
    const data = buildWebhookPayload('delivered', {
      signingKey: KEY,
      eventData: { tags: ['only'], 'user-variables': { 'order-id': '42' }, 'delivery-status': { 'attempt-no': 3 }, 'recipient-domain': undefined },
    })['event-data'];
    expect(data.tags).toEqual(['only']);
    expect(data['user-variables']).toEqual({ my_var_1: 'Mailgun Variable #1', 'my-var-2': 'awesome', 'order-id': '42' });
    expect(data['delivery-status']).toMatchObject({ 'attempt-no': 3, code: 250 });
    expect(data).not.toHaveProperty('recipient-domain');
  });

  it('refuses an unknown event type', () => {
    expect(() => buildWebhookPayload('bogus' as WebhookEventType, { signingKey: KEY })).toThrow(TypeError);
  });
});

describe('buildLegacyWebhookForm', () => {
  it('builds a url-encoded deliver form signed in its top-level fields', async () => {
    const { contentType, body } = await buildLegacyWebhookForm('deliver', { signingKey: KEY, timestamp: NOW_S });
    expect(contentType).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(String(body));
    expect(form.get('event')).toBe('delivered');
    expect(form.get('signature')).toBe(hmac(KEY, String(form.get('timestamp')), String(form.get('token'))));
    expect(verifyWebhook(form, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
  });

  it('builds a multipart drop form that the standard library parses back', async () => {
    const { contentType, body } = await buildLegacyWebhookForm('drop', { signingKey: KEY, timestamp: NOW_S });
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    expect(form.get('event')).toBe('dropped');
    expect(form.get('reason')).toBe('hardfail');
    expect(form.get('code')).toBe('605');
    expect(verifyWebhook(form, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
  });
});

describe('verifyWebhook', () => {
  const fresh = (): ReturnType<typeof buildWebhookPayload> => buildWebhookPayload('delivered', { signingKey: KEY, timestamp: NOW_S });

  it('accepts a payload signed with the key, recently', () => {
    expect(verifyWebhook(fresh(), { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
  });

  it('accepts the signature object alone, and the raw JSON body', () => {
    const payload = fresh();
    expect(verifyWebhook(payload.signature, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
    expect(verifyWebhook(JSON.stringify(payload), { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
  });

  it('refuses a payload signed with another key as bad-signature', () => {
    expect(verifyWebhook(fresh(), { signingKey: 'key-someone-else', nowMs: NOW_MS })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a payload whose token was changed after signing as bad-signature', () => {
    const payload = fresh();
    const tampered = { ...payload, signature: { ...payload.signature, token: 'f'.repeat(50) } };
    expect(verifyWebhook(tampered, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a payload whose timestamp was changed after signing as bad-signature', () => {
    const payload = fresh();
    const tampered = { ...payload, signature: { ...payload.signature, timestamp: String(NOW_S + 1) } };
    expect(verifyWebhook(tampered, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature older (or newer) than 15 minutes as stale by default', () => {
    const old = buildWebhookPayload('delivered', { signingKey: KEY, timestamp: NOW_S - 901 });
    const future = buildWebhookPayload('delivered', { signingKey: KEY, timestamp: NOW_S + 901 });
    const edge = buildWebhookPayload('delivered', { signingKey: KEY, timestamp: NOW_S - 900 });
    expect(verifyWebhook(old, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(future, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(edge, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
  });

  it('uses the maxAgeSeconds it is given, and skips the age check for 0 or Infinity', () => {
    const minuteOld = buildWebhookPayload('delivered', { signingKey: KEY, timestamp: NOW_S - 60 });
    expect(verifyWebhook(minuteOld, { signingKey: KEY, nowMs: NOW_MS, maxAgeSeconds: 15 })).toEqual({ ok: false, reason: 'stale' });
    const yearOld = buildWebhookPayload('delivered', { signingKey: KEY, timestamp: NOW_S - 365 * 86400 });
    expect(verifyWebhook(yearOld, { signingKey: KEY, nowMs: NOW_MS, maxAgeSeconds: 0 })).toEqual({ ok: true });
    expect(verifyWebhook(yearOld, { signingKey: KEY, nowMs: NOW_MS, maxAgeSeconds: Infinity })).toEqual({ ok: true });
  });

  it('refuses a token it has seen as replayed, and remembers only accepted tokens', () => {
    const seenTokens = new Set<string>();
    const payload = fresh();
    expect(verifyWebhook(payload, { signingKey: KEY, nowMs: NOW_MS, seenTokens })).toEqual({ ok: true });
    expect(seenTokens.has(payload.signature.token)).toBe(true);
    expect(verifyWebhook(payload, { signingKey: KEY, nowMs: NOW_MS, seenTokens })).toEqual({ ok: false, reason: 'replayed' });

    const forged = buildWebhookPayload('delivered', { signingKey: 'key-wrong', timestamp: NOW_S });
    expect(verifyWebhook(forged, { signingKey: KEY, nowMs: NOW_MS, seenTokens })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(seenTokens.has(forged.signature.token)).toBe(false);
  });

  it('sees a payload rebuilt with the same token as a replay', () => {
    const seenTokens = new Set<string>();
    const token = 'a'.repeat(50);
    verifyWebhook(buildWebhookPayload('opened', { signingKey: KEY, timestamp: NOW_S, token }), { signingKey: KEY, nowMs: NOW_MS, seenTokens });
    const again = buildWebhookPayload('clicked', { signingKey: KEY, timestamp: NOW_S + 5, token });
    expect(verifyWebhook(again, { signingKey: KEY, nowMs: NOW_MS, seenTokens })).toEqual({ ok: false, reason: 'replayed' });
  });

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['a body without signature', { 'event-data': { event: 'delivered' } }],
    ['a signature without token', { signature: { timestamp: String(NOW_S), signature: 'a'.repeat(64) } }],
    ['a non-numeric timestamp', { signature: { timestamp: 'yesterday', token: 'a'.repeat(50), signature: 'a'.repeat(64) } }],
    ['a signature that is an object', { signature: { timestamp: String(NOW_S), token: 'a'.repeat(50), signature: { hex: 'a' } } }],
    ['a string that is not JSON', '{not json'],
    ['null', null],
  ])('refuses %s as malformed', (_label, input) => {
    expect(verifyWebhook(input as never, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a signature that is not 64 hex characters as bad-signature', () => {
    const payload = fresh();
    expect(verifyWebhook({ signature: { ...payload.signature, signature: 'zz' } }, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('reads a legacy form from URLSearchParams, a parsed body object or the raw body', () => {
    const timestamp = String(NOW_S);
    const token = 'b'.repeat(50);
    const signature = hmac(KEY, timestamp, token);
    const params = new URLSearchParams({ event: 'delivered', timestamp, token, signature });
    expect(verifyWebhook(params, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
    expect(verifyWebhook({ event: 'delivered', timestamp, token, signature }, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
    expect(verifyWebhook(params.toString(), { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
  });

  it("uses Mailgun's own (last) value when a custom variable collides with token, timestamp or signature", () => {
    const timestamp = String(NOW_S);
    const token = 'c'.repeat(50);
    const signature = hmac(KEY, timestamp, token);
    const form = new URLSearchParams([
      ['event', 'clicked'],
      ['token', 'user-token'],
      ['timestamp', 'user-time'],
      ['signature', 'user-signature'],
      ['timestamp', timestamp],
      ['token', token],
      ['signature', signature],
    ]);
    expect(verifyWebhook(form, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
    // Body parsers give repeated fields as arrays.
    expect(verifyWebhook({ token: ['user-token', token], timestamp: ['x', timestamp], signature: ['y', signature] }, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: true });
  });
});

describe('signPayload', () => {
  it('re-signs a payload after a test changed it, keeping its timestamp and token', () => {
    const payload = buildWebhookPayload('delivered', { signingKey: KEY, timestamp: NOW_S });
    const changed = { ...payload, 'event-data': { ...payload['event-data'], recipient: 'eve@example.com' } };
    const resigned = signPayload(changed, 'key-other');
    expect(resigned.signature.timestamp).toBe(payload.signature.timestamp);
    expect(resigned.signature.token).toBe(payload.signature.token);
    expect(resigned.signature.signature).toBe(hmac('key-other', resigned.signature.timestamp, resigned.signature.token));
    expect(resigned['event-data'].recipient).toBe('eve@example.com');
    expect(payload.signature.signature).toBe(hmac(KEY, payload.signature.timestamp, payload.signature.token));
  });

  it('makes a validly signed but stale payload when given an old timestamp', () => {
    const stale = signPayload(buildWebhookPayload('opened', { signingKey: KEY, timestamp: NOW_S }), KEY, { timestamp: NOW_S - 3600 });
    expect(stale.signature.timestamp).toBe(String(NOW_S - 3600));
    expect(verifyWebhook(stale, { signingKey: KEY, nowMs: NOW_MS })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(stale, { signingKey: KEY, nowMs: NOW_MS, maxAgeSeconds: 0 })).toEqual({ ok: true });
  });

  it('signs a hand-written payload that has no signature yet', () => {
    const signed = signPayload({ 'event-data': { event: 'delivered' } }, KEY, { token: 'd'.repeat(50), timestamp: new Date(NOW_MS) });
    expect(signed.signature).toEqual({ timestamp: String(NOW_S), token: 'd'.repeat(50), signature: hmac(KEY, String(NOW_S), 'd'.repeat(50)) });
  });
});

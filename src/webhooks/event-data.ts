// The `event-data` object of every event type a message goes through (reference §3.3–§3.5, §8):
// what the Events API lists and what current webhooks post. Pure: the caller brings the message,
// the clock reading and the ids, so the same inputs always give the same object.
import { parseJsonObject } from '../lib/json.js';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { EventData, MessageRecord } from '../store/types.js';

/**
 * `method` of accepted, delivered and failed events. The 2013–2018 docs say `http`/`smtp`; every
 * payload captured since 2024 (and the current webhook-payloads page) says `HTTP` (reference §10.6).
 */
export const EVENT_METHOD = 'HTTP';

/** `envelope.transport`: the outbound leg is SMTP even for messages sent over the HTTP API (every sample). */
export const ENVELOPE_TRANSPORT = 'smtp';

/** `envelope.sending-ip` of delivery attempts: the address in Mailgun's recorded test payloads (§3.5). */
export const SENDING_IP = '209.61.154.250';

/** `ip` of opened, clicked and unsubscribed events (§3.5 canned values). */
export const ENGAGEMENT_IP = '50.56.129.169';

/** `geolocation` of engagement events (§3.5 canned values). */
export const ENGAGEMENT_GEOLOCATION: Readonly<{ country: string; region: string; city: string }> = Object.freeze({
  country: 'US',
  region: 'CA',
  city: 'San Francisco',
});

/** `client-info` of engagement events: Chrome on Linux, as in §3.5; `bot` `""` means "not a bot". */
export const ENGAGEMENT_CLIENT_INFO: Readonly<Record<string, string>> = Object.freeze({
  'client-type': 'browser',
  'client-os': 'Linux',
  'device-type': 'desktop',
  'client-name': 'Chrome',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.43 Safari/537.31',
  bot: '',
});

/** `delivery-status.session-seconds` of an SMTP conversation (the docs' delivered sample says 0.43). */
export const SMTP_SESSION_SECONDS = 0.43;

/** `delivery-status.retry-seconds` of a temporary failure when the spec gives none (recorded: 600). */
export const DEFAULT_RETRY_SECONDS = 600;

/** `storage.region` and `storage.env`: the region in real storage URLs (`storage-us-east4.api.mailgun.net`). */
export const STORAGE_REGION = 'us-east4';
/** See {@link STORAGE_REGION}. */
export const STORAGE_ENV = 'production';

/** Mailgun's own codes and descriptions for sends refused by a suppression list (reference §8). */
export const SUPPRESSION_FAILURES: Readonly<Record<'suppress-bounce' | 'suppress-unsubscribe' | 'suppress-complaint', { code: number; description: string }>> = Object.freeze({
  'suppress-bounce': { code: 605, description: 'Not delivering to previously bounced address' },
  'suppress-unsubscribe': { code: 606, description: 'Not delivering to unsubscribed address' },
  'suppress-complaint': { code: 607, description: 'Not delivering to a user who marked your messages as spam' },
});

/** Failure reasons that never reached an SMTP conversation (so no mx-host, tls, utf8 in delivery-status). */
const NO_SESSION_REASONS = new Set(['suppress-bounce', 'suppress-unsubscribe', 'suppress-complaint', 'old', 'hardfail']);

/** `recipient-provider` for the big mailbox providers; other domains get no such field ("when known"). */
const RECIPIENT_PROVIDERS: ReadonlyArray<[RegExp, string]> = [
  [/^(gmail|googlemail)\.com$/, 'Gmail'],
  [/^(yahoo|ymail)\.[a-z.]+$/, 'Yahoo'],
  [/^(outlook|hotmail|live|msn)\.[a-z.]+$/, 'Microsoft'],
  [/^(icloud|me|mac)\.com$/, 'Apple'],
];

/** What an event is about and when it happened. */
export interface EventContext {
  /** The stored message. */
  message: MessageRecord;
  /** Bare address, lower-case as stored. */
  recipient: string;
  /** Mock clock, epoch ms. */
  nowMs: number;
  /** Where stored messages are served, e.g. `http://127.0.0.1:8465` (no trailing slash). */
  storageBaseUrl: string;
  /** 24 hex characters. */
  accountId: string;
  /** Event id; default 22 random URL-safe base64 characters (16 bytes). */
  id?: string;
  /**
   * Microseconds inside `nowMs` (0–999) that make the timestamp µs-precise. Default random; pass a
   * counter kept on the mock's context to keep events created in one millisecond in creation order.
   */
  micros?: number;
  /** Id of the API key that sent the message; accepted events carry it as `api-key-id` when given. */
  apiKeyId?: string;
}

/** Which event to build. */
export type EventSpec =
  | { event: 'accepted' }
  | { event: 'delivered'; attemptNo?: number }
  | {
      event: 'failed';
      severity: 'temporary' | 'permanent';
      reason: string;
      code: number;
      message?: string;
      description?: string;
      enhancedCode?: string;
      attemptNo?: number;
      retrySeconds?: number;
    }
  | { event: 'opened' }
  | { event: 'clicked'; url: string }
  | { event: 'unsubscribed' }
  | { event: 'complained' };

/**
 * Builds the `event-data` of one event for one recipient of a message.
 * @example
 * const data = buildEventData({ event: 'delivered' }, { message, recipient: 'alice@example.com', nowMs: clock.now(), storageBaseUrl: mock.url, accountId });
 * data['delivery-status']; // { code: 250, message: 'OK', 'attempt-no': 1, … }
 */
export function buildEventData(spec: EventSpec, ctx: EventContext): EventData {
  const { message, recipient } = ctx;
  const recipientDomain = domainOf(recipient);
  const head = {
    event: spec.event,
    id: ctx.id ?? randomEventId(),
    timestamp: eventTimestamp(ctx.nowMs, ctx.micros),
    'log-level': logLevel(spec),
  };
  const who = {
    recipient,
    'recipient-domain': recipientDomain,
    ...providerField(recipientDomain),
  };
  const labels = { tags: [...message.tags], campaigns: [], 'user-variables': userVariables(message, recipient) };
  const owner = { domain: { name: message.domain }, account: { id: ctx.accountId } };

  switch (spec.event) {
    case 'accepted':
      return {
        ...head,
        ...(ctx.apiKeyId !== undefined ? { 'api-key-id': ctx.apiKeyId } : {}),
        method: EVENT_METHOD,
        envelope: { sender: senderOf(message), targets: recipient, transport: ENVELOPE_TRANSPORT },
        flags: flagsOf(message),
        message: { ...messageSummary(message), recipients: [...message.recipients] },
        storage: storageOf(ctx),
        ...who,
        ...labels,
        ...owner,
      };
    case 'delivered':
      return {
        ...head,
        method: EVENT_METHOD,
        envelope: deliveryEnvelope(message, recipient),
        flags: flagsOf(message),
        'delivery-status': {
          tls: true,
          'mx-host': mxHostFor(recipientDomain),
          code: 250,
          description: '',
          'session-seconds': SMTP_SESSION_SECONDS,
          utf8: true,
          'attempt-no': spec.attemptNo ?? 1,
          message: 'OK',
          'certificate-verified': true,
        },
        message: messageSummary(message),
        storage: storageOf(ctx),
        ...who,
        ...labels,
        ...owner,
      };
    case 'failed':
      return {
        ...head,
        severity: spec.severity,
        reason: spec.reason,
        method: EVENT_METHOD,
        envelope: deliveryEnvelope(message, recipient),
        flags: flagsOf(message),
        'delivery-status': failedStatus(spec, recipientDomain),
        message: messageSummary(message),
        storage: storageOf(ctx),
        ...who,
        ...labels,
        ...owner,
      };
    case 'opened':
    case 'clicked':
    case 'unsubscribed':
      return {
        ...head,
        ...(spec.event === 'clicked' ? { url: spec.url } : {}),
        // Engagement events carry only the Message-Id of the message (every sample and capture).
        message: { headers: { 'message-id': message.id } },
        ...who,
        ip: ENGAGEMENT_IP,
        geolocation: { ...ENGAGEMENT_GEOLOCATION },
        'client-info': { ...ENGAGEMENT_CLIENT_INFO },
        ...labels,
        ...owner,
      };
    case 'complained':
      // Complaints come back through the feedback loop: no recipient-domain, no delivery-status.
      return {
        ...head,
        envelope: { 'sending-ip': SENDING_IP },
        flags: { 'is-test-mode': message.testMode },
        message: messageSummary(message),
        recipient,
        ...labels,
        ...owner,
      };
  }
}

/**
 * Event `timestamp`: epoch seconds with microseconds, as Mailgun writes it (`1529006854.329574`).
 * @example eventTimestamp(1529006854329, 574); // 1529006854.329574
 */
export function eventTimestamp(nowMs: number, micros: number = randomInt(0, 1000)): number {
  const us = Math.floor(nowMs) * 1000 + Math.min(999, Math.max(0, Math.floor(micros)));
  return us / 1e6;
}

/**
 * A fresh event id: 22 URL-safe base64 characters, like `jxVuhYlhReaK3QsggHfFRA`.
 * @example randomEventId().length; // 22
 */
export function randomEventId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The `user-variables` of a message for one recipient: the JSON object(s) of any
 * `h:X-Mailgun-Variables` header (nested values stay JSON, as Mailgun parses that header), then each
 * `v:` variable as the string it was sent as (a JSON-looking `v:` value stays a string, as Mailgun
 * posts it), with `%recipient.KEY%` replaced from that recipient's `recipient-variables`.
 * @example userVariables(message, 'alice@example.com'); // { 'user-id': '42' } for v:user-id=%recipient.id%
 */
export function userVariables(message: MessageRecord, recipient: string): Record<string, unknown> {
  const own = recipientVariablesOf(message, recipient);
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(message.headers)) {
    if (name.toLowerCase() !== 'x-mailgun-variables') continue;
    const parsed = parseJsonObject(raw);
    for (const [key, value] of Object.entries(parsed ?? {})) setOwn(out, key, typeof value === 'string' ? substituteRecipientVariables(value, own) : value);
  }
  for (const [name, value] of Object.entries(message.variables)) setOwn(out, name, substituteRecipientVariables(value, own));
  return out;
}

/**
 * Replaces `%recipient.KEY%` with the recipient's value (objects as JSON). A key the recipient does
 * not have stays as written, as Mailgun leaves it (mailgun-php#385).
 * @example substituteRecipientVariables('id-%recipient.id%', { id: 7 }); // 'id-7'
 */
export function substituteRecipientVariables(text: string, vars: Record<string, unknown>): string {
  return text.replace(/%recipient\.([^%\s]+)%/g, (whole, key: string) => {
    if (!Object.hasOwn(vars, key)) return whole;
    const value = vars[key];
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/**
 * A message with Mailgun's canned "test webhook" values (§3.5): from Bob at the domain to Alice at
 * example.com, tags `my_tag_1`/`my_tag_2`, user-variables `my_var_1`/`my-var-2`.
 * @example sampleMessage({ domain: 'samples.mailgun.org', nowMs: Date.now(), subject: 'Test delivered webhook' });
 */
export function sampleMessage(options: { domain: string; nowMs: number; recipient?: string; messageId?: string; subject?: string; storageKey?: string }): MessageRecord {
  const recipient = options.recipient ?? 'alice@example.com';
  const to = recipient === 'alice@example.com' ? `Alice <${recipient}>` : recipient;
  return {
    id: options.messageId ?? newMessageId(options.domain, options.nowMs),
    domain: options.domain,
    storageKey: options.storageKey ?? 'message_key',
    apiBase: 'https://api.mailgun.net',
    api: 'messages',
    acceptedAt: options.nowMs,
    from: `Bob <bob@${options.domain}>`,
    to: [to],
    cc: [],
    bcc: [],
    recipients: [recipient],
    subject: options.subject ?? 'Test message',
    text: 'Hi Alice, this is a test message.',
    headers: {},
    variables: { my_var_1: 'Mailgun Variable #1', 'my-var-2': 'awesome' },
    recipientVariables: {},
    options: {},
    tags: ['my_tag_1', 'my_tag_2'],
    testMode: false,
    tracking: {},
    attachments: [],
    size: 111,
  };
}

/**
 * The bare address inside a `Name <address>` string (or the string itself).
 * @example bareAddress('Bob <bob@example.com>'); // 'bob@example.com'
 */
export function bareAddress(value: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(value);
  return (angle ? angle[1]! : value).trim();
}

/** `delivery-status` of a failed event: an SMTP answer, or Mailgun's own refusal (no session). */
function failedStatus(spec: Extract<EventSpec, { event: 'failed' }>, recipientDomain: string): Record<string, unknown> {
  const suppression = SUPPRESSION_FAILURES[spec.reason as keyof typeof SUPPRESSION_FAILURES] as { code: number; description: string } | undefined;
  const description = spec.description ?? suppression?.description ?? '';
  const base = { 'attempt-no': spec.attemptNo ?? 1, message: spec.message ?? '', code: spec.code, description };
  if (NO_SESSION_REASONS.has(spec.reason)) {
    return { ...base, ...(spec.enhancedCode !== undefined ? { 'enhanced-code': spec.enhancedCode } : {}), 'session-seconds': 0 };
  }
  return {
    ...base,
    'enhanced-code': spec.enhancedCode ?? '',
    'mx-host': mxHostFor(recipientDomain),
    tls: true,
    utf8: true,
    'certificate-verified': true,
    'session-seconds': SMTP_SESSION_SECONDS,
    ...(spec.severity === 'temporary' ? { 'retry-seconds': spec.retrySeconds ?? DEFAULT_RETRY_SECONDS } : {}),
  };
}

function logLevel(spec: EventSpec): 'info' | 'warn' | 'error' {
  if (spec.event === 'failed') return spec.severity === 'permanent' ? 'error' : 'warn';
  return spec.event === 'complained' ? 'warn' : 'info';
}

function messageSummary(message: MessageRecord): Record<string, unknown> {
  return {
    headers: { to: message.to.join(', '), 'message-id': message.id, from: message.from, subject: message.subject },
    // Inline parts are part of the HTML body, not attachments.
    attachments: message.attachments.filter((f) => f.field === 'attachment').map((f) => ({ filename: f.filename, 'content-type': f.contentType, size: f.size })),
    size: message.size,
    ...(message.deliveryTime !== undefined ? { 'scheduled-for': Math.floor(message.deliveryTime / 1000) } : {}),
  };
}

function flagsOf(message: MessageRecord): Record<string, boolean> {
  return {
    'is-authenticated': true,
    'is-routed': false,
    'is-system-test': false,
    'is-test-mode': message.testMode,
    'is-big': false,
    'is-amp': message.ampHtml !== undefined,
    'is-encrypted': false,
    'is-delayed-bounce': false,
  };
}

function deliveryEnvelope(message: MessageRecord, recipient: string): Record<string, string> {
  return { sender: senderOf(message), targets: recipient, transport: ENVELOPE_TRANSPORT, 'sending-ip': SENDING_IP };
}

function storageOf(ctx: EventContext): Record<string, string> {
  const { domain, storageKey } = ctx.message;
  return {
    url: `${ctx.storageBaseUrl}/v3/domains/${domain}/messages/${storageKey}`,
    key: storageKey,
    region: STORAGE_REGION,
    env: STORAGE_ENV,
  };
}

function senderOf(message: MessageRecord): string {
  return bareAddress(message.from);
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/** A plausible MX host for the recipient's domain (real values look like `aspmx.l.google.com`). */
function mxHostFor(recipientDomain: string): string {
  return `mx.${recipientDomain || 'example.com'}`;
}

function providerField(recipientDomain: string): { 'recipient-provider'?: string } {
  const hit = RECIPIENT_PROVIDERS.find(([pattern]) => pattern.test(recipientDomain));
  return hit ? { 'recipient-provider': hit[1] } : {};
}

/** One recipient's `recipient-variables` (keys compared case-insensitively, as addresses are). */
export function recipientVariablesOf(message: MessageRecord, recipient: string): Record<string, unknown> {
  const all = message.recipientVariables;
  if (Object.hasOwn(all, recipient)) return all[recipient] ?? {};
  // Several look-ups per recipient and up to 1000 recipients: index the keys once per message.
  let byLower = lowerKeyIndex.get(all);
  if (!byLower) {
    byLower = new Map();
    for (const key of Object.keys(all)) if (!byLower.has(key.toLowerCase())) byLower.set(key.toLowerCase(), key);
    lowerKeyIndex.set(all, byLower);
  }
  const key = byLower.get(recipient.toLowerCase());
  return key === undefined ? {} : (all[key] ?? {});
}

/** Lower-cased recipient-variables keys → the key as sent, per message (a cache keyed by the object). */
const lowerKeyIndex = new WeakMap<Record<string, Record<string, unknown>>, Map<string, string>>();


/** Sets a key as an own data property, so a variable named `__proto__` stays data. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A Message-Id in Mailgun's newer format, `20260203192638.000be97f99f8cea1@domain`. */
function newMessageId(domain: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}.${randomBytes(8).toString('hex')}@${domain}`;
}

/**
 * A short, stable hex digest, for values real payloads fill with opaque ids derived from the message.
 * @example shortHash('20260203192638.000be97f99f8cea1@samples.mailgun.org', 6); // six hex characters
 */
export function shortHash(text: string, length: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, length);
}

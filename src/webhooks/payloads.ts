// What a webhook POST carries: the current JSON envelope, the legacy (pre-2018) form posts with
// their quirks (reference §2), and which webhook names one event fires. Pure: no I/O, no clock.
import type { LegacyWebhookName, WebhookName } from '../lib/webhook-names.js';
import type { EventData, MessageRecord } from '../store/types.js';
import { shortHash } from './event-data.js';
import type { WebhookSignature } from './signing.js';

/**
 * A ready-to-send body and its `Content-Type` (multipart bodies carry their boundary in it).
 * @example const { contentType, body }: WebhookBody = await buildLegacyWebhookForm('drop', { signingKey });
 */
export interface WebhookBody {
  contentType: string;
  body: string | Buffer;
}

/** The `event` value a legacy post carries: it differs from the webhook name (§2.1). */
export const LEGACY_EVENT_VALUES: Readonly<Record<LegacyWebhookName, string>> = Object.freeze({
  deliver: 'delivered',
  drop: 'dropped',
  bounce: 'bounced',
  spam: 'complained',
  unsubscribe: 'unsubscribed',
  click: 'clicked',
  open: 'opened',
});

/**
 * Legacy names posted as `multipart/form-data` (they could carry `attachment-N` files, Mailgun
 * support in mailgun-js-boland#64); the others are `application/x-www-form-urlencoded`.
 * Unsubscribe's type is not stated anywhere; it has the open/click field set, so it goes url-encoded.
 */
export const MULTIPART_LEGACY_NAMES: ReadonlySet<LegacyWebhookName> = new Set<LegacyWebhookName>(['drop', 'bounce', 'spam']);

/** Form fields Mailgun itself sets: a user variable of the same name is posted as a second value. */
const SIGNATURE_FIELDS = ['timestamp', 'token', 'signature'] as const;

/**
 * The body of a current ("webhooks 2.0") post: `{"signature": {…}, "event-data": {…}}`.
 * @example
 * const { contentType, body } = currentWebhookBody(data, signWebhook(key, clock.now()));
 * await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body });
 */
export function currentWebhookBody(data: EventData, sig: WebhookSignature): WebhookBody {
  return {
    contentType: 'application/json',
    body: JSON.stringify({ signature: { timestamp: sig.timestamp, token: sig.token, signature: sig.signature }, 'event-data': data }),
  };
}

/**
 * The body of a legacy post for `name`, built from the event and its message: url-encoded for
 * deliver/open/click/unsubscribe, multipart for drop/bounce/spam; signature fields at the top level;
 * user variables merged in as top-level fields (Mailgun's value first, except for `timestamp`,
 * `token` and `signature`, where Mailgun's comes last; `message-headers` is never shadowed).
 * @example
 * const { contentType, body } = await legacyWebhookBody('deliver', data, message, signWebhook(key, clock.now()));
 */
export async function legacyWebhookBody(name: LegacyWebhookName, data: EventData, message: MessageRecord, sig: WebhookSignature): Promise<WebhookBody> {
  const fields: Array<[string, string]> = [];
  const add = (field: string, value: string): void => {
    fields.push([field, value]);
  };
  const recipient = stringField(data.recipient) ?? message.recipients[0] ?? '';
  const tags = Array.isArray(data.tags) ? data.tags.map(String) : message.tags;
  const userVars = isPlainObject(data['user-variables']) ? data['user-variables'] : {};
  const status = isPlainObject(data['delivery-status']) ? data['delivery-status'] : {};
  const headers = (): string => legacyMessageHeaders(message, recipient, userVars);
  const sid = mailgunSid(message, recipient);

  add('event', LEGACY_EVENT_VALUES[name]);
  add('recipient', recipient);
  add('domain', message.domain);
  switch (name) {
    case 'open':
    case 'click':
    case 'unsubscribe': {
      const geo = isPlainObject(data.geolocation) ? data.geolocation : {};
      const client = isPlainObject(data['client-info']) ? data['client-info'] : {};
      add('ip', stringField(data.ip) ?? 'unknown');
      add('country', stringField(geo.country) ?? 'unknown');
      add('region', stringField(geo.region) ?? 'unknown');
      add('city', stringField(geo.city) ?? 'unknown');
      add('user-agent', stringField(client['user-agent']) ?? '');
      add('device-type', stringField(client['device-type']) ?? 'unknown');
      add('client-type', stringField(client['client-type']) ?? 'unknown');
      add('client-name', stringField(client['client-name']) ?? 'unknown');
      add('client-os', stringField(client['client-os']) ?? 'unknown');
      if (name === 'click') add('url', stringField(data.url) ?? '');
      // Observed in real posts: lower-case name, no angle brackets (anymail's comments).
      add('message-id', message.id);
      for (const tag of tags) add('tag', tag);
      break;
    }
    case 'spam':
      add('message-headers', headers());
      add('Message-Id', `<${message.id}>`);
      for (const tag of tags) add('tag', tag);
      break;
    case 'deliver':
      add('message-headers', headers());
      add('Message-Id', `<${message.id}>`);
      add('X-Mailgun-Sid', sid);
      for (const tag of tags) add('X-Mailgun-Tag', tag);
      break;
    case 'bounce': {
      add('message-headers', headers());
      add('code', String(status.code ?? 550));
      add('error', stringField(status.message) ?? '');
      const notification = stringField(status.description);
      if (notification) add('notification', notification);
      add('Message-Id', `<${message.id}>`);
      add('X-Mailgun-Sid', sid);
      for (const tag of tags) add('X-Mailgun-Tag', tag);
      break;
    }
    case 'drop':
      add('message-headers', headers());
      // Legacy drops had two reasons: `old` (gave up retrying) and `hardfail` (a suppression list).
      add('reason', data.reason === 'old' ? 'old' : 'hardfail');
      add('code', String(status.code ?? 605));
      add('description', stringField(status.description) ?? '');
      add('Message-Id', `<${message.id}>`);
      add('X-Mailgun-Sid', sid);
      for (const tag of tags) add('X-Mailgun-Tag', tag);
      break;
  }
  for (const [key, value] of Object.entries(userVars)) {
    if (key === 'message-headers') continue;
    add(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  for (const field of SIGNATURE_FIELDS) add(field, sig[field]);

  if (!MULTIPART_LEGACY_NAMES.has(name)) {
    return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() };
  }
  const form = new FormData();
  for (const [field, value] of fields) form.append(field, value);
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  return { contentType: encoded.headers.get('content-type') ?? 'multipart/form-data', body };
}

/**
 * Which webhook names an event fires, current name first then its legacy counterpart.
 * A permanent failure is a legacy `drop` when Mailgun never tried (suppressions, `old`, `hardfail`)
 * and a `bounce` otherwise; temporary failures and `accepted` have no legacy webhook.
 * @example webhookNamesFor(data); // ['delivered', 'deliver']
 */
export function webhookNamesFor(data: EventData): Array<WebhookName | LegacyWebhookName> {
  switch (data.event) {
    case 'accepted':
      return ['accepted'];
    case 'delivered':
      return ['delivered', 'deliver'];
    case 'failed': {
      if (data.severity === 'temporary') return ['temporary_fail'];
      if (data.severity !== 'permanent') return [];
      const reason = String(data.reason ?? '');
      const dropped = reason.startsWith('suppress-') || reason === 'old' || reason === 'hardfail';
      return ['permanent_fail', dropped ? 'drop' : 'bounce'];
    }
    case 'opened':
      return ['opened', 'open'];
    case 'clicked':
      return ['clicked', 'click'];
    case 'unsubscribed':
      return ['unsubscribed', 'unsubscribe'];
    case 'complained':
      return ['complained', 'spam'];
    default:
      return [];
  }
}

/**
 * The legacy `message-headers` field: a JSON list of `[name, value]` pairs in header order, with
 * structured headers (Content-Type) as `[value, {params}]`, the `h:` headers as sent and the `v:`
 * variables as one `X-Mailgun-Variables` header.
 * @example JSON.parse(legacyMessageHeaders(message, 'alice@example.com', { 'user-id': '42' }));
 */
export function legacyMessageHeaders(message: MessageRecord, recipient: string, userVars: Record<string, unknown> = {}): string {
  const date = rfc2822(message.acceptedAt);
  const pairs: Array<[string, unknown]> = [
    ['Date', date],
    ['X-Mailgun-Sid', mailgunSid(message, recipient)],
    ['Received', `by mailgun-mock with HTTP; ${date}`],
    ['Message-Id', `<${message.id}>`],
    ['To', message.to.join(', ')],
  ];
  if (message.cc.length > 0) pairs.push(['Cc', message.cc.join(', ')]);
  pairs.push(['From', message.from], ['Subject', message.subject], ['Mime-Version', '1.0'], ['Content-Type', contentTypeOf(message)]);
  for (const [name, value] of Object.entries(message.headers)) pairs.push([name, value]);
  // Only the `v:` variables travel in the generated header (an h:X-Mailgun-Variables is listed above as sent).
  const vars = Object.keys(message.variables).filter((k) => Object.hasOwn(userVars, k));
  if (vars.length > 0) pairs.push(['X-Mailgun-Variables', JSON.stringify(Object.fromEntries(vars.map((k) => [k, userVars[k]])))]);
  return JSON.stringify(pairs);
}

/** `X-Mailgun-Sid`: base64 of a small JSON list, `["1ff8e", "<recipient>", "f1c782"]` (anymail's capture). */
function mailgunSid(message: MessageRecord, recipient: string): string {
  const list = `[${[shortHash(message.id, 5), recipient, shortHash(message.domain, 6)].map((s) => JSON.stringify(s)).join(', ')}]`;
  return Buffer.from(list).toString('base64');
}

function contentTypeOf(message: MessageRecord): [string, Record<string, string>] {
  const boundary = shortHash(`boundary:${message.id}`, 32);
  if (message.attachments.length > 0) return ['multipart/mixed', { boundary }];
  const bodies = [message.text, message.html, message.ampHtml].filter((b) => b !== undefined).length;
  if (bodies > 1) return ['multipart/alternative', { boundary }];
  return [message.html !== undefined ? 'text/html' : 'text/plain', { charset: 'utf-8' }];
}

/** `Thu, 21 Apr 2016 17:55:29 +0000`. */
function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

function stringField(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Receiver-side helpers: build signed Mailgun webhook payloads (current JSON and legacy forms) and
// verify them, so a webhook handler can be unit-tested without a running mock or network.
import { randomBytes } from 'node:crypto';
import { isLegacyWebhookName, type LegacyWebhookName } from '../lib/webhook-names.js';
import type { EventData, MessageRecord } from '../store/types.js';
import { buildEventData, sampleMessage, SUPPRESSION_FAILURES, type EventContext, type EventSpec } from './event-data.js';
import { legacyWebhookBody, type WebhookBody } from './payloads.js';
import { computeSignature, signWebhook, verifySignature, type WebhookSignature } from './signing.js';

/** Where Mailgun serves stored messages: the host in real `storage.url` values. */
const MAILGUN_STORAGE_BASE_URL = 'https://storage-us-east4.api.mailgun.net';
/** Mailgun's documentation domain, the default sending domain of built payloads. */
const DEFAULT_DOMAIN = 'samples.mailgun.org';
/** How old a signature may be by default: mailgun-js's 15 minutes (reference §4.3). */
const DEFAULT_MAX_AGE_SECONDS = 900;

/**
 * Event types a payload can be built for: the `event-data.event` values, or the current webhook names.
 * @example const type: WebhookEventType = 'permanent_fail';
 */
export type WebhookEventType = 'accepted' | 'delivered' | 'failed' | 'opened' | 'clicked' | 'unsubscribed' | 'complained' | 'permanent_fail' | 'temporary_fail';

/**
 * A current webhook post body.
 * @example const { signature, 'event-data': data }: WebhookPayload = req.body;
 */
export interface WebhookPayload {
  signature: WebhookSignature;
  'event-data': EventData;
}

/**
 * Options of {@link buildWebhookPayload} and {@link buildLegacyWebhookForm}.
 * @example const options: BuildWebhookOptions = { signingKey: 'key-test', recipient: 'bob@example.com', timestamp: new Date(Date.now() - 3_600_000) };
 */
export interface BuildWebhookOptions {
  /** The HTTP webhook signing key the handler verifies with. */
  signingKey: string;
  /** When it was sent: a Date or epoch seconds (default now). Use an old one to build a stale payload. */
  timestamp?: Date | number;
  /** The signature token (default 50 random hex characters). Reuse one to build a replay. */
  token?: string;
  /** Default `alice@example.com`. */
  recipient?: string;
  /** Sending domain, default `samples.mailgun.org`. */
  domain?: string;
  /** Message-Id without angle brackets (default a fresh one at the domain). */
  messageId?: string;
  /** For `failed`: default `permanent` (`temporary_fail`/`permanent_fail` imply it). */
  severity?: 'temporary' | 'permanent';
  /** For `failed`: default `bounce` (permanent) or `generic` (temporary); `suppress-*` get Mailgun's 605/606/607. */
  reason?: string;
  /** For `failed`: the SMTP (or Mailgun) code; defaults follow the reason. */
  code?: number;
  /** For `clicked`: the clicked link (default `https://example.com/`). */
  url?: string;
  /** Merged over the built event-data: plain objects merge deeply, anything else replaces, `undefined` removes. */
  eventData?: Record<string, unknown>;
}

/**
 * Why a webhook was refused.
 * @example const reason: WebhookRejection = 'replayed';
 */
export type WebhookRejection = 'malformed' | 'bad-signature' | 'stale' | 'replayed';

/**
 * Outcome of {@link verifyWebhook}.
 * @example const result: VerifyWebhookResult = verifyWebhook(req.body, { signingKey });
 */
export type VerifyWebhookResult = { ok: true } | { ok: false; reason: WebhookRejection };

/**
 * Options of {@link verifyWebhook}.
 * @example const options: VerifyWebhookOptions = { signingKey, maxAgeSeconds: 300, seenTokens: new Set() };
 */
export interface VerifyWebhookOptions {
  signingKey: string;
  /** Refuse signatures further than this from now, either way (default 900; 0 or Infinity: no check). */
  maxAgeSeconds?: number;
  /** "Now" in epoch ms (default `Date.now()`). */
  nowMs?: number;
  /** Tokens already accepted: a repeat is refused; an accepted token is added. */
  seenTokens?: Set<string>;
}

/**
 * What {@link verifyWebhook} accepts: a parsed JSON body, its `signature` object, a legacy form, or a raw body string.
 * @example const input: VerifiableWebhook = new URLSearchParams(rawBody);
 */
export type VerifiableWebhook = WebhookPayload | WebhookSignature | URLSearchParams | FormData | Record<string, unknown> | string;

/**
 * A signed current webhook body for an event type, as Mailgun would post it.
 * @example
 * const payload = buildWebhookPayload('delivered', { signingKey: 'key-test', recipient: 'bob@example.com' });
 * await request(app).post('/hooks/mailgun').send(payload).expect(200);
 */
export function buildWebhookPayload(event: WebhookEventType, options: BuildWebhookOptions): WebhookPayload {
  const nowMs = nowMsOf(options.timestamp);
  const message = messageFor(event, options, nowMs);
  const data = applyOverrides(buildEventData(specFor(event, options), context(message, nowMs)), options.eventData);
  return { signature: signWebhook(options.signingKey, nowMs, options.token), 'event-data': data };
}

/**
 * A signed legacy webhook form (`bounce`, `deliver`, `drop`, `spam`, `unsubscribe`, `click`, `open`):
 * url-encoded or multipart as Mailgun posted it, with the body and its Content-Type.
 * @example
 * const { contentType, body } = await buildLegacyWebhookForm('deliver', { signingKey: 'key-test' });
 * await request(app).post('/hooks/mailgun').set('Content-Type', contentType).send(body);
 */
export async function buildLegacyWebhookForm(name: LegacyWebhookName, options: BuildWebhookOptions): Promise<WebhookBody> {
  if (!isLegacyWebhookName(name)) throw new TypeError(`not a legacy webhook name: ${String(name)}`);
  const nowMs = nowMsOf(options.timestamp);
  const spec = legacySpec(name, options);
  const message = messageFor(name, options, nowMs);
  const data = applyOverrides(buildEventData(spec, context(message, nowMs)), options.eventData);
  return legacyWebhookBody(name, data, message, signWebhook(options.signingKey, nowMs, options.token));
}

/**
 * Checks a webhook the way a careful receiver does: well-formed, correctly signed, recent, and
 * not seen before. Legacy forms use the last value of repeated `timestamp`/`token`/`signature`
 * fields (a user variable of the same name is posted before Mailgun's own).
 * @example
 * const seen = new Set<string>();
 * const result = verifyWebhook(req.body, { signingKey, seenTokens: seen });
 * if (!result.ok) return res.status(406).send(result.reason);
 */
export function verifyWebhook(input: VerifiableWebhook, options: VerifyWebhookOptions): VerifyWebhookResult {
  const sig = extractSignature(input);
  if (!sig) return { ok: false, reason: 'malformed' };
  if (!verifySignature(options.signingKey, sig)) return { ok: false, reason: 'bad-signature' };
  const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (maxAge > 0 && Number.isFinite(maxAge)) {
    const nowSeconds = (options.nowMs ?? Date.now()) / 1000;
    if (Math.abs(nowSeconds - Number(sig.timestamp)) > maxAge) return { ok: false, reason: 'stale' };
  }
  if (options.seenTokens) {
    if (options.seenTokens.has(sig.token)) return { ok: false, reason: 'replayed' };
    options.seenTokens.add(sig.token);
  }
  return { ok: true };
}

/**
 * Re-signs a payload (after a test changed it): keeps its timestamp and token unless given.
 * Returns a new object; the input is not changed.
 * @example
 * const stale = signPayload(payload, 'key-test', { timestamp: Date.now() / 1000 - 3600 });
 */
export function signPayload<T extends object>(payload: T, signingKey: string, options: { timestamp?: Date | number; token?: string } = {}): Omit<T, 'signature'> & { signature: WebhookSignature } {
  const existing: unknown = (payload as { signature?: unknown }).signature;
  const current = isRecord(existing) ? existing : {};
  const timestamp = options.timestamp !== undefined ? String(Math.floor(nowMsOf(options.timestamp) / 1000)) : scalar(current.timestamp) ?? String(Math.floor(Date.now() / 1000));
  const token = options.token ?? scalar(current.token) ?? randomBytes(25).toString('hex');
  return { ...payload, signature: { timestamp, token, signature: computeSignature(signingKey, timestamp, token) } };
}

function specFor(event: WebhookEventType, options: BuildWebhookOptions): EventSpec {
  switch (event) {
    case 'permanent_fail':
      return failedSpec('permanent', options);
    case 'temporary_fail':
      return failedSpec('temporary', options);
    case 'failed':
      return failedSpec(options.severity ?? 'permanent', options);
    case 'clicked':
      return { event, url: options.url ?? 'https://example.com/' };
    case 'accepted':
    case 'delivered':
    case 'opened':
    case 'unsubscribed':
    case 'complained':
      return { event };
    default:
      throw new TypeError(`unknown webhook event type: ${String(event)}`);
  }
}

/** Canned failures: the recorded temporary (452, 4.2.2) and permanent (550, 5.1.1) answers. */
function failedSpec(severity: 'temporary' | 'permanent', options: BuildWebhookOptions): EventSpec {
  const reason = options.reason ?? (severity === 'permanent' ? 'bounce' : 'generic');
  const suppression = SUPPRESSION_FAILURES[reason as keyof typeof SUPPRESSION_FAILURES] as { code: number; description: string } | undefined;
  if (suppression) return { event: 'failed', severity, reason, code: options.code ?? suppression.code };
  // Mailgun gave up after retrying for hours (recorded legacy drop: 499, "Unable to connect to MX servers").
  if (reason === 'old') return { event: 'failed', severity, reason, code: options.code ?? 499, description: 'Unable to connect to MX servers' };
  if (severity === 'temporary') {
    return {
      event: 'failed',
      severity,
      reason,
      code: options.code ?? 452,
      enhancedCode: '4.2.2',
      message: '4.2.2 The email account that you tried to reach is over quota.',
    };
  }
  return {
    event: 'failed',
    severity,
    reason,
    code: options.code ?? 550,
    enhancedCode: '5.1.1',
    message: "5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos.",
  };
}

function legacySpec(name: LegacyWebhookName, options: BuildWebhookOptions): EventSpec {
  switch (name) {
    case 'deliver':
      return { event: 'delivered' };
    case 'drop':
      return failedSpec('permanent', { ...options, reason: options.reason ?? 'suppress-bounce' });
    case 'bounce':
      return failedSpec('permanent', options);
    case 'spam':
      return { event: 'complained' };
    case 'unsubscribe':
      return { event: 'unsubscribed' };
    case 'click':
      return { event: 'clicked', url: options.url ?? 'https://example.com/' };
    case 'open':
      return { event: 'opened' };
  }
}

/** The §3.5 canned message (Bob to Alice, `Test <name> webhook`), at the caller's domain and recipient. */
function messageFor(event: string, options: BuildWebhookOptions, nowMs: number): MessageRecord {
  const domain = (options.domain ?? DEFAULT_DOMAIN).toLowerCase();
  return sampleMessage({
    domain,
    nowMs,
    recipient: (options.recipient ?? 'alice@example.com').toLowerCase(),
    subject: `Test ${event} webhook`,
    ...(options.messageId !== undefined ? { messageId: options.messageId.replace(/^<|>$/g, '') } : {}),
  });
}

function context(message: MessageRecord, nowMs: number): EventContext {
  return { message, recipient: message.recipients[0]!, nowMs, storageBaseUrl: MAILGUN_STORAGE_BASE_URL, accountId: randomBytes(12).toString('hex') };
}

function nowMsOf(timestamp: Date | number | undefined): number {
  if (timestamp === undefined) return Date.now();
  return timestamp instanceof Date ? timestamp.getTime() : timestamp * 1000;
}

/** Deep-merges `overrides` into `base` (plain objects only); `undefined` deletes a field. */
function applyOverrides(base: EventData, overrides: Record<string, unknown> | undefined): EventData {
  return overrides ? (merge(base, overrides) as EventData) : base;
}

function merge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) setOwn(out, key, value);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      delete out[key];
      continue;
    }
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    setOwn(out, key, isRecord(value) && isRecord(current) ? merge(current, value) : value);
  }
  return out;
}

/** Pulls `{timestamp, token, signature}` out of whatever shape the receiver has; undefined when malformed. */
function extractSignature(input: VerifiableWebhook): WebhookSignature | undefined {
  if (typeof input === 'string') return extractSignature(parseBody(input) ?? {});
  let fields: { timestamp: unknown; token: unknown; signature: unknown };
  if (input instanceof URLSearchParams || input instanceof FormData) {
    const last = (name: string): unknown => input.getAll(name).at(-1);
    fields = { timestamp: last('timestamp'), token: last('token'), signature: last('signature') };
  } else if (isRecord(input) && isRecord(input.signature)) {
    fields = { timestamp: input.signature.timestamp, token: input.signature.token, signature: input.signature.signature };
  } else if (isRecord(input)) {
    fields = { timestamp: input.timestamp, token: input.token, signature: input.signature };
  } else {
    return undefined;
  }
  const timestamp = scalar(lastOf(fields.timestamp));
  const token = scalar(lastOf(fields.token));
  const signature = scalar(lastOf(fields.signature));
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || !token || signature === undefined) return undefined;
  return { timestamp, token, signature };
}

function parseBody(text: string): Record<string, unknown> | URLSearchParams | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(trimmed);
}

/** Body parsers turn repeated form fields into arrays; the last value is Mailgun's. */
function lastOf(value: unknown): unknown {
  return Array.isArray(value) ? value.at(-1) : value;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof URLSearchParams) && !(value instanceof FormData);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// `PUT …/webhooks/{name}/test`: POSTs a canned, signed test event for the webhook name to a URL
// and reports what the handler answered ({code, message}), as mailgun.js reads it.
// Current names get the JSON envelope; legacy names get their form post. The canned values are
// the ones Mailgun's dashboard test payloads share (reference §3.5).
import type { Poster } from './http-post.js';
import { isLegacyWebhookName } from '../lib/webhook-names.js';
import { buildEventData, sampleMessage, type EventSpec } from './event-data.js';
import { currentWebhookBody, legacyWebhookBody, type WebhookBody } from './payloads.js';
import { signWebhook } from './signing.js';

/** Where test payloads say the message is stored: the host of Mailgun's recorded test payloads. */
const TEST_STORAGE_BASE_URL = 'https://se.api.mailgun.net';
/** The account id test payloads carry (a test event belongs to no stored message or real account). */
const TEST_ACCOUNT_ID = '5f1e2d3c4b5a697887960a1b';

/** The canned event each webhook name is tested with: recorded answers for the failures (§3.4). */
const TEST_SPECS: Readonly<Record<string, EventSpec>> = {
  accepted: { event: 'accepted' },
  delivered: { event: 'delivered' },
  deliver: { event: 'delivered' },
  opened: { event: 'opened' },
  open: { event: 'opened' },
  clicked: { event: 'clicked', url: 'https://example.com/' },
  click: { event: 'clicked', url: 'https://example.com/' },
  unsubscribed: { event: 'unsubscribed' },
  unsubscribe: { event: 'unsubscribed' },
  complained: { event: 'complained' },
  spam: { event: 'complained' },
  permanent_fail: { event: 'failed', severity: 'permanent', reason: 'bounce', code: 550, message: 'No Such User Here', enhancedCode: '' },
  bounce: { event: 'failed', severity: 'permanent', reason: 'bounce', code: 550, message: 'No Such User Here', enhancedCode: '' },
  drop: { event: 'failed', severity: 'permanent', reason: 'suppress-bounce', code: 605 },
  temporary_fail: {
    event: 'failed',
    severity: 'temporary',
    reason: 'generic',
    code: 452,
    enhancedCode: '4.2.2',
    message: '4.2.2 The email account that you tried to reach is over quota.',
    retrySeconds: 600,
  },
};

/**
 * One test delivery: which webhook name to simulate, for which domain, to which URL.
 * @example const req: TestEventRequest = { name: 'delivered', domain, url, signingKey, nowMs: clock.now(), timeoutMs: 10_000 };
 */
export interface TestEventRequest {
  name: string;
  domain: string;
  url: string;
  signingKey: string;
  /** The event's time (mock clock). */
  nowMs: number;
  /** The signature's time (real time unless the mock signs with its clock). */
  signedAtMs: number;
  timeoutMs: number;
  /** The mock's webhook HTTP client (keep-alive, cancelled by stop). */
  poster: Poster;
  userAgent: string;
}

/**
 * What the handler answered, as `PUT …/test` reports it.
 * @example const { code, message }: TestEventResult = await sendTestEvent(req);
 */
export interface TestEventResult {
  /** The handler's HTTP status; 0 when it could not be reached. */
  code: number;
  /** The start of the handler's answer, or why it could not be reached. */
  message: string;
}

/**
 * Builds the body and content type of a test event for a webhook name (current or legacy).
 * @example const { contentType, body } = await buildTestEvent('delivered', 'samples.mailgun.org', signingKey, Date.now());
 */
export async function buildTestEvent(name: string, domain: string, signingKey: string, nowMs: number, signedAtMs = nowMs): Promise<WebhookBody> {
  const spec = Object.hasOwn(TEST_SPECS, name) ? TEST_SPECS[name] : undefined;
  if (!spec) throw new TypeError(`no test event for webhook name '${name}'`);
  const message = sampleMessage({ domain, nowMs, subject: `Test ${name} webhook` });
  const data = buildEventData(spec, { message, recipient: message.recipients[0]!, nowMs, storageBaseUrl: TEST_STORAGE_BASE_URL, accountId: TEST_ACCOUNT_ID });
  const sig = signWebhook(signingKey, signedAtMs);
  return isLegacyWebhookName(name) ? legacyWebhookBody(name, data, message, sig) : currentWebhookBody(data, sig);
}

/**
 * Sends one test event; never throws (an unreachable URL answers code 0 and says why).
 * @example const result = await sendTestEvent({ name: 'opened', domain, url, signingKey, nowMs: Date.now(), signedAtMs: Date.now(), timeoutMs: 10_000, poster });
 */
export async function sendTestEvent(req: TestEventRequest): Promise<TestEventResult> {
  let payload: WebhookBody;
  try {
    payload = await buildTestEvent(req.name, req.domain, req.signingKey, req.nowMs, req.signedAtMs);
  } catch (err) {
    return { code: 0, message: `could not build the test event: ${(err as Error).message}` };
  }
  const r = await req.poster.post(req.url, { 'Content-Type': payload.contentType, 'User-Agent': req.userAgent }, payload.body, req.timeoutMs, 1000);
  if (r.code === undefined) return { code: r.status, message: r.body };
  return { code: 0, message: `could not reach ${req.url}: ${r.code === 'TIMEOUT' ? `timed out after ${req.timeoutMs} ms` : r.code}` };
}

// `PUT …/webhooks/{name}/test`: POSTs a canned, signed test event for the webhook name to a URL
// and reports what the handler answered ({code, message}), as mailgun.js reads it.
// Current names get the JSON envelope; legacy names get their form post.
import { randomBytes } from 'node:crypto';
import { isLegacyWebhookName, type LegacyWebhookName } from '../lib/webhook-names.js';
import { signWebhook } from './signing.js';

const LEGACY_EVENT: Record<LegacyWebhookName, string> = {
  deliver: 'delivered', drop: 'dropped', bounce: 'bounced', spam: 'complained', unsubscribe: 'unsubscribed', click: 'clicked', open: 'opened',
};

/** Event name in `event-data.event` (permanent_fail/temporary_fail post `failed`). */
function currentEvent(name: string): { event: string; severity?: string } {
  if (name === 'permanent_fail') return { event: 'failed', severity: 'permanent' };
  if (name === 'temporary_fail') return { event: 'failed', severity: 'temporary' };
  return { event: name };
}

export interface TestEventRequest {
  name: string;
  domain: string;
  url: string;
  signingKey: string;
  nowMs: number;
  timeoutMs: number;
}

export interface TestEventResult {
  /** The handler's HTTP status; 0 when it could not be reached. */
  code: number;
  /** The start of the handler's answer, or why it could not be reached. */
  message: string;
}

/** Builds the body and content type of a test event. */
export function buildTestEvent(name: string, domain: string, signingKey: string, nowMs: number): { body: string; contentType: string } {
  const sig = signWebhook(signingKey, nowMs);
  const recipient = 'alice@example.com';
  const messageId = `${Math.floor(nowMs / 1000)}.test@${domain}`;
  if (isLegacyWebhookName(name)) {
    const form = new URLSearchParams({ event: LEGACY_EVENT[name], recipient, domain, 'message-id': messageId, timestamp: sig.timestamp, token: sig.token, signature: sig.signature });
    return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  const { event, severity } = currentEvent(name);
  const eventData: Record<string, unknown> = {
    event,
    id: randomBytes(16).toString('base64url').slice(0, 22),
    timestamp: nowMs / 1000,
    'log-level': event === 'failed' ? (severity === 'permanent' ? 'error' : 'warn') : 'info',
    recipient,
    'recipient-domain': 'example.com',
    ...(severity ? { severity } : {}),
    tags: ['my_tag_1', 'my_tag_2'],
    'user-variables': { my_var_1: 'Mailgun Variable #1', 'my-var-2': 'awesome' },
    message: { headers: { to: `Alice <${recipient}>`, 'message-id': messageId, from: `Bob <bob@${domain}>`, subject: `Test ${name} webhook` } },
  };
  return { body: JSON.stringify({ signature: sig, 'event-data': eventData }), contentType: 'application/json' };
}

/** Sends one test event; never throws. */
export async function sendTestEvent(req: TestEventRequest): Promise<TestEventResult> {
  const { body, contentType } = buildTestEvent(req.name, req.domain, req.signingKey, req.nowMs);
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      headers: { 'Content-Type': contentType, 'User-Agent': 'mailgun-mock' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    const text = await res.text();
    return { code: res.status, message: text.slice(0, 1000) };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = (err as Error).name === 'TimeoutError' ? `timed out after ${req.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (err as Error).message);
    return { code: 0, message: `could not reach ${req.url}: ${reason}` };
  }
}

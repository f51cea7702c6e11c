// Turning a fault rule into the answer Mailgun would give.
import { STATUS_CODES } from 'node:http';
import { MailgunError, errors } from '../errors.js';
import type { FaultPreset, FaultRuleInput } from './types.js';

const PRESET_STATUS: Record<FaultPreset, number> = {
  'rate-limited': 429,
  'server-error': 500,
  'bad-gateway': 502,
  unavailable: 503,
  'gateway-timeout': 504,
  unauthorized: 401,
  'not-found': 404,
  'bad-request': 400,
};

/** Seconds a forced 429 tells the client to wait, as in Mailgun's documented sample. */
export const FORCED_RETRY_SECONDS = 60;

/** The error a fault rule answers with, or undefined for delay-only rules and drops. */
export function faultResponse(rule: FaultRuleInput, now: number, rateLimit: number): MailgunError | undefined {
  const status = rule.preset ? PRESET_STATUS[rule.preset] : rule.status;
  if (status === undefined) return undefined;
  let base: MailgunError;
  if (status === 429) base = errors.rateLimited(FORCED_RETRY_SECONDS, rateLimit, now + FORCED_RETRY_SECONDS * 1000);
  else if (status === 401) base = errors.forbidden();
  else if (status === 404) base = errors.domainNotFound();
  else base = new MailgunError(status, { message: STATUS_CODES[status] ?? 'Error' });
  let body = base.body;
  let contentType = base.contentType;
  if (rule.body !== undefined) {
    body = rule.body;
    contentType = typeof rule.body === 'string' ? 'text/plain; charset=utf-8' : undefined;
  } else if (rule.message !== undefined) {
    body = typeof body === 'string' ? rule.message : { ...body, message: rule.message };
  }
  return new MailgunError(status, body, { ...base.headers, ...rule.headers }, contentType);
}

// Mailgun's webhook signature: lowercase hex HMAC-SHA256 of `timestamp + token`, keyed with the
// HTTP webhook signing key (the whole string, `key-` prefix included).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WebhookSignature } from './delivery-record.js';

export type { WebhookSignature } from './delivery-record.js';

/**
 * The signature of a timestamp and token.
 * @example computeSignature(mock.signingKey, '1529006854', 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0');
 */
export function computeSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey).update(timestamp + token).digest('hex');
}

/**
 * A fresh signature for "now": a new 50-character token every time, as each delivery attempt gets.
 * @example const sig = signWebhook('key-…', Date.now());
 */
export function signWebhook(signingKey: string, nowMs: number, token = randomBytes(25).toString('hex')): WebhookSignature {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { timestamp, token, signature: computeSignature(signingKey, timestamp, token) };
}

/**
 * Constant-time check of a signature, as Mailgun's own SDKs verify one.
 * @example if (!verifySignature(mock.signingKey, req.body.signature)) res.status(406).end();
 */
export function verifySignature(signingKey: string, sig: { timestamp: string; token: string; signature: string }): boolean {
  const expected = Buffer.from(computeSignature(signingKey, sig.timestamp, sig.token), 'hex');
  const given = /^[0-9a-f]{64}$/i.test(sig.signature) ? Buffer.from(sig.signature, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

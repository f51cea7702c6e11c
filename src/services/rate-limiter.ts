// Mailgun's webhook API limit: N requests per window per account (300 a minute, documented).
// A fixed window that opens with the first request; time comes from the injected clock.
import type { Clock } from '../lib/clock.js';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
}

export interface RateLimiter {
  /** Counts one request for `account`; `allowed` is false once the window's budget is spent. */
  hit(account: string): RateDecision;
  /** Forgets every window. */
  reset(): void;
  readonly limit: number;
}

/** `limit` 0 switches limiting off: every hit is allowed. */
export function createRateLimiter(limit: number, windowMs: number, clock: Clock): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    limit,
    hit(account) {
      const now = clock.now();
      if (limit === 0) return { allowed: true, limit, remaining: Infinity, resetAt: now };
      let w = windows.get(account);
      if (!w || now >= w.start + windowMs) {
        w = { start: now, count: 0 };
        windows.set(account, w);
      }
      const resetAt = w.start + windowMs;
      if (w.count >= limit) return { allowed: false, limit, remaining: 0, resetAt };
      w.count++;
      return { allowed: true, limit, remaining: limit - w.count, resetAt };
    },
    reset() {
      windows.clear();
    },
  };
}

// The per-account request budget on rate-limited routes (the webhook API: 300 a minute).
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { errors } from '../errors.js';
import { fromDashboard } from './faults.js';

export function createRateLimit(ctx: AppContext): RequestHandler {
  return (req, _res, next) => {
    if (fromDashboard(req.headers)) return next();
    const decision = ctx.rateLimiter.hit(req.mock.account ?? 'default');
    if (decision.allowed) return next();
    const retrySeconds = Math.max(1, Math.ceil((decision.resetAt - ctx.clock.now()) / 1000));
    next(errors.rateLimited(retrySeconds, decision.limit, decision.resetAt));
  };
}

// Forced responses: the per-request X-Mailgun-Mock-Fault header first, then the registry's rules.
// A rule answers with a Mailgun-shaped error, waits before the real answer, or drops the connection.
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { errors } from '../errors.js';
import { faultResponse } from '../faults/presets.js';
import { ruleMatches } from '../faults/registry.js';
import { FaultRuleError, parseFaultSpec } from '../faults/rules.js';
import type { FaultRuleInput } from '../faults/types.js';

export const FAULT_HEADER = 'x-mailgun-mock-fault';
/**
 * The dashboard marks its own Mailgun API calls with this header (value `dashboard`): they are
 * journalled like any client's, but neither take the faults a test armed for its app nor spend
 * the account's rate-limit budget.
 */
export const CLIENT_HEADER = 'x-mailgun-mock-client';

/** Whether a request is the dashboard's own. */
export const fromDashboard = (headers: Record<string, string | string[] | undefined>) => headers[CLIENT_HEADER] === 'dashboard';

export function createFaultMiddleware(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    const header = req.headers[FAULT_HEADER];
    // The usual case, on every request: no rules and no header.
    if (header === undefined && ctx.faults.size === 0) return next();
    if (fromDashboard(req.headers)) return next();
    const target = { routeId: req.mock.routeId ?? '', method: req.method, domain: req.mock.domain ?? undefined, webhook: req.mock.webhook ?? undefined };
    let rule: FaultRuleInput | undefined;
    if (header !== undefined) {
      try {
        const fromHeader = parseFaultSpec(Array.isArray(header) ? header.join(',') : header);
        // A header rule lives for one request, so `times` means nothing; `probability` still rolls.
        if (ruleMatches(fromHeader, target) && (fromHeader.probability === undefined || ctx.faults.chance(fromHeader.probability))) {
          rule = fromHeader;
          req.mock.faultId = 'header';
        }
      } catch (err) {
        if (err instanceof FaultRuleError) return next(errors.badRequest(`Invalid X-Mailgun-Mock-Fault header: ${err.message}`));
        throw err;
      }
    }
    if (!rule) {
      const taken = ctx.faults.take(target);
      if (taken) {
        rule = taken;
        req.mock.faultId = taken.id;
      }
    }
    if (!rule) return next();
    const chosen = rule;
    const act = () => {
      if (chosen.drop) {
        ctx.logger.debug(`fault ${req.mock.faultId}: dropping ${req.method} ${req.originalUrl}`);
        req.socket.destroy(); // the journal records a dropped answer as status 0
        return;
      }
      const answer = faultResponse(chosen, ctx.clock.now(), ctx.rateLimiter.limit || 300);
      if (answer) return next(answer);
      next();
    };
    if (chosen.delayMs) {
      const timer = setTimeout(act, chosen.delayMs);
      res.on('close', () => clearTimeout(timer));
    } else act();
  };
}

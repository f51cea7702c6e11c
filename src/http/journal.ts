// Records every answered Mailgun API request (not the control plane) in the journal.
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { flattenFields } from '../lib/fields.js';
import { newRequestInfo } from './request-info.js';

export const CONTROL_PREFIX = '/__mock';

export function createJournalMiddleware(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    const started = ctx.clock.now();
    const t0 = performance.now();
    req.mock = newRequestInfo(started);
    // `/__mockery` is not the control plane (Express mounts /__mock on whole segments): it is journalled.
    if (req.path === CONTROL_PREFIX || req.path.startsWith(`${CONTROL_PREFIX}/`)) return next();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const m = req.mock;
      ctx.journal.record({
        time: new Date(started).toISOString(),
        method: req.method,
        path: req.path,
        query: flattenFields(m.query),
        routeId: m.routeId,
        domain: m.domain,
        webhook: m.webhook,
        fields: flattenFields(m.fields),
        files: m.files.map(({ field, filename, contentType, size }) => ({ field, filename, contentType, size })),
        // A dropped connection has no status: 0.
        status: res.writableFinished ? res.statusCode : 0,
        durationMs: Math.round((performance.now() - t0) * 100) / 100,
        faultId: m.faultId,
      });
    };
    res.on('finish', record);
    res.on('close', record);
    next();
  };
}

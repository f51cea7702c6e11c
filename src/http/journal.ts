// Records every answered Mailgun API request (not the control plane) in the journal.
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { fromDashboard } from './faults.js';
import { newRequestInfo } from './request-info.js';

export const CONTROL_PREFIX = '/__mock';
const CONTROL_DIR = `${CONTROL_PREFIX}/`;

export function createJournalMiddleware(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    const started = ctx.clock.now();
    const t0 = performance.now();
    req.mock = newRequestInfo(started);
    // `/__mockery` is not the control plane (Express mounts /__mock on whole segments): it is journalled.
    const path = req.path;
    if (path === CONTROL_PREFIX || path.startsWith(CONTROL_DIR)) return next();
    const client = fromDashboard(req.headers) ? 'dashboard' : null;
    // The dashboard's own reads are not the test's business: only its writes are journalled.
    if (client !== null && (req.method === 'GET' || req.method === 'HEAD')) return next();
    const record = () => {
      const m = req.mock;
      const status = res.writableFinished ? res.statusCode : 0;
      const seq = ctx.journal.record({
        startedMs: started,
        method: req.method,
        path,
        query: m.query,
        routeId: m.routeId,
        domain: m.domain,
        webhook: m.webhook,
        fields: m.fields,
        // Without their content: the journal must not keep megabytes of attachments alive.
        files: m.files.length === 0 ? [] : m.files.map(({ field, filename, contentType, size }) => ({ field, filename, contentType, size })),
        // A dropped connection has no status: 0.
        status,
        durationMs: Math.round((performance.now() - t0) * 100) / 100,
        faultId: m.faultId,
        client,
      });
      if (ctx.bus.listening('request')) ctx.bus.emit('request', { seq, method: req.method, path, routeId: m.routeId, status, client });
    };
    // 'close' alone: Node emits it for every response, on the tick after 'finish' (before the client
    // can have read the answer) or on its own when the connection dropped first.
    res.on('close', record);
    next();
  };
}

// The control plane under /__mock: health, reset, faults, the request journal. It never needs an
// API key (it is for the test suite driving the mock) and speaks JSON only.
import express, { Router, type Request } from 'express';
import type { AppContext } from '../context.js';
import { errors, MailgunError, sendJson } from '../errors.js';
import { FaultRuleError, parseFaultSpec, validateFaultRule } from '../faults/rules.js';
import type { JournalFilter } from '../services/journal.js';
import { createDeliveryAdminRouter, type DeliveryAdminActions } from './admin-delivery.js';

export interface AdminActions extends DeliveryAdminActions {
  /** Restores the seed, the boot-time faults and outcome rules, empty journals and fresh rate-limit windows. */
  reset(): Promise<void>;
}

export function createAdminRouter(ctx: AppContext, actions: AdminActions): Router {
  const r = Router();
  r.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));

  // GET /__mock: what is here
  r.get('/', (_req, res) => {
    sendJson(res, 200, {
      name: 'mailgun-mock',
      version: ctx.version,
      endpoints: [
        'GET /__mock/health',
        'GET /__mock/accounts',
        'POST /__mock/reset',
        'GET|POST|DELETE /__mock/faults',
        'DELETE /__mock/faults/{id}',
        'GET|DELETE /__mock/requests',
        'GET /__mock/messages',
        'GET /__mock/messages/latest',
        'GET /__mock/messages/{id}',
        'GET /__mock/messages/{id}/attachments/{index}',
        'GET|POST /__mock/events',
        'GET|POST|DELETE /__mock/outcomes',
        'DELETE /__mock/outcomes/{id}',
        'GET /__mock/webhooks/deliveries',
        'GET /__mock/webhooks/deliveries/{id}',
        'POST /__mock/webhooks/deliveries/{id}/retry',
        'GET /__mock/clock',
        'POST /__mock/clock/advance',
      ],
    });
  });

  // GET /__mock/accounts (with accountPerKey the mock itself answers it, for every account)
  r.get('/accounts', (_req, res) => {
    sendJson(res, 200, { items: [{ id: ctx.accountId, messages: ctx.store.state.messages.length, events: ctx.store.state.events.length }] });
  });

  // GET /__mock/health
  r.get('/health', (_req, res) => {
    sendJson(res, 200, { status: 'ok', version: ctx.version, storage: ctx.store.kind });
  });

  // POST /__mock/reset
  r.post('/reset', async (_req, res) => {
    await actions.reset();
    sendJson(res, 200, { message: 'Mock has been reset' });
  });

  // GET /__mock/faults
  r.get('/faults', (_req, res) => {
    sendJson(res, 200, { items: ctx.faults.list() });
  });

  // POST /__mock/faults  (a rule as JSON, {"spec": "key=value,…"}, or a list of either)
  r.post('/faults', (req, res) => {
    const body: unknown = req.body;
    if (body === undefined || body === null || typeof body !== 'object') throw errors.badRequest('Send a fault rule as a JSON object (Content-Type: application/json)');
    const inputs = Array.isArray(body) ? body : [body];
    try {
      const rules = inputs.map((i) => (isSpec(i) ? parseFaultSpec(i.spec) : validateFaultRule(i)));
      const added = rules.map((rule) => ctx.faults.add(rule));
      sendJson(res, 200, { message: added.length === 1 ? 'Fault has been added' : 'Faults have been added', items: added });
    } catch (err) {
      if (err instanceof FaultRuleError) throw errors.badRequest(`Invalid fault rule: ${err.message}`);
      throw err;
    }
  });

  // DELETE /__mock/faults
  r.delete('/faults', (_req, res) => {
    ctx.faults.clear();
    sendJson(res, 200, { message: 'Faults have been cleared' });
  });

  // DELETE /__mock/faults/{id}
  r.delete('/faults/:id', (req, res) => {
    if (!ctx.faults.remove(req.params.id)) throw errorsNotFound('Fault not found');
    sendJson(res, 200, { message: 'Fault has been removed' });
  });

  // GET /__mock/requests?method=&route=&domain=&webhook=&status=&path=&after=&limit=
  r.get('/requests', (req, res) => {
    const items = ctx.journal.list(journalFilter(req));
    sendJson(res, 200, { items, total: items.length });
  });

  // DELETE /__mock/requests
  r.delete('/requests', (_req, res) => {
    ctx.journal.clear();
    sendJson(res, 200, { message: 'Journal has been cleared' });
  });

  r.use(createDeliveryAdminRouter(ctx, actions));

  r.use((_req, _res, next) => next(errorsNotFound('Unknown control-plane endpoint; see GET /__mock')));
  return r;
}

function isSpec(v: unknown): v is { spec: string } {
  return typeof v === 'object' && v !== null && 'spec' in v && typeof (v as { spec: unknown }).spec === 'string' && Object.keys(v).length === 1;
}

function errorsNotFound(message: string): MailgunError {
  return new MailgunError(404, { message });
}

function journalFilter(req: Request): JournalFilter {
  const at = req.originalUrl.indexOf('?');
  const q = new URLSearchParams(at === -1 ? '' : req.originalUrl.slice(at + 1));
  const num = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`Query parameter '${name}' must be a whole number`);
    return n;
  };
  const str = (name: string) => q.get(name) ?? undefined;
  return { method: str('method'), routeId: str('route'), domain: str('domain'), webhook: str('webhook'), pathPrefix: str('path'), status: num('status'), afterSeq: num('after'), limit: num('limit') };
}

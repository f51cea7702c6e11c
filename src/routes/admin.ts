// The control plane under /__mock: health, reset, faults, the request journal. It never needs an
// API key (it is for the test suite driving the mock) and speaks JSON only.
import express, { Router, type Request } from 'express';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';
import { FaultRuleError, parseFaultSpec, validateFaultRule } from '../faults/rules.js';
import type { JournalFilter } from '../services/journal.js';
import type { FaultRuleInput } from '../faults/types.js';
import { listAnswer, mountRuleRoutes, notFound, queryOf, wholeNumber } from './admin-common.js';
import { createDeliveryAdminRouter, type DeliveryAdminActions } from './admin-delivery.js';
import { streamHandler } from './live.js';
import { createMessageContentRouter, createUiRouter } from './ui.js';

export interface AdminActions extends DeliveryAdminActions {
  /** Restores the seed, the boot-time faults and outcome rules, empty journals and fresh rate-limit windows. */
  reset(): Promise<void>;
}

export function createAdminRouter(ctx: AppContext, actions: AdminActions): Router {
  const r = Router();
  // JSON requests from the developer's own pages (a dev server on another port) ask first.
  r.options('/{*path}', (_req, res) => {
    res.set({ 'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type, X-Mailgun-Mock-Account', 'Access-Control-Max-Age': '600' });
    res.status(204).end();
  });
  r.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));

  // GET /__mock: what is here
  r.get('/', (_req, res) => {
    sendJson(res, 200, {
      name: 'mailgun-mock',
      version: ctx.version,
      endpoints: [
        'GET /__mock/health',
        'GET /__mock/ui',
        'GET /__mock/ui/config',
        'GET /__mock/stream',
        'GET /__mock/accounts',
        'POST /__mock/reset',
        'GET|POST|DELETE /__mock/faults',
        'DELETE /__mock/faults/{id}',
        'GET|DELETE /__mock/requests',
        'GET /__mock/messages',
        'GET /__mock/messages/latest',
        'GET /__mock/messages/{id}',
        'GET /__mock/messages/{id}/html',
        'GET /__mock/messages/{id}/raw',
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

  // GET|POST|DELETE /__mock/faults, DELETE /__mock/faults/{id}  (a rule as JSON, {"spec": "key=value,…"}, or a list of either)
  mountRuleRoutes<FaultRuleInput>(r, '/faults', ctx.faults, (i) => (isSpec(i) ? parseFaultSpec(i.spec) : validateFaultRule(i as FaultRuleInput)), FaultRuleError, {
    singular: 'Fault',
    plural: 'Faults',
    noun: 'a fault rule',
    kind: 'fault rule',
  });

  // GET /__mock/requests?method=&route=&domain=&webhook=&status=&path=&after=&client=&limit=
  r.get('/requests', (req, res) => {
    const { limit, ...filter } = journalFilter(req);
    sendJson(res, 200, listAnswer(ctx.journal.list(filter), limit));
  });

  // DELETE /__mock/requests
  r.delete('/requests', (_req, res) => {
    ctx.journal.clear();
    sendJson(res, 200, { message: 'Journal has been cleared' });
  });

  // GET /__mock/stream: server-sent events as things happen (the dashboard's live view)
  r.get('/stream', streamHandler(ctx));

  // /__mock/ui: the dashboard
  r.use('/ui', createUiRouter(ctx));

  r.use(createMessageContentRouter(ctx));
  r.use(createDeliveryAdminRouter(ctx, actions));

  r.use((_req, _res, next) => next(notFound('Unknown control-plane endpoint; see GET /__mock')));
  return r;
}

function isSpec(v: unknown): v is { spec: string } {
  return typeof v === 'object' && v !== null && 'spec' in v && typeof (v as { spec: unknown }).spec === 'string' && Object.keys(v).length === 1;
}


function journalFilter(req: Request): JournalFilter {
  const q = queryOf(req);
  const str = (name: string) => q.get(name) ?? undefined;
  const num = (name: string) => wholeNumber(q, name);
  const client = str('client');
  return {
    method: str('method'), routeId: str('route'), domain: str('domain'), webhook: str('webhook'), pathPrefix: str('path'), status: num('status'), afterSeq: num('after'), limit: num('limit'),
    // client=none: requests of everyone but the dashboard.
    ...(client === undefined ? {} : { client: client === 'none' ? null : client }),
  };
}

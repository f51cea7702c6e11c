// The control plane's delivery half: stored messages, events (and making them happen), outcome
// rules, the webhook delivery journal, and the mock clock. Mounted by admin.ts under /__mock.
import { Router, type Request } from 'express';
import type { AppContext } from '../context.js';
import { errors, sendJson } from '../errors.js';
import { OutcomeRuleError, validateOutcomeRule, type OutcomeRuleInput } from '../outcomes/rules.js';
import { listAnswer, mountRuleRoutes, notFound, queryOf, wholeNumber } from './admin-common.js';
import type { EmitRequest } from '../services/delivery.js';
import { findMessage, listEvents, listMessages, type EventFilter, type MessageFilter } from '../services/inspect.js';
import type { MessageRecord } from '../store/types.js';
import { safeContentType } from '../lib/content-type.js';
import type { DeliveryFilter, DeliveryState } from '../webhooks/dispatcher.js';
import { sandboxContent } from '../http/content-policy.js';

export interface DeliveryAdminActions {
  /** Moves the clock and resolves once what became due has run. */
  advanceClock(ms: number): Promise<void>;
}

const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'retrying', 'delivered', 'rejected', 'failed', 'cancelled'];
const EMIT_EVENTS = ['opened', 'clicked', 'unsubscribed', 'complained', 'failed', 'delivered'] as const;
/** The longest single advance: a year, far past any retry schedule. */
const MAX_ADVANCE_MS = 366 * 24 * 3600 * 1000;



const limitOf = (q: URLSearchParams) => wholeNumber(q, 'limit');

const str = (q: URLSearchParams, name: string) => q.get(name) ?? undefined;

/** A message without file contents (lists stay light); `GET /__mock/messages/{id}` gives everything. */
function summary(m: MessageRecord): Record<string, unknown> {
  const { mime: _mime, attachments, ...rest } = m;
  return { ...rest, attachments: attachments.map(({ content: _c, ...a }) => a) };
}

/** Lighter still, for lists that refresh often (the dashboard's): no text, HTML or AMP part either. */
function light(m: MessageRecord): Record<string, unknown> {
  const { text: _t, html: _h, ampHtml: _a, ...rest } = summary(m);
  return { ...rest, hasText: m.text !== undefined, hasHtml: m.html !== undefined, hasAmpHtml: m.ampHtml !== undefined };
}

function messageFilter(q: URLSearchParams): MessageFilter {
  return { domain: str(q, 'domain'), recipient: str(q, 'recipient'), from: str(q, 'from'), subject: str(q, 'subject'), tag: str(q, 'tag'), search: str(q, 'q'), id: str(q, 'id'), limit: limitOf(q) };
}

function jsonObject(req: Request, what: string): Record<string, unknown> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.badRequest(`Send ${what} as a JSON object (Content-Type: application/json)`);
  return body as Record<string, unknown>;
}

export function createDeliveryAdminRouter(ctx: AppContext, actions: DeliveryAdminActions): Router {
  const r = Router();
  const { store } = ctx;

  // GET /__mock/messages?recipient=&subject=&tag=&from=&domain=&q=&id=&limit=&light=1
  r.get('/messages', (req, res) => {
    const q = queryOf(req);
    const { limit, ...filter } = messageFilter(q);
    sendJson(res, 200, listAnswer(listMessages(store.state, filter), limit, q.get('light') === '1' ? light : summary));
  });

  // GET /__mock/messages/latest (same filters)
  r.get('/messages/latest', (req, res) => {
    const m = listMessages(store.state, messageFilter(queryOf(req))).at(-1);
    if (!m) throw notFound('No message matches');
    sendJson(res, 200, summary(m));
  });

  // GET /__mock/messages/{id}
  r.get('/messages/:id', (req, res) => {
    const m = findMessage(store.state, req.params.id);
    if (!m) throw notFound('Message not found');
    sendJson(res, 200, m);
  });

  // GET /__mock/messages/{id}/attachments/{index}: the file as sent
  r.get('/messages/:id/attachments/:index', (req, res) => {
    const m = findMessage(store.state, req.params.id);
    if (!m) throw notFound('Message not found');
    const file = /^\d{1,4}$/.test(req.params.index) ? m.attachments[Number(req.params.index)] : undefined;
    if (!file) throw notFound('Attachment not found');
    const bytes = Buffer.from(file.content, 'base64');
    // Shown in the dashboard's origin: an HTML or SVG file must not run script there.
    sandboxContent(res);
    res.status(200).set({ 'Content-Type': safeContentType(file.contentType), 'Content-Length': String(bytes.length) }).end(bytes);
  });

  // GET /__mock/events?event=&recipient=&message=&severity=&domain=&limit=
  r.get('/events', (req, res) => {
    const q = queryOf(req);
    const f: EventFilter = { domain: str(q, 'domain'), event: str(q, 'event'), recipient: str(q, 'recipient'), messageId: str(q, 'message'), severity: str(q, 'severity'), limit: limitOf(q) };
    const { limit, ...filter } = f;
    sendJson(res, 200, listAnswer(listEvents(store.state, filter), limit));
  });

  // POST /__mock/events {"message": id, "event": "opened"|…, "recipient"?, "url"?, "severity"?, "code"?, "reason"?}
  r.post('/events', async (req, res) => {
    const b = jsonObject(req, 'the event');
    const known = ['message', 'event', 'recipient', 'url', 'severity', 'code', 'reason', 'description'];
    const unknown = Object.keys(b).find((k) => !known.includes(k));
    if (unknown) throw errors.badRequest(`Unknown field '${unknown}' (known: ${known.join(', ')})`);
    if (typeof b.message !== 'string' || b.message.length === 0) throw errors.badRequest(`'message' must be the Message-Id of a stored message`);
    if (typeof b.event !== 'string' || !(EMIT_EVENTS as readonly string[]).includes(b.event)) throw errors.badRequest(`'event' must be one of ${EMIT_EVENTS.join(', ')}`);
    for (const k of ['recipient', 'url', 'reason', 'description'] as const) {
      if (b[k] !== undefined && (typeof b[k] !== 'string' || (b[k] as string).length === 0 || (b[k] as string).length > 2000)) throw errors.badRequest(`'${k}' must be a non-empty string`);
    }
    if (b.severity !== undefined && b.severity !== 'permanent' && b.severity !== 'temporary') throw errors.badRequest(`'severity' must be permanent or temporary`);
    if (b.code !== undefined && (!Number.isInteger(b.code) || (b.code as number) < 100 || (b.code as number) > 999)) throw errors.badRequest(`'code' must be a whole number from 100 to 999`);
    if (b.event !== 'failed' && (b.severity !== undefined || b.code !== undefined || b.reason !== undefined)) throw errors.badRequest(`'severity', 'code' and 'reason' apply only to failed events`);
    if (b.event !== 'clicked' && b.url !== undefined) throw errors.badRequest(`'url' applies only to clicked events`);
    const request: EmitRequest = {
      messageId: b.message,
      event: b.event as EmitRequest['event'],
      recipient: b.recipient as string | undefined,
      url: b.url as string | undefined,
      severity: b.severity as EmitRequest['severity'],
      code: b.code as number | undefined,
      reason: b.reason as string | undefined,
      message: b.description as string | undefined,
    };
    const items = await ctx.delivery.emit(request);
    sendJson(res, 200, { message: items.length === 1 ? 'Event has been created' : 'Events have been created', items });
  });

  // GET|POST|DELETE /__mock/outcomes, DELETE /__mock/outcomes/{id}  (a rule, or a list of rules)
  mountRuleRoutes<OutcomeRuleInput>(r, '/outcomes', ctx.outcomes, validateOutcomeRule, OutcomeRuleError, {
    singular: 'Outcome rule',
    plural: 'Outcome rules',
    noun: 'an outcome rule',
    kind: 'outcome rule',
  });

  // GET /__mock/webhooks/deliveries?webhook=&url=&event=&state=&message=&recipient=&status=&domain=&limit=
  r.get('/webhooks/deliveries', (req, res) => {
    const q = queryOf(req);
    const state = str(q, 'state');
    if (state !== undefined && !DELIVERY_STATES.includes(state as DeliveryState)) throw errors.badRequest(`Query parameter 'state' must be one of ${DELIVERY_STATES.join(', ')}`);
    const status = q.get('status');
    if (status !== null && !/^\d{1,3}$/.test(status)) throw errors.badRequest(`Query parameter 'status' must be a whole number`);
    const f: DeliveryFilter = {
      domain: str(q, 'domain'), webhook: str(q, 'webhook'), url: str(q, 'url'), event: str(q, 'event'), state: state as DeliveryState | undefined,
      messageId: str(q, 'message'), recipient: str(q, 'recipient'), status: status === null ? undefined : Number(status), limit: limitOf(q),
    };
    const { limit, ...filter } = f;
    sendJson(res, 200, listAnswer(ctx.dispatcher.list(filter), limit));
  });

  // GET /__mock/webhooks/deliveries/{id}
  r.get('/webhooks/deliveries/:id', (req, res) => {
    const d = ctx.dispatcher.get(req.params.id);
    if (!d) throw notFound('Delivery not found');
    sendJson(res, 200, d);
  });

  // POST /__mock/webhooks/deliveries/{id}/retry: the next attempt now (a finished one is sent again)
  r.post('/webhooks/deliveries/:id/retry', async (req, res) => {
    const d = await ctx.dispatcher.retryNow(req.params.id);
    if (!d) throw notFound('Delivery not found');
    sendJson(res, 200, { message: 'Delivery has been attempted', delivery: d });
  });

  // GET /__mock/clock
  r.get('/clock', (_req, res) => {
    const now = ctx.clock.now();
    sendJson(res, 200, { now, iso: new Date(now).toISOString(), advancedMs: ctx.clock.advancedMs, speed: ctx.clock.speed ?? 1, frozen: ctx.clock.frozen ?? false, pending: ctx.scheduler.pending });
  });

  // POST /__mock/clock/advance {"ms": n}: resolves after the retries and deliveries that became due have run
  r.post('/clock/advance', async (req, res) => {
    const b = jsonObject(req, '{"ms": <milliseconds>}');
    const ms = b.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_ADVANCE_MS) {
      throw errors.badRequest(`'ms' must be a number of milliseconds from 0 to ${MAX_ADVANCE_MS}`);
    }
    await actions.advanceClock(ms);
    const now = ctx.clock.now();
    sendJson(res, 200, { message: 'Clock has been advanced', now, iso: new Date(now).toISOString(), advancedMs: ctx.clock.advancedMs, pending: ctx.scheduler.pending });
  });

  return r;
}

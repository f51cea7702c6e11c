// Account-level webhooks, v1: /v1/webhooks[/{webhook_id}]. No domain in the path: each webhook
// fires for every domain of the region the request reached (api.mailgun.net or api.eu.mailgun.net).
import type { Express, Request } from 'express';
import type { RouteBuilder } from '../app.js';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';
import { allFields } from '../lib/fields.js';
import * as accounts from '../services/account-webhooks.js';

type IdRequest = Request<{ webhook_id: string }>;

/** A query parameter, also read from the body (PHP sends DELETE with a form body). */
function queryValues(req: Request, name: string): string[] {
  return [...allFields(req.mock.query, name), ...allFields(req.mock.fields, name)];
}

/** A form field as Go's `r.Form` holds it (Mailgun's services are Go): the body's values, then the query's. */
function formValues(req: Request, name: string): string[] {
  return [...allFields(req.mock.fields, name), ...allFields(req.mock.query, name)];
}

/** Go's `strconv.ParseBool` true values, which `all=` most likely goes through. */
const TRUE_VALUES = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

function input(req: Request): accounts.AccountWebhookInput {
  return { url: formValues(req, 'url')[0], eventTypes: formValues(req, 'event_types'), description: formValues(req, 'description')[0] };
}

export function registerAccountWebhookRoutes(app: Express, route: RouteBuilder, ctx: AppContext): void {
  const { store } = ctx;
  const limited = { limited: true };
  const list = '/v1/webhooks';
  const one = '/v1/webhooks/:webhook_id';

  // GET /v1/webhooks  (webhook_ids=a,b filters)
  app.get(list, route('accountWebhooks.list', limited, (req: Request, res) => {
    const ids = accounts.parseWebhookIds(allFields(req.mock.query, 'webhook_ids'), true);
    sendJson(res, 200, { webhooks: accounts.listAccountWebhooks(store.state, req.mock.region, ids) });
  }));

  // GET /v1/webhooks/{webhook_id}
  app.get(one, route('accountWebhooks.get', limited, (req: IdRequest, res) => {
    sendJson(res, 200, accounts.getAccountWebhook(store.state, req.mock.region, req.params.webhook_id));
  }));

  // POST /v1/webhooks  (url, event_types repeated or comma-joined, description)
  app.post(list, route('accountWebhooks.create', limited, async (req: Request, res) => {
    const id = await store.mutate((s) => accounts.createAccountWebhook(s, req.mock.region, input(req), ctx.clock.now()));
    sendJson(res, 200, { webhook_id: id });
  }));

  // PUT /v1/webhooks/{webhook_id}  (the same fields: a full replace) → 204
  app.put(one, route('accountWebhooks.update', limited, async (req: IdRequest, res) => {
    await store.mutate((s) => accounts.updateAccountWebhook(s, req.mock.region, req.params.webhook_id, input(req)));
    res.status(204).end();
  }));

  // DELETE /v1/webhooks/{webhook_id} → 204
  app.delete(one, route('accountWebhooks.delete', limited, async (req: IdRequest, res) => {
    await store.mutate((s) => accounts.deleteAccountWebhook(s, req.mock.region, req.params.webhook_id));
    res.status(204).end();
  }));

  // DELETE /v1/webhooks?webhook_ids=a,b | ?all=true → 204
  app.delete(list, route('accountWebhooks.deleteAll', limited, async (req: Request, res) => {
    const ids = accounts.parseWebhookIds(queryValues(req, 'webhook_ids'));
    const all = queryValues(req, 'all').some((v) => TRUE_VALUES.has(v));
    await store.mutate((s) => accounts.deleteAccountWebhooks(s, req.mock.region, ids, all));
    res.status(204).end();
  }));
}

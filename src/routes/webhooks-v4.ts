// Domain webhooks, v4: /v4/domains/{domain}/webhooks. One URL, many event types; every answer is
// the domain's whole map in the v3 list shape. There is no v4 GET: clients list through v3.
import type { Express, Request } from 'express';
import type { RouteBuilder } from '../app.js';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';
import { allFields, type Fields } from '../lib/fields.js';
import * as v4 from '../services/webhooks-v4.js';

type DomainRequest = Request<{ domain: string }>;

/**
 * A field's values as Go's `r.Form` holds them (Mailgun's services are Go): the body's first, then
 * the query's. DELETE reads the query first: Go parses no body for it, and SDKs send `?url=`.
 */
function formValues(req: DomainRequest, name: string, queryFirst = false): string[] {
  const order: Fields[] = queryFirst ? [req.mock.query, req.mock.fields] : [req.mock.fields, req.mock.query];
  return order.flatMap((f) => allFields(f, name));
}

export function registerWebhookV4Routes(app: Express, route: RouteBuilder, ctx: AppContext): void {
  const { store } = ctx;
  const path = '/v4/domains/:domain/webhooks';
  const limited = { limited: true };

  // POST /v4/domains/{domain}/webhooks  (url, event_types repeated or comma-joined)
  app.post(path, route('webhooks.v4.create', limited, async (req: DomainRequest, res) => {
    const webhooks = await store.mutate((s) => v4.createWebhooksV4(s, req.params.domain, formValues(req, 'url')[0], formValues(req, 'event_types')));
    sendJson(res, 200, { webhooks });
  }));

  // PUT /v4/domains/{domain}/webhooks  (url, event_types: replaces that URL's event types)
  app.put(path, route('webhooks.v4.update', limited, async (req: DomainRequest, res) => {
    const webhooks = await store.mutate((s) => v4.updateWebhooksV4(s, req.params.domain, formValues(req, 'url')[0], formValues(req, 'event_types')));
    sendJson(res, 200, { webhooks });
  }));

  // DELETE /v4/domains/{domain}/webhooks?url=…  (url repeated or comma-joined)
  app.delete(path, route('webhooks.v4.delete', limited, async (req: DomainRequest, res) => {
    const webhooks = await store.mutate((s) => v4.deleteWebhooksV4(s, req.params.domain, formValues(req, 'url', true)));
    sendJson(res, 200, { webhooks });
  }));
}

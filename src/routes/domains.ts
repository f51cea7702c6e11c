// Mailgun's Domains API: list, get, create, update, delete, verify, and the tracking settings.
// Lists show the request's region; a domain created through the EU host is an EU domain. Rate
// limited as Mailgun documents for the Domains API (300 a minute per account, the webhook budget).
import type { Express, Request } from 'express';
import type { RouteBuilder } from '../app.js';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';
import type { Fields } from '../lib/fields.js';
import * as admin from '../services/domain-admin.js';

/** The first value of each field (Go's FormValue), by wire name; no prototype, so `__proto__` is only a field. */
function raw(fields: Fields): admin.RawInput {
  const out = Object.create(null) as admin.RawInput;
  for (const [name, values] of Object.entries(fields)) out[name] = values[0];
  return out;
}

/** The tracking kind is the last path segment (only open, click and unsubscribe are routed). */
const kindOf = (req: Request) => req.path.slice(req.path.lastIndexOf('/') + 1) as admin.TrackingKind;

export function registerDomainRoutes(app: Express, route: RouteBuilder, ctx: AppContext): void {
  const { store } = ctx;
  const limited = { limited: true };
  const both = (suffix: string) => [`/v4/domains${suffix}`, `/v3/domains${suffix}`];

  // GET /v4/domains (and /v3/domains)
  app.get(both(''), route('domains.list', limited, (req, res) => {
    sendJson(res, 200, admin.listDomains(store.state, req.mock.region, raw(req.mock.query)));
  }));

  // POST /v4/domains (and /v3/domains)
  app.post(both(''), route('domains.create', limited, async (req, res) => {
    const body = await store.mutate((s) => admin.createDomain(s, req.mock.region, raw(req.mock.fields), ctx.clock.now()));
    sendJson(res, 200, body);
  }));

  // GET /v4/domains/{name} (and /v3/domains/{name})
  app.get(both('/:domain'), route('domains.get', limited, (req: Request<{ domain: string }>, res) => {
    sendJson(res, 200, admin.getDomain(store.state, req.params.domain, raw(req.mock.query)));
  }));

  // PUT /v4/domains/{name}
  app.put('/v4/domains/:domain', route('domains.update', limited, async (req: Request<{ domain: string }>, res) => {
    const body = await store.mutate((s) => admin.updateDomain(s, req.params.domain, raw(req.mock.fields)));
    sendJson(res, 200, body);
  }));

  // PUT /v4/domains/{name}/verify (and /v3/domains/{name}/verify)
  app.put(both('/:domain/verify'), route('domains.verify', limited, async (req: Request<{ domain: string }>, res) => {
    const body = await store.mutate((s) => admin.verifyDomain(s, req.params.domain));
    sendJson(res, 200, body);
  }));

  // DELETE /v3/domains/{name}
  app.delete('/v3/domains/:domain', route('domains.delete', limited, async (req: Request<{ domain: string }>, res) => {
    const body = await store.mutate((s) => admin.deleteDomain(s, req.params.domain));
    sendJson(res, 200, body);
  }));

  // GET /v3/domains/{name}/tracking
  app.get('/v3/domains/:domain/tracking', route('domains.tracking.get', limited, (req: Request<{ domain: string }>, res) => {
    sendJson(res, 200, admin.getTracking(store.state, req.params.domain));
  }));

  // PUT /v3/domains/{name}/tracking/{open|click|unsubscribe}
  const trackingPaths = admin.TRACKING_KINDS.map((kind) => `/v3/domains/:domain/tracking/${kind}`);
  app.put(trackingPaths, route('domains.tracking.update', limited, async (req: Request<{ domain: string }>, res) => {
    const kind = kindOf(req);
    const body = await store.mutate((s) => admin.updateTracking(s, req.params.domain, kind, raw(req.mock.fields)));
    sendJson(res, 200, body);
  }));
}

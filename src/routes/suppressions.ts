// Mailgun's Suppressions API: bounces, unsubscribes, complaints and the allowlist (`whitelists`), each
// at /v3/{domain}/{type}[/{address}]: list with paging, get one, add one (form fields) or a batch (a
// JSON array), remove one (for an unsubscribe, one tag with `tag`), clear the list. The lists drive
// sends (services/delivery.ts); the rules behind these handlers live in services/suppressions.ts.
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { RouteBuilder } from '../app.js';
import type { AppContext } from '../context.js';
import { errors, MailgunError, sendJson } from '../errors.js';
import { firstField } from '../lib/fields.js';
import { findDomain } from '../services/domains.js';
import {
  addEntries,
  clearEntries,
  entriesFromJson,
  entryFromForm,
  findEntry,
  keyOf,
  listPage,
  pagingLinks,
  parseListQuery,
  removeEntry,
  SUPPRESSION_TEXTS,
  SUPPRESSION_TYPES,
  TAG_NOT_FOUND,
  toWire,
  type SuppressionEntry,
  type SuppressionType,
} from '../services/suppressions.js';
import type { DomainRecord } from '../store/types.js';

type Req = Request<{ domain: string; address: string }>;
type Handler = (req: Req, res: Response) => unknown;

export function registerSuppressionRoutes(app: Express, route: RouteBuilder, ctx: AppContext): void {
  const { store, clock } = ctx;
  // The mock's body parser reads JSON only on the control plane; batch creates are JSON arrays, so
  // these routes read it themselves: after faults and auth, within the same body limit.
  const readJson = express.json({ limit: ctx.options.maxBodyBytes, type: 'application/json' });

  /** A handler as one route step: JSON read first when `json` (POST with that content type), errors to the error middleware. */
  const step =
    (handler: Handler, json = false): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) => {
      const run = () => void Promise.resolve().then(() => handler(req as Req, res)).catch(next);
      if (json && req.is('application/json')) readJson(req, res, (err?: unknown) => (err ? next(err) : run()));
      else run();
    };

  const domainOf = (req: Req): DomainRecord => {
    const domain = findDomain(store.state, req.params.domain);
    if (!domain) throw errors.domainNotFound();
    return domain;
  };
  /** Applies `change` to the domain inside one state change; resolves once it is durable. */
  const change = async <T>(req: Req, apply: (domain: DomainRecord) => T): Promise<T> => {
    const name = domainOf(req).name;
    const done = await store.mutate((s) => {
      const domain = findDomain(s, name);
      return domain ? { value: apply(domain) } : undefined;
    });
    if (!done) throw errors.domainNotFound();
    return done.value;
  };
  const notFound = (type: SuppressionType) => new MailgunError(404, { message: SUPPRESSION_TEXTS[type].notFound });

  /** The answer to a single add, keys in the order Mailgun sends them (recorded for the first three). */
  const added = (type: SuppressionType, e: SuppressionEntry): Record<string, unknown> => {
    const message = SUPPRESSION_TEXTS[type].added;
    if ('value' in e) return { message, type: e.type, value: e.value };
    return type === 'bounces' ? { message, address: e.address } : { address: e.address, message };
  };

  const handlers = (type: SuppressionType) => ({
    // GET /v3/{domain}/{bounces|unsubscribes|complaints|whitelists}
    list: step((req, res) => {
      const domain = domainOf(req);
      const query = parseListQuery(req.mock.query);
      const page = listPage(domain, type, query);
      const listUrl = `${req.protocol}://${req.get('host') ?? '127.0.0.1'}/v3/${encodeURIComponent(domain.name)}/${type}`;
      sendJson(res, 200, { items: page.items, paging: pagingLinks(listUrl, query, page) });
    }),

    // GET /v3/{domain}/{bounces|unsubscribes|complaints|whitelists}/{address or domain}
    get: step((req, res) => {
      const entry = findEntry(domainOf(req), type, req.params.address);
      if (!entry) throw notFound(type);
      sendJson(res, 200, toWire(entry));
    }),

    // POST /v3/{domain}/{bounces|unsubscribes|complaints|whitelists}
    create: step(async (req, res) => {
      domainOf(req);
      const nowMs = clock.now();
      // A JSON body is a batch (the allowlist takes none: its fields are then missing, as on Mailgun).
      if (type !== 'whitelists' && req.body !== undefined) {
        const entries = entriesFromJson(type, req.body, nowMs);
        await change(req, (domain) => addEntries(domain, type, entries));
        return sendJson(res, 200, { message: SUPPRESSION_TEXTS[type].batch(entries.length) });
      }
      const entry = entryFromForm(type, req.mock.fields, nowMs);
      await change(req, (domain) => addEntries(domain, type, [entry]));
      sendJson(res, 200, added(type, entry));
    }, true),

    // DELETE /v3/{domain}/{bounces|unsubscribes|complaints|whitelists}/{address or domain}
    remove: step(async (req, res) => {
      const entry = findEntry(domainOf(req), type, req.params.address);
      if (!entry) throw notFound(type);
      const key = keyOf(entry);
      // `tag` (query, or a form field as the Java SDK sends it) removes one tag of an unsubscribe.
      const tag = type === 'unsubscribes' ? firstField(req.mock.query, 'tag') || firstField(req.mock.fields, 'tag') || undefined : undefined;
      const outcome = await change(req, (domain) => removeEntry(domain, type, key, tag));
      if (outcome === 'missing') throw notFound(type);
      if (outcome === 'no-tag') throw new MailgunError(404, { message: TAG_NOT_FOUND });
      const message = SUPPRESSION_TEXTS[type].removed;
      sendJson(res, 200, type === 'whitelists' ? { message, value: key } : { address: key, message });
    }),

    // DELETE /v3/{domain}/{bounces|unsubscribes|complaints|whitelists}
    clear: step(async (req, res) => {
      await change(req, (domain) => clearEntries(domain, type));
      sendJson(res, 200, { message: SUPPRESSION_TEXTS[type].cleared });
    }),
  });

  // Four explicit paths per verb, never `/v3/:domain/:type`: `/v3/{domain}/messages` and `/events`
  // live beside them, and any other type must stay Mailgun's plain 404 page.
  for (const type of SUPPRESSION_TYPES) {
    const h = handlers(type);
    const list = `/v3/:domain/${type}`;
    const one = `${list}/:address`;
    app.get(list, route('suppressions.list', {}, h.list));
    app.get(one, route('suppressions.get', {}, h.get));
    app.post(list, route('suppressions.create', {}, h.create));
    app.delete(one, route('suppressions.delete', {}, h.remove));
    app.delete(list, route('suppressions.clear', {}, h.clear));
  }
}

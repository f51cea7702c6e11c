// createApp(ctx): the whole route table in one place. It builds an Express app and never listens.
import express, { type RequestHandler } from 'express';
import type { AdminActions } from './routes/admin.js';
import { createAdminRouter } from './routes/admin.js';
import { webhookHandlers } from './routes/webhooks.js';
import { messageHandlers } from './routes/messages.js';
import { eventHandlers } from './routes/events.js';
import { accountHandlers } from './routes/account.js';
import { registerDomainRoutes } from './routes/domains.js';
import { registerSuppressionRoutes } from './routes/suppressions.js';
import { registerWebhookV4Routes } from './routes/webhooks-v4.js';
import { registerAccountWebhookRoutes } from './routes/account-webhooks.js';
import type { AppContext } from './context.js';
import { createErrorHandler, errors, notFoundHandler, type MailgunError } from './errors.js';
import { createRegionMiddleware, regionGuard } from './http/region.js';
import { createAuth } from './http/auth.js';
import { createGuard, createRefusal } from './http/control-guard.js';
import { createBodyParser } from './http/body.js';
import { compose } from './http/compose.js';
import { createFaultMiddleware } from './http/faults.js';
import { mailgunHeaders } from './http/headers.js';
import { CONTROL_PREFIX, createJournalMiddleware } from './http/journal.js';
import { createRateLimit } from './http/rate-limit.js';
import { describeRoute } from './http/request-info.js';

/** Mailgun answers `GET /` on its API host with this text; mailgun.js reads it as a wrong base URL. */
export const API_ROOT_TEXT = 'Mailgun Magnificent API';

/** Every route id the app serves: fault rules, the journal and the docs name endpoints by these. */
export const ROUTE_IDS = [
  'webhooks.list', 'webhooks.get', 'webhooks.create', 'webhooks.update', 'webhooks.delete', 'webhooks.test',
  'messages.send', 'messages.mime', 'messages.stored', 'messages.attachment',
  'events.list', 'events.page',
  'signingKey.get', 'signingKey.regenerate',
  'domains.list', 'domains.get', 'domains.create', 'domains.update', 'domains.delete', 'domains.verify', 'domains.tracking.get', 'domains.tracking.update',
  'suppressions.list', 'suppressions.get', 'suppressions.create', 'suppressions.delete', 'suppressions.clear',
  'webhooks.v4.create', 'webhooks.v4.update', 'webhooks.v4.delete',
  'accountWebhooks.list', 'accountWebhooks.get', 'accountWebhooks.create', 'accountWebhooks.update', 'accountWebhooks.delete', 'accountWebhooks.deleteAll',
] as const;
/** A route id, as fault rules (`route`) and journal entries (`routeId`) name endpoints. */
export type RouteId = (typeof ROUTE_IDS)[number];

export interface RouteOptions {
  /** Counts against the account's rate limit (Mailgun documents it for the webhook API). */
  limited?: boolean;
  /** The answer for a domain that does not exist here (or lives in the other region). Default `{"message":"Domain not found"}`. */
  notFound?: (domain: string) => MailgunError;
}

/** Builds a route: its id, options and handler, composed with faults, auth, region and limits. */
export type RouteBuilder = (id: RouteId, opts: RouteOptions, handler: RequestHandler<never>) => RequestHandler;

const preflight: RequestHandler = (_req, res) => {
  res.set({
    'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, x-requested-with, Authorization',
    'Access-Control-Max-Age': '600',
  });
  res.status(200).end();
};

export function createApp(ctx: AppContext, actions: AdminActions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  // Mailgun's Go router matches paths case-sensitively: /V3/… is a 404 there, so it is here.
  app.set('case sensitive routing', true);

  const auth = createAuth(ctx);
  const faults = createFaultMiddleware(ctx);
  const rateLimit = createRateLimit(ctx);
  /** A Mailgun endpoint: name it, forced responses, auth, the limiter, then the handler (one router layer). */
  const route: RouteBuilder = (id, opts, handler) =>
    compose([describeRoute(id), faults, auth, regionGuard(ctx, opts.notFound ?? (() => errors.domainNotFound())), ...(opts.limited ? [rateLimit] : []), handler as RequestHandler]);

  // Every request: the journal, Mailgun's headers, who may ask (host and origin), the body (one router layer).
  const guard = createGuard(createRefusal({ host: ctx.options.host, allowedHosts: ctx.options.allowedHosts, anyKey: ctx.apiKeys.size === 0 }));
  app.use(compose([createJournalMiddleware(ctx), createRegionMiddleware(), mailgunHeaders, guard, createBodyParser(ctx.options.maxBodyBytes)]));

  app.use(CONTROL_PREFIX, createAdminRouter(ctx, actions));

  // OPTIONS on any API path: a browser's CORS preflight (headers as recorded from Mailgun in 2016).
  app.options('/{*path}', preflight);

  // GET /
  app.get('/', (_req, res) => {
    res.status(200).type('text/plain; charset=utf-8').send(API_ROOT_TEXT);
  });

  // Domain webhooks (v3; v2 is the path old mailgun.js and scripts still call).
  const hooks = webhookHandlers(ctx);
  const webhooksPath = ['/v3/domains/:domain/webhooks', '/v2/domains/:domain/webhooks'];
  const webhookPath = webhooksPath.map((p) => `${p}/:name`);
  const limited = { limited: true };
  app.get(webhooksPath, route('webhooks.list', limited, hooks.list));
  app.post(webhooksPath, route('webhooks.create', limited, hooks.create));
  app.get(webhookPath, route('webhooks.get', limited, hooks.get));
  app.put(webhookPath, route('webhooks.update', limited, hooks.update));
  app.delete(webhookPath, route('webhooks.delete', limited, hooks.remove));
  app.put(webhookPath.map((p) => `${p}/test`), route('webhooks.test', limited, hooks.test));

  // Messages (sending, and the stored copies events link to).
  const messages = messageHandlers(ctx);
  const open = { notFound: errors.domainNotFoundNamed };
  app.post('/v3/:domain/messages', route('messages.send', open, messages.send));
  app.post('/v3/:domain/messages.mime', route('messages.mime', open, messages.sendMime));
  app.get('/v3/domains/:domain/messages/:key', route('messages.stored', open, messages.stored));
  app.get('/v3/domains/:domain/messages/:key/attachments/:index', route('messages.attachment', open, messages.attachment));

  // Events (the paging URLs it hands out end in /events/{token}).
  const events = eventHandlers(ctx);
  app.get('/v3/:domain/events', route('events.list', open, events.list));
  app.get('/v3/:domain/events/:token', route('events.page', open, events.page));

  // The account's HTTP webhook signing key.
  const account = accountHandlers(ctx);
  app.get('/v5/accounts/http_signing_key', route('signingKey.get', {}, account.getSigningKey));
  app.post('/v5/accounts/http_signing_key', route('signingKey.regenerate', {}, account.regenerateSigningKey));

  // Domains, suppressions, v4 domain webhooks and v1 account webhooks: each area registers its own routes.
  registerDomainRoutes(app, route, ctx);
  registerSuppressionRoutes(app, route, ctx);
  registerWebhookV4Routes(app, route, ctx);
  registerAccountWebhookRoutes(app, route, ctx);

  app.use(notFoundHandler);
  app.use(createErrorHandler(ctx.logger));
  return app;
}


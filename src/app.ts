// createApp(ctx): the whole route table in one place. It builds an Express app and never listens.
import express, { type RequestHandler } from 'express';
import type { AdminActions } from './routes/admin.js';
import { createAdminRouter } from './routes/admin.js';
import { webhookHandlers } from './routes/webhooks.js';
import { messageHandlers } from './routes/messages.js';
import { eventHandlers } from './routes/events.js';
import { accountHandlers } from './routes/account.js';
import type { AppContext } from './context.js';
import { createErrorHandler, notFoundHandler } from './errors.js';
import { createAuth } from './http/auth.js';
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
] as const;
/** A route id, as fault rules (`route`) and journal entries (`routeId`) name endpoints. */
export type RouteId = (typeof ROUTE_IDS)[number];

interface RouteOptions {
  /** Counts against the account's rate limit (Mailgun documents it for the webhook API). */
  limited?: boolean;
}

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
  const route = (id: RouteId, opts: RouteOptions, handler: RequestHandler<never>): RequestHandler =>
    compose([describeRoute(id), faults, auth, ...(opts.limited ? [rateLimit] : []), handler as RequestHandler]);

  // Every request: the journal, Mailgun's headers, the body (one router layer).
  app.use(compose([createJournalMiddleware(ctx), mailgunHeaders, createBodyParser(ctx.options.maxBodyBytes)]));

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
  const open = {};
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
  app.get('/v5/accounts/http_signing_key', route('signingKey.get', open, account.getSigningKey));
  app.post('/v5/accounts/http_signing_key', route('signingKey.regenerate', open, account.regenerateSigningKey));

  app.use(notFoundHandler);
  app.use(createErrorHandler(ctx.logger));
  return app;
}


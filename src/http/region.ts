// Which Mailgun region a request reached: `api.eu.mailgun.net` or `api.mailgun.net` in the Host
// header (an /etc/hosts entry pointing them here works), else the port it came in on (the mock
// listens on a US and an EU port). A domain of the other region answers as Mailgun does: not found.
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import type { MailgunError } from '../errors.js';
import { findDomain } from '../services/domains.js';

/** Mailgun's API hosts per region. */
export const REGION_HOSTS = { us: 'api.mailgun.net', eu: 'api.eu.mailgun.net' } as const;

export function createRegionMiddleware(ctx: AppContext): RequestHandler {
  return (req, _res, next) => {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (host === REGION_HOSTS.eu) req.mock.region = 'eu';
    else if (host === REGION_HOSTS.us) req.mock.region = 'us';
    else if (ctx.ports.eu !== null && req.socket.localPort === ctx.ports.eu) req.mock.region = 'eu';
    next();
  };
}

/** Route step: a domain in the path that lives in the other region is not found here. */
export function regionGuard(ctx: AppContext, notFound: (domain: string) => MailgunError): RequestHandler {
  return (req, _res, next) => {
    const name = (req.params as Record<string, string | undefined>).domain;
    if (name !== undefined) {
      const d = findDomain(ctx.store.state, name);
      if (d && d.region !== req.mock.region) return next(notFound(name));
    }
    next();
  };
}

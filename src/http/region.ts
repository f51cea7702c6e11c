// Which Mailgun region a request reached: `api.eu.mailgun.net` or `api.mailgun.net` in the Host
// header (an /etc/hosts entry pointing them here works), else the port it came in on (the mock
// listens on a US and an EU port). A domain of the other region answers as Mailgun does: not found.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import type { MailgunError } from '../errors.js';
import { findDomain } from '../services/domains.js';

/** Mailgun's API hosts per region. */
export const REGION_HOSTS = { us: 'api.mailgun.net', eu: 'api.eu.mailgun.net' } as const;

/** Set by the EU listener on each request it takes (cheaper than asking the socket its port). */
const EU_LISTENER = Symbol('mailgun-mock EU listener');

/** The EU listener's request handler: the app, told the request came in on the EU port. */
export function euListener(app: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    (req as IncomingMessage & { [EU_LISTENER]?: true })[EU_LISTENER] = true;
    app(req, res);
  };
}

export function createRegionMiddleware(): RequestHandler {
  return (req, _res, next) => {
    const host = req.headers.host;
    // Most requests name 127.0.0.1 or localhost: only an `api.` host needs a closer look.
    if (host !== undefined && host.length >= 15 && (host.charCodeAt(0) | 32) === 97) {
      const name = host.toLowerCase().replace(/:\d+$/, '');
      if (name === REGION_HOSTS.eu) {
        req.mock.region = 'eu';
        return next();
      }
      if (name === REGION_HOSTS.us) return next();
    }
    if ((req as unknown as { [EU_LISTENER]?: true })[EU_LISTENER]) req.mock.region = 'eu';
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

// Who may talk to the mock. Two rules, so that a web page the developer happens to visit cannot
// read the mail a test sent or reset the mock:
// - Host: a request must name localhost, an IP address, Mailgun's API hosts, the bound --host or
//   an allowed host (`allowedHosts`), whatever interface it is bound to. That stops DNS rebinding,
//   where evil.test is re-pointed at 127.0.0.1 (or at a published Docker port) and its page
//   becomes "same-origin": such a page's GET carries no Origin and, on plain http, no Sec-Fetch-*.
// - Browsers from elsewhere: a request whose Origin is another site's (or `null`), or that a
//   browser marks `Sec-Fetch-Site: cross-site`, is refused on the control plane (no key protects
//   it) and, while any API key is accepted, on the Mailgun API too. Pages on a loopback origin (a
//   dev server on localhost:3000), the mock's own host and allowed hosts count as the developer's
//   own; a link navigation to the dashboard (/__mock/ui) is let through (it hands nothing to the
//   linking page).
// Programs (SDKs, curl, test code) send no Origin and no Sec-Fetch-Site.
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { MailgunError } from '../errors.js';
import { REGION_HOSTS } from './region.js';
import { CONTROL_PREFIX } from './journal.js';

export interface GuardOptions {
  /** The bound interface (`--host`). */
  host: string;
  allowedHosts: readonly string[] | 'all';
  /** Whether any non-empty API key is accepted (then the API gets the browser rule too). */
  anyKey: boolean;
}

/** The host name of a Host header or URL host (`[::1]:8465` → `::1`, `Localhost.` → `localhost`). */
function hostName(host: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  const name = v6 ? v6[1]! : host.replace(/:\d+$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

/** Docker Desktop's name for the host machine (its DNS, not the internet's, answers it). */
const DOCKER_HOST = 'host.docker.internal';

const isLocalName = (name: string) => name === 'localhost' || name.endsWith('.localhost');

function isLoopback(name: string): boolean {
  if (isLocalName(name) || name === '::1') return true;
  const v4 = name.startsWith('::ffff:') ? name.slice(7) : name;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** How many distinct Host values a guard remembers its verdict for (clients use one or a few). */
const HOST_CACHE_LIMIT = 1000;

/** Why a request must be refused with 403 (or undefined), decided by these options. */
export type Refusal = (headers: IncomingHttpHeaders, method: string, path: string) => string | undefined;

export function createRefusal(o: GuardOptions): Refusal {
  const bound = hostName(o.host);
  const allowed = o.allowedHosts;
  // Every request asks about its Host: the verdict for a Host value is kept, not worked out again.
  const verdicts = new Map<string, boolean>();
  const knownHost = (host: string, name: string): boolean => {
    let known = verdicts.get(host);
    if (known === undefined) {
      known = allowed === 'all' || name === '' || isIP(name) !== 0 || isLocalName(name) || name === REGION_HOSTS.us || name === REGION_HOSTS.eu || name === DOCKER_HOST || name === bound || allowed.includes(name);
      if (verdicts.size < HOST_CACHE_LIMIT) verdicts.set(host, known);
    }
    return known;
  };
  return (headers, method, path) => {
    const host = headers.host ?? '';
    if (!knownHost(host, hostName(host))) {
      return `This mock answers requests for localhost, *.localhost, an IP address, ${REGION_HOSTS.us}, ${REGION_HOSTS.eu}, ${DOCKER_HOST}, its --host or an allowed host (--allowed-hosts, or the allowedHosts option); this request named ${JSON.stringify(host)}`;
    }
    const control = path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
    if (!control && !o.anyKey) return undefined;
    const origin = headers.origin;
    // The usual case: a program, with neither header.
    if (origin === undefined && headers['sec-fetch-site'] === undefined) return undefined;
    if (isDashboardNavigation(headers, method, path)) return undefined;
    if (typeof origin === 'string') {
      let from: string | undefined;
      try {
        from = origin === 'null' ? undefined : hostName(new URL(origin).host);
      } catch {
        from = undefined;
      }
      if (from !== undefined && (isLoopback(from) || from === hostName(host) || (allowed !== 'all' && allowed.includes(from)))) return undefined;
      return crossSite(control);
    }
    return headers['sec-fetch-site'] === 'cross-site' ? crossSite(control) : undefined;
  };
}

function crossSite(control: boolean): string {
  return control
    ? 'The control plane refuses requests from pages of other sites'
    : 'Requests from pages of other sites are refused while any API key is accepted (configure API keys, --api-key or the apiKeys option, to allow them)';
}

/** A browser following a link to the dashboard's page: a GET navigation of /__mock/ui. */
function isDashboardNavigation(headers: IncomingHttpHeaders, method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && headers['sec-fetch-mode'] === 'navigate' && (path === `${CONTROL_PREFIX}/ui` || path === `${CONTROL_PREFIX}/ui/` || path === `${CONTROL_PREFIX}/ui/index.html`);
}

/** Whether a request comes from a browser navigation (a link, a frame): it may use an account, never open one. */
export const isNavigation = (headers: IncomingHttpHeaders) => headers['sec-fetch-mode'] === 'navigate';

/** The guard as the first step of every request (after the journal, so refusals are journalled). */
export function createGuard(refusal: Refusal): RequestHandler {
  return (req, _res, next) => {
    const why = refusal(req.headers, req.method, req.path);
    next(why === undefined ? undefined : new MailgunError(403, { message: why }));
  };
}

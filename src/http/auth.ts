// HTTP Basic `api:<key>`, as Mailgun checks it. No header: 401 JSON "Need authorization header".
// A key the account does not hold: 401 text/plain "Forbidden". With no keys configured, any
// non-empty key is accepted (the startup banner says which mode is on).
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { errors } from '../errors.js';

/** Reads `Authorization: Basic …`; undefined when absent or unreadable. */
export function parseBasicAuth(header: string | undefined): { user: string; key: string } | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

/**
 * Mailgun's `X-Mailgun-Key-Id`: the last two segments of a current-format key
 * (`<32hex>-<8hex>-<8hex>`); for any other key, a stable id derived from it.
 */
export function keyId(key: string): string {
  const m = /^[0-9a-f]{32}-([0-9a-f]{8}-[0-9a-f]{8})$/.exec(key);
  if (m?.[1]) return m[1];
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 16)}`;
}

/** How many distinct Authorization headers (and key ids) a mock remembers; clients use one or a few. */
const CACHE_LIMIT = 1000;
/** Longer headers are decoded every time rather than kept (Basic with a real Mailgun key is under 100 chars). */
const CACHED_HEADER_MAX = 256;

export function createAuth(ctx: AppContext): RequestHandler {
  const keyIds = new Map<string, string>();
  // A client sends the same header on every request: decode it once. (Nothing mutates creds.)
  const decoded = new Map<string, { user: string; key: string }>();
  return (req, res, next) => {
    const header = req.headers.authorization;
    let creds = header === undefined ? undefined : decoded.get(header);
    if (creds === undefined) {
      creds = parseBasicAuth(header);
      if (creds && header !== undefined && header.length <= CACHED_HEADER_MAX && decoded.size < CACHE_LIMIT) decoded.set(header, creds);
    }
    if (!creds) return next(errors.needAuthorization());
    const accepted = ctx.apiKeys.size === 0 ? creds.key.length > 0 : creds.user === 'api' && ctx.apiKeys.has(creds.key);
    if (!accepted) return next(errors.forbidden());
    let id = keyIds.get(creds.key);
    if (id === undefined) {
      id = keyId(creds.key);
      if (keyIds.size < CACHE_LIMIT) keyIds.set(creds.key, id);
    }
    res.setHeader('X-Mailgun-Key-Id', id);
    req.mock.account = ctx.accountId;
    next();
  };
}

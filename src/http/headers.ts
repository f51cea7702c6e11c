// The headers Mailgun puts on every API answer (recorded 2023–2025).
import type { RequestHandler } from 'express';

const MAILGUN_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'no-store',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Xss-Protection': '1; mode=block',
};

const HEADER_ENTRIES = Object.entries(MAILGUN_HEADERS);

// Node's setHeader directly: the same headers as Express's res.set(object), without its per-header
// String() and Content-Type check (none of these is a Content-Type). This runs on every request.
export const mailgunHeaders: RequestHandler = (_req, res, next) => {
  for (const [name, value] of HEADER_ENTRIES) res.setHeader(name, value);
  next();
};

// The headers Mailgun puts on every API answer (recorded 2023–2025).
import type { RequestHandler } from 'express';

const MAILGUN_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'no-store',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Xss-Protection': '1; mode=block',
};

export const mailgunHeaders: RequestHandler = (_req, res, next) => {
  res.set(MAILGUN_HEADERS);
  next();
};

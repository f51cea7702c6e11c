// What the mock learns about a request on its way through: its route id, the domain and webhook it
// names, its parsed fields and files. Kept on `req.mock` for the journal, faults and handlers.
import type { NextFunction, Request, Response } from 'express';
import { emptyFields, type Fields } from '../lib/fields.js';
import type { Region } from '../store/types.js';

// Most requests have no query, body fields or files: they share these frozen empties (one
// allocation fewer each, on every request); parsers replace them with fresh objects.
const NO_FIELDS: Fields = Object.freeze(emptyFields());
const NO_FILES: UploadedFile[] = Object.freeze([]) as unknown as UploadedFile[];

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

export interface RequestInfo {
  startedAt: number;
  routeId: string | null;
  domain: string | null;
  webhook: string | null;
  /** Body form fields (urlencoded or multipart). */
  fields: Fields;
  /** Query-string fields. */
  query: Fields;
  files: UploadedFile[];
  faultId: string | null;
  /** The account the API key belongs to (one account for now). */
  account: string | null;
  /** The Mailgun region the request reached (by Host header, else by the port it came in on). */
  region: Region;
}

declare module 'express-serve-static-core' {
  interface Request {
    mock: RequestInfo;
  }
}

export function newRequestInfo(startedAt: number): RequestInfo {
  return { startedAt, routeId: null, domain: null, webhook: null, fields: NO_FIELDS, query: NO_FIELDS, files: NO_FILES, faultId: null, account: null, region: 'us' };
}

/** Route middleware naming the route; the domain and webhook come from the path (or the `id` field on create). */
export function describeRoute(routeId: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    req.mock.routeId = routeId;
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    if (params.domain !== undefined) req.mock.domain = params.domain.toLowerCase();
    const webhook = params.name ?? req.mock.fields.id?.[0];
    if (webhook !== undefined) req.mock.webhook = webhook;
    next();
  };
}

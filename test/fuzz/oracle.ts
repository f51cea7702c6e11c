// What every answer of the mock must look like, whatever was asked: never a 5xx, JSON that parses,
// error bodies in one of Mailgun's shapes (an allowlist per API area), no stack traces, no body on
// HEAD, refusals for hosts and pages it must not serve, and no Mailgun API success without a key.
import type { FuzzRequest } from './arbitraries.js';
import { EVIL_HOSTS, EVIL_ORIGINS } from './arbitraries.js';
import type { RawResponse } from './raw-http.js';

export class OracleError extends Error {
  override name = 'OracleError';
}

/** The start of an answer, for failure messages. */
export function describeAnswer(res: RawResponse): string {
  const type = res.headers['content-type'] ?? '(no content-type)';
  const text = res.body.toString('utf8');
  return `answer: ${res.status} ${type}${res.lateError ? ` (then: ${res.lateError})` : ''}${res.complete ? '' : ' (cut short)'}\n${JSON.stringify(text.length > 600 ? text.slice(0, 600) + '…' : text)}`;
}

function fail(why: string, res: RawResponse): never {
  throw new OracleError(`${why}\n${describeAnswer(res)}`);
}

/** The path without its query, as the router sees it (still percent-encoded). */
export function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

/** Error-body shapes by API area: every key set a 4xx JSON body may have, beyond `{"message"}`. */
function allowedShapes(path: string): string[][] {
  const shapes = [['message']];
  // Domain webhooks (v3, its v2 alias, v4): Mailgun documents `Reason` for URL and v4 errors.
  if (/^\/v[234]\/domains\/[^/]*\/webhooks(\/|$)/.test(path)) shapes.push(['Reason']);
  // Account webhooks (v1): `Description`, and `Field` + `Value`.
  if (/^\/v1\/webhooks(\/|$)/.test(path)) shapes.push(['Description'], ['Field', 'Value']);
  return shapes;
}

/** Lines that look like a JavaScript stack frame, Node internals, or this checkout's file paths. */
const STACK_PATTERNS = [/^\s*at .+[(\s](?:file:\/\/|node:|\/)[^)]*:\d+:\d+\)?\s*$/m, /node:internal\//, /\b(?:TypeError|ReferenceError|SyntaxError|RangeError): /];

function checkNoStack(req: FuzzRequest, res: RawResponse, text: string): void {
  const leaks = [...STACK_PATTERNS.map((re) => re.exec(text)?.[0]), text.includes(process.cwd()) ? process.cwd() : undefined].filter((m): m is string => m !== undefined);
  // An answer may echo the request (an invalid name is quoted back): only what the request did not carry counts.
  const sent = `${req.path} ${decodeSafely(req.path)} ${req.body ?? ''} ${Buffer.from(req.body ?? '', 'latin1').toString('utf8')} ${Object.values(req.headers).join(' ')}`;
  const leak = leaks.find((m) => !sent.includes(m.trim()));
  if (leak !== undefined) fail(`the answer leaks internals: ${JSON.stringify(leak)}`, res);
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** An answer Node's HTTP parser wrote itself (a request it could not parse): a bare status line, closed. */
export function isParserAnswer(res: RawResponse): boolean {
  return res.headers['content-type'] === undefined && res.body.length === 0 && [400, 413, 414, 431].includes(res.status) && res.headers.connection === 'close';
}

export interface ExpectContext {
  /** The main mock's body limit (bytes). */
  maxBodyBytes: number;
}

/** Whether the request names a host the mock must refuse. */
export function isEvilHost(req: FuzzRequest): boolean {
  return req.headers.host !== undefined && EVIL_HOSTS.includes(req.headers.host);
}

/** Whether the request comes from a page of another site (and is not a link navigation to the dashboard). */
export function isCrossSite(req: FuzzRequest): boolean {
  if (req.headers['sec-fetch-mode'] !== undefined) return false; // the navigation exception: not modelled, so not asserted
  const origin = req.headers.origin;
  if (origin !== undefined) return EVIL_ORIGINS.includes(origin);
  return req.headers['sec-fetch-site'] === 'cross-site';
}

/** Valid credentials as the mock reads them (`Basic`, any case, base64 of `user:key` with a non-empty key). */
export function hasValidCredentials(req: FuzzRequest): boolean {
  const h = req.headers.authorization;
  if (h === undefined) return false;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(h);
  if (!m?.[1]) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon !== -1 && decoded.length > colon + 1;
}

/** A Mailgun API route (a key is required), as opposed to `/`, CORS preflights, unknown paths and the control plane. */
function isApiRoute(req: FuzzRequest): boolean {
  // OPTIONS is a browser's CORS preflight on any path: answered before auth, by design.
  if (req.method === 'OPTIONS') return false;
  return req.route !== '(random)' && req.route !== '/' && req.route !== '/{*path}' && !req.route.startsWith('/__mock');
}

/** Throws an OracleError naming what is wrong with `res` as an answer to `req`. */
export function checkAnswer(req: FuzzRequest, res: RawResponse, ctx: ExpectContext): void {
  const status = res.status;
  if (!(status >= 100 && status <= 599)) fail(`not an HTTP status: ${status}`, res);
  if (status >= 500) fail(`a ${status} for a client's request`, res);
  if (!res.complete) fail('the answer was cut short', res);
  if (req.method === 'HEAD' && res.body.length > 0) fail('an answer to HEAD carries a body', res);
  if (isParserAnswer(res)) return;

  const type = String(res.headers['content-type'] ?? '');
  const text = res.body.toString('utf8');
  const isJson = /^application\/json\b/i.test(type);
  let parsed: unknown;
  if (isJson && res.body.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      fail('a JSON content type over a body that is not JSON', res);
    }
  }
  if (!/javascript|css/.test(type) && !res.streamed) checkNoStack(req, res, text);

  // Who may ask: checked before anything else the mock does.
  if (isEvilHost(req) && status !== 403) fail(`Host ${JSON.stringify(req.headers.host)} must be refused with 403`, res);
  if (!isEvilHost(req) && isCrossSite(req) && status !== 403) fail('a request from a page of another site must be refused with 403', res);
  if (status === 403 && (isEvilHost(req) || isCrossSite(req)) && req.method !== 'HEAD') {
    const message = (parsed as { message?: unknown } | undefined)?.message;
    if (typeof message !== 'string' || !/^(This mock answers requests for localhost|Requests from pages of other sites are refused|The control plane refuses requests from pages of other sites)/.test(message)) {
      fail('a refusal without its reason', res);
    }
  }
  if (status < 300 && isApiRoute(req) && !hasValidCredentials(req)) fail('a Mailgun API route answered a request without valid credentials', res);

  // An oversized form body: 413 (or an earlier, unrelated 4xx).
  const bodyBytes = Buffer.byteLength(req.body ?? '', 'latin1');
  if (bodyBytes > ctx.maxBodyBytes && !isEvilHost(req) && !isCrossSite(req) && /^(application\/x-www-form-urlencoded|multipart\/form-data; boundary=\w+)$/.test(req.headers['content-type'] ?? '') && req.headers['content-encoding'] === undefined && !req.compress && status !== 413) {
    fail(`a ${bodyBytes}-byte form body (limit ${ctx.maxBodyBytes}) was not refused with 413`, res);
  }

  if (status < 400 || req.method === 'HEAD') return;

  // Error answers: Mailgun's shapes only.
  if (/^text\/plain\b/i.test(type)) {
    if (status === 401 && text === 'Forbidden') return;
    if (status === 404 && text === '404 page not found\n') return;
    fail('a text/plain error that is neither 401 Forbidden nor the 404 page', res);
  }
  if (!isJson) fail(`an error with content type ${JSON.stringify(type)}`, res);
  if (status === 401) {
    if (type !== 'application/json' || text !== '{"message":"Need authorization header"}\n') fail('a JSON 401 other than Need authorization header', res);
    return;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('an error body that is not a JSON object', res);
  const body = parsed as Record<string, unknown>;
  const keys = Object.keys(body).sort();
  if (status === 429) {
    if (keys.join() !== 'retry-seconds' || typeof body['retry-seconds'] !== 'number') fail('a 429 without {"retry-seconds": n}', res);
    return;
  }
  const shapes = allowedShapes(pathOnly(req.path));
  if (!shapes.some((s) => s.join() === keys.join())) fail(`an error body with keys ${JSON.stringify(keys)}; allowed here: ${JSON.stringify(shapes)}`, res);
  for (const k of keys) if (typeof body[k] !== 'string' || (body[k] as string).length === 0) fail(`error field ${k} is not a non-empty string`, res);
}

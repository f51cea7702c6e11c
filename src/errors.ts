// Mailgun's error answers as values: one catalogue builds each status + body exactly as Mailgun
// sends it, one middleware writes them, and the 404 for unknown routes mirrors Mailgun's Go router.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from './lib/logger.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Writes compact JSON followed by one newline, as Mailgun has answered since 2023. */
export function sendJson(res: Response, status: number, body: unknown, contentType = JSON_TYPE): void {
  // Node's setHeader and a Buffer, so the content type goes out exactly as given: Express's res.set()
  // appends a charset to `application/json`, and Mailgun sends its auth error JSON without one.
  // Written directly rather than through res.send: with ETag off and no Last-Modified there is no
  // freshness to check, and Node itself drops the body of an answer to HEAD.
  // A string, not a Buffer: Node then sends the head and the body in one write instead of a writev.
  const text = JSON.stringify(body) + '\n';
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text, 'utf8');
}

/** An answer Mailgun would give instead of a success. Thrown by services, written by the error middleware. */
export class MailgunError extends Error {
  constructor(
    readonly status: number,
    /** JSON body, or a string sent as text/plain. */
    readonly body: Record<string, unknown> | string,
    readonly headers: Record<string, string> = {},
    /** Overrides the content type (Mailgun sends its auth error JSON without a charset). */
    readonly contentType?: string,
  ) {
    super(typeof body === 'string' ? body : String(body.message ?? body.Reason ?? body.Description ?? status));
    this.name = 'MailgunError';
  }
}

const WWW_AUTH = { 'WWW-Authenticate': 'Basic realm="MG API"' };

/** The catalogue: every error the mock answers with, named after the situation. */
export const errors = {
  /** E2: no (or an unreadable) Authorization header. */
  needAuthorization: () => new MailgunError(401, { message: 'Need authorization header' }, WWW_AUTH, 'application/json'),
  /** E1: a key that is not the account's. Plain text, not JSON. */
  forbidden: () => new MailgunError(401, 'Forbidden', WWW_AUTH, 'text/plain; charset=utf-8'),
  /** E4 */
  domainNotFound: () => new MailgunError(404, { message: 'Domain not found' }),
  /** The Messages and Events APIs name the domain: `Domain not found: example.com`. */
  domainNotFoundNamed: (domain: string) => new MailgunError(404, { message: `Domain not found: ${domain}` }),
  /** E5 */
  webhookNotFound: () => new MailgunError(404, { message: 'Webhook not found' }),
  /** E6 */
  webhookExists: () => new MailgunError(400, { message: 'Webhook already exists' }),
  /** E7 / E8 */
  missingParameter: (name: string) => new MailgunError(400, { message: `Missing parameter '${name}'` }),
  /** E9: Mailgun answers with `Reason`, not `message`. */
  invalidUrl: (url: string) => new MailgunError(400, { Reason: `${url} is not a valid url` }),
  /** E10 (v3) */
  tooManyUrls: (name: string) => new MailgunError(400, { message: `unable to add more than 3 urls for webhook ${name}` }),
  /** A legacy webhook name holds exactly one URL. */
  legacySingleUrl: (name: string) => new MailgunError(400, { message: `webhook ${name} accepts a single url` }),
  /** E11 (v3) */
  invalidWebhookName: (name: string) => new MailgunError(400, { message: `Invalid webhook name '${name}'` }),
  /** E14: the documented body, made valid JSON (the docs' sample has a trailing comma). */
  rateLimited: (retrySeconds: number, limit: number, resetAtMs: number) =>
    new MailgunError(
      429,
      { 'retry-seconds': retrySeconds },
      {
        'Retry-After': String(retrySeconds),
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(Math.ceil(resetAtMs / 1000)),
      },
    ),
  payloadTooLarge: () => new MailgunError(413, { message: 'Request entity too large' }),
  badRequest: (message: string) => new MailgunError(400, { message }),
  /** E15 */
  internal: () => new MailgunError(500, { message: 'Internal Server Error' }),
};

/** E13: Go's default NotFound, which Mailgun answers for any path it does not route. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).set({ 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).send('404 page not found\n');
};

/** Writes a MailgunError to the wire. */
export function sendError(res: Response, err: MailgunError): void {
  res.set(err.headers);
  if (typeof err.body === 'string') {
    res.status(err.status).set('Content-Type', err.contentType ?? 'text/plain; charset=utf-8').send(Buffer.from(err.body));
  } else {
    sendJson(res, err.status, err.body, err.contentType);
  }
}

/** Maps errors thrown by body parsers and path decoding (they carry a 4xx `status`) to Mailgun-shaped answers. */
function fromHttpError(err: unknown): MailgunError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status > 499) return undefined;
  if (status === 413) return errors.payloadTooLarge();
  const byType: Record<string, string> = {
    'entity.parse.failed': 'Malformed request body',
    'charset.unsupported': 'Unsupported charset in Content-Type',
    'encoding.unsupported': 'Unsupported Content-Encoding',
    'request.aborted': 'Request aborted',
    'request.size.invalid': 'Request size did not match Content-Length',
    'parameters.too.many': 'Too many parameters',
  };
  const message = (typeof e.type === 'string' && byType[e.type]) || (status === 400 ? 'Bad request' : `Request failed (${status})`);
  return new MailgunError(status, { message });
}

/** The one error middleware: Mailgun-shaped bodies for known errors, a tagged log line and a bare 500 otherwise. */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof MailgunError ? err : fromHttpError(err);
    if (res.headersSent) {
      logger.error(`[internal] error after headers were sent on ${req.method} ${req.originalUrl}: ${describe(err)}`);
      res.destroy();
      return;
    }
    if (known) {
      try {
        return sendError(res, known);
      } catch (thrown) {
        // An answer that cannot be written (a header Node refuses): a bare 500, never Express's HTML page.
        err = thrown;
      }
    }
    logger.error(`[internal] ${req.method} ${req.originalUrl}: ${describe(err)}`);
    sendError(res, errors.internal());
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

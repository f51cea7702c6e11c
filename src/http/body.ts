// Request bodies on every method, as Mailgun reads them: urlencoded (read with URLSearchParams) and
// multipart (busboy; quoted boundaries too), both into repeated-name fields. JSON is read only on the
// control plane. An empty body with a form content type (mailgun.js on GET/DELETE) is simply empty.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import busboy from 'busboy';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { errors, MailgunError } from '../errors.js';
import { addField, emptyFields, fieldsFromSearchParams } from '../lib/fields.js';
import type { UploadedFile } from './request-info.js';

/** Parts a multipart body may have: Go's multipart ReadForm, which Mailgun's Go services most likely use, reads up to 1000. */
const MAX_PARTS = 1000;

export function createBodyParser(maxBodyBytes: number): RequestHandler {
  const urlencodedText = express.text({ type: 'application/x-www-form-urlencoded', limit: maxBodyBytes, defaultCharset: 'utf-8' });
  const readMultipart = multipart(maxBodyBytes);
  const parseBodies: RequestHandler = (req, res, next) => {
    queryFields(req);
    if (!hasBody(req)) {
      // All express.text() would do without a body (it costs a few µs on every GET): body undefined.
      // The multipart step still runs: a multipart content type without a boundary is a 400 even so.
      if (!('body' in (req as object))) req.body = undefined;
      return readMultipart(req, res, next);
    }
    urlencodedText(req, res, (err?: unknown) => {
      if (err) return next(err);
      // As the router does for a layer: an exception goes to the error middleware, not up the stack.
      try {
        urlencodedFields(req);
        readMultipart(req, res, next);
      } catch (thrown) {
        next(thrown);
      }
    });
  };
  return parseBodies;
}

/**
 * Whether the request carries a body, by the rule body-parser applies first (type-is's hasBody):
 * a Transfer-Encoding header, or a Content-Length that reads as a number (`0` included).
 */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
}

function queryFields(req: Request): void {
  const q = req.originalUrl.indexOf('?');
  if (q !== -1) req.mock.query = fieldsFromSearchParams(new URLSearchParams(req.originalUrl.slice(q + 1)));
}

/** The urlencoded body express.text() left as a string, as fields. */
function urlencodedFields(req: Request): void {
  if (typeof req.body === 'string') {
    req.mock.fields = fieldsFromSearchParams(new URLSearchParams(req.body));
    req.body = undefined;
  }
}

function isMultipart(req: Request): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && /^multipart\/form-data\s*(;|$)/i.test(type);
}

function multipart(maxBodyBytes: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isMultipart(req) || req.headers['content-length'] === '0') return next();
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return tooLarge(req, res, next);

    let bb: busboy.Busboy;
    try {
      // busboy emits 'partsLimit' when the count *reaches* its limit, so one more lets exactly MAX_PARTS through.
      bb = busboy({ headers: req.headers, limits: { fieldSize: maxBodyBytes, fileSize: maxBodyBytes, parts: MAX_PARTS + 1 }, defParamCharset: 'utf8' });
    } catch {
      return next(errors.badRequest('Malformed multipart body: missing or invalid boundary'));
    }
    // Content-Encoding as body-parser treats it on urlencoded bodies: gzip, deflate and br are inflated,
    // identity is none, anything else is a 415.
    // Without a body (a GET that only names a type) there is nothing to inflate.
    const encoding = hasBody(req) ? String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() : 'identity';
    let inflate: Transform | undefined;
    if (encoding === 'gzip') inflate = createGunzip();
    else if (encoding === 'deflate') inflate = createInflate();
    else if (encoding === 'br') inflate = createBrotliDecompress();
    else if (encoding !== 'identity') return next(new MailgunError(415, { message: 'Unsupported Content-Encoding' }));
    let inflated = 0;
    const fields = emptyFields();
    req.mock.fields = fields;
    let received = 0;
    let done = false;
    const files: UploadedFile[] = [];
    const pending: Array<Promise<void>> = [];
    const finish = (err?: MailgunError) => {
      if (done) return;
      done = true;
      req.unpipe(inflate ?? bb);
      inflate?.unpipe(bb);
      if (err) {
        if (err.status === 413) return tooLarge(req, res, next);
        // Keep reading what is left so the client can read our answer; busboy is detached.
        req.resume();
        return next(err);
      }
      Promise.all(pending).then(() => {
        req.mock.files = files;
        next();
      }, next);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBodyBytes) finish(errors.payloadTooLarge());
    });
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return finish(errors.payloadTooLarge());
      addField(fields, name, value);
    });
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      pending.push(
        new Promise<void>((resolve) => {
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('limit', () => finish(errors.payloadTooLarge()));
          // A body that ends inside a file part: busboy destroys the part's stream with the error it
          // also emits itself (answered 400 below). Unheard, it would be an uncaught exception.
          stream.on('error', () => resolve());
          stream.on('close', () => {
            const content = Buffer.concat(chunks);
            files.push({ field, filename: info.filename ?? '', contentType: info.mimeType, size: content.length, content });
            resolve();
          });
        }),
      );
    });
    bb.on('partsLimit', () => finish(errors.payloadTooLarge()));
    bb.on('error', (err: Error) => {
      // An empty or cut-short body on a method that carries none (PHP sends one on DELETE) is no body.
      if (received === 0) return finish();
      finish(errors.badRequest(`Malformed multipart body: ${err.message}`));
    });
    bb.on('close', () => finish());
    req.on('aborted', () => finish(errors.badRequest('Request aborted')));
    if (!inflate) return void req.pipe(bb);
    // A compressed multipart body (as body-parser inflates a urlencoded one): what busboy reads, and
    // what counts against the size limit, is the inflated body.
    inflate.on('data', (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > maxBodyBytes) finish(errors.payloadTooLarge());
    });
    inflate.on('error', () => finish(errors.badRequest('Malformed request body: it is not what Content-Encoding says')));
    req.pipe(inflate).pipe(bb);
  };
}

/** Answers 413 at once and closes the connection rather than reading an oversized body to its end. */
function tooLarge(req: Request, res: Response, next: NextFunction): void {
  res.set('Connection', 'close');
  req.unpipe();
  next(errors.payloadTooLarge());
}

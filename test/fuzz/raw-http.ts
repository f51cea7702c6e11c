// A raw HTTP/1.1 client for the fuzz: sends the method, path, headers and bytes as given (no
// normalisation beyond what node:http itself insists on), a fresh connection per request unless
// told otherwise, and gives up on an answer after a timeout, which the caller reports as a hang.
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent as is: percent-encoding and all. */
  path: string;
  /** Header values as latin-1 strings; a `host` here replaces the one node:http would add. */
  headers: Record<string, string>;
  /** Body bytes. */
  body?: Buffer;
  /** Send without a Host header at all. */
  noHost?: boolean;
  /** Send the body chunked (in two chunks) rather than with a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The answer was a stream (text/event-stream): only its start was read. */
  streamed: boolean;
  /** A socket error after the answer's head arrived (the server closed early, as after a 413). */
  lateError?: string;
  /** The whole body arrived (false: the connection closed mid-answer; always true for a stream). */
  complete: boolean;
}

export class HangError extends Error {
  override name = 'HangError';
}

/** The most of an answer kept for checking. */
const MAX_KEPT = 4 * 1024 * 1024;

/** Sends `req` to 127.0.0.1:`port`; a fresh connection unless an `agent` (keep-alive) is given. */
export function sendRaw(port: number, req: RawRequest, timeoutMs = 10_000, agent?: Agent): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const headers: Record<string, string> = { ...req.headers };
    const body = req.body;
    if (body !== undefined && !req.chunked) headers['content-length'] = String(body.length);
    if (body !== undefined && req.chunked) headers['transfer-encoding'] = 'chunked';
    const r = request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent: agent ?? false, setHost: !req.noHost });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      r.destroy();
      reject(new HangError(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const streamed = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
      let lateError: string | undefined;
      const finish = () =>
        done(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), streamed, complete: streamed || res.complete, ...(lateError ? { lateError } : {}) }));
      res.on('data', (c: Buffer) => {
        if (kept < MAX_KEPT) chunks.push(c);
        kept += c.length;
        // A live stream never ends: its first frame is enough.
        if (streamed) {
          finish();
          res.destroy();
          r.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', (err) => {
        lateError = err.message;
        finish();
      });
      res.on('close', finish);
    });
    r.on('error', (err) => done(() => reject(err)));
    if (body === undefined) r.end();
    else if (req.chunked) {
      const half = Math.floor(body.length / 2);
      r.write(body.subarray(0, half));
      r.end(body.subarray(half));
    } else r.end(body);
  });
}

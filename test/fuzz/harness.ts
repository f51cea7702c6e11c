// What the request fuzz runs against: a local webhook receiver, the mock under test (US and EU
// listeners) and a second mock with an account per key, the fixtures they start from, the state
// every run starts from, and a guard that records crashes of the test process (the mock runs in it).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { startMailgunMock, type FixtureData, type MailgunMock } from '../../src/index.js';
import { encodePageToken } from '../../src/services/event-query.js';
import { API_KEYS, type FuzzRequest } from './arbitraries.js';
import { sendRaw, type RawResponse } from './raw-http.js';

/** The fuzzed mocks' body limit: small, so over-limit bodies stay small. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A server on 127.0.0.1 that answers every request 200 `ok` (the fixtures' and fuzz values' webhook target). */
export async function startReceiver(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Three domains (one in the EU), webhooks and suppression entries; every URL is the local receiver. */
export function fuzzFixtures(hookBase: string): FixtureData {
  return {
    domains: [
      {
        name: 'samples.mailgun.org',
        webhooks: { open: { url: `${hookBase}/open` }, click: { url: `${hookBase}/click` }, delivered: { urls: [`${hookBase}/delivered`] }, accepted: { urls: [`${hookBase}/accepted`, 'http://127.0.0.1:1/refused'] } },
        bounces: [{ address: 'bounced@example.com' }],
        unsubscribes: [{ address: 'unsub@example.com', tags: ['news'] }],
        complaints: [{ address: 'spam@example.com' }],
        allowlist: [{ value: 'example.org' }],
      },
      { name: 'eu.example.com', region: 'eu', webhooks: { delivered: { urls: [`${hookBase}/eu`] } } },
      { name: 'fuzz.example.com', tracking: { open: false, click: true, unsubscribe: false } },
    ],
  };
}

/** A valid first-page token of samples.mailgun.org's events. */
export const PAGE_TOKEN = encodePageToken({ ascending: false, begin: null, end: null, limit: 100, filters: [], position: { kind: 'after', cursor: null } }, 'samples.mailgun.org');

export interface FuzzTargets {
  mock: MailgunMock;
  perKey: MailgunMock;
}

export async function startTargets(hookBase: string): Promise<FuzzTargets> {
  const common = { port: 0, logLevel: 'silent' as const, rateLimit: 0, fixtures: fuzzFixtures(hookBase), maxBodyBytes: MAX_BODY_BYTES };
  const mock = await startMailgunMock(common);
  const perKey = await startMailgunMock({ ...common, accountPerKey: true });
  return { mock, perKey };
}

/** Ids of records the run starts with, for the `{{…}}` placeholders of generated paths and bodies. */
export interface RunRecords {
  messageId: string;
  storageKey: string;
  deliveryId: string;
  faultId: string;
}

const AUTH = `Basic ${Buffer.from(`api:${API_KEYS[0]}`).toString('base64')}`;

function multipartBody(boundary: string, parts: Array<{ name: string; value: string; filename?: string; type?: string }>): Buffer {
  return Buffer.from(
    parts.map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n${p.value}\r\n`).join('') + `--${boundary}--\r\n`,
  );
}

/**
 * Every run starts here: both mocks back to their fixtures, then one message with an attachment and
 * an inline image sent to samples.mailgun.org (so stored-message, attachment, event and delivery
 * routes have something to find) and one fault rule that never fires (for DELETE /__mock/faults/{id}).
 */
export async function prepareRun({ mock, perKey }: FuzzTargets): Promise<RunRecords> {
  await Promise.all([mock.reset(), perKey.reset()]);
  const sent = await sendRaw(mock.port, {
    method: 'POST',
    path: '/v3/samples.mailgun.org/messages',
    headers: { authorization: AUTH, 'content-type': 'multipart/form-data; boundary=prelude' },
    body: multipartBody('prelude', [
      { name: 'from', value: 'App <app@samples.mailgun.org>' },
      { name: 'to', value: 'alice@example.com' },
      { name: 'subject', value: 'Hello' },
      { name: 'text', value: 'Hello' },
      { name: 'html', value: '<p>Hello <img src="cid:logo.png"></p>' },
      { name: 'o:tag', value: 'news' },
      { name: 'v:order', value: '42' },
      { name: 'attachment', value: 'file body', filename: 'a.txt', type: 'text/plain' },
      { name: 'inline', value: '\x89PNG', filename: 'logo.png', type: 'image/png' },
    ]),
  });
  if (sent.status !== 200) throw new Error(`the run's prelude message was refused: ${sent.status} ${sent.body.toString()}`);
  const message = mock.messages.latest();
  if (!message) throw new Error('the prelude message is not stored');
  const delivery = await mock.waitForDelivery({ messageId: message.id }, { timeoutMs: 5000 });
  const fault = mock.faults.add({ route: 'webhooks.test', domain: 'never.example', status: 503 });
  return { messageId: message.id, storageKey: message.storageKey, deliveryId: delivery.id, faultId: fault.id };
}

/** Replaces the `{{…}}` placeholders of a generated value with the run's records. */
export function substitute(text: string, records: RunRecords, encode: (s: string) => string = encodeURIComponent): string {
  return text.replace(/\{\{(messageId|storageKey|deliveryId|faultId)\}\}/g, (_m, name: keyof RunRecords) => encode(records[name]));
}

/** Sends a generated request to its target, placeholders filled and the body compressed as asked. */
export function sendFuzz(targets: FuzzTargets, req: FuzzRequest, records: RunRecords): Promise<RawResponse> {
  const port = req.target === 'us' ? targets.mock.port : req.target === 'eu' ? targets.mock.euPort : targets.perKey.port;
  let body: Buffer | undefined;
  if (req.body !== undefined) {
    body = Buffer.from(substitute(req.body, records, (s) => s), 'latin1');
    if (req.compress === 'gzip') body = gzipSync(body);
    if (req.compress === 'deflate') body = deflateSync(body);
    if (req.compress === 'br') body = brotliCompressSync(body);
  }
  return sendRaw(port, {
    method: req.method,
    path: substitute(req.path, records),
    headers: req.headers,
    ...(body === undefined ? {} : { body }),
    ...(req.chunked ? { chunked: true } : {}),
    ...(req.noHost ? { noHost: true } : {}),
  });
}

/** Records uncaught exceptions and unhandled rejections of this process while installed. */
export function crashRecorder(): { install(): void; uninstall(): void; take(): string[] } {
  let seen: string[] = [];
  const onError = (kind: string) => (err: unknown) => {
    seen.push(`${kind}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  };
  const uncaught = onError('uncaughtException');
  const rejection = onError('unhandledRejection');
  return {
    install() {
      process.on('uncaughtException', uncaught);
      process.on('unhandledRejection', rejection);
    },
    uninstall() {
      process.off('uncaughtException', uncaught);
      process.off('unhandledRejection', rejection);
    },
    take() {
      const out = seen;
      seen = [];
      return out;
    },
  };
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join();

/** Nothing leaked onto Object.prototype (a `__proto__[x]=1` that was merged somewhere). */
export function prototypeIntact(): boolean {
  return Object.getOwnPropertyNames(Object.prototype).sort().join() === PROTOTYPE_KEYS && ({} as Record<string, unknown>).polluted === undefined;
}

// Mailgun's Messages API: POST /v3/{domain}/messages and /v3/{domain}/messages.mime, and the
// stored-message read GET /v3/domains/{domain}/messages/{storage_key} that events link to.
import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { errors, MailgunError, sendJson } from '../errors.js';
import { findDomain } from '../services/domains.js';
import { parseMessage, parseMimeMessage } from '../services/message-input.js';
import type { MessageRecord } from '../store/types.js';
import { sandboxContent } from '../http/content-policy.js';
import { safeContentType } from '../lib/content-type.js';

function isMultipart(req: Request): boolean {
  return /^multipart\/form-data\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}

/** The base URL the client used, so storage and paging links lead back to this mock. */
export function apiBase(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}

export function messageHandlers(ctx: AppContext): Record<'send' | 'sendMime' | 'stored' | 'attachment', RequestHandler<{ domain: string; key: string; index: string }>> {
  const { store, clock, delivery } = ctx;
  const requireSendingDomain = (name: string) => {
    const domain = findDomain(store.state, name);
    if (!domain) throw errors.domainNotFoundNamed(name);
    // A domain added through the Domains API sends only once verified (PUT …/verify); the text is
    // the one users report, the status inferred (docs/api-coverage.md).
    if (domain.state === 'unverified') throw new MailgunError(403, { message: `Domain ${domain.name} is not allowed to send: The domain is unverified and requires DNS configuration. Log in to your control panel to view required DNS records.` });
    if (domain.state === 'disabled') throw new MailgunError(403, { message: `Domain ${domain.name} is not allowed to send: The domain is disabled.` });
  };
  const findStored = (domainName: string, key: string): MessageRecord => {
    const domain = findDomain(store.state, domainName);
    if (!domain) throw errors.domainNotFoundNamed(domainName);
    const m = store.state.messages.find((x) => x.domain === domain.name && x.storageKey === key);
    if (!m) throw new MailgunError(404, { message: 'Message not found' });
    return m;
  };
  return {
    // POST /v3/{domain}/messages
    async send(req, res) {
      requireSendingDomain(req.params.domain);
      const input = parseMessage(req.mock.fields, req.mock.files, { nowMs: clock.now(), multipart: isMultipart(req), contentType: req.headers['content-type'] });
      const message = await delivery.send(req.params.domain, input, apiBase(req));
      sendJson(res, 200, { id: `<${message.id}>`, message: 'Queued. Thank you.' });
    },

    // POST /v3/{domain}/messages.mime
    async sendMime(req, res) {
      requireSendingDomain(req.params.domain);
      const input = await parseMimeMessage(req.mock.fields, req.mock.files, { nowMs: clock.now(), multipart: isMultipart(req), contentType: req.headers['content-type'] });
      const message = await delivery.send(req.params.domain, input, apiBase(req));
      sendJson(res, 200, { id: `<${message.id}>`, message: 'Queued. Thank you.' });
    },

    // GET /v3/domains/{domain}/messages/{storage_key}
    stored(req, res) {
      const m = findStored(req.params.domain, req.params.key);
      sendJson(res, 200, storedMessage(m, `${apiBase(req)}/v3/domains/${m.domain}/messages/${m.storageKey}`));
    },

    // GET /v3/domains/{domain}/messages/{storage_key}/attachments/{index}
    attachment(req, res) {
      const m = findStored(req.params.domain, req.params.key);
      const file = /^\d{1,4}$/.test(req.params.index) ? m.attachments[Number(req.params.index)] : undefined;
      if (!file) throw new MailgunError(404, { message: 'Attachment not found' });
      const bytes = Buffer.from(file.content, 'base64');
      // The sender's file on the mock's origin (where the dashboard runs): shown, never run.
      sandboxContent(res);
      res.status(200).set({ 'Content-Type': safeContentType(file.contentType), 'Content-Length': String(bytes.length) }).end(bytes);
    },
  };
}

/** A stored message as Mailgun's storage API shows it (field names as Mailgun spells them). */
function storedMessage(m: MessageRecord, url: string): Record<string, unknown> {
  const headers: Array<[string, string]> = [
    ['Mime-Version', '1.0'],
    ['Subject', m.subject],
    ['From', m.from],
    ['To', m.to.join(', ')],
    ...(m.cc.length > 0 ? ([['Cc', m.cc.join(', ')]] as Array<[string, string]>) : []),
    ['Message-Id', `<${m.id}>`],
    ...m.tags.map((t): [string, string] => ['X-Mailgun-Tag', t]),
    ...Object.entries(m.headers),
  ];
  if (Object.keys(m.variables).length > 0) headers.push(['X-Mailgun-Variables', JSON.stringify(m.variables)]);
  const out: Record<string, unknown> = {};
  for (const [name, value] of headers) if (!Object.hasOwn(out, name)) Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  return {
    ...out,
    'Content-Type': m.attachments.length > 0 ? 'multipart/mixed' : m.html !== undefined ? 'multipart/alternative' : 'text/plain',
    sender: m.from,
    recipients: m.recipients.join(', '),
    subject: m.subject,
    'body-plain': m.text ?? '',
    'body-html': m.html ?? '',
    'stripped-text': m.text ?? '',
    'stripped-html': m.html ?? '',
    'stripped-signature': '',
    'message-headers': headers,
    attachments: m.attachments.map((a, i) => ({
      url: `${url}/attachments/${i}`,
      'content-type': a.contentType,
      name: a.filename,
      size: a.size,
    })),
    'content-id-map': {},
  };
}

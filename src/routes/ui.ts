// The dashboard under /__mock/ui: its static files (built by `npm run build` into dist/ui), the
// little it needs to know about this mock, and the message HTML it shows in a sandboxed frame.
// Every page and file is served with a strict Content-Security-Policy: the dashboard runs only its
// own scripts, and a message's HTML or an attachment never runs script on the mock's origin.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { sandboxContent } from '../http/content-policy.js';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';
import { findMessage } from '../services/inspect.js';
import type { MessageRecord } from '../store/types.js';
import { notFound } from './admin-common.js';

/** Built assets: dist/ui, whether this module runs from src/ (tests) or dist/ (the package). */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/**
 * The dashboard's own pages: only its own scripts (from /__mock/ui/js/, not any file the mock
 * serves, such as a sender's attachment), styles and frames; nobody may frame it.
 */
export function uiCsp(host: string | undefined): string {
  const scripts = host !== undefined && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? `http://${host}/__mock/ui/js/` : "'self'";
  return [
    "default-src 'none'",
    `script-src ${scripts}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * `cid:` references to the message's inline files become data: URLs of their bytes: the frame
 * then needs no request to the mock at all (an <img> pointing at an API path would otherwise
 * reach the journal, the rate limit and armed faults).
 */
function withInlineImages(m: MessageRecord, html: string): string {
  const byName = new Map<string, number>();
  m.attachments.forEach((a, i) => {
    if (a.field === 'inline' && !byName.has(a.filename)) byName.set(a.filename, i);
  });
  if (byName.size === 0) return html;
  return html.replace(/(["'(=])cid:([^"')\s>]{1,255})/gi, (whole, open: string, cid: string) => {
    let name = cid;
    try {
      name = decodeURIComponent(cid);
    } catch {
      // keep it as written
    }
    const i = byName.get(name);
    if (i === undefined) return whole;
    const file = m.attachments[i]!;
    return `${open}data:${inlineType(file.contentType)};base64,${file.content}`;
  });
}

/** The media type of a data: URL: the file's own when it is a plain `type/subtype`. */
function inlineType(contentType: string): string {
  const bare = contentType.split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(bare) ? bare : 'application/octet-stream';
}

/** The message routes the dashboard frames; mounted under /__mock with the other message routes. */
export function createMessageContentRouter(ctx: AppContext): Router {
  const r = Router();
  // GET /__mock/messages/{id}/html: the HTML part, sandboxed (?part=amp for the AMP part)
  r.get('/messages/:id/html', (req, res) => {
    const m = findMessage(ctx.store.state, req.params.id);
    if (!m) throw notFound('Message not found');
    const html = req.query.part === 'amp' ? m.ampHtml : m.html;
    if (html === undefined) throw notFound('The message has no HTML part');
    sandboxContent(res);
    res.status(200).type('text/html; charset=utf-8').send(withInlineImages(m, html));
  });
  return r;
}

export function createUiRouter(ctx: AppContext): Router {
  const r = Router();
  const built = existsSync(`${UI_DIR}index.html`);

  r.use((req, res, next) => {
    res.set({ 'Content-Security-Policy': uiCsp(req.headers.host), 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    next();
  });

  // GET /__mock/ui/config: what the dashboard needs to know about this mock (and this listener)
  r.get('/config', (req, res) => {
    sendJson(res, 200, {
      version: ctx.version,
      account: ctx.accountId,
      authMode: ctx.apiKeys.size > 0 ? 'keys' : 'any',
      accountPerKey: ctx.options.accountPerKey,
      region: req.mock.region,
      storage: ctx.store.kind,
      signingKey: ctx.signingKey,
    });
  });

  if (!built) {
    r.use((_req, _res, next) => next(notFound('The dashboard is not built: run npm run build')));
    return r;
  }
  // GET /__mock/ui (no trailing slash: the static handler would not take it) and /__mock/ui/
  r.get('/', (_req, res) => res.sendFile('index.html', { root: UI_DIR }));
  r.use(express.static(UI_DIR, { index: 'index.html', redirect: false, fallthrough: true, dotfiles: 'ignore' }));
  r.use((_req, _res, next) => next(notFound('No such dashboard file')));
  return r;
}

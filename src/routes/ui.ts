// The dashboard under /__mock/ui: its static files (built by `npm run build` into dist/ui), the
// little it needs to know about this mock, and the message HTML it shows in a sandboxed frame.
// Every page and file is served with a strict Content-Security-Policy: the dashboard runs only its
// own scripts, and a message's HTML or an attachment never runs script on the mock's origin.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router, type Response } from 'express';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';
import { findMessage } from '../services/inspect.js';
import type { MessageRecord } from '../store/types.js';
import { notFound } from './admin-common.js';

/** Built assets: dist/ui, whether this module runs from src/ (tests) or dist/ (the package). */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/** The dashboard's own pages: only its own scripts, styles and frames; nobody may frame it. */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * A message's HTML (and any file sent with one): an opaque origin with no script at all, no forms,
 * no plugins; images only from the message itself (inline parts) or data: URLs, so nothing is
 * fetched from the internet and no tracking pixel fires. Only the dashboard may frame it.
 */
export const CONTENT_CSP = [
  'sandbox',
  "default-src 'none'",
  "img-src 'self' data:",
  "style-src 'unsafe-inline'",
  "font-src data:",
  "frame-ancestors 'self'",
].join('; ');

function contentHeaders(res: Response): void {
  res.set({ 'Content-Security-Policy': CONTENT_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
}

/** `cid:` references to the message's inline files point at their stored copies. */
function withInlineImages(m: MessageRecord, html: string, account: string | undefined): string {
  const byName = new Map<string, number>();
  m.attachments.forEach((a, i) => {
    if (a.field === 'inline' && !byName.has(a.filename)) byName.set(a.filename, i);
  });
  if (byName.size === 0) return html;
  const base = `/__mock/messages/${encodeURIComponent(m.id)}/attachments/`;
  // With one account per key the frame was opened with ?account=: its images need it too.
  const suffix = account === undefined ? '' : `?account=${encodeURIComponent(account)}`;
  return html.replace(/(["'(=])cid:([^"')\s>]{1,255})/gi, (whole, open: string, cid: string) => {
    let name = cid;
    try {
      name = decodeURIComponent(cid);
    } catch {
      // keep it as written
    }
    const i = byName.get(name);
    return i === undefined ? whole : `${open}${base}${i}${suffix}`;
  });
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
    contentHeaders(res);
    const account = typeof req.query.account === 'string' && req.query.account.length > 0 ? req.query.account : undefined;
    res.status(200).type('text/html; charset=utf-8').send(withInlineImages(m, html, account));
  });
  return r;
}

/** Headers for a stored file served by the control plane: it is shown, never run. */
export { contentHeaders as sandboxContent };

export function createUiRouter(ctx: AppContext): Router {
  const r = Router();
  const built = existsSync(`${UI_DIR}index.html`);

  r.use((_req, res, next) => {
    res.set({ 'Content-Security-Policy': UI_CSP, 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
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

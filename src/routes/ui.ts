// The dashboard under /__mock/ui: its static files (built by `npm run build` into dist/ui), the
// little it needs to know about this mock, and the message HTML it shows in a sandboxed frame.
// Every page and file is served with a strict Content-Security-Policy: the dashboard runs only its
// own scripts, and a message's HTML or an attachment never runs script on the mock's origin.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type Response } from 'express';
import { sandboxContent } from '../http/content-policy.js';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';
import { findMessage } from '../services/inspect.js';
import type { MessageRecord } from '../store/types.js';
import { notFound } from './admin-common.js';

/** Built assets: dist/ui, whether this module runs from src/ (tests) or dist/ (the package). */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/**
 * The dashboard's own pages: only the script tag carrying this response's nonce (and the modules
 * it imports) runs, so no other file the mock serves (a sender's attachment) can be a script
 * here; styles and frames from the mock only; nobody may frame it.
 */
export function uiCsp(nonce?: string): string {
  return [
    "default-src 'none'",
    `script-src ${nonce === undefined ? "'none'" : `'nonce-${nonce}'`}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The most base64 that inline images may add to one served HTML part (each reference is a copy). */
export const MAX_INLINED_BYTES = 8 * 1024 * 1024;

/**
 * `cid:` references to the message's inline files become data: URLs of their bytes: the frame
 * then needs no request to the mock at all (an <img> pointing at an API path would otherwise
 * reach the journal, the rate limit and armed faults). A reference names a part by its
 * Content-ID (MIME sends) or, as Mailgun's API sends use, its file name. Past
 * MAX_INLINED_BYTES the remaining references stay `cid:` (a broken image, not a huge answer).
 */
function withInlineImages(m: MessageRecord, html: string): string {
  const byId = new Map<string, number>();
  const byName = new Map<string, number>();
  m.attachments.forEach((a, i) => {
    if (a.field !== 'inline' && a.contentId === undefined) return;
    if (a.contentId !== undefined && !byId.has(a.contentId)) byId.set(a.contentId, i);
    if (a.field === 'inline' && !byName.has(a.filename)) byName.set(a.filename, i);
  });
  if (byId.size === 0 && byName.size === 0) return html;
  let budget = MAX_INLINED_BYTES;
  // After a quote, `(`, `=`, a comma (srcset's later candidates), or an HTML-escaped quote; not in running text.
  return html.replace(/(["'(=]|,\s*|&quot;|&#39;)cid:([^"'()\s>,&]{1,255})/gi, (whole, open: string, cid: string) => {
    let name = cid;
    try {
      name = decodeURIComponent(cid);
    } catch {
      // keep it as written
    }
    const i = byId.get(name) ?? byName.get(name);
    if (i === undefined) return whole;
    const file = m.attachments[i]!;
    if (file.content.length > budget) return whole;
    budget -= file.content.length;
    return `${open}data:${inlineType(file.contentType)};base64,${file.content}`;
  });
}

/**
 * What the frame gets: links open as (blocked) popups instead of navigating the frame to a path
 * of the mock (their own targets are dropped), and nested frames are inert elements (mail clients do not render them either, and
 * a blocked frame still makes the browser connect to its host).
 */
function framed(html: string): string {
  const inert = html
    .replace(/<(\/?)(i?frame)(?=[\s/>])/gi, '<$1x-blocked-$2')
    // A link's own target (`_self`, `_parent`) would beat the base's and navigate the frame to a path of the mock.
    .replace(/(<(?:a|area)\b[^>]*?)\s+target\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, '$1');
  // After a leading doctype (and the BOM, comments and blank space before it), so the page keeps its mode.
  const doctype = /^\uFEFF?(?:\s|<!--[\s\S]*?-->)*<!doctype[^>]*>/i.exec(inert);
  const at = doctype ? doctype[0].length : 0;
  return `${inert.slice(0, at)}<base target="_blank">${inert.slice(at)}`;
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
    res.status(200).type('text/html; charset=utf-8').send(framed(withInlineImages(m, html)));
  });

  // GET /__mock/messages/{id}/raw: the MIME message of a messages.mime send, as text (?download=1: as an .eml file)
  r.get('/messages/:id/raw', (req, res) => {
    const m = findMessage(ctx.store.state, req.params.id);
    if (!m) throw notFound('Message not found');
    if (m.mime === undefined) throw notFound('Only messages.mime sends keep a raw MIME message');
    sandboxContent(res);
    const bytes = Buffer.from(m.mime, 'base64');
    if (req.query.download === '1') {
      res.setHeader('Content-Disposition', `attachment; filename="${m.id.replace(/[^A-Za-z0-9._@-]/g, '_')}.eml"`);
      res.status(200).type('message/rfc822').end(bytes);
      return;
    }
    res.status(200).type('text/plain; charset=utf-8').end(bytes);
  });
  return r;
}

/** Where index.html's script tag takes the nonce. */
const NONCE_SLOT = '__CSP_NONCE__';
const STATIC_CSP = uiCsp();

export function createUiRouter(ctx: AppContext): Router {
  const r = Router();
  // A page from an older build (no nonce slot) counts as not built: it could not run its script.
  const page = existsSync(`${UI_DIR}index.html`) ? readFileSync(`${UI_DIR}index.html`, 'utf8') : '';
  const built = page.includes(NONCE_SLOT);

  r.use((_req, res, next) => {
    // Files other than the page run no script of their own; the page sets its nonce below.
    res.set({ 'Content-Security-Policy': STATIC_CSP, 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
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
    });
  });

  if (!built) {
    r.use((_req, _res, next) => next(notFound('The dashboard is not built: run npm run build')));
    return r;
  }
  // GET /__mock/ui (and /__mock/ui/, /__mock/ui/index.html): the page, its script tag carrying this answer's nonce
  const sendPage = (_req: Request, res: Response) => {
    const nonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', uiCsp(nonce));
    res.status(200).type('text/html; charset=utf-8').send(page.replaceAll(NONCE_SLOT, nonce));
  };
  r.get(['/', '/index.html'], sendPage);
  // Any other spelling of index.html (`%69ndex.html`, `./index.html`, `//index.html`) is the page too, with its nonce.
  r.get('/{*file}', (req, res, next) => {
    let file = req.path;
    try {
      file = decodeURIComponent(file);
    } catch {
      return next();
    }
    return posix.normalize(file.replace(/\/+/g, '/')) === '/index.html' ? sendPage(req, res) : next();
  });
  r.use(express.static(UI_DIR, { index: false, redirect: false, fallthrough: true, dotfiles: 'ignore' }));
  r.use((_req, _res, next) => next(notFound('No such dashboard file')));
  return r;
}

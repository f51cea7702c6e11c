// The policy for content a sender wrote, served on the mock's origin (a message's HTML, its
// attachments, through the control plane or Mailgun's storage API): shown, never run. An opaque
// origin with no script, forms, plugins or base URL; images only from data: URLs (inline images
// are inlined as such), so the content cannot make a request to the mock's API or the internet.
import type { Response } from 'express';

export const CONTENT_CSP = [
  'sandbox',
  "default-src 'none'",
  'img-src data:',
  "style-src 'unsafe-inline'",
  'font-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/** Marks a response as sender content: sandboxed, not sniffed, no referrer. */
export function sandboxContent(res: Response): void {
  res.setHeader('Content-Security-Policy', CONTENT_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

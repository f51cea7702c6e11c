// Mailgun's v3 (and legacy) domain webhooks, without HTTP: list, get, create, replace, delete.
// Legacy names (the founding document's) hold one `url`; current names hold 1–3 `urls`.
import { errors } from '../errors.js';
import { isValidWebhookUrl } from '../lib/urls.js';
import { isCurrentWebhookName, isLegacyWebhookName, MAX_WEBHOOK_URLS } from '../lib/webhook-names.js';
import type { MockState, WebhookRecord } from '../store/types.js';
import { requireDomain } from './domains.js';

/** How a webhook appears on the wire: `{url}` for legacy names, `{urls}` for current ones. */
export type WebhookView = { url: string } | { urls: string[] };

export function webhookView(hook: WebhookRecord): WebhookView {
  return hook.legacy ? { url: hook.urls[0] ?? '' } : { urls: [...hook.urls] };
}

/** `{name: view}` in the order the names were set; only names that are set appear. */
export function listWebhooks(state: MockState, domain: string): Record<string, WebhookView> {
  const out: Record<string, WebhookView> = {};
  for (const hook of requireDomain(state, domain).webhooks) {
    Object.defineProperty(out, hook.name, { value: webhookView(hook), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function checkName(name: string): boolean {
  if (isLegacyWebhookName(name)) return true;
  if (isCurrentWebhookName(name)) return false;
  throw errors.invalidWebhookName(name);
}

function findHook(state: MockState, domain: string, name: string): WebhookRecord {
  const d = requireDomain(state, domain);
  checkName(name);
  const hook = d.webhooks.find((h) => h.name === name);
  if (!hook) throw errors.webhookNotFound();
  return hook;
}

/** Checks the `url` values of a create or update: present, at most 3 (1 for legacy names), each a URL. */
function checkUrls(name: string, legacy: boolean, given: string[]): string[] {
  const urls = [...new Set(given.filter((u) => u.length > 0))];
  if (urls.length === 0) throw errors.missingParameter('url');
  if (legacy && urls.length > 1) throw errors.legacySingleUrl(name);
  if (urls.length > MAX_WEBHOOK_URLS) throw errors.tooManyUrls(name);
  for (const u of urls) if (!isValidWebhookUrl(u)) throw errors.invalidUrl(u);
  return urls;
}

export function getWebhook(state: MockState, domain: string, name: string): WebhookView {
  return webhookView(findHook(state, domain, name));
}

/** POST: sets a name that is not set yet. Checks run in Mailgun's order: domain, id, url, existing. */
export function createWebhook(state: MockState, domain: string, name: string | undefined, urls: string[]): WebhookView {
  const d = requireDomain(state, domain);
  if (name === undefined || name.length === 0) throw errors.missingParameter('id');
  const legacy = checkName(name);
  const clean = checkUrls(name, legacy, urls);
  if (d.webhooks.some((h) => h.name === name)) throw errors.webhookExists();
  const hook: WebhookRecord = { name, urls: clean, legacy };
  d.webhooks.push(hook);
  return webhookView(hook);
}

/** PUT: replaces the URLs of a name that is set. */
export function updateWebhook(state: MockState, domain: string, name: string, urls: string[]): WebhookView {
  const hook = findHook(state, domain, name);
  hook.urls = checkUrls(name, hook.legacy, urls);
  return webhookView(hook);
}

/** DELETE: removes a name and answers with the URLs it had. */
export function deleteWebhook(state: MockState, domain: string, name: string): WebhookView {
  const hook = findHook(state, domain, name);
  const d = requireDomain(state, domain);
  d.webhooks = d.webhooks.filter((h) => h !== hook);
  return webhookView(hook);
}

/** The URLs a test event for `name` goes to: the given one, or those registered. */
export function testTargets(state: MockState, domain: string, name: string, url: string | undefined): string[] {
  const d = requireDomain(state, domain);
  checkName(name);
  if (url !== undefined && url.length > 0) {
    if (!isValidWebhookUrl(url)) throw errors.invalidUrl(url);
    return [url];
  }
  const hook = d.webhooks.find((h) => h.name === name);
  if (!hook) throw errors.missingParameter('url');
  return hook.urls;
}

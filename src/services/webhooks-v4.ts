// Mailgun's v4 domain webhooks, without HTTP: one URL attached to several event types at once.
// They share the v3 records (`DomainRecord.webhooks`): a URL set here is listed and fires exactly
// like one set through v3. Only current names are event types; legacy records are never touched.
import { MailgunError } from '../errors.js';
import { isValidWebhookUrl } from '../lib/urls.js';
import { isCurrentWebhookName, MAX_WEBHOOK_URLS, type WebhookName } from '../lib/webhook-names.js';
import type { DomainRecord, MockState, WebhookRecord } from '../store/types.js';
import { requireDomain } from './domains.js';
import { listWebhooks, type WebhookView } from './webhooks.js';

/** The v4 answers that are not a success. Mailgun documents `Reason` as the only key of a v4 400. */
export const v4Errors = {
  missingParameter: (name: string) => new MailgunError(400, { Reason: `Missing parameter '${name}'` }),
  invalidUrl: (url: string) => new MailgunError(400, { Reason: `${url} is not a valid url` }),
  invalidEventType: (name: string) => new MailgunError(400, { Reason: `event_type '${name}' is invalid` }),
  tooManyUrls: (name: string) => new MailgunError(400, { Reason: `unable to add more than ${MAX_WEBHOOK_URLS} urls for event type ${name}` }),
};

/**
 * The values of a list field sent either repeated (`a=x&a=y`) or comma-joined (`a=x,y`, as the
 * Python SDK sends `event_types`), or both; blanks around and between commas are dropped.
 * @example splitList(['clicked,opened', 'delivered']); // ['clicked', 'opened', 'delivered']
 */
export function splitList(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

function checkUrl(url: string | undefined): string {
  if (url === undefined || url.length === 0) throw v4Errors.missingParameter('url');
  if (!isValidWebhookUrl(url)) throw v4Errors.invalidUrl(url);
  return url;
}

/** Event types, current names only, each once (a name sent twice is the same association). */
function checkEventTypes(given: string[]): WebhookName[] {
  const names = splitList(given);
  if (names.length === 0) throw v4Errors.missingParameter('event_types');
  for (const n of names) if (!isCurrentWebhookName(n)) throw v4Errors.invalidEventType(n);
  return [...new Set(names as WebhookName[])];
}

function currentHook(d: DomainRecord, name: string): WebhookRecord | undefined {
  return d.webhooks.find((h) => h.name === name && !h.legacy);
}

/** Mailgun's limit: a name that would get a fourth URL refuses it. Checked before anything changes. */
function checkRoom(d: DomainRecord, url: string, names: WebhookName[]): void {
  for (const n of names) {
    const hook = currentHook(d, n);
    if (hook && !hook.urls.includes(url) && hook.urls.length >= MAX_WEBHOOK_URLS) throw v4Errors.tooManyUrls(n);
  }
}

function attach(d: DomainRecord, url: string, names: WebhookName[]): void {
  for (const n of names) {
    const hook = currentHook(d, n);
    if (!hook) d.webhooks.push({ name: n, urls: [url], legacy: false });
    else if (!hook.urls.includes(url)) hook.urls.push(url);
  }
}

/** Removes `urls` from every current name except `keep`; a name left without URLs is unset. */
function detach(d: DomainRecord, urls: ReadonlySet<string>, keep: ReadonlySet<string> = new Set()): void {
  for (const hook of d.webhooks) {
    if (!hook.legacy && !keep.has(hook.name)) hook.urls = hook.urls.filter((u) => !urls.has(u));
  }
  d.webhooks = d.webhooks.filter((h) => h.legacy || h.urls.length > 0);
}

/** POST: adds `url` to each event type (the others keep theirs); answers the whole map. */
export function createWebhooksV4(state: MockState, domain: string, url: string | undefined, eventTypes: string[]): Record<string, WebhookView> {
  const d = requireDomain(state, domain);
  const u = checkUrl(url);
  const names = checkEventTypes(eventTypes);
  checkRoom(d, u, names);
  attach(d, u, names);
  return listWebhooks(state, domain);
}

/** PUT: `url` is attached to exactly these event types afterwards (an unknown URL is simply added). */
export function updateWebhooksV4(state: MockState, domain: string, url: string | undefined, eventTypes: string[]): Record<string, WebhookView> {
  const d = requireDomain(state, domain);
  const u = checkUrl(url);
  const names = checkEventTypes(eventTypes);
  checkRoom(d, u, names);
  detach(d, new Set([u]), new Set(names));
  attach(d, u, names);
  return listWebhooks(state, domain);
}

/**
 * DELETE: removes each URL from every event type. A value that is not itself a registered URL is
 * read as a comma-joined list (mailgun-java joins them); a URL that is not registered is no error.
 */
export function deleteWebhooksV4(state: MockState, domain: string, values: string[]): Record<string, WebhookView> {
  const d = requireDomain(state, domain);
  const registered = new Set(d.webhooks.filter((h) => !h.legacy).flatMap((h) => h.urls));
  const urls = values.flatMap((v) => (registered.has(v) ? [v] : splitList([v])));
  if (urls.length === 0) throw v4Errors.missingParameter('url');
  detach(d, new Set(urls));
  return listWebhooks(state, domain);
}

// Mailgun's v1 account-level webhooks, without HTTP: one URL for several event types, firing for
// every domain of the region it was set in (US and EU are configured separately), and which of
// them an event goes to next to the domain's own webhooks (the same URL for the same name: once).
import { randomBytes } from 'node:crypto';
import { MailgunError } from '../errors.js';
import { isValidWebhookUrl } from '../lib/urls.js';
import { isCurrentWebhookName, MAX_WEBHOOK_URLS } from '../lib/webhook-names.js';
import type { AccountWebhookRecord, DomainRecord, EventData, MockState, Region } from '../store/types.js';
import type { DeliveryTarget } from '../webhooks/dispatcher.js';
import { webhookNamesFor } from '../webhooks/payloads.js';
import { splitList } from './webhooks-v4.js';

/** The v1 answers that are not a success; their keys vary as Mailgun's do (`message`, `Description`, `Field`/`Value`). */
export const accountErrors = {
  missingParameter: (name: string) => new MailgunError(400, { message: `Missing parameter '${name}'` }),
  invalidUrl: (url: string) => new MailgunError(400, { message: `${url} is not a valid url` }),
  /** Mailgun answers an event type outside its enum with a 404. */
  invalidEventType: (name: string) => new MailgunError(404, { Description: `event_type '${name}' is invalid` }),
  duplicateEventTypes: (names: string[]) => new MailgunError(400, { Field: 'event_types', Value: `duplicate event types: ${names.map((n) => `'${n}'`).join(', ')}` }),
  tooManyUrls: (name: string) => new MailgunError(409, { Description: `unable to add more than ${MAX_WEBHOOK_URLS} urls for event type ${name}` }),
  notFound: () => new MailgunError(404, { Description: 'webhook not found' }),
  invalidId: () => new MailgunError(400, { Field: 'webhook_id', Value: 'is not valid' }),
  idNotFound: (id: string) => new MailgunError(404, { Description: `webhook_id not found: ${id}` }),
  emptyIds: () => new MailgunError(400, { message: 'Invalid parameter: webhook_ids malformed webhook_ids parameter: empty values not allowed' }),
  malformedId: (id: string) => new MailgunError(400, { message: `Invalid parameter: webhook_ids malformed webhook_ids parameter: '${id}' is not a valid id` }),
  nothingToDelete: () => new MailgunError(400, { message: "Invalid parameter: one of 'webhook_ids' or 'all=true' is required" }),
  noneFound: () => new MailgunError(404, { Description: 'no webhooks found for account' }),
};

/** How an account webhook appears on the wire. */
export interface AccountWebhookView {
  webhook_id: string;
  description: string;
  url: string;
  event_types: string[];
  created_at: string;
}

/** What a create or a (full-replace) update sends. */
export interface AccountWebhookInput {
  url: string | undefined;
  /** Repeated and/or comma-joined values, as sent. */
  eventTypes: string[];
  description: string | undefined;
}

const ID = /^[0-9a-f]{24}$/i;

function view(w: AccountWebhookRecord): AccountWebhookView {
  return { webhook_id: w.id, description: w.description, url: w.url, event_types: [...w.eventTypes], created_at: w.createdAt };
}

/** RFC 3339 in UTC, to the second, as Mailgun writes `created_at`. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A 24-hex id shaped like a MongoDB ObjectId (creation seconds, then random), unique in the state. */
function newId(state: MockState, nowMs: number): string {
  const seconds = Math.max(0, Math.floor(nowMs / 1000)) % 2 ** 32;
  for (;;) {
    const id = seconds.toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
    if (!state.accountWebhooks.some((w) => w.id === id)) return id;
  }
}

function inRegion(state: MockState, region: Region): AccountWebhookRecord[] {
  return state.accountWebhooks.filter((w) => w.region === region);
}

function find(state: MockState, region: Region, id: string): AccountWebhookRecord | undefined {
  const key = id.toLowerCase();
  return ID.test(id) ? state.accountWebhooks.find((w) => w.region === region && w.id === key) : undefined;
}

/**
 * `webhook_ids` as sent, repeated and/or comma-joined: undefined when absent. An empty value
 * anywhere (`a,,b`, `a,`, `webhook_ids=`) is Mailgun's documented 400; so is an id that is not 24 hex.
 */
export function parseWebhookIds(values: string[], emptyMeansAll = false): string[] | undefined {
  if (values.length === 0) return undefined;
  // mailgun-ruby's list() sends `webhook_ids=` by default and Mailgun answers the whole list
  // (recorded: mailgun-ruby vcr_cassettes/account_webhooks.yml); on delete-all it is an error.
  if (emptyMeansAll && values.every((v) => v.trim() === '')) return undefined;
  const ids = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (ids.some((id) => id.length === 0)) throw accountErrors.emptyIds();
  const bad = ids.find((id) => !ID.test(id));
  if (bad !== undefined) throw accountErrors.malformedId(bad);
  return ids.map((id) => id.toLowerCase());
}

/** Checks a create or update in this order: url, event types (known, then distinct), the 3-URL limit. */
function checkInput(state: MockState, region: Region, input: AccountWebhookInput, self?: AccountWebhookRecord): Omit<AccountWebhookRecord, 'id' | 'createdAt' | 'region'> {
  const url = input.url;
  if (url === undefined || url.length === 0) throw accountErrors.missingParameter('url');
  if (!isValidWebhookUrl(url)) throw accountErrors.invalidUrl(url);
  const names = splitList(input.eventTypes);
  if (names.length === 0) throw accountErrors.missingParameter('event_types');
  for (const n of names) if (!isCurrentWebhookName(n)) throw accountErrors.invalidEventType(n);
  const dupes = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (dupes.length > 0) throw accountErrors.duplicateEventTypes(dupes);
  // "Maximum of 3 unique URLs per event type": another webhook with the same URL takes no new room.
  for (const n of names) {
    const urls = new Set(inRegion(state, region).filter((w) => w !== self && w.eventTypes.includes(n)).map((w) => w.url));
    if (!urls.has(url) && urls.size >= MAX_WEBHOOK_URLS) throw accountErrors.tooManyUrls(n);
  }
  return { url, eventTypes: names, description: input.description ?? '' };
}

/** GET /v1/webhooks: the region's webhooks, oldest first, only the given ids when `ids` is set. */
export function listAccountWebhooks(state: MockState, region: Region, ids?: string[]): AccountWebhookView[] {
  const wanted = ids && new Set(ids);
  return inRegion(state, region).filter((w) => !wanted || wanted.has(w.id)).map(view);
}

export function getAccountWebhook(state: MockState, region: Region, id: string): AccountWebhookView {
  const w = find(state, region, id);
  if (!w) throw accountErrors.notFound();
  return view(w);
}

/** POST /v1/webhooks: answers the new id. */
export function createAccountWebhook(state: MockState, region: Region, input: AccountWebhookInput, nowMs: number): string {
  const fields = checkInput(state, region, input);
  const id = newId(state, nowMs);
  state.accountWebhooks.push({ id, ...fields, createdAt: rfc3339(nowMs), region });
  return id;
}

/** PUT /v1/webhooks/{id}: replaces url, event types and description; the id and created_at stay. */
export function updateAccountWebhook(state: MockState, region: Region, id: string, input: AccountWebhookInput): void {
  if (!ID.test(id)) throw accountErrors.invalidId();
  const w = find(state, region, id);
  if (!w) throw accountErrors.notFound();
  Object.assign(w, checkInput(state, region, input, w));
}

/** DELETE /v1/webhooks/{id} */
export function deleteAccountWebhook(state: MockState, region: Region, id: string): void {
  if (!ID.test(id)) throw accountErrors.invalidId();
  const w = find(state, region, id);
  if (!w) throw accountErrors.idNotFound(id);
  state.accountWebhooks = state.accountWebhooks.filter((x) => x !== w);
}

/** DELETE /v1/webhooks: the given ids (they win over `all`), else every one of the region with `all`. */
export function deleteAccountWebhooks(state: MockState, region: Region, ids: string[] | undefined, all: boolean): void {
  if (ids === undefined && !all) throw accountErrors.nothingToDelete();
  const wanted = ids && new Set(ids);
  const doomed = new Set(inRegion(state, region).filter((w) => !wanted || wanted.has(w.id)));
  if (doomed.size === 0) throw accountErrors.noneFound();
  state.accountWebhooks = state.accountWebhooks.filter((w) => !doomed.has(w));
}

/**
 * Where an event on `domain` goes besides the domain's own webhooks: the account webhooks of the
 * domain's region set for the event's current name, each URL once, and none that the domain
 * already has for that name (Mailgun deduplicates by event type across account and domain levels).
 * @example [...targetsFor(domain, data), ...accountTargetsFor(state, domain, data)]
 */
export function accountTargetsFor(state: MockState, domain: DomainRecord, data: EventData): DeliveryTarget[] {
  const name = webhookNamesFor(data).find(isCurrentWebhookName);
  if (name === undefined || state.accountWebhooks.length === 0) return [];
  const taken = new Set(domain.webhooks.find((h) => h.name === name && !h.legacy)?.urls ?? []);
  const out: DeliveryTarget[] = [];
  for (const w of state.accountWebhooks) {
    if (w.region !== domain.region || !w.eventTypes.includes(name) || taken.has(w.url)) continue;
    taken.add(w.url);
    out.push({ webhook: name, url: w.url });
  }
  return out;
}

// Mailgun's suppression lists without req/res: the four list types (bounces, unsubscribes,
// complaints, the allowlist that Mailgun's API still calls `whitelists`), their wire shapes and
// texts, the create inputs (one record from form fields, a batch from a JSON array), paging over the
// alphabetical order Mailgun documents, the changes to a domain's lists, and the allowlist check
// delivery uses. Errors are MailgunError values from the catalogue.
//
// Choices where Mailgun is silent (docs/api-coverage.md says the same for users):
// - Error texts for bad input follow Mailgun's Go API framework (mailgun/scroll): `Missing mandatory
//   parameter: address`, `Invalid format for parameter address: x`; the allowlist's documented
//   `Missing mandatory parameter: address/domain` has that shape.
// - Adding an address that is already listed replaces the record (documented for bounces); for
//   unsubscribes the tags are merged, so a tag-scoped unsubscribe never narrows an existing one.
// - A batch is all or nothing: one bad record answers 400 and nothing is stored.
// - `limit` above 1000 reads as 1000, `0` or empty as 100; `page=prev` is taken for `previous`.
import { errors, MailgunError } from '../errors.js';
import { allFields, firstField, type Fields } from '../lib/fields.js';
import type { AllowlistRecord, BounceRecord, ComplaintRecord, DomainRecord, UnsubscribeRecord } from '../store/types.js';
import { isValidAddress, isValidMailDomain } from '../lib/addresses.js';
import { parseRfc2822Date } from './message-input.js';

/** The list types, as their URL path segments name them. */
export const SUPPRESSION_TYPES = ['bounces', 'unsubscribes', 'complaints', 'whitelists'] as const;
export type SuppressionType = (typeof SUPPRESSION_TYPES)[number];

/** Records in one JSON batch (documented: "up to 1000"). */
export const MAX_SUPPRESSION_BATCH = 1000;
/** Page size when `limit` is absent (documented). */
export const DEFAULT_SUPPRESSION_LIMIT = 100;
/** Largest page (documented: "max: 1000"). */
export const MAX_SUPPRESSION_LIMIT = 1000;

/** A record of any of the four lists. */
export type SuppressionEntry = BounceRecord | UnsubscribeRecord | ComplaintRecord | AllowlistRecord;
type Entry = SuppressionEntry;

/** Mailgun's texts per list (recorded where the ruby SDK's cassettes have them; the rest documented). */
export const SUPPRESSION_TEXTS = {
  bounces: {
    added: 'Address has been added to the bounces table',
    batch: (n: number) => `${n} addresses have been added to the bounces table`,
    notFound: 'Address not found in bounces table',
    removed: 'Bounced address has been removed',
    cleared: 'Bounced addresses for this domain have been removed',
  },
  unsubscribes: {
    added: 'Address has been added to the unsubscribes table',
    batch: (n: number) => `${n} addresses have been added to the unsubscribes table`,
    notFound: 'Address not found in unsubscribers table',
    removed: 'Unsubscribe event has been removed',
    cleared: 'Unsubscribe addresses for this domain have been removed',
  },
  complaints: {
    added: 'Address has been added to the complaints table',
    batch: (n: number) => `${n} complaint addresses have been added to the complaints table`,
    notFound: 'No spam complaints found for this address',
    removed: 'Spam complaint has been removed',
    cleared: 'Complaint addresses for this domain have been removed',
  },
  whitelists: {
    added: 'Address/Domain has been added to the allowlists table',
    notFound: 'Address/Domain not found in allowlist table',
    removed: 'Allowlist address/domain has been removed',
    cleared: 'Allowlist addresses/domains for this domain have been removed',
  },
} as const;

/** Removing one tag that the address is not unsubscribed from (documented). */
export const TAG_NOT_FOUND = 'Unsubscribe event for this tag does not exist';

/** Whether `address` (or its domain) is on the domain's allowlist: Mailgun never adds it to the bounces list. */
export function isAllowlisted(domain: DomainRecord, address: string): boolean {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  const host = at === -1 ? '' : a.slice(at + 1);
  return domain.allowlist.some((e) => (e.type === 'address' ? e.value === a : host !== '' && e.value === host));
}

// ---------------------------------------------------------------------------------------------------
// The lists and their wire shapes

export function entriesOf(domain: DomainRecord, type: SuppressionType): Entry[] {
  switch (type) {
    case 'bounces':
      return domain.bounces;
    case 'unsubscribes':
      return domain.unsubscribes;
    case 'complaints':
      return domain.complaints;
    case 'whitelists':
      return domain.allowlist;
  }
}

/** The address, or for the allowlist the address or domain, that names a record. */
export function keyOf(e: Entry): string {
  return 'address' in e ? e.address : e.value;
}

/** `Sun, 26 Jan 2025 07:29:04 UTC`: RFC 1123 with `UTC`, as recorded from Mailgun in 2025. */
export function wireDate(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toUTCString().replace(/GMT$/, 'UTC');
}

/** A record as Mailgun lists it (key order as recorded; the allowlist's as in its 2025 reference). */
export function toWire(e: Entry): Record<string, unknown> {
  if ('value' in e) return { type: e.type, value: e.value, createdAt: wireDate(e.createdAt), reason: e.reason };
  if ('code' in e) return { address: e.address, code: e.code, error: e.error, created_at: wireDate(e.createdAt) };
  if ('tags' in e) return { address: e.address, tags: [...e.tags], created_at: wireDate(e.createdAt) };
  return { address: e.address, created_at: wireDate(e.createdAt) };
}

/** The record of `key` (an address, or an allowlisted domain), compared lower-cased. */
export function findEntry(domain: DomainRecord, type: SuppressionType, key: string): Entry | undefined {
  const k = key.trim().toLowerCase();
  return entriesOf(domain, type).find((e) => keyOf(e) === k);
}

// ---------------------------------------------------------------------------------------------------
// Listing

export interface ListQuery {
  limit: number;
  page: 'first' | 'next' | 'previous' | 'last';
  /** The divider between pages (`page=next&address=…`). */
  address: string;
  /** Only keys starting with it. */
  term: string;
}

const PAGES: Record<string, ListQuery['page']> = { '': 'first', first: 'first', next: 'next', previous: 'previous', prev: 'previous', last: 'last' };

/** `limit`, `page`, `address`, `term` as Mailgun reads them (the first of repeated values). */
export function parseListQuery(query: Fields): ListQuery {
  const rawLimit = (firstField(query, 'limit') ?? '').trim();
  if (rawLimit !== '' && !/^\d{1,18}$/.test(rawLimit)) throw invalidFormat('limit', rawLimit);
  const n = rawLimit === '' ? 0 : Number(rawLimit);
  const limit = n === 0 ? DEFAULT_SUPPRESSION_LIMIT : Math.min(n, MAX_SUPPRESSION_LIMIT);
  const rawPage = (firstField(query, 'page') ?? '').trim();
  const page = Object.hasOwn(PAGES, rawPage.toLowerCase()) ? PAGES[rawPage.toLowerCase()]! : undefined;
  if (!page) throw invalidFormat('page', rawPage);
  const address = (firstField(query, 'address') ?? '').trim().toLowerCase();
  const term = (firstField(query, 'term') ?? '').trim().toLowerCase();
  return { limit, page, address, term };
}

export interface ListPage {
  items: Array<Record<string, unknown>>;
  /** The dividers the `next` and `previous` links carry: the page's last and first keys. */
  next: string;
  previous: string;
}

/** One page in alphabetical order of the key (documented for bounces, unsubscribes and complaints). */
export function listPage(domain: DomainRecord, type: SuppressionType, q: ListQuery): ListPage {
  const sorted = entriesOf(domain, type)
    .filter((e) => keyOf(e).startsWith(q.term))
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let page: Entry[];
  if (q.page === 'next') {
    const from = sorted.findIndex((e) => keyOf(e) > q.address);
    page = from === -1 ? [] : sorted.slice(from, from + q.limit);
  } else if (q.page === 'previous') {
    const before = sorted.filter((e) => keyOf(e) < q.address);
    page = before.slice(Math.max(0, before.length - q.limit));
  } else if (q.page === 'last') {
    page = sorted.slice(Math.max(0, sorted.length - q.limit));
  } else {
    page = sorted.slice(0, q.limit);
  }
  // An empty page keeps the divider it was asked with, so `previous` leads back.
  const first = page[0];
  const last = page.at(-1);
  return { items: page.map(toWire), next: last ? keyOf(last) : q.address, previous: first ? keyOf(first) : q.address };
}

/** The four absolute links, in the query form recorded from Mailgun in 2025 (mailgun.js reads `address`). */
export function pagingLinks(listUrl: string, q: ListQuery, page: ListPage): Record<'first' | 'last' | 'next' | 'previous', string> {
  const link = (pairs: Array<[string, string]>) => `${listUrl}?${new URLSearchParams([...pairs, ['limit', String(q.limit)], ['term', q.term]]).toString()}`;
  // Off either end (an empty page), the way back is the end itself: the page before the one past
  // the last is the last page, the page after the one before the first is the first page. (Going
  // back from the divider would skip the entry the divider names.)
  const offEnd = page.items.length === 0;
  return {
    first: link([]),
    last: link([['page', 'last']]),
    next: offEnd && q.page === 'previous' ? link([]) : link([['page', 'next'], ['address', page.next]]),
    previous: offEnd && q.page === 'next' ? link([['page', 'last']]) : link([['page', 'previous'], ['address', page.previous]]),
  };
}

// ---------------------------------------------------------------------------------------------------
// Creating

/** Longest value quoted back in an error (hostile bodies should not be echoed whole). */
const QUOTE_MAX = 200;

function invalidFormat(field: string, value: unknown): MailgunError {
  // Not JSON.stringify: a deeply nested value would overflow the stack.
  const text = typeof value === 'string' ? value : Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
  return errors.badRequest(`Invalid format for parameter ${field}: ${text.length > QUOTE_MAX ? text.slice(0, QUOTE_MAX) + '…' : text}`);
}

const missing = (field: string) => errors.badRequest(`Missing mandatory parameter: ${field}`);

function address(value: unknown, field = 'address'): string {
  if (value === undefined || value === null || value === '') throw missing(field);
  if (typeof value !== 'string') throw invalidFormat(field, value);
  const a = value.trim().toLowerCase();
  if (!isValidAddress(a)) throw invalidFormat(field, value);
  return a;
}

/** `created_at` in RFC 2822 (documented), default now. */
function createdAt(value: unknown, nowMs: number): string {
  if (value === undefined || value === null || value === '') return new Date(nowMs).toISOString();
  const ms = typeof value === 'string' ? parseRfc2822Date(value) : undefined;
  if (ms === undefined) throw invalidFormat('created_at', value);
  return new Date(ms).toISOString();
}

function text(field: string, value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw invalidFormat(field, value);
}

/** Tags compare case-insensitively, as delivery matches them against a message's tags. */

function tagList(field: string, values: unknown[]): string[] {
  if (values.length > MAX_TAGS) throw errors.badRequest(`Too many tags: at most ${MAX_TAGS} per address`);
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const v of values) {
    const t = text(field, v, '').trim();
    if (t !== '' && !seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase());
      tags.push(t);
    }
  }
  return tags.length > 0 ? tags : ['*'];
}

/** Tags one unsubscribe may hold (Mailgun documents none; a bound keeps one request cheap). */
const MAX_TAGS = 1000;

/** One record from a JSON object or form-field lookup (`get` returns the value, or undefined). */
function record(type: Exclude<SuppressionType, 'whitelists'>, get: (name: string) => unknown, tags: () => unknown[], nowMs: number): Entry {
  const a = address(get('address'));
  const at = createdAt(get('created_at'), nowMs);
  if (type === 'bounces') return { address: a, code: text('code', get('code'), '550'), error: text('error', get('error'), ''), createdAt: at };
  if (type === 'unsubscribes') return { address: a, tags: tagList('tags', tags()), createdAt: at };
  return { address: a, createdAt: at };
}

/** The record a form create describes (bounces: address, code, error, created_at; unsubscribes: address, tag, created_at; …). */
export function entryFromForm(type: SuppressionType, fields: Fields, nowMs: number): Entry {
  if (type === 'whitelists') {
    const reason = firstField(fields, 'reason') ?? '';
    const addr = firstField(fields, 'address');
    if (addr !== undefined && addr !== '') return { value: address(addr), type: 'address', reason, createdAt: new Date(nowMs).toISOString() };
    const dom = firstField(fields, 'domain');
    if (dom === undefined || dom === '') throw missing('address/domain');
    const d = dom.trim().toLowerCase();
    if (!isValidMailDomain(d)) throw invalidFormat('domain', dom);
    return { value: d, type: 'domain', reason, createdAt: new Date(nowMs).toISOString() };
  }
  // The form field is `tag` (its first value, as Mailgun reads a single field); `tags` is taken too.
  const tags = () => [...(fields.tag?.slice(0, 1) ?? []), ...allFields(fields, 'tags'), ...allFields(fields, 'tags[]')];
  return record(type, (name) => firstField(fields, name), tags, nowMs);
}

/** The records of a JSON batch: an array of objects (a lone object counts as a batch of one). */
export function entriesFromJson(type: Exclude<SuppressionType, 'whitelists'>, body: unknown, nowMs: number): Entry[] {
  const items = Array.isArray(body) ? body : [body];
  if (items.length > MAX_SUPPRESSION_BATCH) throw errors.badRequest(`Batch size should be less than ${MAX_SUPPRESSION_BATCH}`);
  return items.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw errors.badRequest('Invalid JSON: every record must be an object');
    const obj = item as Record<string, unknown>;
    const get = (name: string) => (Object.hasOwn(obj, name) ? obj[name] : undefined);
    const tags = () => {
      const many = get('tags');
      if (many !== undefined && many !== null && !Array.isArray(many)) throw invalidFormat('tags', many);
      return [...(Array.isArray(many) ? many : []), ...(get('tag') === undefined ? [] : [get('tag')])];
    };
    return record(type, get, tags, nowMs);
  });
}

/** Adds records (inside a state change): an address already listed is replaced, an unsubscribe's tags merged. */
export function addEntries(domain: DomainRecord, type: SuppressionType, entries: Entry[]): void {
  const list = entriesOf(domain, type);
  const index = new Map(list.map((e, i) => [keyOf(e), i]));
  for (const e of entries) {
    const at = index.get(keyOf(e));
    if (at === undefined) {
      index.set(keyOf(e), list.length);
      list.push(e);
      continue;
    }
    const old = list[at]!;
    if ('tags' in old && 'tags' in e) {
      const had = new Set(old.tags.map((t) => t.toLowerCase()));
      e.tags = [...old.tags, ...e.tags.filter((t) => !had.has(t.toLowerCase()))];
    }
    list[at] = e;
  }
}

// ---------------------------------------------------------------------------------------------------
// Removing

/**
 * Removes the record of `key` (inside a state change). With `tag` (unsubscribes only), removes that
 * tag alone, and the record once it has no tags left.
 */
export function removeEntry(domain: DomainRecord, type: SuppressionType, key: string, tag?: string): 'removed' | 'missing' | 'no-tag' {
  const list = entriesOf(domain, type);
  const k = key.trim().toLowerCase();
  const at = list.findIndex((e) => keyOf(e) === k);
  if (at === -1) return 'missing';
  const e = list[at]!;
  if (tag !== undefined && 'tags' in e) {
    const t = tag.trim().toLowerCase();
    const left = e.tags.filter((x) => x.toLowerCase() !== t);
    if (left.length === e.tags.length) return 'no-tag';
    if (left.length > 0) {
      e.tags = left;
      return 'removed';
    }
  }
  list.splice(at, 1);
  return 'removed';
}

/** Empties one list (inside a state change). */
export function clearEntries(domain: DomainRecord, type: SuppressionType): void {
  entriesOf(domain, type).length = 0;
}

// The query engine behind `GET /v3/{domain}/events` and `GET /v3/{domain}/events/{token}`: parses the
// query (time range, direction, limit, filter expressions), runs one page over the stored events and
// mints the four paging tokens. Pure: no req/res, no store, no clock of its own (the caller passes "now").
//
// Choices where Mailgun's docs are silent or contradict each other (the DOCS block at the end of the
// file says the same for users):
// - No `begin`: a descending listing starts at the newest event (Mailgun: "the time of the request";
//   an open start also lists events whose timestamps run ahead of a frozen mock clock), an ascending
//   one at the oldest retained event (Mailgun would start at "now" and list only future events,
//   which is useless against a mock that was just seeded).
// - No `end` and no `ascending`: descending (the 2013–2018 docs: "If end is not specified, then the
//   value is no"). The newer docs say `ascending` is required there, but every SDK's bare
//   `events.get(domain)` sends nothing, and those calls work against Mailgun.
// - The range is half-open: `begin` is included, `end` is not, so consecutive windows
//   (`end` = the next `begin`) never list an event twice.
// - `end` without `begin`: the direction comes from `ascending`, else from `end` against now.
// - `end` and `ascending` are checked for agreement only when `begin` is given too; equal bounds
//   agree with either direction (the range is empty anyway).
// - A repeated `begin`/`end`/`ascending`/`limit` uses the first value (Go's FormValue); an empty value
//   counts as absent, so does an empty filter expression. Unknown parameters are ignored, as are
//   `pretty` and any filter name spelled in another case (`Event`).
// - Paging cursors are (timestamp, seq) positions, never array indexes, so pages stay correct while
//   events are appended; late events (a timestamp older than a cursor) are not revisited, as on Mailgun.
import { compileFilter, EVENT_FILTER_FIELDS, MAX_FILTER_CHARS, parseFilterExpression, quote, type EventFilter } from './event-filter.js';
import { parseRfc2822 } from '../lib/dates.js';
import { errors } from '../errors.js';
import type { Fields } from '../lib/fields.js';
import type { EventData, EventRecord } from '../store/types.js';

/** Page size when `limit` is not given (mailgun-go: "If left unspecified, MailGun assumes 100"). */
export const DEFAULT_EVENT_LIMIT = 100;
/** Largest `limit` Mailgun accepts. */
export const MAX_EVENT_LIMIT = 300;
/** Bounds that keep hostile filters cheap to parse and every page token well under Node's 16 KiB header limit. */
export const MAX_FILTER_VALUES = 32;
export const MAX_TOKEN_LENGTH = 16384;

/** A position between events in listing order: just after (or before) the event with this key. */
export interface PageCursor {
  /** The event's `timestamp` (epoch seconds). */
  timestamp: number;
  /** The event's `seq`, which orders events with equal timestamps. */
  seq: number;
  /** Whether the event with exactly this key belongs to the page. */
  inclusive: boolean;
}

/**
 * Where a page sits in the range: `after` lists the first `limit` events after the cursor (from the start
 * of the range when null); `before` the last `limit` events before it (none when null: nothing precedes
 * the start); `last` the final `limit` events of the range. Items always come in the range's direction.
 */
export type PagePosition =
  | { kind: 'after'; cursor: PageCursor | null }
  | { kind: 'before'; cursor: PageCursor | null }
  | { kind: 'last' };

/** Parsed state of one page request; serialisable into a page token. */
export interface PageState {
  /** Listing order: oldest to newest when true. */
  ascending: boolean;
  /** Epoch seconds where the range starts (included); null: at the oldest (ascending) or newest (descending) event. */
  begin: number | null;
  /** Epoch seconds where the range stops (excluded); null: open (ascending keeps picking up new events). */
  end: number | null;
  /** Page size, 1 to 300. */
  limit: number;
  /** Every filter must match (repeated fields AND). */
  filters: EventFilter[];
  position: PagePosition;
}

/** What one page request answers: the items and the four paging tokens (the route turns them into URLs). */
export interface EventPage {
  items: EventData[];
  tokens: { first: string; last: string; next: string; previous: string };
}

// ---------------------------------------------------------------------------------------------
// Dates

const EPOCH = /^\d{1,12}(?:\.\d{1,9})?$/;

/**
 * Reads a `begin`/`end` value: epoch seconds (`1367571600`, `1367571600.25`) or an RFC 2822 date
 * (`Fri, 3 May 2013 09:00:00 -0000`, mailgun-go's `Mon, 2 Jan 2006 15:04:05 -0700`). A missing zone is UTC;
 * the day name is optional and not checked against the date. Undefined when it is neither.
 */
export function parseEventDate(value: string): number | undefined {
  const text = value.trim();
  if (text.length > 100) return undefined;
  if (EPOCH.test(text)) return Number(text);
  const ms = parseRfc2822(text);
  return ms === undefined ? undefined : ms / 1000;
}

// ---------------------------------------------------------------------------------------------
// The first request

function first(query: Fields, name: string): string | undefined {
  const value = query[name]?.[0]?.trim();
  return value ? value : undefined;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_EVENT_LIMIT;
  const limit = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_EVENT_LIMIT)) {
    throw errors.badRequest(`"limit" must be an integer between 1 and ${MAX_EVENT_LIMIT}, got ${quote(value)}`);
  }
  return limit;
}

function parseDateParam(query: Fields, name: 'begin' | 'end'): number | null {
  const value = first(query, name);
  if (value === undefined) return null;
  const seconds = parseEventDate(value);
  if (seconds === undefined) {
    throw errors.badRequest(`"${name}" must be an RFC 2822 date (Fri, 3 May 2013 09:00:00 -0000) or epoch seconds, got ${quote(value)}`);
  }
  return seconds;
}

function parseAscending(query: Fields): boolean | undefined {
  const value = first(query, 'ascending');
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'yes' || lower === 'true') return true;
  if (lower === 'no' || lower === 'false') return false;
  throw errors.badRequest(`"ascending" must be yes or no, got ${quote(value)}`);
}

function parseFilters(query: Fields): EventFilter[] {
  const filters: EventFilter[] = [];
  let chars = 0;
  for (const field of EVENT_FILTER_FIELDS) {
    for (const raw of query[field] ?? []) {
      const expression = raw.trim();
      if (!expression) continue;
      chars += expression.length;
      if (filters.length >= MAX_FILTER_VALUES) throw errors.badRequest(`Too many filter values (at most ${MAX_FILTER_VALUES})`);
      if (chars > MAX_FILTER_CHARS) throw errors.badRequest(`Filter expressions are too long (at most ${MAX_FILTER_CHARS} characters in all)`);
      parseFilterExpression(field, expression); // validates now, so a bad filter is a 400 before any paging
      filters.push({ field, expression });
    }
  }
  return filters;
}

/** From the query fields of GET /v3/{domain}/events. nowMs is the mock clock. Throws MailgunError 400 for bad input. */
export function parseEventQuery(query: Fields, nowMs: number): PageState {
  const begin = parseDateParam(query, 'begin');
  const end = parseDateParam(query, 'end');
  const explicit = parseAscending(query);
  const limit = parseLimit(first(query, 'limit'));
  const filters = parseFilters(query);

  let ascending: boolean;
  if (begin !== null && end !== null) {
    // Mailgun: "if end is less than begin … descending, otherwise ascending", and `ascending` must agree.
    const implied = end > begin ? true : end < begin ? false : explicit ?? true;
    if (explicit !== undefined && explicit !== implied) {
      throw errors.badRequest(
        `"ascending" is ${explicit ? 'yes' : 'no'} but "end" is ${implied ? 'after' : 'before'} "begin": the range runs ${implied ? 'ascending' : 'descending'}`,
      );
    }
    ascending = implied;
  } else if (explicit !== undefined) {
    ascending = explicit;
  } else if (end !== null) {
    ascending = end >= nowMs / 1000; // begin defaults to the time of the request
  } else {
    ascending = false;
  }
  return { ascending, begin, end, limit, filters, position: { kind: 'after', cursor: null } };
}

// ---------------------------------------------------------------------------------------------
// Page tokens: base64url (no padding) of compact JSON, so they are safe as the last URL path segment
// (mailgun.js takes the last `/` segment, mailgun-ruby splits on `/`) and never need percent-encoding.

/** The token's JSON: version, domain, direction, range, limit, filters, position. */
interface TokenJson {
  v: 1;
  d: string;
  a: 0 | 1;
  b: number | null;
  e: number | null;
  l: number;
  f: [string, string][];
  /** ['a'] / ['a', timestamp, seq, inclusive] after; 'b' before; ['l'] last. */
  p: ['a' | 'b'] | ['a' | 'b', number, number, 0 | 1] | ['l'];
}

/** Mints the token that `decodePageToken(token, domain)` turns back into `state`. */
export function encodePageToken(state: PageState, domain: string): string {
  const pos = state.position;
  const p: TokenJson['p'] =
    pos.kind === 'last'
      ? ['l']
      : pos.cursor === null
        ? [pos.kind === 'after' ? 'a' : 'b']
        : [pos.kind === 'after' ? 'a' : 'b', pos.cursor.timestamp, pos.cursor.seq, pos.cursor.inclusive ? 1 : 0];
  const json: TokenJson = {
    v: 1,
    d: domain.toLowerCase(),
    a: state.ascending ? 1 : 0,
    b: state.begin,
    e: state.end,
    l: state.limit,
    f: state.filters.map((f) => [f.field, f.expression]),
    p,
  };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

const isBound = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));
const isKeyNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function readToken(token: string): unknown {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // Node's decoder skips what it cannot read; only a canonical encoding is one of ours.
  if (bytes.toString('base64url') !== token) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

function positionFrom(p: unknown): PagePosition | undefined {
  if (!Array.isArray(p)) return undefined;
  if (p.length === 1 && p[0] === 'l') return { kind: 'last' };
  if (p[0] !== 'a' && p[0] !== 'b') return undefined;
  const kind = p[0] === 'a' ? 'after' : 'before';
  if (p.length === 1) return { kind, cursor: null };
  if (p.length === 4 && isKeyNumber(p[1]) && isKeyNumber(p[2]) && (p[3] === 0 || p[3] === 1)) {
    return { kind, cursor: { timestamp: p[1], seq: p[2], inclusive: p[3] === 1 } };
  }
  return undefined;
}

function stateFrom(raw: unknown): { domain: string; state: PageState } | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const j = raw as Record<string, unknown>;
  if (j.v !== 1 || typeof j.d !== 'string' || (j.a !== 0 && j.a !== 1) || !isBound(j.b) || !isBound(j.e)) return undefined;
  if (typeof j.l !== 'number' || !Number.isInteger(j.l) || j.l < 1 || j.l > MAX_EVENT_LIMIT) return undefined;
  if (!Array.isArray(j.f) || j.f.length > MAX_FILTER_VALUES) return undefined;
  const filters: EventFilter[] = [];
  let chars = 0;
  for (const f of j.f as unknown[]) {
    if (!Array.isArray(f) || f.length !== 2 || typeof f[1] !== 'string') return undefined;
    const field = EVENT_FILTER_FIELDS.find((name) => name === f[0]);
    if (field === undefined) return undefined;
    chars += f[1].length;
    if (chars > MAX_FILTER_CHARS) return undefined;
    try {
      parseFilterExpression(field, f[1]);
    } catch {
      return undefined;
    }
    filters.push({ field, expression: f[1] });
  }
  const position = positionFrom(j.p);
  if (position === undefined) return undefined;
  return { domain: j.d, state: { ascending: j.a === 1, begin: j.b, end: j.e, limit: j.l, filters, position } };
}

/**
 * From the {token} of GET /v3/{domain}/events/{token}. The token carries the whole query; of `query` only
 * `limit` is applied (mailgun.js sends `?limit=` next to the page), validated as on the first request;
 * everything else in it is ignored. Throws MailgunError 400 for a token that is not ours, is corrupt or
 * is for another domain.
 */
export function decodePageToken(token: string, domain: string, query?: Fields): PageState {
  const decoded = stateFrom(readToken(token));
  if (decoded === undefined) throw errors.badRequest('Invalid page token');
  if (decoded.domain !== domain.toLowerCase()) throw errors.badRequest('Invalid page token: it belongs to another domain');
  const limit = query ? first(query, 'limit') : undefined;
  if (limit !== undefined) decoded.state.limit = parseLimit(limit);
  return decoded.state;
}

// ---------------------------------------------------------------------------------------------
// Running a page

/**
 * Keeps the `limit` smallest records by `cmp` seen so far, sorted. Cheap tests (`admit`) run first and the
 * filters only for records that would enter the buffer, so a scan over 100k events stays linear.
 */
function select(
  events: readonly EventRecord[],
  forward: boolean,
  limit: number,
  admit: (r: EventRecord) => boolean,
  cmp: (a: EventRecord, b: EventRecord) => number,
  matches: (data: EventData) => boolean,
): EventRecord[] {
  const buf: EventRecord[] = [];
  const n = events.length;
  for (let k = 0; k < n; k++) {
    // Events are stored in seq order, mostly in time order: scanning from the end the page comes from
    // fills the buffer first and rejects the rest at one comparison each. Order never affects the result.
    const r = events[forward ? k : n - 1 - k]!;
    if (!admit(r)) continue;
    if (buf.length === limit && cmp(r, buf[limit - 1]!) >= 0) continue;
    if (!matches(r.data)) continue;
    let lo = 0;
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(buf[mid]!, r) <= 0) lo = mid + 1;
      else hi = mid;
    }
    buf.splice(lo, 0, r);
    if (buf.length > limit) buf.pop();
  }
  return buf;
}

/** Runs a page over the domain's events (events may include other domains' events: filter by record.domain === domain, lower-case names). */
export function runEventQuery(events: readonly EventRecord[], domain: string, page: PageState): EventPage {
  const name = domain.toLowerCase();
  const { ascending, begin, end, limit, position } = page;
  const dir = ascending ? 1 : -1;
  // Listing order: timestamp in the range's direction, then seq the same way (ties keep creation order
  // when ascending and reverse it when descending, so a descending listing is the ascending one reversed).
  const orderKey = (ts: number, seq: number, c: PageCursor) => dir * (ts - c.timestamp || seq - c.seq);
  const order = (a: EventRecord, b: EventRecord) => dir * (a.data.timestamp - b.data.timestamp || a.seq - b.seq);
  const reverse = (a: EventRecord, b: EventRecord) => -order(a, b);

  const inRange = (ts: number) =>
    ascending
      ? (begin === null || ts >= begin) && (end === null || ts < end)
      : (begin === null || ts <= begin) && (end === null || ts > end);
  let placed: (r: EventRecord) => boolean = () => true;
  if (position.kind !== 'last' && position.cursor !== null) {
    const c = position.cursor;
    placed =
      position.kind === 'after'
        ? (r) => { const o = orderKey(r.data.timestamp, r.seq, c); return o > 0 || (o === 0 && c.inclusive); }
        : (r) => { const o = orderKey(r.data.timestamp, r.seq, c); return o < 0 || (o === 0 && c.inclusive); };
  }
  const admit = (r: EventRecord) => {
    const ts = r.data?.timestamp;
    // A record without a usable timestamp (hand-edited data file) cannot be placed in time: skipped.
    return r.domain === name && typeof ts === 'number' && Number.isFinite(ts) && inRange(ts) && placed(r);
  };
  const tests = page.filters.map(compileFilter);
  const matches = (data: EventData) => tests.every((t) => t(data));

  let records: EventRecord[];
  if (position.kind === 'before' && position.cursor === null) {
    records = []; // before the start of the range: nothing, ever
  } else if (position.kind === 'after') {
    records = select(events, ascending, limit, admit, order, matches);
  } else {
    // `before` and `last` take the final `limit` events in listing order, then list them in that order.
    records = select(events, !ascending, limit, admit, reverse, matches).reverse();
  }

  const keyOf = (r: EventRecord, inclusive: boolean): PageCursor => ({ timestamp: r.data.timestamp, seq: r.seq, inclusive });
  const flip = (c: PageCursor): PageCursor => ({ ...c, inclusive: !c.inclusive });
  const head = records[0];
  const tail = records[records.length - 1];
  let next: PagePosition;
  let previous: PagePosition;
  if (head && tail) {
    next = { kind: 'after', cursor: keyOf(tail, false) };
    previous = { kind: 'before', cursor: keyOf(head, false) };
  } else if (position.kind === 'last') {
    // An empty range: start over from its beginning, so later events (ascending, open end) still show.
    next = { kind: 'after', cursor: null };
    previous = { kind: 'before', cursor: null };
  } else if (position.kind === 'after') {
    // An empty page stays where it is: polling its `next` later picks up new events.
    next = position;
    previous = { kind: 'before', cursor: position.cursor && flip(position.cursor) };
  } else {
    next = { kind: 'after', cursor: position.cursor && flip(position.cursor) };
    previous = position;
  }
  const token = (p: PagePosition) => encodePageToken({ ...page, position: p }, name);
  return {
    items: records.map((r) => r.data),
    tokens: {
      first: token({ kind: 'after', cursor: null }),
      last: token({ kind: 'last' }),
      next: token(next),
      previous: token(previous),
    },
  };
}

// DOCS:
// ### Events API (`GET /v3/{domain}/events`)
//
// - **Range and direction.** `begin` and `end` take an RFC 2822 date (`Fri, 3 May 2013 09:00:00 -0000`,
//   `Mon, 2 Jan 2006 15:04:05 -0700`, `GMT`/`UT`/`EST`… zones, no zone = UTC) or epoch seconds (`1367571600`,
//   `1367571600.25`); anything else is a 400. `end` before `begin` lists newest first, otherwise oldest first.
//   The range includes `begin` and excludes `end`. `ascending` takes `yes`/`no` (also `true`/`false`); given
//   with both `begin` and `end` it must agree with them, or the answer is a 400.
// - **Defaults.** No parameters at all lists every retained event, newest first (as Mailgun's
//   original docs say: without `end`, `ascending` defaults to `no`). Without `begin`, a descending listing
//   starts at the newest event and an ascending one at the oldest (Mailgun starts at "now"; the mock lists
//   what it holds). With `end` but no `begin` and no `ascending`, the direction follows `end` against the
//   mock clock. Ascending with no `end` stays open: the `next` URL of the last (empty) page returns events
//   recorded later, so it can be polled.
// - **limit** defaults to 100; 1–300, anything else (0, 301, `-1`, `abc`, `1.5`) is a 400.
// - **pretty** is accepted and ignored: answers are always compact JSON. Unknown parameters are ignored.
//   A repeated `begin`/`end`/`ascending`/`limit` uses its first value; empty values count as absent.
// - **Filters.** `event`, `severity`, `recipient`, `message-id` (with or without `<>`) and `tags` (any tag)
//   match whole values; `from`, `to`, `subject`, `attachment` (any file name), `recipients` (any address) and
//   `list` match values containing the term; all case-insensitive. `size` takes numbers: `1000`, `>1000`,
//   `<2000`, `>=`, `<=`, `>1000 <2000`; a comparison on another field, or a non-number on `size`, is a 400.
//   Expressions: `foo bar` / `foo AND bar`, `foo OR bar`, `"foo bar"` (one literal term; `\"` escapes a
//   quote), `NOT foo` or `-foo`, parentheses. `AND`, `OR`, `NOT` are operators only in capitals (quote them
//   to search for the words). A repeated filter field ANDs its values; an empty value is ignored. Events
//   without the field match only negated terms (`severity=NOT permanent` lists every non-permanent event).
//   Limits: at most 32 filter values, 2048 characters in all, 16 levels of nesting (400 beyond).
// - **Paging.** `paging.first`, `last`, `next` and `previous` are always present. The token in each URL is
//   opaque base64url (no `/`, `?`, `#`, `%`) holding the domain, range, direction, limit, filters and a
//   (timestamp, creation order) cursor, so pages stay exact while events are added: `previous` of the first
//   page and `next` of the last page are empty, and an empty page's `next` stays put. `last` is the final
//   page of the range, still in the range's direction. On `GET /v3/{domain}/events/{token}` a `limit` query
//   parameter replaces the token's page size; other parameters are ignored. A token that is malformed,
//   not the mock's, or for another domain is a 400 `{"message": "Invalid page token…"}`.

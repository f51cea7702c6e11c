// Checks of a data file, field by field: a hand-edited or foreign file must stop the start with a
// message naming the field, not start a mock that answers 500s later. The file store (file.ts)
// runs them on the snapshot with its write-ahead log applied.
import type { MockState } from './types.js';

/**
 * A data file that exists but cannot be used (or cannot be written); an existing file is left untouched.
 * @example
 * await createMailgunMock({ dataFile: './state.json' }).catch((e) => e instanceof DataFileError && console.error(e.message));
 */
export class DataFileError extends Error {
  override name = 'DataFileError';
}

/** What the data file (the snapshot) holds. */
export interface PersistedFile {
  format: 'mailgun-mock';
  version: 1;
  /** The number of the last log line this snapshot holds (0 or absent: none). */
  log?: number;
  state: MockState;
}

type Refuse = (field: string, what: string) => Error;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringMap = (v: unknown): boolean => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** Every field of a stored message the mock reads. */
export function checkMessage(m: unknown, at: string, refuse: Refuse): void {
  if (!isObject(m)) throw refuse(at, 'a stored message (an object)');
  for (const k of ['id', 'domain', 'storageKey', 'apiBase', 'from', 'subject'] as const) {
    if (typeof m[k] !== 'string') throw refuse(`${at}/${k}`, 'a string');
  }
  if (m.api !== 'messages' && m.api !== 'messages.mime') throw refuse(`${at}/api`, '"messages" or "messages.mime"');
  for (const k of ['acceptedAt', 'size'] as const) if (typeof m[k] !== 'number' || !Number.isFinite(m[k])) throw refuse(`${at}/${k}`, 'a number');
  for (const k of ['to', 'cc', 'bcc', 'recipients', 'tags'] as const) if (!isStrings(m[k])) throw refuse(`${at}/${k}`, 'an array of strings');
  for (const k of ['text', 'html', 'ampHtml', 'template', 'mime'] as const) if (m[k] !== undefined && typeof m[k] !== 'string') throw refuse(`${at}/${k}`, 'a string when present');
  for (const k of ['headers', 'variables'] as const) if (!isStringMap(m[k])) throw refuse(`${at}/${k}`, 'an object of strings');
  if (!isObject(m.recipientVariables) || !Object.values(m.recipientVariables).every(isObject)) throw refuse(`${at}/recipientVariables`, 'an object of objects');
  if (!isObject(m.options) || !Object.values(m.options).every(isStrings)) throw refuse(`${at}/options`, 'an object of string arrays');
  if (typeof m.testMode !== 'boolean') throw refuse(`${at}/testMode`, 'true or false');
  const t = m.tracking;
  if (!isObject(t) || (t.opens !== undefined && typeof t.opens !== 'boolean') || (t.clicks !== undefined && typeof t.clicks !== 'boolean' && t.clicks !== 'htmlonly')) {
    throw refuse(`${at}/tracking`, 'an object with optional opens (boolean) and clicks (boolean or "htmlonly")');
  }
  if (m.deliveryTime !== undefined && (typeof m.deliveryTime !== 'number' || !Number.isFinite(m.deliveryTime))) throw refuse(`${at}/deliveryTime`, 'a number when present');
  if (!Array.isArray(m.attachments)) throw refuse(`${at}/attachments`, 'an array');
  m.attachments.forEach((a: unknown, j) => {
    const f = `${at}/attachments/${j}`;
    if (!isObject(a)) throw refuse(f, 'a file (an object)');
    if (a.field !== 'attachment' && a.field !== 'inline') throw refuse(`${f}/field`, '"attachment" or "inline"');
    for (const k of ['filename', 'contentType', 'content'] as const) if (typeof a[k] !== 'string') throw refuse(`${f}/${k}`, 'a string');
    if (a.contentId !== undefined && typeof a.contentId !== 'string') throw refuse(`${f}/contentId`, 'a string');
    if (typeof a.size !== 'number') throw refuse(`${f}/size`, 'a number');
  });
}

/** Every field of a stored event the mock reads. Returns its seq. */
export function checkEvent(e: unknown, at: string, refuse: Refuse): number {
  if (!isObject(e)) throw refuse(at, 'a stored event (an object)');
  if (typeof e.seq !== 'number' || !Number.isInteger(e.seq) || e.seq < 1) throw refuse(`${at}/seq`, 'a whole number of at least 1');
  if (typeof e.domain !== 'string') throw refuse(`${at}/domain`, 'a string');
  for (const k of ['messageId', 'recipient'] as const) if (e[k] !== undefined && typeof e[k] !== 'string') throw refuse(`${at}/${k}`, 'a string when present');
  const d = e.data;
  if (!isObject(d)) throw refuse(`${at}/data`, 'an object');
  for (const k of ['event', 'id', 'log-level'] as const) if (typeof d[k] !== 'string') throw refuse(`${at}/data/${k}`, 'a string');
  if (typeof d.timestamp !== 'number' || !Number.isFinite(d.timestamp)) throw refuse(`${at}/data/timestamp`, 'a number');
  return e.seq;
}

export /** Whether a (well-formed) file lacks fields later versions added, which the checks fill in. */
function isOlderFormat(data: unknown): boolean {
  const st = (data as { state?: Record<string, unknown> } | null)?.state;
  if (!st || typeof st !== 'object') return false;
  if (['messages', 'events', 'accountWebhooks', 'nextSeq', 'signingKey'].some((k) => st[k] === undefined)) return true;
  const domains = Array.isArray(st.domains) ? (st.domains as Array<Record<string, unknown> | null>) : [];
  return domains.some((d) => d !== null && typeof d === 'object' && ['tracking', 'bounces', 'unsubscribes', 'complaints', 'allowlist'].some((k) => d[k] === undefined));
}

/** The state a data file holds, checked and completed (fields of later versions filled in). */
export function checkPersisted(data: unknown, path: string, seed?: MockState): MockState {
  const file = data as Partial<PersistedFile> | null;
  if (!file || typeof file !== 'object' || file.format !== 'mailgun-mock' || file.version !== 1) {
    throw new DataFileError(`data file ${path} is not a mailgun-mock data file (expected "format": "mailgun-mock", "version": 1); it was not changed`);
  }
  const state = file.state as MockState | undefined;
  if (!state || !Array.isArray(state.domains)) {
    throw new DataFileError(`data file ${path}: field /state/domains must be an array; it was not changed`);
  }
  // Every record the routes read, so that a hand-edited file stops the start rather than 500 every request.
  const refuse = (field: string, what: string) => new DataFileError(`data file ${path}: field /state/domains/${field} must be ${what}; it was not changed`);
  state.domains.forEach((d: unknown, i) => {
    if (!isObject(d)) throw refuse(`${i}`, 'an object');
    if (typeof d.name !== 'string') throw refuse(`${i}/name`, 'a string');
    if (d.region !== 'us' && d.region !== 'eu') throw refuse(`${i}/region`, '"us" or "eu"');
    if (!Array.isArray(d.webhooks)) throw refuse(`${i}/webhooks`, 'an array');
    d.webhooks.forEach((h: unknown, j) => {
      if (!isObject(h)) throw refuse(`${i}/webhooks/${j}`, 'an object');
      if (typeof h.name !== 'string') throw refuse(`${i}/webhooks/${j}/name`, 'a string');
      if (!Array.isArray(h.urls) || !h.urls.every((u) => typeof u === 'string')) throw refuse(`${i}/webhooks/${j}/urls`, 'an array of strings');
      if (typeof h.legacy !== 'boolean') throw refuse(`${i}/webhooks/${j}/legacy`, 'true or false');
    });
    // Files written before tracking and suppressions existed: the defaults a fixture domain gets.
    d.tracking ??= { open: true, click: true, unsubscribe: true };
    if (!isObject(d.tracking) || !['open', 'click', 'unsubscribe'].every((k) => typeof (d.tracking as Record<string, unknown>)[k] === 'boolean')) {
      throw refuse(`${i}/tracking`, 'an object of open, click and unsubscribe booleans');
    }
    for (const list of ['bounces', 'unsubscribes', 'complaints', 'allowlist'] as const) {
      d[list] ??= [];
      const entries = d[list];
      if (!Array.isArray(entries)) throw refuse(`${i}/${list}`, 'an array');
      entries.forEach((e: unknown, j) => {
        if (list === 'allowlist') {
          if (!isObject(e) || typeof e.value !== 'string' || (e.type !== 'address' && e.type !== 'domain')) throw refuse(`${i}/${list}/${j}`, 'an object with a value and a type (address or domain)');
          return;
        }
        if (!isObject(e) || typeof e.address !== 'string') throw refuse(`${i}/${list}/${j}`, 'an object with an address');
        if (list === 'unsubscribes' && !(Array.isArray(e.tags) && e.tags.every((t) => typeof t === 'string'))) throw refuse(`${i}/${list}/${j}/tags`, 'an array of strings');
      });
    }
  });
  // Files written before messages and events existed start with none.
  const top = (field: string, what: string) => new DataFileError(`data file ${path}: field /state/${field} must be ${what}; it was not changed`);
  const st = state as unknown as Record<string, unknown>;
  st.messages ??= [];
  st.accountWebhooks ??= [];
  if (!Array.isArray(st.accountWebhooks)) throw top('accountWebhooks', 'an array');
  (st.accountWebhooks as unknown[]).forEach((w, i) => {
    const ok = isObject(w) && typeof w.id === 'string' && typeof w.url === 'string' && Array.isArray(w.eventTypes) && w.eventTypes.every((t) => typeof t === 'string') && (w.region === 'us' || w.region === 'eu');
    if (!ok) throw top(`accountWebhooks/${i}`, 'an account webhook (id, url, eventTypes, region)');
  });
  st.events ??= [];
  if (!Array.isArray(st.messages)) throw top('messages', 'an array');
  if (!Array.isArray(st.events)) throw top('events', 'an array');
  (st.messages as unknown[]).forEach((m, i) => checkMessage(m, `messages/${i}`, top));
  let maxSeq = 0;
  (st.events as unknown[]).forEach((e, i) => {
    maxSeq = Math.max(maxSeq, checkEvent(e, `events/${i}`, top));
  });
  if (st.nextSeq === undefined) st.nextSeq = maxSeq + 1;
  if (typeof st.nextSeq !== 'number' || !Number.isInteger(st.nextSeq) || st.nextSeq <= maxSeq) throw top('nextSeq', 'a whole number above every event seq');
  st.signingKey ??= seed?.signingKey ?? '';
  if (typeof st.signingKey !== 'string' || st.signingKey.length === 0) throw top('signingKey', 'a non-empty string');
  return state;
}

// The request journal: every Mailgun API request the mock answered, newest last, bounded.
import { flattenFields, type Fields } from '../lib/fields.js';

/** One answered request. */
export interface JournalEntry {
  /** Increasing number: 1 after a reset, and never restarted by `clear()`. */
  seq: number;
  /** When the request arrived (ISO 8601). */
  time: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query parameters (a repeated one as an array). */
  query: Record<string, string | string[]>;
  /** Route id (`webhooks.create`), or null when no route matched (a 404 page). */
  routeId: string | null;
  domain: string | null;
  webhook: string | null;
  /** Form fields of the body (a repeated one as an array). */
  fields: Record<string, string | string[]>;
  /** Uploaded files, without their content. */
  files: Array<{ field: string; filename: string; contentType: string; size: number }>;
  status: number;
  durationMs: number;
  /** The fault rule that answered, if one did. */
  faultId: string | null;
  /** `dashboard` for the dashboard's own calls (X-Mailgun-Mock-Client), else null. */
  client: string | null;
}

/** Which journal entries to list; every given field must match. */
export interface JournalFilter {
  method?: string;
  routeId?: string;
  domain?: string;
  webhook?: string;
  status?: number;
  /** Only entries whose path starts with this. */
  pathPrefix?: string;
  /** Only entries with a larger `seq`. */
  afterSeq?: number;
  /** Only the dashboard's own requests (`'dashboard'`), or only everyone else's (`null`). */
  client?: string | null;
  /** At most this many (the newest). */
  limit?: number;
}

/**
 * What the middleware hands over per request. Entries are built from these only when listed:
 * the journal runs on every request, and reading it is rare.
 */
export interface JournalRecord {
  startedMs: number;
  method: string;
  path: string;
  query: Fields;
  routeId: string | null;
  domain: string | null;
  webhook: string | null;
  fields: Fields;
  files: JournalEntry['files'];
  status: number;
  durationMs: number;
  faultId: string | null;
  client: string | null;
}

/**
 * The request journal, as `mock.journal`.
 * @example
 * const [call] = mock.journal.list({ routeId: 'webhooks.create', status: 200 });
 * expect(call?.fields).toEqual({ id: 'delivered', url: 'https://example.com/hooks' });
 */
export interface RequestJournal {
  /** Entries matching every given filter, oldest first. */
  list(filter?: JournalFilter): JournalEntry[];
  /** Empties the journal (`seq` keeps counting, so `afterSeq` polling never misses an entry). */
  clear(): void;
}

/** The journal as the mock's middleware feeds it. */
export interface JournalRecorder extends RequestJournal {
  /** Keeps one answered request; returns its `seq`. */
  record(entry: JournalRecord): number;
  /** Empties the journal and restarts `seq` at 1 (a mock reset: the next test starts afresh). */
  reset(): void;
}

function toEntry(seq: number, r: JournalRecord): JournalEntry {
  return {
    seq,
    time: new Date(r.startedMs).toISOString(),
    method: r.method,
    path: r.path,
    query: flattenFields(r.query),
    routeId: r.routeId,
    domain: r.domain,
    webhook: r.webhook,
    fields: flattenFields(r.fields),
    files: r.files,
    status: r.status,
    durationMs: r.durationMs,
    faultId: r.faultId,
    client: r.client,
  };
}

/** `cleared` hears of every clear (not of a reset, which the account announces itself). */
export function createJournal(limit: number, cleared: () => void = () => undefined): JournalRecorder {
  let records: Array<{ seq: number; record: JournalRecord }> = [];
  let seq = 0;
  return {
    record(record) {
      seq++;
      if (limit === 0) return seq;
      records.push({ seq, record });
      // Trim in batches so the array is not shifted on every request once full.
      if (records.length > limit + Math.max(16, limit >> 3)) records = records.slice(records.length - limit);
      return seq;
    },
    list(filter = {}) {
      const from = Math.max(0, records.length - limit);
      let out = records.slice(from).map((r) => toEntry(r.seq, r.record)).filter(
        (e) =>
          (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
          (filter.routeId === undefined || e.routeId === filter.routeId) &&
          (filter.domain === undefined || e.domain === filter.domain.toLowerCase()) &&
          (filter.webhook === undefined || e.webhook === filter.webhook) &&
          (filter.status === undefined || e.status === filter.status) &&
          (filter.pathPrefix === undefined || e.path.startsWith(filter.pathPrefix)) &&
          (filter.afterSeq === undefined || e.seq > filter.afterSeq) &&
          (filter.client === undefined || e.client === filter.client),
      );
      if (filter.limit !== undefined) out = out.slice(Math.max(0, out.length - filter.limit));
      return out;
    },
    reset() {
      records = [];
      seq = 0;
    },
    clear() {
      records = [];
      cleared();
    },
  };
}

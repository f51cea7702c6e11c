// The JSON-file backend (lowdb over steno: each write goes to a temp file that is renamed over the
// data file, so a crash leaves the old file or the new one, never half of one).
// Writes are group-committed: every change made in one tick of the event loop is serialised once
// and written once, and each change's promise resolves only after the write that holds it.
import { existsSync } from 'node:fs';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { checkEvent, checkMessage } from './check.js';
import type { MockState, Store } from './types.js';

interface PersistedFile {
  format: 'mailgun-mock';
  version: 1;
  state: MockState;
}

/**
 * A data file that exists but cannot be used (or cannot be written); an existing file is left untouched.
 * @example
 * await createMailgunMock({ dataFile: './state.json' }).catch((e) => e instanceof DataFileError && console.error(e.message));
 */
export class DataFileError extends Error {
  override name = 'DataFileError';
}

export async function openFileStore(path: string, seed: MockState): Promise<Store> {
  const db = new Low<PersistedFile | null>(new DataFile<PersistedFile | null>(path, { parse: JSON.parse, stringify: JSON.stringify }), null);
  try {
    await db.read();
  } catch (err) {
    // One line: a SyntaxError quotes the file, newlines and all.
    const detail = (err as Error).message.replace(/\s*\n\s*/g, ' ');
    const reason = err instanceof SyntaxError ? `is not valid JSON (${detail})` : `cannot be read (${detail})`;
    throw new DataFileError(`data file ${path} ${reason}; fix or remove it (it was not changed)`);
  }
  let state: MockState;
  // lowdb also keeps its default (null) for a file holding a falsy JSON value (`null`, `0`, `""`):
  // only a missing file means "start from the seed"; an existing one must be ours.
  if (db.data === null && existsSync(path)) checkPersisted(null, path);
  if (db.data === null) {
    state = structuredClone(seed);
  } else {
    state = checkPersisted(db.data, path, seed);
  }

  let scheduled: Promise<void> | null = null;
  let closed = false;

  const writeSoon = (): Promise<void> => {
    if (scheduled) return scheduled;
    scheduled = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        scheduled = null; // changes from here on belong to the next write
        db.data = { format: 'mailgun-mock', version: 1, state };
        db.write().then(resolve, reject);
      });
    });
    return scheduled;
  };

  if (db.data === null) {
    try {
      await writeSoon();
    } catch (err) {
      throw new DataFileError(`data file ${path} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the folder exists and is writable`);
    }
  }

  return {
    kind: 'file',
    get state() {
      return state;
    },
    async mutate(change) {
      if (closed) throw new Error('store is closed');
      const result = change(state);
      await writeSoon();
      return result;
    },
    async reset() {
      state = structuredClone(seed);
      await writeSoon();
    },
    async flush() {
      if (scheduled) await scheduled;
    },
    async close() {
      if (scheduled) await scheduled;
      closed = true;
    },
  };
}

function checkPersisted(data: unknown, path: string, seed?: MockState): MockState {
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
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
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

// The JSON-file backend: a snapshot file written by lowdb (steno: a temp file renamed over the data
// file, so a crash leaves the old snapshot or the new one, never half of one) plus a write-ahead log
// next to it (`<data file>.wal`, one JSON line per group write). See docs/decisions/0010.
//
// Group commit: every change goes into the state at once (synchronously); one write at a time then
// records what changed since the last one, so the changes made while a write runs share the next
// one; each change's promise resolves only after the write that holds it (and, with `fsync`, after
// the log is synced). A write appends only what changed: new messages and events, how many old
// ones retention dropped, and the small rest of the state (domains, account webhooks, signing key)
// when it differs from what was last written. So a write costs what changed, not the whole state.
// When the log outgrows the snapshot (or a change cannot be told as an append: a reset, a deleted
// domain's messages), a new snapshot is written and the log emptied. At start the log is replayed
// over the snapshot (lines the snapshot already holds are skipped by number; a torn last line, a
// write the crash cut short, was never acknowledged and is dropped) and the two are folded into a
// new snapshot; stop() folds them too, so a stopped mock leaves one plain JSON file.
import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { checkPersisted, DataFileError, isOlderFormat, type PersistedFile } from './check.js';
import type { AccountWebhookRecord, DomainRecord, EventRecord, MessageRecord, MockState, Store } from './types.js';

export { DataFileError };


/** What one log line holds. */
interface LogLine {
  /** Line number: 1, 2, … since the first snapshot; a snapshot records the last one it holds. */
  n: number;
  /** Messages: how many of the oldest to drop, then the new ones to append. */
  m?: { drop: number; add: MessageRecord[] };
  e?: { drop: number; add: EventRecord[] };
  /** Domains, account webhooks and signing key, when they changed. */
  core?: Core;
  nextSeq: number;
}
type Core = Pick<MockState, 'domains' | 'accountWebhooks' | 'signingKey'>;

export interface FileStoreOptions {
  /** Sync the log (fdatasync) before acknowledging a change, and each snapshot before the log is emptied. Default false. */
  fsync?: boolean;
  /** Log size (bytes) past which a new snapshot is written, at least; the snapshot's own size if larger. Default 1 MiB. */
  compactBytes?: number;
}


/** Where the write-ahead log of a data file lives. */
export const logPathOf = (path: string): string => `${path}.wal`;

const coreOf = (s: MockState): Core => ({ domains: s.domains, accountWebhooks: s.accountWebhooks, signingKey: s.signingKey });

/** Tracks which records of an append-mostly list (messages, events) have been written. */
class ListTracker<T extends object> {
  private written = new WeakSet<T>();
  private list: T[] | null = null;
  private length = 0;

  /** Everything in `list` is on disk (after a snapshot). */
  sync(list: T[]): void {
    this.written = new WeakSet(list);
    this.list = list;
    this.length = list.length;
  }

  /** What changed since the last write, or 'replaced' when it cannot be told as drop-then-append. */
  diff(list: T[]): { drop: number; add: T[] } | 'replaced' {
    if (list !== this.list) return 'replaced';
    let i = list.length;
    while (i > 0 && !this.written.has(list[i - 1]!)) i--;
    const drop = this.length - i;
    if (drop < 0) return 'replaced';
    return { drop, add: list.slice(i) };
  }

  /** The diff was written: the list as it was when the diff was taken is on disk. */
  commit(d: { drop: number; add: T[] }): void {
    for (const x of d.add) this.written.add(x);
    this.length += d.add.length - d.drop;
  }
}

export async function openFileStore(path: string, seed: MockState, options: FileStoreOptions = {}): Promise<Store> {
  const fsync = options.fsync ?? false;
  const compactBytes = options.compactBytes ?? 1024 * 1024;
  const logPath = logPathOf(path);
  let snapshotBytes = 0;
  const db = new Low<PersistedFile | null>(
    new DataFile<PersistedFile | null>(path, {
      parse: JSON.parse,
      stringify: (d) => {
        const text = JSON.stringify(d);
        snapshotBytes = text.length;
        return text;
      },
    }),
    null,
  );
  try {
    await db.read();
  } catch (err) {
    // One line: a SyntaxError quotes the file, newlines and all.
    const detail = (err as Error).message.replace(/\s*\n\s*/g, ' ');
    const reason = err instanceof SyntaxError ? `is not valid JSON (${detail})` : `cannot be read (${detail})`;
    throw new DataFileError(`data file ${path} ${reason}; fix or remove it (it was not changed)`);
  }
  // lowdb also keeps its default (null) for a file holding a falsy JSON value (`null`, `0`, `""`):
  // only a missing file means "start from the seed"; an existing one must be ours.
  if (db.data === null && existsSync(path)) checkPersisted(null, path);
  let state: MockState;
  let lineNo = 0;
  /** How long the log found at start was (in characters); anything there is folded in at once. */
  let replayed = 0;
  /** The file was written by an earlier version (fields it lacks were filled in): write it back upgraded. */
  let upgraded = false;
  if (db.data === null) {
    state = structuredClone(seed);
  } else {
    const file = db.data;
    if (file && typeof file === 'object' && file.log !== undefined && !(Number.isInteger(file.log) && file.log >= 0)) {
      throw new DataFileError(`data file ${path}: field /log must be a whole number; it was not changed`);
    }
    lineNo = file?.log ?? 0;
    // The log is replayed onto the snapshot before the checks, so a bad record in either stops the start.
    // Any log at all is folded into a new snapshot at start, and so emptied: lines the snapshot
    // already holds, and a torn last line, which the next append would otherwise be glued onto.
    replayed = (await replayLog(logPath, file, (line) => {
      lineNo = line.n;
    })).bytes;
    upgraded = isOlderFormat(db.data);
    state = checkPersisted(db.data, path, seed);
  }

  const messages = new ListTracker<MessageRecord>();
  const events = new ListTracker<EventRecord>();
  let coreText = '';
  let nextSeqWritten = state.nextSeq;
  let log: FileHandle | null = null;
  let logBytes = 0;
  /** The next write must be a snapshot (the state was replaced, or an append failed half-way). */
  let snapshotNeeded = true;

  const syncFile = async (file: string) => {
    const fh = await open(file, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  };

  /**
   * With fsync, the snapshot as lowdb's writer makes it (a temp file renamed over the data file), with
   * the syncs that writer leaves out: the temp file's bytes before the rename, the folder after it. A
   * power cut then leaves the old snapshot or the whole new one, never a renamed file whose bytes were
   * still in the page cache.
   */
  const writeSynced = async (text: string) => {
    snapshotBytes = text.length;
    const tmp = join(dirname(path), `.${basename(path)}.fsync.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await syncFile(dirname(path));
  };

  /** Everything in the state now is what the snapshot holds: the next write appends only what changes after. */
  const markWritten = () => {
    messages.sync(state.messages);
    events.sync(state.events);
    coreText = JSON.stringify(coreOf(state));
    nextSeqWritten = state.nextSeq;
  };

  /** Writes the whole state as a new snapshot, then empties the log. */
  const snapshot = async () => {
    db.data = { format: 'mailgun-mock', version: 1, ...(lineNo > 0 ? { log: lineNo } : {}), state };
    // Serialised synchronously, in this call (lowdb's write does so too): what the snapshot holds is
    // what the trackers record now. Changes made while it is written are the next write's.
    const written = fsync ? writeSynced(JSON.stringify(db.data)) : db.write();
    db.data = null;
    markWritten();
    snapshotNeeded = true; // until the snapshot is written and the log emptied
    await written;
    // From here on a crash restarts from the new snapshot, skipping the log lines it holds.
    if (log) await log.truncate(0);
    else if (existsSync(logPath)) await rm(logPath, { force: true });
    logBytes = 0;
    snapshotNeeded = false;
  };

  /** Writes what changed since the last write: an appended log line, or a snapshot. */
  const persist = async () => {
    if (snapshotNeeded) return snapshot();
    const m = messages.diff(state.messages);
    const e = events.diff(state.events);
    if (m === 'replaced' || e === 'replaced') return snapshot();
    const core = JSON.stringify(coreOf(state));
    const coreChanged = core !== coreText;
    if (!coreChanged && state.nextSeq === nextSeqWritten && m.drop === 0 && m.add.length === 0 && e.drop === 0 && e.add.length === 0) return;
    const n = lineNo + 1;
    const parts = [`{"n":${n}`];
    if (m.drop || m.add.length) parts.push(`"m":${JSON.stringify(m)}`);
    if (e.drop || e.add.length) parts.push(`"e":${JSON.stringify(e)}`);
    if (coreChanged) parts.push(`"core":${core}`);
    const nextSeq = state.nextSeq;
    parts.push(`"nextSeq":${nextSeq}}\n`);
    const text = parts.join(',');
    try {
      if (!log) {
        log = await open(logPath, 'a');
        // A new log's name must reach the disk too, or a power cut could lose the whole file.
        if (fsync) await syncFile(dirname(path));
      }
      await log.appendFile(text);
      if (fsync) await log.datasync();
    } catch (err) {
      // A line may be half-written (or whole, if only the sync failed): the next write is a snapshot,
      // numbered past this line so a restart never applies it on top of the snapshot that holds it.
      snapshotNeeded = true;
      lineNo = n;
      throw err;
    }
    lineNo = n;
    logBytes += Buffer.byteLength(text);
    messages.commit(m);
    events.commit(e);
    coreText = core;
    nextSeqWritten = nextSeq;
    if (logBytes > Math.max(compactBytes, snapshotBytes)) await snapshot();
  };

  let waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  let running = false;
  const drain = async () => {
    running = true;
    while (waiting.length) {
      const batch = waiting;
      waiting = [];
      try {
        await persist();
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    running = false;
  };
  /** Resolves after a write that holds every change made so far. */
  const committed = () =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ resolve, reject });
      // One write per turn of the event loop at most: the changes of this tick share it.
      if (!running && waiting.length === 1) setImmediate(() => void (running || drain()));
    });

  try {
    // The first snapshot: the seed for a new file, or the replayed log folded in.
    if (db.data === null || replayed > 0 || upgraded) await committed();
    else {
      markWritten();
      snapshotNeeded = false;
      snapshotBytes = (await stat(path)).size;
    }
  } catch (err) {
    throw new DataFileError(`data file ${path} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the folder exists and is writable`);
  }

  let closed = false;
  return {
    kind: 'file',
    get state() {
      return state;
    },
    async mutate(change) {
      if (closed) throw new Error('store is closed');
      const result = change(state);
      await committed();
      return result;
    },
    async reset() {
      state = structuredClone(seed);
      snapshotNeeded = true;
      await committed();
    },
    flush: committed,
    async close() {
      if (closed) return;
      closed = true;
      await committed();
      // One plain JSON file after a stop: the log folded into the snapshot and removed.
      if (logBytes > 0) await snapshot();
      await log?.close();
      log = null;
      await rm(logPath, { force: true });
    },
  };
}

/**
 * The state a data file holds right now, as a restart would see it: the snapshot with its
 * write-ahead log (`<file>.wal`) applied. Reads only; safe while a mock is writing the file (a
 * write in progress is simply not included yet).
 * @example
 * const state = await readDataFile('./mailgun-state.json');
 * console.log(state.messages.length, state.domains.map((d) => d.name));
 */
export async function readDataFile(path: string): Promise<MockState> {
  // A running mock may replace the snapshot (a new file renamed over it) and then empty the log
  // between the two reads: read again until the snapshot read is the one still in place.
  for (let attempt = 1; ; attempt++) {
    let text: string;
    let before: number;
    try {
      before = (await stat(path)).ino;
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new DataFileError(`data file ${path} cannot be read (${(err as Error).message})`);
    }
    let file: PersistedFile;
    try {
      file = JSON.parse(text) as PersistedFile;
    } catch (err) {
      throw new DataFileError(`data file ${path} is not valid JSON (${(err as Error).message.replace(/\s*\n\s*/g, ' ')})`);
    }
    checkPersisted(file, path);
    await replayLog(logPathOf(path), file, () => {});
    const after = await stat(path).then((s) => s.ino, () => -1);
    if (after === before || attempt === 20) return checkPersisted(file, path);
  }
}


/**
 * Applies the log's lines past the snapshot's to its state, in order; returns how many, and how
 * long the log was. A last line
 * without its newline is a write a crash cut short (never acknowledged) and is ignored.
 */
async function replayLog(logPath: string, file: PersistedFile, seen: (line: LogLine) => void): Promise<{ applied: number; bytes: number }> {
  let text: string;
  try {
    text = await readFile(logPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { applied: 0, bytes: 0 };
    throw new DataFileError(`data log ${logPath} cannot be read (${(err as Error).message})`);
  }
  const after = file.log ?? 0;
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a torn write
  const state = file.state as Partial<MockState> | undefined;
  let applied = 0;
  lines.forEach((raw, i) => {
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      throw new DataFileError(`data log ${logPath}: line ${i + 1} is not valid JSON; fix or remove the log (it was not changed)`);
    }
    if (!line || typeof line !== 'object' || !Number.isInteger(line.n)) throw new DataFileError(`data log ${logPath}: line ${i + 1} has no line number; it was not changed`);
    if (line.n <= after) return;
    if (!state || typeof state !== 'object') return;
    const apply = <T>(list: T[] | undefined, d: { drop: number; add: T[] } | undefined): T[] | undefined => {
      if (!d) return list;
      if (!Number.isInteger(d.drop) || d.drop < 0 || !Array.isArray(d.add)) throw new DataFileError(`data log ${logPath}: line ${i + 1} is not a mailgun-mock log line; it was not changed`);
      const out = Array.isArray(list) ? list : [];
      out.splice(0, d.drop);
      for (const x of d.add) out.push(x);
      return out;
    };
    state.messages = apply(state.messages, line.m);
    state.events = apply(state.events, line.e);
    if (line.core) {
      state.domains = line.core.domains as DomainRecord[];
      state.accountWebhooks = line.core.accountWebhooks as AccountWebhookRecord[];
      state.signingKey = line.core.signingKey;
    }
    if (line.nextSeq !== undefined) state.nextSeq = line.nextSeq;
    seen(line);
    applied++;
  });
  return { applied, bytes: text.length };
}

// The store scenario's pieces: which stores are measured (the `storeVariants` hook), the data files
// they start on, and whether an option a variant needs exists in the built mock.
//
// A data file of N "records" holds round(N/3) messages and two events each (accepted, delivered):
// clones of what one real send produces. `captureTemplate` makes that send against an in-process
// mock with the scenario's fixtures and keeps its message, its two events and the rest of the
// state; `writeDataFile` then writes the PersistedFile (`{format:'mailgun-mock',version:1,state}`)
// record by record, each clone with its own Message-Id, storage key, event ids, seq, recipient and
// timestamps, in batches of strings (no stringify of the whole state).
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startMailgunMock, createMailgunMock } from '../../dist/index.js';
import { AUTH_HEADER, STORE_BODY, STORE_FIXTURES, STORE_PATH } from './scenarios.mjs';

/** Retention above anything a run reaches, so that nothing is trimmed while measuring (the options' maximums). */
export const STORE_RETAIN = { retainMessages: 10_000_000, retainEvents: 100_000_000 };

/**
 * The default variants (the `storeVariants` hook of run.mjs's store section takes any list of
 * these). Each: `name`, `label`, `store` ('memory' | 'file'), `records` (N, for a file), `options`
 * (more mock options), `requires` (option names the built mock must know, else the variant is
 * skipped with a note), `prefer` (options passed only when the built mock knows them, else left
 * out). Ratios between variants are in `storeComparisons`.
 * - memory at 0 and file at every size, all without fsync (`dataFsync: false` when the option
 *   exists, whatever its default): the store's cost, and how it grows with the file;
 * - file at 0 with `dataFsync: true`: what fsync costs, against file at 0.
 * @param {number[]} sizes record counts of the file variants (0 is always measured: the ratios' base)
 */
export function defaultStoreVariants(sizes) {
  const all = [...new Set([0, ...sizes])].sort((a, b) => a - b);
  return [
    { name: 'memory-0', label: 'memory, 0', store: 'memory', records: 0, options: {} },
    ...all.map((n) => ({ name: `file-${n}`, label: `file, ${fmtRecords(n)}`, store: 'file', records: n, options: {}, prefer: { dataFsync: false } })),
    { name: 'file-0-fsync', label: 'file, 0, dataFsync true', store: 'file', records: 0, options: { dataFsync: true }, requires: ['dataFsync'] },
  ];
}

/** Ratios of req/s between variants (`num` / `den`), with a target where there is one. */
export function storeComparisons(sizes) {
  const out = [{ name: 'file 0 / memory 0', num: 'file-0', den: 'memory-0' }];
  for (const n of [...new Set(sizes)].filter((n) => n > 0).sort((a, b) => a - b)) {
    out.push({ name: `file ${fmtRecords(n)} / file 0`, num: `file-${n}`, den: 'file-0', ...(n === 10_000 ? { target: { atLeast: 0.5 } } : {}) });
  }
  out.push({ name: 'dataFsync true / false', num: 'file-0-fsync', den: 'file-0' });
  return out;
}

export const fmtRecords = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

/**
 * Whether the built mock knows option `name`: createMailgunMock refuses an unknown option (an
 * OptionsError), so a variant needing one the build lacks is skipped with a note.
 * @returns {Promise<{ ok: boolean, note?: string }>}
 */
export async function optionSupport(name, value, dir) {
  try {
    const mock = await createMailgunMock({ fixtures: STORE_FIXTURES, dataFile: join(dir, `probe-${name}.json`), logLevel: 'silent', [name]: value });
    await mock.stop();
  } catch (err) {
    return { ok: false, note: `createMailgunMock({ ${name}: ${JSON.stringify(value)} }) was rejected (${err.message})` };
  }
  return { ok: true };
}

/**
 * One real send against an in-process mock with the store fixtures (memory store): its message,
 * its two events and the rest of the state, as the mock stored them.
 */
export async function captureTemplate() {
  const mock = await startMailgunMock({ port: 0, host: '127.0.0.1', rateLimit: 0, logLevel: 'silent', fixtures: STORE_FIXTURES });
  try {
    const res = await fetch(mock.url + STORE_PATH, { method: 'POST', headers: { authorization: AUTH_HEADER, 'content-type': 'application/x-www-form-urlencoded' }, body: STORE_BODY });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`template send: expected 200, got ${res.status} ${text}`);
    const state = structuredClone(mock.store.state);
    if (state.messages.length !== 1 || state.events.length !== 2) {
      throw new Error(`template send: expected 1 message and 2 events, the state holds ${state.messages.length} and ${state.events.length}`);
    }
    const [message] = state.messages;
    const events = state.events;
    return { message, events, state: { ...state, messages: [], events: [] } };
  } finally {
    await mock.stop();
  }
}

/**
 * A record as a JSON template: every occurrence of the given strings, and the given numeric
 * fields, become slots. Throws if one is missing (the record's shape changed).
 * @returns {(vals: Record<string, string | number>) => string}
 */
function compile(record, strings, numbers) {
  let t = JSON.stringify(record);
  for (const [value, slot] of strings) {
    const json = JSON.stringify(value).slice(1, -1);
    if (!t.includes(json)) throw new Error(`template: ${JSON.stringify(value)} (${slot}) not found in ${t.slice(0, 200)}`);
    t = t.split(json).join(`\0${slot}\0`);
  }
  for (const [field, slot] of numbers) {
    const re = new RegExp(`"${field}":(-?[0-9.e+-]+)`);
    if (!re.test(t)) throw new Error(`template: numeric field ${field} not found`);
    t = t.replace(re, `"${field}":\0${slot}\0`);
  }
  const parts = t.split('\0');
  return (vals) => {
    let s = parts[0];
    for (let i = 1; i < parts.length; i += 2) s += vals[parts[i]] + parts[i + 1];
    return s;
  };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
/** `20261126195501` from epoch ms (UTC), as the mock's Message-Ids start. */
const stamp = (ms) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
};

/**
 * Writes a data file of `records` records (round(records/3) messages, two events each) cloned from
 * `template`. Returns what it wrote.
 */
export function writeDataFile(path, records, template) {
  const { message, events, state } = template;
  const domain = message.domain;
  const rcpt = message.to[0];
  const mStrings = [
    [message.id, 'mid'],
    [message.storageKey, 'key'],
    [rcpt, 'rcpt'],
  ];
  const renderMessage = compile(message, mStrings, [['acceptedAt', 'at']]);
  const renderEvents = events.map((e) => compile(e, [...mStrings, [e.data.id, 'eid']], [['seq', 'seq'], ['timestamp', 'ts']]));

  const count = Math.round(records / 3);
  const M = '\u0001messages';
  const E = '\u0001events';
  const head = JSON.stringify({ format: 'mailgun-mock', version: 1, state: { ...state, messages: M, events: E, nextSeq: 2 * count + 1 } });
  const [beforeM, rest] = head.split(JSON.stringify(M));
  const [between, tail] = rest.split(JSON.stringify(E));

  // Accepted 10 ms apart, ending a minute ago.
  const base = Date.now() - 60_000 - count * 10;
  const msgs = [];
  const evs = [];
  for (let i = 0; i < count; i++) {
    const at = base + i * 10;
    const vals = {
      mid: `${stamp(at)}.${randomBytes(8).toString('hex')}@${domain}`,
      key: randomBytes(24).toString('base64').replace(/[+/]/g, 'x'),
      rcpt: `rcpt-${i}@example.com`,
      at,
    };
    msgs.push(renderMessage(vals));
    renderEvents.forEach((render, j) => {
      // Epoch seconds with microseconds; delivered 1 µs after accepted, as the mock stamps them.
      evs.push(render({ ...vals, eid: randomBytes(16).toString('base64url'), seq: 2 * i + j + 1, ts: (at * 1000 + j) / 1e6 }));
    });
  }
  const fd = openSync(path, 'w');
  try {
    const BATCH = 2_000;
    const list = (items) => {
      for (let i = 0; i < items.length; i += BATCH) writeSync(fd, (i ? ',' : '') + items.slice(i, i + BATCH).join(','));
    };
    writeSync(fd, beforeM + '[');
    list(msgs);
    writeSync(fd, ']' + between + '[');
    list(evs);
    writeSync(fd, ']' + tail);
  } finally {
    closeSync(fd);
  }
  return { path, records: 3 * count, messages: count, events: 2 * count, bytes: statSync(path).size };
}

// The request journal's recorder: record() hands back the seq it gave the entry (the live stream
// announces it), whether or not the journal keeps entries, and a reset restarts the count.
import { describe, expect, it } from 'vitest';
import { createJournal, type JournalRecord } from '../../src/services/journal.js';

const entry = (path: string, status = 200): JournalRecord => ({
  startedMs: Date.parse('2026-01-01T00:00:00Z'),
  method: 'GET',
  path,
  query: {},
  routeId: null,
  domain: null,
  client: null,
  webhook: null,
  fields: {},
  files: [],
  status,
  durationMs: 1,
  faultId: null,
});

describe('the request journal', () => {
  it('record() returns the seq of the entry it kept', () => {
    const journal = createJournal(100);
    expect(journal.record(entry('/a'))).toBe(1);
    expect(journal.record(entry('/b', 404))).toBe(2);
    expect(journal.list().map((e) => [e.seq, e.path, e.status])).toEqual([
      [1, '/a', 200],
      [2, '/b', 404],
    ]);
  });

  it('record() keeps counting across clear() and restarts at 1 after reset()', () => {
    const journal = createJournal(100);
    journal.record(entry('/a'));
    journal.clear();
    expect(journal.record(entry('/b'))).toBe(2);
    expect(journal.list().map((e) => e.seq)).toEqual([2]);
    journal.reset();
    expect(journal.record(entry('/c'))).toBe(1);
  });

  it('record() returns increasing seqs when the journal keeps nothing (limit 0) or is full', () => {
    const none = createJournal(0);
    expect([none.record(entry('/a')), none.record(entry('/b'))]).toEqual([1, 2]);
    expect(none.list()).toEqual([]);

    const small = createJournal(2);
    const seqs = Array.from({ length: 40 }, (_, i) => small.record(entry(`/${i}`)));
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(small.list().map((e) => e.seq)).toEqual([39, 40]);
  });
});

// The events query engine: dates, directions, limits, filter fields and expressions, paging tokens and
// their robustness, over hand-built event arrays (no server, no store).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MailgunError } from '../../src/errors.js';
import type { Fields } from '../../src/lib/fields.js';
import {
  decodePageToken,
  encodePageToken,
  parseEventDate,
  parseEventQuery,
  runEventQuery,
  type PageState,
} from '../../src/services/event-query.js';
import type { EventData, EventRecord } from '../../src/store/types.js';

const DOMAIN = 'example.com';
const NOW = Date.parse('2026-01-01T00:00:00Z');

/** An event whose id is `e<seq>`, so results read back as seq lists. */
function rec(seq: number, timestamp: number, data: Record<string, unknown> = {}, domain = DOMAIN): EventRecord {
  return { seq, domain, data: { event: 'accepted', id: `e${seq}`, timestamp, 'log-level': 'info', ...data } };
}

/** Ten events, seq 0–9 at timestamps 1000–1009. */
function ten(): EventRecord[] {
  return Array.from({ length: 10 }, (_, i) => rec(i, 1000 + i));
}

function fields(params: Record<string, string | string[]>): Fields {
  const out = Object.create(null) as Fields;
  for (const [k, v] of Object.entries(params)) out[k] = Array.isArray(v) ? v : [v];
  return out;
}

function query(events: readonly EventRecord[], params: Record<string, string | string[]> = {}, domain = DOMAIN) {
  return runEventQuery(events, domain, parseEventQuery(fields(params), NOW));
}

function follow(events: readonly EventRecord[], token: string, params: Record<string, string> = {}) {
  return runEventQuery(events, DOMAIN, decodePageToken(token, DOMAIN, fields(params)));
}

const seqs = (page: { items: EventData[] }) => page.items.map((d) => Number(d.id.slice(1)));

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MailgunError);
    const e = err as MailgunError;
    expect(e.status).toBe(400);
    expect(typeof e.body === 'object' && typeof e.body.message === 'string').toBe(true);
    return (e.body as { message: string }).message;
  }
  throw new Error('expected a MailgunError 400');
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('dates', () => {
  it.each([
    ['Fri, 3 May 2013 09:00:00 -0000', 1367571600],
    ['Mon, 2 Jan 2006 15:04:05 -0700', 1136239445],
    ['Fri, 03 May 2013 11:00:00 +0200', 1367571600],
    ['3 May 2013 09:00:00 GMT', 1367571600],
    ['fri, 3 may 2013 09:00 UT', 1367571600],
    ['Fri, 3 May 2013 05:00:00 EDT', 1367571600],
    ['Fri, 3 May 13 09:00:00 +0000', 1367571600],
    ['Fri, 3 May 2013 09:00:00', 1367571600],
    ['Fri, 3 May 2013 09:00:00 +0000 (UTC)', 1367571600],
    ['1367571600', 1367571600],
    ['1367571600.123456', 1367571600.123456],
    ['  1367571600  ', 1367571600],
  ])('reads %j as epoch seconds %d', (text, seconds) => {
    expect(parseEventDate(text)).toBeCloseTo(seconds, 6);
  });

  it.each([
    'yesterday',
    '2013-05-03T09:00:00Z',
    '31 Feb 2013 09:00:00 +0000',
    'Fri, 3 May 2013 25:00:00 +0000',
    'Fri, 3 Foo 2013 09:00:00 +0000',
    '3 May 2013 09:00:00 +0099',
    '3 May 2013 09:00:00 XYZ',
    '-5',
    '1e9',
    '0x10',
    '9'.repeat(200),
  ])('rejects %j', (text) => {
    expect(parseEventDate(text)).toBeUndefined();
    expect(badRequest(() => parseEventQuery(fields({ begin: text }), NOW))).toMatch(/"begin" must be an RFC 2822 date/);
    expect(badRequest(() => parseEventQuery(fields({ end: text }), NOW))).toMatch(/"end" must be/);
  });

  it('treats an RFC 2822 begin and an epoch begin alike', () => {
    const events = [rec(1, 1367571590), rec(2, 1367571600), rec(3, 1367571610)];
    expect(seqs(query(events, { begin: 'Fri, 3 May 2013 09:00:00 -0000', ascending: 'yes' }))).toEqual([2, 3]);
    expect(seqs(query(events, { begin: '1367571600', ascending: 'yes' }))).toEqual([2, 3]);
    expect(seqs(query(events, { begin: 'Mon, 2 Jan 2006 15:04:05 -0700', ascending: 'yes' }))).toEqual([1, 2, 3]);
  });
});

describe('range and direction', () => {
  it.each<[string, Record<string, string | string[]>, number[]]>([
    ['no parameters list everything newest first', {}, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]],
    ['ascending=yes alone lists everything oldest first', { ascending: 'yes' }, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['ascending=no alone lists newest first', { ascending: 'no' }, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]],
    ['begin without end runs back in time from begin', { begin: '1005' }, [5, 4, 3, 2, 1, 0]],
    ['begin with ascending=yes runs forward from begin', { begin: '1005', ascending: 'yes' }, [5, 6, 7, 8, 9]],
    ['end after begin is ascending, begin included, end excluded', { begin: '1002', end: '1006' }, [2, 3, 4, 5]],
    ['end before begin is descending, begin included, end excluded', { begin: '1006', end: '1002' }, [6, 5, 4, 3]],
    ['agreeing ascending=yes is accepted', { begin: '1002', end: '1006', ascending: 'yes' }, [2, 3, 4, 5]],
    ['agreeing ascending=no is accepted', { begin: '1006', end: '1002', ascending: 'no' }, [6, 5, 4, 3]],
    ['equal bounds are an empty range in either direction', { begin: '1004', end: '1004', ascending: 'no' }, []],
    ['end alone in the past (before now) lists newest first down to end', { end: '1005' }, [9, 8, 7, 6]],
    ['end alone in the future lists oldest first up to end', { end: String(NOW / 1000 + 60) }, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['end with ascending=yes and no begin starts at the oldest', { end: '1005', ascending: 'yes' }, [0, 1, 2, 3, 4]],
    ['true and false are read as yes and no', { ascending: 'TRUE', begin: '1007' }, [7, 8, 9]],
    ['fractional epoch bounds compare exactly', { begin: '1002.5', end: '1004.5' }, [3, 4]],
    ['an empty begin counts as absent', { begin: '', ascending: 'yes' }, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['a repeated begin uses its first value', { begin: ['1008', '1001'], ascending: 'yes' }, [8, 9]],
    ['pretty and unknown parameters are ignored', { pretty: 'yes', foo: 'bar', domain: 'other.com', Event: 'failed' }, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]],
    ['a pretty value other than yes/no is ignored too', { pretty: 'sure', ascending: 'yes', begin: '1009' }, [9]],
  ])('%s', (_name, params, expected) => {
    expect(seqs(query(ten(), params))).toEqual(expected);
  });

  it.each([
    [{ begin: '1000', end: '2000', ascending: 'no' }, /"ascending" is no but "end" is after "begin"/],
    [{ begin: '2000', end: '1000', ascending: 'yes' }, /"ascending" is yes but "end" is before "begin"/],
    [{ begin: 'Fri, 3 May 2013 09:00:00 -0000', end: 'Fri, 3 May 2013 08:00:00 -0000', ascending: 'yes' }, /disagree|descending/],
  ])('rejects end and ascending that disagree: %j', (params, message) => {
    expect(badRequest(() => parseEventQuery(fields(params), NOW))).toMatch(message);
  });

  it.each(['maybe', '1', 'y'])('rejects ascending=%j', (value) => {
    expect(badRequest(() => parseEventQuery(fields({ ascending: value }), NOW))).toBe(`"ascending" must be yes or no, got '${value}'`);
  });

  it('orders events by timestamp even when they were stored out of time order', () => {
    const events = [rec(0, 1005), rec(1, 1001), rec(2, 1009), rec(3, 1003)];
    expect(seqs(query(events, { ascending: 'yes' }))).toEqual([1, 3, 0, 2]);
    expect(seqs(query(events))).toEqual([2, 0, 3, 1]);
  });

  it('orders equal timestamps by creation order (reversed when descending)', () => {
    const events = [rec(4, 1000), rec(1, 1000), rec(3, 1000), rec(2, 1000)];
    expect(seqs(query(events, { ascending: 'yes' }))).toEqual([1, 2, 3, 4]);
    expect(seqs(query(events))).toEqual([4, 3, 2, 1]);
  });

  it("lists only the domain's own events, whatever the case of the name asked for", () => {
    const events = [rec(0, 1000), rec(1, 1001, {}, 'other.com'), rec(2, 1002), rec(3, 1003, {}, 'sub.example.com')];
    expect(seqs(query(events, { ascending: 'yes' }))).toEqual([0, 2]);
    expect(seqs(query(events, { ascending: 'yes' }, 'Example.COM'))).toEqual([0, 2]);
    expect(seqs(query(events, { ascending: 'yes' }, 'other.com'))).toEqual([1]);
  });

  it('skips a stored event without a numeric timestamp instead of failing', () => {
    const broken = rec(1, 0);
    (broken.data as Record<string, unknown>).timestamp = 'soon';
    expect(seqs(query([rec(0, 1000), broken, rec(2, 1002)]))).toEqual([2, 0]);
  });
});

describe('limit', () => {
  const many = Array.from({ length: 400 }, (_, i) => rec(i, 1000 + i));

  it.each<[string | undefined, number]>([
    [undefined, 100],
    ['1', 1],
    ['300', 300],
    ['050', 50],
    [' 7 ', 7],
    ['', 100],
  ])('limit=%j returns %d events', (limit, count) => {
    const params: Record<string, string> = limit === undefined ? {} : { limit };
    expect(parseEventQuery(fields(params), NOW).limit).toBe(count);
    expect(query(many, params).items).toHaveLength(count);
  });

  it.each(['0', '-1', '301', '1000000', 'abc', '1.5', '1e2', '10 20'])('rejects limit=%j', (limit) => {
    expect(badRequest(() => parseEventQuery(fields({ limit }), NOW))).toMatch(/^"limit" must be an integer between 1 and 300, got /);
  });
});

/** One event per filter-relevant shape; timestamps rise with seq, and every query below is ascending. */
function mailbox(): EventRecord[] {
  const message = (headers: Record<string, string>, extra: Record<string, unknown> = {}) => ({ headers, attachments: [], ...extra });
  return [
    rec(1, 1001, {
      event: 'accepted',
      recipient: 'alice@example.com',
      tags: ['newsletter', 'Weekly'],
      message: message(
        { from: 'Bob <bob@sender.com>', to: 'Alice <alice@example.com>', subject: 'Hello world', 'message-id': '2026.abc@example.com' },
        { attachments: [{ filename: 'report.pdf', 'content-type': 'application/pdf', size: 10 }], recipients: ['alice@example.com', 'carol@example.com'], size: 100 },
      ),
    }),
    rec(2, 1002, {
      event: 'delivered',
      recipient: 'carol@example.com',
      tags: ['transactional'],
      message: message({ from: 'noreply@sender.com', to: 'carol@example.com', subject: 'Farewell Monica', 'message-id': 'other@example.com' }, { size: 5000 }),
    }),
    rec(3, 1003, {
      event: 'failed',
      severity: 'permanent',
      'log-level': 'error',
      recipient: 'dave@example.net',
      'mailing-list': { address: 'devs@lists.example.com', 'list-id': 'devs', sid: 'x' },
      message: message(
        { from: 'Bob <bob@sender.com>', to: 'devs@lists.example.com', subject: 'Hello Rachel', 'message-id': '2026.abc@example.com' },
        { attachments: [{ filename: 'Invoice.PDF' }, { filename: 'notes.txt' }], size: 20000 },
      ),
    }),
    rec(4, 1004, {
      event: 'failed',
      severity: 'temporary',
      recipient: 'erin@example.org',
      message: message({ from: 'ops@sender.com', to: 'erin@example.org', subject: 'Retry later', 'message-id': 'tmp@example.com' }, { size: 15000 }),
    }),
    rec(5, 1005, {
      event: 'rejected',
      message: message({ from: 'spam@bad.com', to: 'x@example.com', subject: 'Hello', 'message-id': 'rej@example.com' }, { size: 300 }),
    }),
    rec(6, 1006, { event: 'stored', message: message({ subject: 'Inbound' }, { recipients: ['support@in.example.com', 'sales@in.example.com'], size: 50 }) }),
    rec(7, 1007, { event: 'opened', recipient: 'alice@example.com', message: { headers: { 'message-id': '2026.abc@example.com' } } }),
  ];
}

describe('filter fields', () => {
  it.each<[string, string, number[]]>([
    ['event', 'failed', [3, 4]],
    ['event', 'FAILED', [3, 4]],
    ['event', 'rejected OR failed', [3, 4, 5]],
    ['event', 'fail', []],
    ['severity', 'permanent', [3]],
    ['severity', 'temporary', [4]],
    ['severity', 'NOT permanent', [1, 2, 4, 5, 6, 7]],
    ['recipient', 'ALICE@example.com', [1, 7]],
    ['recipient', 'alice', []],
    ['message-id', '2026.abc@example.com', [1, 3, 7]],
    ['message-id', '<2026.abc@example.com>', [1, 3, 7]],
    ['message-id', 'abc', []],
    ['tags', 'weekly', [1]],
    ['tags', 'newsletter OR transactional', [1, 2]],
    ['tags', 'news', []],
    ['from', 'bob@sender.com', [1, 3]],
    ['from', 'sender.com', [1, 2, 3, 4]],
    ['from', '"Bob <bob@sender.com>"', [1, 3]],
    ['to', 'example.com', [1, 2, 3, 5]],
    ['to', 'alice@example.com', [1]],
    ['to', 'alice', [1]],
    ['subject', 'hello', [1, 3, 5]],
    ['subject', 'hello world', [1]],
    ['attachment', 'pdf', [1, 3]],
    ['attachment', 'notes.txt', [3]],
    ['attachment', 'invoice.pdf', [3]],
    ['recipients', 'carol', [1]],
    ['recipients', 'in.example.com', [6]],
    ['list', 'devs@lists.example.com', [3]],
    ['list', 'lists', [3]],
    ['size', '300', [5]],
    ['size', '>1000', [2, 3, 4]],
  ])('%s=%j matches %j', (field, expression, expected) => {
    expect(seqs(query(mailbox(), { ascending: 'yes', [field]: expression }))).toEqual(expected);
  });

  it('ANDs different fields together', () => {
    expect(seqs(query(mailbox(), { ascending: 'yes', event: 'failed', from: 'bob' }))).toEqual([3]);
  });

  it('ANDs the values of a repeated field', () => {
    expect(seqs(query(mailbox(), { ascending: 'yes', subject: ['hello', 'rachel'] }))).toEqual([3]);
    expect(seqs(query(mailbox(), { ascending: 'yes', event: ['failed OR rejected', 'NOT rejected'] }))).toEqual([3, 4]);
  });

  it('ignores an empty or blank filter value', () => {
    expect(seqs(query(mailbox(), { ascending: 'yes', event: '   ' }))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('filter expressions', () => {
  const subjects = ['foo', 'bar', 'foo bar', 'bar foo', 'baz', 'foo baz', 'Hello Rachel', 'Farewell Monica', 'Hello Monica'];
  const events = subjects.map((subject, i) => rec(i + 1, 1000 + i, { message: { headers: { subject } } }));

  it.each<[string, number[]]>([
    ['foo', [1, 3, 4, 6]],
    ['foo bar', [3, 4]],
    ['foo AND bar', [3, 4]],
    ['foo OR bar', [1, 2, 3, 4, 6]],
    ['"foo bar"', [3]],
    ['"bar foo"', [4]],
    ['NOT foo', [2, 5, 7, 8, 9]],
    ['-foo', [2, 5, 7, 8, 9]],
    ['foo -baz', [1, 3, 4]],
    ['foo AND NOT baz', [1, 3, 4]],
    ['NOT NOT foo', [1, 3, 4, 6]],
    ['foo OR bar baz', [1, 3, 4, 6]],
    ['(foo OR bar) baz', [6]],
    ['(Hello AND NOT Rachel) OR (Farewell AND Monica)', [8, 9]],
    ['((foo OR baz) AND NOT (bar OR "foo baz"))', [1, 5]],
    ['-(foo OR bar OR baz)', [7, 8, 9]],
    ['NOT ("foo bar" OR "bar foo") foo', [1, 6]],
    ['hello', [7, 9]],
    ['"rachel"', [7]],
    ['"OR"', []],
    ['or', []],
    ['"a \\"quoted\\" word"', []],
  ])('subject=%j matches %j', (expression, expected) => {
    expect(seqs(query(events, { ascending: 'yes', subject: expression }))).toEqual(expected);
  });

  const sized = [100, 5000, 20000, 15000, 300].map((size, i) => rec(i + 1, 1000 + i, { message: { headers: {}, size } }));
  sized.push(rec(6, 1010, { event: 'opened' })); // no size at all

  it.each<[string, number[]]>([
    ['>1000', [2, 3, 4]],
    ['> 1000', [2, 3, 4]],
    ['>1000 <20000', [2, 4]],
    ['>1000 AND <20000', [2, 4]],
    ['>=20000', [3]],
    ['<=300', [1, 5]],
    ['<100.5', [1]],
    ['300', [5]],
    ['100 OR 300', [1, 5]],
    ['NOT >1000', [1, 5, 6]],
    ['(>1000 <16000) OR <200', [1, 2, 4]],
  ])('size=%j matches %j', (expression, expected) => {
    expect(seqs(query(sized, { ascending: 'yes', size: expression }))).toEqual(expected);
  });

  it.each<[string, string, string, RegExp]>([
    ['a comparison on event', 'event', '>5', /"event": ">" applies to numeric fields only/],
    ['a comparison on subject', 'subject', '<10 >2', /"subject": "<" applies to numeric fields only/],
    ['a word on size', 'size', 'big', /"size": 'big' is not a number/],
    ['a comparison with a word on size', 'size', '>big', /not a number/],
    ['an unclosed parenthesis', 'subject', '(foo', /unbalanced parentheses/],
    ['an unopened parenthesis', 'subject', 'foo)', /unbalanced parentheses/],
    ['an extra closing parenthesis', 'subject', '(foo))', /unbalanced parentheses/],
    ['empty parentheses', 'subject', '()', /empty parentheses/],
    ['a trailing OR', 'subject', 'foo OR', /expected a term at the end/],
    ['a trailing AND', 'subject', 'foo AND', /expected a term at the end/],
    ['a leading OR', 'subject', 'OR foo', /expected a term before OR/],
    ['a leading AND', 'subject', 'AND foo', /expected a term before AND/],
    ['a bare NOT', 'subject', 'NOT', /expected a term/],
    ['a doubled OR', 'subject', 'foo OR OR bar', /expected a term before OR/],
    ['an unterminated quote', 'subject', '"foo', /unterminated quote/],
    ['a NUL character', 'subject', 'a\u0000b', /control characters/],
    ['17 nested parentheses', 'subject', `${'('.repeat(17)}a${')'.repeat(17)}`, /nested more than 16 levels/],
    ['17 chained NOTs', 'subject', `${'NOT '.repeat(17)}a`, /nested more than 16 levels/],
    ['40 chained minus signs', 'subject', `${'-'.repeat(40)}a`, /nested more than 16 levels/],
    ['5000 nested parentheses', 'subject', `${'('.repeat(5000)}a${')'.repeat(5000)}`, /at most 2048 characters/],
    ['a 3000-character expression', 'subject', 'a '.repeat(1500), /at most 2048 characters/],
  ])('rejects %s with a 400', (_name, field, expression, message) => {
    expect(badRequest(() => parseEventQuery(fields({ [field]: expression }), NOW))).toMatch(message);
  });

  it('accepts the deepest allowed nesting', () => {
    const expr = `${'('.repeat(16)}foo${')'.repeat(16)}`;
    expect(seqs(query(events, { ascending: 'yes', subject: expr }))).toEqual([1, 3, 4, 6]);
  });

  it('caps the number of filter values and their total length', () => {
    expect(badRequest(() => parseEventQuery(fields({ subject: Array<string>(33).fill('a') }), NOW))).toMatch(/Too many filter values/);
    const long = 'x'.repeat(1500);
    expect(badRequest(() => parseEventQuery(fields({ subject: long, from: long }), NOW))).toMatch(/too long/);
  });

  it('keeps a token of the longest allowed filters under 16 KiB', () => {
    // Three UTF-8 bytes a character, and backslashes that JSON doubles: the worst a 2048-character budget allows.
    const state = parseEventQuery(fields({ subject: '€'.repeat(1024), from: '\\'.repeat(1024) }), NOW);
    const token = encodePageToken(state, DOMAIN);
    expect(token.length).toBeLessThan(16384);
    expect(decodePageToken(token, DOMAIN)).toEqual(state);
  });
});

describe('paging', () => {
  /** Follows `next` (or `previous`) from a page until an empty page, returning each page's seqs. */
  function walk(events: readonly EventRecord[], start: ReturnType<typeof query>, via: 'next' | 'previous') {
    const pages: number[][] = [];
    let page = start;
    for (let guard = 0; guard < 100 && page.items.length > 0; guard++) {
      pages.push(seqs(page));
      page = follow(events, page.tokens[via]);
    }
    expect(page.items).toEqual([]);
    return pages;
  }

  it('walks forward through an ascending range, every event exactly once', () => {
    const events = ten();
    expect(walk(events, query(events, { ascending: 'yes', limit: '3' }), 'next')).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  });

  it('walks forward through a descending range, every event exactly once', () => {
    const events = ten();
    expect(walk(events, query(events, { limit: '3' }), 'next')).toEqual([[9, 8, 7], [6, 5, 4], [3, 2, 1], [0]]);
  });

  it('walks back from the last page with previous, still in the range direction', () => {
    const events = ten();
    const asc = follow(events, query(events, { ascending: 'yes', limit: '3' }).tokens.last);
    expect(walk(events, asc, 'previous')).toEqual([[7, 8, 9], [4, 5, 6], [1, 2, 3], [0]]);
    const desc = follow(events, query(events, { limit: '3' }).tokens.last);
    expect(walk(events, desc, 'previous')).toEqual([[2, 1, 0], [5, 4, 3], [8, 7, 6], [9]]);
  });

  it('pages through filtered events and ties alike', () => {
    const events = [...Array.from({ length: 7 }, (_, i) => rec(i, 1000, { event: i % 2 ? 'failed' : 'delivered' })), rec(7, 999, { event: 'failed' })];
    expect(walk(events, query(events, { ascending: 'yes', limit: '2', event: 'failed' }), 'next')).toEqual([[7, 1], [3, 5]]);
    expect(walk(events, query(events, { limit: '2', event: 'failed' }), 'next')).toEqual([[5, 3], [1, 7]]);
    expect(walk(events, query(events, { limit: '1' }), 'next')).toEqual([[6], [5], [4], [3], [2], [1], [0], [7]]);
  });

  it('gives an empty previous page before the first page and an empty next page after the last', () => {
    const events = ten();
    const firstPage = query(events, { ascending: 'yes', limit: '4' });
    expect(follow(events, firstPage.tokens.previous).items).toEqual([]);
    const lastPage = follow(events, firstPage.tokens.last);
    expect(seqs(lastPage)).toEqual([6, 7, 8, 9]);
    expect(follow(events, lastPage.tokens.next).items).toEqual([]);
  });

  it('returns the first page for first, from any page', () => {
    const events = ten();
    const p1 = query(events, { ascending: 'yes', limit: '4' });
    const p2 = follow(events, p1.tokens.next);
    expect(seqs(p2)).toEqual([4, 5, 6, 7]);
    expect(seqs(follow(events, p2.tokens.first))).toEqual([0, 1, 2, 3]);
    expect(p2.tokens.first).toBe(p1.tokens.first);
    expect(seqs(follow(events, p2.tokens.last))).toEqual([6, 7, 8, 9]);
  });

  it('returns to the same page going next then previous', () => {
    const events = ten();
    const p2 = follow(events, query(events, { limit: '3' }).tokens.next);
    expect(seqs(follow(events, follow(events, p2.tokens.next).tokens.previous))).toEqual(seqs(p2));
    expect(seqs(follow(events, follow(events, p2.tokens.previous).tokens.next))).toEqual(seqs(p2));
  });

  it('keeps an empty page where it is: its next stays put and its previous is the page before', () => {
    const events = ten();
    const end = follow(events, follow(events, query(events, { ascending: 'yes', limit: '5' }).tokens.next).tokens.next);
    expect(end.items).toEqual([]);
    expect(end.tokens.next).toBe(follow(events, end.tokens.next).tokens.next);
    expect(seqs(follow(events, end.tokens.previous))).toEqual([5, 6, 7, 8, 9]);
    const before = follow(events, query(events, { ascending: 'yes', limit: '5' }).tokens.previous);
    expect(seqs(follow(events, before.tokens.next))).toEqual([0, 1, 2, 3, 4]);
  });

  it('picks up events recorded after an ascending, open-ended walk reached its end', () => {
    const events = ten();
    let page = query(events, { ascending: 'yes', limit: '4', begin: '1005' });
    expect(seqs(page)).toEqual([5, 6, 7, 8]);
    page = follow(events, page.tokens.next);
    expect(seqs(page)).toEqual([9]);
    const empty = follow(events, page.tokens.next);
    expect(empty.items).toEqual([]);
    events.push(rec(10, 1010), rec(11, 1010), rec(12, 1011));
    expect(seqs(follow(events, empty.tokens.next))).toEqual([10, 11, 12]);
  });

  it('does not repeat or skip events added while a descending walk is under way', () => {
    const events = ten();
    const p1 = query(events, { limit: '4' });
    expect(seqs(p1)).toEqual([9, 8, 7, 6]);
    events.push(rec(10, 1010), rec(11, 1011));
    const rest = walk(events, follow(events, p1.tokens.next), 'next');
    expect(rest).toEqual([[5, 4, 3, 2], [1, 0]]);
    // Without `begin` the range has no upper edge: `first` shows the newest events now.
    expect(seqs(follow(events, p1.tokens.first))).toEqual([11, 10, 9, 8]);
    expect(seqs(follow(events, p1.tokens.previous))).toEqual([11, 10]);
  });

  it('keeps events added after the end of a bounded range out of it', () => {
    const events = ten();
    const p1 = query(events, { begin: '1000', end: '1010', limit: '6' });
    events.push(rec(10, 1010), rec(11, 1020));
    expect(seqs(follow(events, p1.tokens.next))).toEqual([6, 7, 8, 9]);
    expect(seqs(follow(events, p1.tokens.last))).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it('never lists another domain through a token', () => {
    const events = ten().flatMap((r) => [r, rec(100 + r.seq, r.data.timestamp, {}, 'other.com')]);
    expect(walk(events, query(events, { ascending: 'yes', limit: '3' }), 'next').flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('mints URL-path-safe tokens', () => {
    const page = query(mailbox(), { subject: '"Hello/world?" #1 100%', from: 'é <x@y>', limit: '2' });
    for (const token of Object.values(page.tokens)) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('carries the query in the token and applies a limit given with it', () => {
    const events = mailbox();
    const p1 = query(events, { ascending: 'yes', limit: '1', event: 'failed OR rejected' });
    const state = decodePageToken(p1.tokens.next, DOMAIN);
    expect(state).toMatchObject({ ascending: true, begin: null, end: null, limit: 1, filters: [{ field: 'event', expression: 'failed OR rejected' }] });
    expect(seqs(follow(events, p1.tokens.next))).toEqual([4]);
    expect(seqs(follow(events, p1.tokens.next, { limit: '5', event: 'delivered', ascending: 'no' }))).toEqual([4, 5]);
    expect(badRequest(() => decodePageToken(p1.tokens.next, DOMAIN, fields({ limit: '500' })))).toMatch(/"limit"/);
  });

  it('round-trips every kind of position through a token', () => {
    const base = parseEventQuery(fields({ begin: '1000.25', end: '999', limit: '7', tags: 'a OR b' }), NOW);
    const positions: PageState['position'][] = [
      { kind: 'after', cursor: null },
      { kind: 'before', cursor: null },
      { kind: 'last' },
      { kind: 'after', cursor: { timestamp: 1529006854.329574, seq: 41, inclusive: false } },
      { kind: 'before', cursor: { timestamp: 1529006854.329574, seq: 0, inclusive: true } },
    ];
    for (const position of positions) {
      const state = { ...base, position };
      expect(decodePageToken(encodePageToken(state, 'Example.com'), 'EXAMPLE.com')).toEqual(state);
    }
  });

  it('reads a page of 100,000 events in well under a second', () => {
    const events = Array.from({ length: 100_000 }, (_, i) =>
      rec(i, 1_700_000_000 + i / 10, { event: i % 3 ? 'delivered' : 'failed', message: { headers: { subject: `n${i}` }, size: i } }, i % 2 ? DOMAIN : 'other.com'),
    );
    const started = performance.now();
    const desc = query(events, { limit: '300' });
    const asc = query(events, { ascending: 'yes', limit: '300', event: 'failed', size: '>50000' });
    const last = follow(events, asc.tokens.last);
    const elapsed = performance.now() - started;
    expect(seqs(desc)[0]).toBe(99_999);
    expect(seqs(asc)[0]).toBe(50_001);
    expect(seqs(last).at(-1)).toBe(99_999);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('hostile tokens', () => {
  const valid = () => query(ten(), { limit: '3' }).tokens.next;
  const shape = (patch: Record<string, unknown>) =>
    b64(JSON.stringify({ v: 1, d: DOMAIN, a: 1, b: null, e: null, l: 3, f: [], p: ['a'], ...patch }));

  it.each<[string, string]>([
    ['empty', ''],
    ['punctuation', '!!!'],
    ['a path', 'abc/def'],
    ['percent escapes', '%7B%7D'],
    ['standard base64 with padding', Buffer.from('{}').toString('base64')],
    ['non-canonical base64url', 'e30A'.slice(0, 3)],
    ['base64 of text', b64('not json at all')],
    ['base64 of invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url')],
    ['base64 of a JSON array', b64('[]')],
    ['base64 of a JSON string', b64('"hello"')],
    ['base64 of null', b64('null')],
    ['base64 of an empty object', b64('{}')],
    ['deeply nested JSON', b64('['.repeat(5000) + ']'.repeat(5000))],
    ['a huge token', 'A'.repeat(100_000)],
    ['another version', shape({ v: 2 })],
    ['a limit of 0', shape({ l: 0 })],
    ['a limit of 301', shape({ l: 301 })],
    ['a fractional limit', shape({ l: 2.5 })],
    ['a string begin', shape({ b: 'yesterday' })],
    ['a direction that is not 0/1', shape({ a: true })],
    ['an unknown position', shape({ p: ['z'] })],
    ['a cursor with a string timestamp', shape({ p: ['a', '1000', 1, 0] })],
    ['a cursor with a bad inclusive flag', shape({ p: ['b', 1000, 1, 2] })],
    ['a last position with a cursor', shape({ p: ['l', 1000, 1, 0] })],
    ['an unknown filter field', shape({ f: [['domain', 'x']] })],
    ['a prototype-named filter field', shape({ f: [['__proto__', 'x']] })],
    ['an invalid filter expression', shape({ f: [['subject', '(((']] })],
    ['a numeric comparison on a text field', shape({ f: [['event', '>5']] })],
    ['too many filters', shape({ f: Array(33).fill(['subject', 'a']) })],
    ['filters that are not pairs', shape({ f: ['subject'] })],
    ['a non-string domain', shape({ d: 42 })],
  ])('rejects %s with a 400', (_name, token) => {
    expect(badRequest(() => decodePageToken(token, DOMAIN))).toMatch(/^Invalid page token/);
  });

  it("rejects another domain's token", () => {
    expect(badRequest(() => decodePageToken(valid(), 'other.com'))).toBe('Invalid page token: it belongs to another domain');
  });

  it('rejects random bytes with a 400, never a crash', () => {
    for (let i = 0; i < 500; i++) {
      const token = randomBytes(1 + (i % 64)).toString('base64url');
      expect(badRequest(() => decodePageToken(token, DOMAIN))).toMatch(/^Invalid page token/);
    }
  });

  it('either decodes a corrupted token to a runnable page or answers 400', () => {
    const token = valid();
    const alphabet = 'AZaz09-_';
    for (let i = 0; i < token.length; i++) {
      for (const ch of alphabet) {
        const mutated = token.slice(0, i) + ch + token.slice(i + 1);
        let state: PageState | undefined;
        try {
          state = decodePageToken(mutated, DOMAIN);
        } catch (err) {
          expect(err).toBeInstanceOf(MailgunError);
          expect((err as MailgunError).status).toBe(400);
        }
        if (state) expect(() => runEventQuery(ten(), DOMAIN, state)).not.toThrow();
      }
    }
  });
});

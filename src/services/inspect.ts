// Looking at what the mock holds: messages and events by filter, for /__mock, the programmatic
// API and the waitFor helpers (one matcher each, so all three agree).
import type { EventData, EventRecord, MessageRecord, MockState } from '../store/types.js';

/** Which stored messages to list; every given field must match. */
export interface MessageFilter {
  domain?: string;
  /** A recipient (To, Cc or Bcc), case-insensitive. */
  recipient?: string;
  /** Part of the From, case-insensitive. */
  from?: string;
  /** Part of the subject, case-insensitive. */
  subject?: string;
  /** A tag (`o:tag`), case-insensitive. */
  tag?: string;
  /** The Message-Id, with or without `<>`. */
  id?: string;
  /** Words that must each appear (case-insensitive) in the subject, From, a recipient, a tag, the Message-Id or the text part. */
  search?: string;
  /** At most this many (the newest). */
  limit?: number;
}

/** Which events to list; every given field must match. */
export interface EventFilter {
  domain?: string;
  /** `accepted`, `delivered`, `failed`, `opened`… */
  event?: string;
  recipient?: string;
  /** The Message-Id, with or without `<>`. */
  messageId?: string;
  /** failed events: `permanent` or `temporary`. */
  severity?: string;
  /** At most this many (the newest). */
  limit?: number;
}

const bare = (id: string) => id.trim().replace(/^<|>$/g, '');
const has = (hay: string, needle: string) => hay.toLowerCase().includes(needle.toLowerCase());

export function messageMatches(m: MessageRecord, f: MessageFilter): boolean {
  return (
    (f.domain === undefined || m.domain === f.domain.toLowerCase()) &&
    (f.recipient === undefined || m.recipients.includes(f.recipient.trim().toLowerCase())) &&
    (f.from === undefined || has(m.from, f.from)) &&
    (f.subject === undefined || has(m.subject, f.subject)) &&
    (f.tag === undefined || m.tags.some((t) => t.toLowerCase() === f.tag!.toLowerCase())) &&
    (f.id === undefined || m.id === bare(f.id)) &&
    (f.search === undefined || searchMatches(m, f.search))
  );
}

function searchMatches(m: MessageRecord, search: string): boolean {
  // A Message-Id pasted from a send's answer comes with its angle brackets.
  const words = search.toLowerCase().split(/\s+/).map((w) => w.replace(/^<(.+)>$/, '$1')).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [m.subject, m.from, m.id, m.text ?? '', ...m.recipients, ...m.tags].join('\n').toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function eventMatches(e: EventRecord, f: EventFilter): boolean {
  return (
    (f.domain === undefined || e.domain === f.domain.toLowerCase()) &&
    (f.event === undefined || e.data.event === f.event) &&
    (f.recipient === undefined || e.recipient === f.recipient.trim().toLowerCase()) &&
    (f.messageId === undefined || e.messageId === bare(f.messageId)) &&
    (f.severity === undefined || e.data.severity === f.severity)
  );
}

const newest = <T>(items: T[], limit: number | undefined): T[] => (limit !== undefined ? items.slice(Math.max(0, items.length - limit)) : items);

export function listMessages(state: MockState, f: MessageFilter = {}): MessageRecord[] {
  return newest(state.messages.filter((m) => messageMatches(m, f)), f.limit);
}

export function findMessage(state: MockState, id: string): MessageRecord | undefined {
  const want = bare(id);
  for (let i = state.messages.length - 1; i >= 0; i--) if (state.messages[i]!.id === want) return state.messages[i];
  return undefined;
}

export function listEvents(state: MockState, f: EventFilter = {}): EventData[] {
  return newest(state.events.filter((e) => eventMatches(e, f)), f.limit).map((e) => e.data);
}

/** A short account of what exists, for timeout messages. */
export function summarise<T>(items: readonly T[], label: (t: T) => string, noun: string): string {
  if (items.length === 0) return `no ${noun} yet`;
  const last = items.slice(-5).map(label).join(', ');
  return `${items.length} ${noun} so far (latest: ${last})`;
}

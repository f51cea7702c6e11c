// waitFor helpers: resolve as soon as a matching message, event or delivery exists (already, or
// when it is announced), and reject with a message that says what was seen on timeout. Real-time
// timeouts: they bound how long a test waits, whatever the mock clock does.
import type { Bus } from '../lib/bus.js';
import type { EventRecord, MessageRecord } from '../store/types.js';
import type { DeliveryRecord } from '../webhooks/dispatcher.js';

/** What the mock announces. */
export interface MockTopics extends Record<string, unknown> {
  message: MessageRecord;
  event: EventRecord;
  delivery: DeliveryRecord;
  /** A Mailgun API request was answered (announced only while someone listens, e.g. the dashboard). */
  request: { seq: number; method: string; path: string; routeId: string | null; status: number; client: string | null };
  /** A fault or outcome rule was added, removed, cleared or used (announced only while someone listens). */
  rules: Record<string, never>;
  /** The request journal was cleared. */
  journal: Record<string, never>;
  /** The account was reset. */
  reset: Record<string, never>;
  /** The mock is stopping: live streams end. */
  shutdown: Record<string, never>;
}

/** How long to wait. */
export interface WaitOptions {
  /** Real milliseconds before the wait fails. Default 5000. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** A WaitTimeoutError says what was awaited and what was seen instead. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/**
 * Waits for the first item of `topic` that `matches`: one already there (`existing`) or the next
 * announced. `describe` names the filter and `seen` summarises what exists, for the timeout message.
 */
export function waitFor<K extends keyof MockTopics & string, R>(
  bus: Bus<MockTopics>,
  topic: K,
  existing: () => R | undefined,
  pick: (item: MockTopics[K]) => R | undefined,
  what: string,
  seen: () => string,
  options: WaitOptions = {},
): Promise<R> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) return Promise.reject(new RangeError('timeoutMs must be a non-negative number'));
  const found = existing();
  if (found !== undefined) return Promise.resolve(found);
  return new Promise<R>((resolve, reject) => {
    const off = bus.on(topic, (item) => {
      const r = pick(item);
      if (r === undefined) return;
      clearTimeout(timer);
      off();
      resolve(r);
    });
    const timer = setTimeout(() => {
      off();
      reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen()}`));
    }, timeoutMs);
  });
}

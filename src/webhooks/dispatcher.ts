// Webhook delivery: every event is POSTed to every URL registered for its webhook names, signed
// afresh on every attempt, retried on Mailgun's schedule (200 = done, 406 = rejected, anything
// else = retry), and every attempt is kept in the delivery journal.
import { performance } from 'node:perf_hooks';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Scheduler } from '../lib/scheduler.js';
import { isLegacyWebhookName } from '../lib/webhook-names.js';
import type { EventData, MessageRecord } from '../store/types.js';
import { currentWebhookBody, legacyWebhookBody, type WebhookBody } from './payloads.js';
import type { Poster } from './http-post.js';
import { signWebhook } from './signing.js';
import type { DeliveryAttempt, DeliveryRecord, DeliveryState, WebhookSignature } from './delivery-record.js';

/** How long a reset lets attempts in flight finish before cutting them. */
const RESET_GRACE_MS = 1_000;
/** How much of a handler's answer the journal keeps. */
const RESPONSE_EXCERPT = 1000;

export type { DeliveryAttempt, DeliveryRecord, DeliveryState } from './delivery-record.js';

/** Which deliveries to list; every given field must match. */
export interface DeliveryFilter {
  domain?: string;
  webhook?: string;
  url?: string;
  event?: string;
  state?: DeliveryState;
  messageId?: string;
  recipient?: string;
  /** Only deliveries whose last attempt got this status. */
  status?: number;
  limit?: number;
}

export interface DispatcherOptions {
  /** Waits between attempts, in ms: attempt n+1 is due this long after attempt n was. */
  retrySchedule: number[];
  timeoutMs: number;
  /** Whether `delivered` events are retried like the others. */
  retryDelivered: boolean;
  /** Deliveries kept (oldest dropped). */
  limit: number;
  userAgent: string;
}

export interface DispatcherDeps {
  /** The HTTP client (shared with test events); the dispatcher closes it on stop. */
  poster: Poster;
  /** "Now" for signatures (real time, or the mock clock). */
  signatureNow(): number;
  /** Whether the URL is still registered for the delivery's webhook name (checked before each retry). */
  stillTargeted(d: DeliveryRecord): boolean;
  clock: Clock;
  scheduler: Scheduler;
  logger: Logger;
  signingKey: () => string;
  /** After every change of a delivery; `copy` makes a snapshot (only worth it when someone listens). */
  onChange: (copy: () => DeliveryRecord) => void;
}

/** A delivery to make: the event, its message, and the URL and name it goes to. */
export interface DeliveryTarget {
  webhook: string;
  url: string;
}

/**
 * The delivery journal, as `mock.deliveries`.
 * @example
 * await mock.waitForDelivery({ webhook: 'delivered', state: 'delivered' });
 * mock.deliveries.list({ url: 'http://127.0.0.1:4000/hooks' })[0].attempts[0].status; // 200
 */
export interface DeliveryJournal {
  /** Deliveries matching every given filter, oldest first. */
  list(filter?: DeliveryFilter): DeliveryRecord[];
  get(id: string): DeliveryRecord | undefined;
  /** Makes the next attempt now (a finished delivery is sent once more). Resolves with the record after the attempt. */
  retryNow(id: string): Promise<DeliveryRecord | undefined>;
}

export interface Dispatcher extends DeliveryJournal {
  /** Starts delivering an event to its targets; never throws, never waits. */
  dispatch(data: EventData, message: MessageRecord | undefined, domain: string, targets: DeliveryTarget[]): void;
  /** Resolves when no attempt is in flight. */
  idle(): Promise<void>;
  /** Forgets every delivery, aborts what is in flight and resolves once it has ended. */
  reset(): Promise<void>;
  /** Aborts what is in flight and waits for it to end. */
  stop(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions, deps: DispatcherDeps): Dispatcher {
  let records: DeliveryRecord[] = [];
  const byId = new Map<string, DeliveryRecord>();
  const cancels = new Map<string, () => void>();
  let nextId = 1;
  let inFlight = new Set<Promise<void>>();
  const { poster } = deps;
  let generation = 0;
  const payloads = new Map<string, { data: EventData; message: MessageRecord | undefined }>();

  const snapshot = (d: DeliveryRecord): DeliveryRecord => ({ ...d, attempts: d.attempts.map((a) => ({ ...a, signature: { ...a.signature } })), request: { ...d.request } });

  /** The attempt in flight per delivery: a manual retry waits for it rather than racing it. */
  const busy = new Map<string, Promise<void>>();
  let stopped = false;

  const finished = (d: DeliveryRecord) => d.state !== 'pending' && d.state !== 'retrying';

  /**
   * The journal keeps `limit` deliveries, dropping the oldest finished ones: a delivery still
   * pending or retrying stays (with its payload) until it is done, so the limit only bounds what
   * is kept for looking at, never what is delivered.
   */
  const evict = () => {
    let i = 0;
    while (records.length > options.limit && i < records.length) {
      const d = records[i]!;
      if (!finished(d) || busy.has(d.id)) {
        i++;
        continue;
      }
      records.splice(i, 1);
      byId.delete(d.id);
      payloads.delete(d.id);
    }
  };

  const keep = (d: DeliveryRecord) => {
    records.push(d);
    byId.set(d.id, d);
  };

  const body = async (d: DeliveryRecord, sig: WebhookSignature): Promise<WebhookBody> => {
    const p = payloads.get(d.id)!;
    if (isLegacyWebhookName(d.webhook)) {
      if (!p.message) throw new Error(`legacy webhook ${d.webhook} needs the event's message`);
      return legacyWebhookBody(d.webhook, p.data, p.message, sig);
    }
    return currentWebhookBody(p.data, sig);
  };

  const post = (d: DeliveryRecord, dueAt: number): Promise<void> => {
    const p = attempt(d, dueAt).finally(() => {
      if (busy.get(d.id) === p) busy.delete(d.id);
      evict();
    });
    busy.set(d.id, p);
    return p;
  };

  const attempt = async (d: DeliveryRecord, dueAt: number): Promise<void> => {
    if (stopped) return;
    const gen = generation;
    const signature = signWebhook(deps.signingKey(), deps.signatureNow());
    const tried: DeliveryAttempt = { attempt: d.attempts.length + 1, at: dueAt, status: 0, durationMs: 0, response: '', signature };
    const started = performance.now();
    try {
      const { contentType, body: payload } = await body(d, signature);
      d.request = { contentType, body: typeof payload === 'string' ? payload : payload.toString('utf8') };
      const r = await poster.post(d.url, { 'Content-Type': contentType, 'User-Agent': options.userAgent }, payload, options.timeoutMs, RESPONSE_EXCERPT);
      tried.status = r.status;
      tried.response = r.body;
      if (r.error !== undefined) tried.error = r.error;
    } catch (err) {
      // Building the body failed (a bug, not the handler's doing): an attempt without an answer.
      tried.status = 0;
      tried.error = `could not build the payload: ${(err as Error).message}`;
    }
    tried.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    if (gen !== generation) return; // reset while in flight: this delivery is gone
    d.attempts.push(tried);
    settle(d, tried);
  };

  const settle = (d: DeliveryRecord, attempt: DeliveryAttempt) => {
    const n = attempt.attempt;
    if (attempt.status === 200) {
      d.state = 'delivered';
      d.nextRetryAt = null;
    } else if (attempt.status === 406) {
      d.state = 'rejected';
      d.nextRetryAt = null;
    } else if ((d.event === 'delivered' && !options.retryDelivered) || n > options.retrySchedule.length) {
      d.state = 'failed';
      d.nextRetryAt = null;
    } else {
      const due = attempt.at + options.retrySchedule[n - 1]!;
      d.state = 'retrying';
      d.nextRetryAt = due;
      cancels.set(d.id, deps.scheduler.at(due, () => {
        cancels.delete(d.id);
        if (!deps.stillTargeted(d)) {
          // Its webhook (or its whole domain) was deleted meanwhile: nothing is left to retry.
          d.state = 'cancelled';
          d.nextRetryAt = null;
          deps.onChange(() => snapshot(d));
          evict();
          return undefined;
        }
        return track(post(d, due));
      }));
    }
    if (d.state !== 'retrying') deps.logger.debug(`webhook ${d.webhook} → ${d.url}: ${d.state} after ${n} attempt(s)`);
    deps.onChange(() => snapshot(d));
  };

  const track = (p: Promise<void>): Promise<void> => {
    const set = inFlight;
    set.add(p);
    const done = () => void set.delete(p);
    p.then(done, done);
    return p;
  };

  const matches = deliveryMatches;

  return {
    dispatch(data, message, domain, targets) {
      if (stopped) return;
      for (const t of targets) {
        const d: DeliveryRecord = {
          id: `delivery-${nextId++}`,
          domain,
          webhook: t.webhook,
          url: t.url,
          event: data.event,
          eventId: data.id,
          messageId: message?.id,
          recipient: typeof data.recipient === 'string' ? data.recipient : undefined,
          state: 'pending',
          attempts: [],
          nextRetryAt: null,
          createdAt: deps.clock.now(),
          request: { contentType: '', body: '' },
        };
        payloads.set(d.id, { data, message });
        keep(d);
        evict();
        deps.onChange(() => snapshot(d));
        void track(post(d, d.createdAt).catch((err: unknown) => deps.logger.error(`[internal] webhook delivery ${d.id}: ${(err as Error).message}`)));
      }
    },
    list(filter = {}) {
      const out = records.filter((d) => matches(d, filter));
      return (filter.limit !== undefined ? out.slice(Math.max(0, out.length - filter.limit)) : out).map(snapshot);
    },
    get(id) {
      const d = byId.get(id);
      return d ? snapshot(d) : undefined;
    },
    async retryNow(id) {
      const d = byId.get(id);
      if (!d) return undefined;
      // One attempt at a time per delivery: wait for the one in flight (it may schedule a retry,
      // which this attempt replaces).
      for (let i = 0; i < 100 && busy.has(id); i++) await busy.get(id)!.catch(() => undefined);
      cancels.get(id)?.();
      cancels.delete(id);
      await track(post(d, deps.clock.now()));
      return snapshot(d);
    },
    async idle() {
      // Attempts can start others (a retry due at once), so wait until none is left.
      for (let i = 0; i < 1000 && inFlight.size > 0; i++) await Promise.allSettled([...inFlight]);
    },
    async reset() {
      generation++;
      for (const c of cancels.values()) c();
      cancels.clear();
      records = [];
      byId.clear();
      payloads.clear();
      busy.clear();
      const ending = [...inFlight];
      inFlight = new Set();
      nextId = 1;
      // Attempts in flight may finish (a local handler answers in milliseconds), so a handler never
      // sees a post of before the reset arrive after it; one that hangs is cut after the grace.
      const all = Promise.allSettled(ending);
      const cut = setTimeout(() => poster.abortAll(), RESET_GRACE_MS);
      await all;
      clearTimeout(cut);
    },
    async stop() {
      stopped = true;
      poster.close();
      for (const c of cancels.values()) c();
      cancels.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Whether a delivery matches every given field of a filter. */
export function deliveryMatches(d: DeliveryRecord, f: DeliveryFilter): boolean {
  return (
    (f.domain === undefined || d.domain === f.domain.toLowerCase()) &&
    (f.webhook === undefined || d.webhook === f.webhook) &&
    (f.url === undefined || d.url === f.url) &&
    (f.event === undefined || d.event === f.event) &&
    (f.state === undefined || d.state === f.state) &&
    (f.messageId === undefined || d.messageId === f.messageId.replace(/^<|>$/g, '')) &&
    (f.recipient === undefined || d.recipient === f.recipient.toLowerCase()) &&
    (f.status === undefined || d.attempts.at(-1)?.status === f.status)
  );
}

// One Mailgun account: its state, faults, journal, rate-limit budget, outcome rules, scheduler,
// webhook dispatcher and its own Express app. A mock holds one, or (with accountPerKey) one per
// API key, all on the same clock; nothing is shared between two accounts.
import { createHash } from 'node:crypto';
import type { Express } from 'express';
import { createApp } from './app.js';
import type { ResolvedOptions } from './config.js';
import type { AppContext } from './context.js';
import { createFaultRegistry, type FaultRegistry } from './faults/registry.js';
import { parseFaultSpec } from './faults/rules.js';
import { createBus } from './lib/bus.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import { createScheduler } from './lib/scheduler.js';
import { createOutcomeRegistry, type OutcomeRegistry } from './outcomes/registry.js';
import { createDeliveryEngine, stillTargeted, type EmitRequest } from './services/delivery.js';
import { eventMatches, findMessage, listEvents, listMessages, messageMatches, summarise, type EventFilter, type MessageFilter } from './services/inspect.js';
import { createJournal, type RequestJournal } from './services/journal.js';
import { createRateLimiter } from './services/rate-limiter.js';
import { waitFor, type MockTopics, type WaitOptions } from './services/wait.js';
import { openFileStore } from './store/file.js';
import { createMemoryStore } from './store/memory.js';
import type { Seed } from './store/seed.js';
import type { EventData, EventRecord, MessageRecord, Store } from './store/types.js';
import { createPoster } from './webhooks/http-post.js';
import { createDispatcher, deliveryMatches, type DeliveryFilter, type DeliveryJournal, type DeliveryRecord } from './webhooks/dispatcher.js';

/** `account.id` in event payloads of the default account: fixed, so payloads are reproducible. */
export const DEFAULT_ACCOUNT_ID = '6d61696c67756e2d6d6f636b';

/** What every account of a mock shares. */
export interface AccountShared {
  opts: ResolvedOptions;
  seed: Seed;
  clock: Clock;
  logger: Logger;
  version: string;
  /** Where the mock listens (filled in by start()). */
  ports: { us: number | null; eu: number | null };
  /** Moves the shared clock and drains every account. */
  advanceClock(ms: number): Promise<void>;
}

/**
 * One account's view: its messages, events, deliveries, rules and journals.
 * @example
 * const worker = await mock.account('key-worker-1');
 * await worker.waitForMessage({ recipient: 'alice@example.com' });
 */
export interface MailgunAccount {
  /** The account id (`account.id` in its events). */
  readonly id: string;
  /** Its state store (memory or JSON file). */
  readonly store: Store;
  /** Its forced responses: add, list, remove and clear rules. */
  readonly faults: FaultRegistry;
  /** Its Mailgun API requests, with filters. */
  readonly journal: RequestJournal;
  /** What happens to its recipients after a send: add, list, remove and clear outcome rules. */
  readonly outcomes: OutcomeRegistry;
  /** Its webhook deliveries and their attempts. */
  readonly deliveries: DeliveryJournal;
  /** Its HTTP webhook signing key. */
  readonly signingKey: string;
  /** The messages it accepted. */
  readonly messages: {
    /** Messages matching every given filter, oldest first. */
    list(filter?: MessageFilter): MessageRecord[];
    /** One message by Message-Id (with or without `<>`). */
    get(id: string): MessageRecord | undefined;
    /** The newest message matching the filter. */
    latest(filter?: MessageFilter): MessageRecord | undefined;
  };
  /** Its events (what the Events API lists). */
  readonly events: {
    /** Event data matching every given filter, oldest first. */
    list(filter?: EventFilter): EventData[];
    /** Makes an event happen to a stored message: opened, clicked, unsubscribed, complained, failed, delivered. */
    emit(request: EmitRequest): Promise<EventData[]>;
  };
  /** Back to the fixtures, boot-time faults and outcome rules; journals emptied, retries cancelled. */
  reset(): Promise<void>;
  /** Resolves with the first message that matches (already stored, or the next one). @throws WaitTimeoutError */
  waitForMessage(filter?: MessageFilter | ((m: MessageRecord) => boolean), options?: WaitOptions): Promise<MessageRecord>;
  /** Resolves with the first event that matches (already stored, or the next one). @throws WaitTimeoutError */
  waitForEvent(filter?: EventFilter | ((e: EventData) => boolean), options?: WaitOptions): Promise<EventData>;
  /** Resolves with the first delivery that matches after one of its attempts (or now). @throws WaitTimeoutError */
  waitForDelivery(filter?: DeliveryFilter | ((d: DeliveryRecord) => boolean), options?: WaitOptions): Promise<DeliveryRecord>;
}

/** An account as the mock runs it. */
export interface Account extends MailgunAccount {
  readonly ctx: AppContext;
  readonly app: Express;
  /** Runs the work that is due and waits for the webhook attempts it started. */
  drain(): Promise<void>;
  /** Cancels retries, ends attempts in flight, flushes the store. */
  stop(): Promise<void>;
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

function describeFilter(filter: object | ((...args: never[]) => unknown)): string {
  return typeof filter === 'function' ? 'the given predicate' : JSON.stringify(filter);
}

/** The `account.id` of the account an API key opens: 24 hex characters derived from the key. */
export function accountIdOf(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 24);
}

export interface AccountOptions {
  id: string;
  /** Where its state is kept, if in a file. */
  dataFile?: string;
  /** The keys it accepts; empty: any non-empty key. */
  apiKeys: ReadonlySet<string>;
}

export async function createAccount(shared: AccountShared, o: AccountOptions): Promise<Account> {
  const { opts, seed, clock, logger, version } = shared;
  const bus = createBus<MockTopics>();
  const rulesChanged = () => bus.listening('rules') && bus.emit('rules', {});
  const outcomes = createOutcomeRegistry([...seed.outcomes, ...opts.outcomes], rulesChanged);
  const store = o.dataFile ? await openFileStore(o.dataFile, seed.state, { fsync: opts.dataFsync }) : createMemoryStore(seed.state);
  // An explicit key beats the one a data file kept from an earlier run.
  if (opts.signingKey !== undefined && store.state.signingKey !== opts.signingKey) await store.mutate((s) => void (s.signingKey = opts.signingKey!));
  const faults = createFaultRegistry({ boot: opts.faults.map((f) => (typeof f === 'string' ? parseFaultSpec(f) : f)), seed: opts.faultSeed, changed: rulesChanged });
  const journal = createJournal(opts.journalLimit, () => bus.emit('journal', {}));
  const rateLimiter = createRateLimiter(opts.rateLimit, opts.rateLimitWindowMs, clock);
  const poster = createPoster();
  const signatureNow = () => (opts.signatureClock === 'real' ? Date.now() : clock.now());
  const scheduler = createScheduler(clock, (err) => logger.error(`[internal] scheduled work failed: ${(err as Error).message}`));
  const dispatcher = createDispatcher(
    {
      retrySchedule: opts.webhookRetrySchedule,
      timeoutMs: opts.webhookTimeoutMs,
      retryDelivered: opts.retryDelivered,
      limit: opts.deliveryLimit,
      userAgent: `mailgun-mock/${version} (webhooks)`,
    },
    { poster, signatureNow, stillTargeted: (d) => stillTargeted(store.state, d.domain, d.webhook, d.url), clock, scheduler, logger, signingKey: () => store.state.signingKey, onChange: (copy) => bus.listening('delivery') && bus.emit('delivery', copy()) },
  );
  const delivery = createDeliveryEngine({
    store,
    clock,
    scheduler,
    outcomes,
    dispatcher,
    logger,
    accountId: o.id,
    deliveryRetrySchedule: opts.deliveryRetrySchedule,
    deliveryDelayMs: opts.deliveryDelayMs,
    retain: { messages: opts.retainMessages, events: opts.retainEvents },
    onEvent: (e) => bus.emit('event', e),
    onMessage: (m) => bus.emit('message', m),
  });
  const ctx: AppContext = {
    options: opts,
    seed,
    store,
    faults,
    journal,
    rateLimiter,
    clock,
    logger,
    apiKeys: o.apiKeys,
    get signingKey() {
      return store.state.signingKey;
    },
    accountId: o.id,
    outcomes,
    scheduler,
    dispatcher,
    poster,
    signatureNow,
    delivery,
    bus,
    version,
  };
  const reset = async () => {
    delivery.reset();
    await dispatcher.reset();
    scheduler.clear();
    await store.reset();
    faults.reset();
    outcomes.reset();
    journal.reset();
    rateLimiter.reset();
    bus.emit('reset', {});
  };
  const app = createApp(ctx, { reset, advanceClock: shared.advanceClock });

  return {
    id: o.id,
    ctx,
    app,
    store,
    faults,
    journal,
    outcomes,
    deliveries: dispatcher,
    get signingKey() {
      return store.state.signingKey;
    },
    messages: {
      list: (filter) => listMessages(store.state, filter).map(clone),
      get: (id) => clone(findMessage(store.state, id)),
      latest: (filter) => clone(listMessages(store.state, filter).at(-1)),
    },
    events: {
      list: (filter) => listEvents(store.state, filter).map(clone),
      emit: (req) => delivery.emit(req),
    },
    reset,
    async drain() {
      // Attempts in flight when the clock moved schedule their retries when they end, possibly
      // already due: keep draining until nothing due is left and nothing is in flight.
      for (let round = 0; round < 100; round++) {
        await scheduler.runDue();
        await dispatcher.idle();
        if (!scheduler.hasDue()) break;
      }
    },
    async stop() {
      bus.emit('shutdown', {});
      delivery.reset();
      scheduler.stop();
      await dispatcher.stop();
      await store.close();
    },
    waitForMessage(filter = {}, options) {
      const match = typeof filter === 'function' ? filter : (m: MessageRecord) => messageMatches(m, filter);
      return waitFor(bus, 'message', () => clone(store.state.messages.find(match)), (m) => (match(m) ? clone(m) : undefined),
        `a message matching ${describeFilter(filter)}`, () => summarise(store.state.messages, (m) => `${m.subject} → ${m.recipients.join(' ')}`, 'messages'), options);
    },
    waitForEvent(filter = {}, options) {
      const match = typeof filter === 'function' ? (e: EventRecord) => filter(e.data) : (e: EventRecord) => eventMatches(e, filter);
      return waitFor(bus, 'event', () => clone(store.state.events.find(match)?.data), (e) => (match(e) ? clone(e.data) : undefined),
        `an event matching ${describeFilter(filter)}`, () => summarise(store.state.events, (e) => `${e.data.event} ${e.recipient ?? ''}`.trim(), 'events'), options);
    },
    waitForDelivery(filter = {}, options) {
      const match = typeof filter === 'function' ? filter : (d: DeliveryRecord) => deliveryMatches(d, filter);
      return waitFor(bus, 'delivery', () => dispatcher.list().find(match), (d) => (match(d) ? d : undefined),
        `a delivery matching ${describeFilter(filter)}`, () => summarise(dispatcher.list(), (d) => `${d.webhook} → ${d.url}: ${d.state}${d.attempts.length ? ` (${d.attempts.at(-1)!.status})` : ''}`, 'deliveries'), options);
    },
  };
}

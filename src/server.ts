// MockServer: one mock's context, app and (once started) HTTP server, with start/stop/reset.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp } from './app.js';
import { DEFAULT_SIGNING_KEY, resolveOptions, type MailgunMockOptions } from './config.js';
import type { AppContext } from './context.js';
import { createFaultRegistry, type FaultRegistry } from './faults/registry.js';
import { parseFaultSpec } from './faults/rules.js';
import { createClock, type Clock } from './lib/clock.js';
import { createLogger } from './lib/logger.js';
import { localBaseUrl } from './lib/urls.js';
import { PACKAGE_VERSION } from './lib/version.js';
import { createJournal, type RequestJournal } from './services/journal.js';
import { createRateLimiter } from './services/rate-limiter.js';
import { openFileStore } from './store/file.js';
import { createMemoryStore } from './store/memory.js';
import { loadFixtures } from './store/seed.js';
import type { EventData, EventRecord, MessageRecord, Store } from './store/types.js';
import { createBus } from './lib/bus.js';
import { createScheduler } from './lib/scheduler.js';
import { createOutcomeRegistry, type OutcomeRegistry } from './outcomes/registry.js';
import { createDeliveryEngine, type EmitRequest } from './services/delivery.js';
import { eventMatches, findMessage, listEvents, listMessages, messageMatches, summarise, type EventFilter, type MessageFilter } from './services/inspect.js';
import { waitFor, type MockTopics, type WaitOptions } from './services/wait.js';
import { createDispatcher, deliveryMatches, type DeliveryFilter, type DeliveryJournal, type DeliveryRecord } from './webhooks/dispatcher.js';

/** `account.id` in event payloads: fixed, so payloads are reproducible. */
const ACCOUNT_ID = '6d61696c67756e2d6d6f636b';

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

function describeFilter(filter: object | ((...args: never[]) => unknown)): string {
  return typeof filter === 'function' ? 'the given predicate' : JSON.stringify(filter);
}

/** How long stop() lets requests in flight finish before closing their sockets. */
const STOP_GRACE_MS = 2_000;

const VERSION = PACKAGE_VERSION;

/** A running (or ready-to-run) mock. */
export interface MailgunMock {
  /** Base URL once started (`http://127.0.0.1:PORT`); pass it to mailgun.js as `url`. Empty before start. */
  readonly url: string;
  /** The bound port once started; 0 before. */
  readonly port: number;
  /** The Express app: hand it to supertest without opening a port. */
  readonly app: Express;
  /** The state store (memory or JSON file). */
  readonly store: Store;
  /** Forced responses: add, list, remove and clear rules. */
  readonly faults: FaultRegistry;
  /** Every Mailgun API request answered, with filters. */
  readonly journal: RequestJournal;
  /** The mock's clock (advance it to move rate-limit windows, and later webhook retries). */
  readonly clock: Clock;
  /** Whether API keys are checked (`keys`) or any non-empty key is accepted (`any`). */
  readonly authMode: 'keys' | 'any';
  /** The account's HTTP webhook signing key. */
  readonly signingKey: string;
  /** The package version. */
  readonly version: string;
  /** Starts listening. Resolves with the URL. @throws when the port is taken (err.code `EADDRINUSE`), or once the mock has been stopped. */
  start(): Promise<string>;
  /** Restores the seed state, boot-time faults, an empty journal and fresh rate-limit windows. */
  reset(): Promise<void>;
  /** Stops listening, closes every connection (keep-alive too), cancels retries and flushes the store. Safe to call twice. */
  stop(): Promise<void>;
  /** What happens to recipients after a send: add, list, remove and clear outcome rules. */
  readonly outcomes: OutcomeRegistry;
  /** Every webhook delivery and its attempts. */
  readonly deliveries: DeliveryJournal;
  /** The messages the mock accepted. */
  readonly messages: {
    /** Messages matching every given filter, oldest first. */
    list(filter?: MessageFilter): MessageRecord[];
    /** One message by Message-Id (with or without `<>`). */
    get(id: string): MessageRecord | undefined;
    /** The newest message matching the filter. */
    latest(filter?: MessageFilter): MessageRecord | undefined;
  };
  /** Every event (what the Events API lists). */
  readonly events: {
    /** Event data matching every given filter, oldest first. */
    list(filter?: EventFilter): EventData[];
    /** Makes an event happen to a stored message: opened, clicked, unsubscribed, complained, failed, delivered. */
    emit(request: EmitRequest): Promise<EventData[]>;
  };
  /** Moves the mock clock forward and resolves once the retries and deliveries that became due have run. */
  advanceClock(ms: number): Promise<void>;
  /** Resolves with the first message that matches (already stored, or the next one). @throws WaitTimeoutError */
  waitForMessage(filter?: MessageFilter | ((m: MessageRecord) => boolean), options?: WaitOptions): Promise<MessageRecord>;
  /** Resolves with the first event that matches (already stored, or the next one). @throws WaitTimeoutError */
  waitForEvent(filter?: EventFilter | ((e: EventData) => boolean), options?: WaitOptions): Promise<EventData>;
  /** Resolves with the first delivery that matches after one of its attempts (or now). @throws WaitTimeoutError */
  waitForDelivery(filter?: DeliveryFilter | ((d: DeliveryRecord) => boolean), options?: WaitOptions): Promise<DeliveryRecord>;
}

/**
 * Builds a mock without listening: its `app` is ready for supertest.
 * @example
 * const mock = await createMailgunMock({ apiKeys: ['key-test'] });
 * await request(mock.app).get('/v3/domains/samples.mailgun.org/webhooks').auth('api', 'key-test');
 */
export async function createMailgunMock(options: MailgunMockOptions = {}): Promise<MailgunMock> {
  const opts = resolveOptions(options);
  const seed = await loadFixtures(opts.fixtures);
  seed.state.signingKey = opts.signingKey ?? seed.signingKey ?? DEFAULT_SIGNING_KEY;
  const outcomes = createOutcomeRegistry([...seed.outcomes, ...opts.outcomes]);
  const clock = opts.clock ?? createClock({ speed: opts.clockSpeed });
  const logger = createLogger(opts.logLevel);
  const store = opts.dataFile ? await openFileStore(opts.dataFile, seed.state) : createMemoryStore(seed.state);
  // An explicit key beats the one a data file kept from an earlier run.
  if (opts.signingKey !== undefined && store.state.signingKey !== opts.signingKey) await store.mutate((s) => void (s.signingKey = opts.signingKey!));
  const faults = createFaultRegistry({ boot: opts.faults.map((f) => (typeof f === 'string' ? parseFaultSpec(f) : f)), seed: opts.faultSeed });
  const journal = createJournal(opts.journalLimit);
  const rateLimiter = createRateLimiter(opts.rateLimit, opts.rateLimitWindowMs, clock);
  const apiKeys = new Set([...seed.apiKeys, ...opts.apiKeys]);
  const bus = createBus<MockTopics>();
  const scheduler = createScheduler(clock, (err) => logger.error(`[internal] scheduled work failed: ${(err as Error).message}`));
  const dispatcher = createDispatcher(
    {
      retrySchedule: opts.webhookRetrySchedule,
      timeoutMs: opts.webhookTimeoutMs,
      retryDelivered: opts.retryDelivered,
      limit: opts.deliveryLimit,
      signatureClock: opts.signatureClock,
      userAgent: `mailgun-mock/${VERSION} (webhooks)`,
    },
    { clock, scheduler, logger, signingKey: () => store.state.signingKey, onChange: (d) => bus.emit('delivery', d) },
  );
  const delivery = createDeliveryEngine({
    store,
    clock,
    scheduler,
    outcomes,
    dispatcher,
    logger,
    accountId: ACCOUNT_ID,
    deliveryRetrySchedule: opts.deliveryRetrySchedule,
    deliveryDelayMs: opts.deliveryDelayMs,
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
    apiKeys,
    get signingKey() {
      return store.state.signingKey;
    },
    accountId: ACCOUNT_ID,
    outcomes,
    scheduler,
    dispatcher,
    delivery,
    bus,
    ports: { us: null, eu: null },
    version: VERSION,
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
  };
  const advanceClock = async (ms: number) => {
    clock.advance(ms);
    // Attempts in flight when the clock moved schedule their retries when they end, possibly
    // already due: keep draining until nothing due is left and nothing is in flight.
    for (let round = 0; round < 100; round++) {
      await scheduler.runDue();
      await dispatcher.idle();
      if (!scheduler.hasDue()) break;
    }
  };
  const app = createApp(ctx, { reset, advanceClock });

  let server: Server | undefined;
  let url = '';
  let port = 0;
  let stopped: Promise<void> | undefined;

  return {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    app,
    store,
    faults,
    journal,
    clock,
    authMode: apiKeys.size > 0 ? 'keys' : 'any',
    get signingKey() {
      return store.state.signingKey;
    },
    version: VERSION,
    outcomes,
    deliveries: dispatcher,
    messages: {
      list: (filter) => listMessages(store.state, filter).map(clone),
      get: (id) => clone(findMessage(store.state, id)),
      latest: (filter) => clone(listMessages(store.state, filter).at(-1)),
    },
    events: {
      list: (filter) => listEvents(store.state, filter).map(clone),
      emit: (req) => delivery.emit(req),
    },
    advanceClock,
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
    async start() {
      // A stopped mock stays stopped: its store is closed, and stop() would not close a new server.
      if (stopped) throw new Error('this mock has been stopped; create a new one to listen again');
      if (server) return url;
      const s = createServer(app);
      s.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.port, opts.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.on('error', (err) => logger.error(`server error: ${err.message}`));
      server = s;
      port = (s.address() as AddressInfo).port;
      url = localBaseUrl(opts.host, port);
      logger.debug(`listening on ${url}`); // the CLI banner says it at info level
      return url;
    },
    reset,
    stop() {
      stopped ??= (async () => {
        if (server) {
          const s = server;
          const closed = new Promise<void>((resolve) => s.close(() => resolve()));
          // Let answers in flight finish (idle keep-alive sockets close now), then cut what is left.
          s.closeIdleConnections();
          const cut = setTimeout(() => s.closeAllConnections(), STOP_GRACE_MS);
          await closed;
          clearTimeout(cut);
        }
        delivery.reset();
        scheduler.stop();
        await dispatcher.stop();
        await store.close();
      })();
      return stopped;
    },
  };
}

/**
 * Creates and starts a mock in one call.
 * @example
 * const mock = await startMailgunMock({ port: 0 });
 * const mg = new Mailgun(FormData).client({ username: 'api', key: 'any-key', url: mock.url });
 * await mg.webhooks.list('samples.mailgun.org', {});
 * await mock.stop();
 */
export async function startMailgunMock(options: MailgunMockOptions = {}): Promise<MailgunMock> {
  const mock = await createMailgunMock(options);
  try {
    await mock.start();
  } catch (err) {
    await mock.stop();
    throw err;
  }
  return mock;
}

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
import type { Store } from './store/types.js';

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
  /** Stops listening, closes every connection (keep-alive too) and flushes the store. Safe to call twice. */
  stop(): Promise<void>;
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
  const clock = opts.clock ?? createClock();
  const logger = createLogger(opts.logLevel);
  const store = opts.dataFile ? await openFileStore(opts.dataFile, seed.state) : createMemoryStore(seed.state);
  const faults = createFaultRegistry({ boot: opts.faults.map((f) => (typeof f === 'string' ? parseFaultSpec(f) : f)), seed: opts.faultSeed });
  const journal = createJournal(opts.journalLimit);
  const rateLimiter = createRateLimiter(opts.rateLimit, opts.rateLimitWindowMs, clock);
  const apiKeys = new Set([...seed.apiKeys, ...opts.apiKeys]);
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
    signingKey: opts.signingKey ?? seed.signingKey ?? DEFAULT_SIGNING_KEY,
    version: VERSION,
  };
  const reset = async () => {
    await store.reset();
    faults.reset();
    journal.reset();
    rateLimiter.reset();
  };
  const app = createApp(ctx, { reset });

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
    signingKey: ctx.signingKey,
    version: VERSION,
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

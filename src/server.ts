// MockServer: a mock's accounts (one, or one per API key), its app and (once started) its US and
// EU listeners, with start/stop/reset and the clock they share.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { accountIdOf, createAccount, DEFAULT_ACCOUNT_ID, type Account, type AccountShared, type MailgunAccount } from './account.js';
import { DEFAULT_SIGNING_KEY, resolveOptions, type MailgunMockOptions } from './config.js';
import { errors, MailgunError, sendError } from './errors.js';
import { createRefusal, isNavigation } from './http/control-guard.js';
import { mailgunHeaders } from './http/headers.js';
import { parseBasicAuth } from './http/auth.js';
import { euListener } from './http/region.js';
import { CONTROL_PREFIX } from './http/journal.js';
import { createClock, type Clock } from './lib/clock.js';
import { createLogger } from './lib/logger.js';
import { localBaseUrl } from './lib/urls.js';
import { PACKAGE_VERSION } from './lib/version.js';
import { loadFixtures } from './store/seed.js';

/** How long stop() lets requests in flight finish before closing their sockets. */
const STOP_GRACE_MS = 2_000;

const VERSION = PACKAGE_VERSION;

/** The header that names the account a control-plane request is for (with accountPerKey). */
export const ACCOUNT_HEADER = 'x-mailgun-mock-account';

/** A running (or ready-to-run) mock. Its account members are the default account's. */
export interface MailgunMock extends MailgunAccount {
  /** Base URL of the US region once started (`http://127.0.0.1:PORT`); pass it to mailgun.js as `url`. Empty before start. */
  readonly url: string;
  /** The US port once started; 0 before. */
  readonly port: number;
  /** Base URL of the EU region once started (the second port); empty before start. */
  readonly euUrl: string;
  /** The EU port once started; 0 before. */
  readonly euPort: number;
  /** The Express app: hand it to supertest without opening a port (the Host header picks the region). */
  readonly app: Express;
  /** The mock's clock (advance it to move rate-limit windows and webhook retries). */
  readonly clock: Clock;
  /** Whether API keys are checked (`keys`) or any non-empty key is accepted (`any`). */
  readonly authMode: 'keys' | 'any';
  /** Whether each API key gets its own account (`accountPerKey`). */
  readonly accountPerKey: boolean;
  /** The package version. */
  readonly version: string;
  /** Starts listening on both ports. Resolves with the US URL. @throws when a port is taken (err.code `EADDRINUSE`), or once the mock has been stopped. */
  start(): Promise<string>;
  /** Resets every account: fixtures, boot-time faults and outcome rules, empty journals, fresh rate-limit windows, no pending retries. */
  reset(): Promise<void>;
  /** Stops listening, closes every connection (keep-alive too), cancels retries and flushes the stores. Safe to call twice. */
  stop(): Promise<void>;
  /** Moves the mock clock forward and resolves once the retries and deliveries that became due (in every account) have run. */
  advanceClock(ms: number): Promise<void>;
  /**
   * The account of an API key: with `accountPerKey`, its own (created, seeded from the fixtures, on
   * first use); otherwise the one account. @throws Error for a key the mock does not accept.
   */
  account(key: string): Promise<MailgunAccount>;
  /** The accounts opened so far (with `accountPerKey`; otherwise the one account). */
  accounts(): MailgunAccount[];
}

/** The `account` query parameter of a control-plane URL, if any. */
function accountParam(url: string): string | undefined {
  const at = url.indexOf('?');
  return at === -1 ? undefined : (new URLSearchParams(url.slice(at + 1)).get('account') ?? undefined);
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
  const clock = opts.clock ?? createClock({ speed: opts.clockSpeed });
  const logger = createLogger(opts.logLevel);
  const configuredKeys = new Set([...seed.apiKeys, ...opts.apiKeys]);
  const byKey = new Map<string, Promise<Account>>();
  const opened: Account[] = [];

  const shared: AccountShared = {
    opts,
    seed,
    clock,
    logger,
    version: VERSION,
    ports: { us: null, eu: null },
    async advanceClock(ms) {
      clock.advance(ms);
      await Promise.all(opened.map((a) => a.drain()));
    },
  };
  const main = await createAccount(shared, { id: DEFAULT_ACCOUNT_ID, dataFile: opts.dataFile, apiKeys: configuredKeys });
  opened.push(main);

  /** Whether a key opens an account of its own (configured keys only, when there are some). */
  const accepts = (key: string) => key.length > 0 && (configuredKeys.size === 0 || configuredKeys.has(key));
  const accountOf = (key: string): Promise<Account> => {
    let pending = byKey.get(key);
    if (!pending) {
      const id = accountIdOf(key);
      const dataFile = opts.dataFile ? opts.dataFile.replace(/(\.json)?$/i, `.${id}.json`) : undefined;
      // Its own auth checks keys as the mock does (the front app already picked the account by key).
      pending = createAccount(shared, { id, dataFile, apiKeys: configuredKeys }).then((a) => {
        opened.push(a);
        return a;
      });
      // A failed open (an unreadable data file) is not cached: the next request tries again.
      pending.catch(() => byKey.delete(key));
      byKey.set(key, pending);
    }
    return pending;
  };

  const refusal = createRefusal({ host: opts.host, allowedHosts: opts.allowedHosts, anyKey: configuredKeys.size === 0 });
  const app = opts.accountPerKey ? frontApp() : main.app;

  /** With accountPerKey: each request goes to the account of its key (the control plane: of ACCOUNT_HEADER). */
  function frontApp(): Express {
    const front = express();
    front.disable('x-powered-by');
    front.disable('etag');
    front.use(async (req, res, next) => {
      const path = req.path;
      // Who may ask is settled before any account is chosen (or opened): a refused request is
      // answered, and journalled, by the default account.
      if (refusal(req.headers, req.method, path) !== undefined) return main.app(req, res, next);
      let key: string | undefined;
      if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
        // The front app's own answers carry Mailgun's headers like every other.
        mailgunHeaders(req, res, () => undefined);
        // The header, or (for a browser's EventSource and links, which cannot set headers) ?account=.
        const named = req.headers[ACCOUNT_HEADER] ?? accountParam(req.url);
        if (path === `${CONTROL_PREFIX}/accounts` && req.method === 'GET') {
          res.status(200).json({ items: opened.map((a) => ({ id: a.id, messages: a.store.state.messages.length, events: a.store.state.events.length })) });
          return;
        }
        if (typeof named === 'string' && named.length > 0) {
          if (!accepts(named)) return sendError(res, errors.badRequest(`No account for that ${ACCOUNT_HEADER} (not an accepted API key)`));
          key = named;
        } else if (path === `${CONTROL_PREFIX}/reset` && req.method === 'POST') {
          await Promise.all(opened.map((a) => a.reset()));
          res.status(200).json({ message: 'Mock has been reset' });
          return;
        }
      } else {
        const creds = parseBasicAuth(req.headers.authorization);
        if (creds && (creds.user === 'api' || configuredKeys.size === 0) && accepts(creds.key)) key = creds.key;
      }
      // A browser navigation (a link, a frame) may show an account, never open one.
      if (key !== undefined && !byKey.has(key) && isNavigation(req.headers)) {
        return sendError(res, new MailgunError(404, { message: 'No account for that key yet: a link or frame does not open one (send a request with the key first)' }));
      }
      try {
        const account = key === undefined ? main : await accountOf(key);
        account.app(req, res, next);
      } catch (err) {
        logger.error(`[internal] could not open the account of a key: ${(err as Error).message}`);
        sendError(res, errors.internal());
      }
    });
    return front;
  }

  let servers: Server[] = [];
  let url = '';
  let euUrl = '';
  let stopped: Promise<void> | undefined;

  const listen = (port: number, eu: boolean): Promise<Server> =>
    new Promise<Server>((resolve, reject) => {
      const s = createServer(eu ? euListener(app) : app);
      s.keepAliveTimeout = 5_000;
      s.once('error', reject);
      s.listen(port, opts.host, () => {
        s.off('error', reject);
        s.on('error', (err) => logger.error(`server error: ${err.message}`));
        resolve(s);
      });
    });
  const close = async (s: Server) => {
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    // Let answers in flight finish (idle keep-alive sockets close now), then cut what is left.
    s.closeIdleConnections();
    const cut = setTimeout(() => s.closeAllConnections(), STOP_GRACE_MS);
    await closed;
    clearTimeout(cut);
  };

  return {
    get url() {
      return url;
    },
    get port() {
      return shared.ports.us ?? 0;
    },
    get euUrl() {
      return euUrl;
    },
    get euPort() {
      return shared.ports.eu ?? 0;
    },
    app,
    clock,
    authMode: configuredKeys.size > 0 ? 'keys' : 'any',
    accountPerKey: opts.accountPerKey,
    version: VERSION,
    id: main.id,
    store: main.store,
    faults: main.faults,
    journal: main.journal,
    outcomes: main.outcomes,
    deliveries: main.deliveries,
    get signingKey() {
      return main.signingKey;
    },
    messages: main.messages,
    events: main.events,
    waitForMessage: main.waitForMessage,
    waitForEvent: main.waitForEvent,
    waitForDelivery: main.waitForDelivery,
    advanceClock: shared.advanceClock,
    async account(key) {
      if (!accepts(key)) throw new Error('not an API key this mock accepts');
      if (!opts.accountPerKey) return main;
      return accountOf(key);
    },
    accounts: () => [...opened],
    async start() {
      // A stopped mock stays stopped: its stores are closed, and stop() would not close new servers.
      if (stopped) throw new Error('this mock has been stopped; create a new one to listen again');
      if (servers.length > 0) return url;
      const us = await listen(opts.port, false);
      let eu: Server;
      try {
        eu = await listen(opts.euPort, true);
      } catch (err) {
        await close(us);
        throw err;
      }
      servers = [us, eu];
      shared.ports.us = (us.address() as AddressInfo).port;
      shared.ports.eu = (eu.address() as AddressInfo).port;
      url = localBaseUrl(opts.host, shared.ports.us);
      euUrl = localBaseUrl(opts.host, shared.ports.eu);
      logger.debug(`listening on ${url} (US) and ${euUrl} (EU)`); // the CLI banner says it at info level
      return url;
    },
    async reset() {
      await Promise.all(opened.map((a) => a.reset()));
    },
    stop() {
      stopped ??= (async () => {
        // Live streams (the dashboard's) would otherwise hold the close for its whole grace period.
        for (const a of opened) a.ctx.bus.emit('shutdown', {});
        await Promise.all(servers.map(close));
        await Promise.all(opened.map((a) => a.stop()));
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

// Starts one server under test on 127.0.0.1, port 0: the mock (built dist/) or the bare Express 5
// baseline, seeded for a scenario; for the `send` scenario, the mock with webhooks registered or the
// bare node:http send baseline (send-baseline.mjs); for the `store` scenario, the mock on a memory
// store or on a data file, timed from the call to listening. Used in-process or from server-child.mjs.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { startMailgunMock } from '../../dist/index.js';
import { createBaselineApp } from './baseline.mjs';
import { createFixtures, STORE_FIXTURES } from './scenarios.mjs';
import { STORE_RETAIN } from './store.mjs';
import { createSendBaseline } from './send-baseline.mjs';

/**
 * @param {'mock' | 'baseline'} kind
 * @param {{ scenario: 'list' | 'create', domains?: number } | { scenario: 'send', signingKey: string, hooks: Record<string, Record<string, string[]>>, client?: 'fetch' | 'http' } | { scenario: 'store', dataFile?: string, options?: object }} spec
 *   `domains`: how many empty domains the create walk may use; `hooks`: domain → event → webhook URLs;
 *   `client`: the send baseline's HTTP client; `dataFile`: the store scenario's data file (none: in
 *   memory), `options`: more mock options
 * @returns {Promise<{ url: string, stop: () => Promise<void>, info?: object }>}
 */
export async function startServer(kind, spec) {
  if (spec.scenario === 'send') return startSendServer(kind, spec);
  if (spec.scenario === 'store') return startStoreServer(kind, spec);
  const fixtures = spec.scenario === 'create' ? createFixtures(spec.domains ?? 1) : undefined;
  if (kind === 'mock') {
    // rateLimit 0: the documented 300/min limiter would answer 429 almost at once; no apiKeys: any key.
    const mock = await startMailgunMock({ port: 0, host: '127.0.0.1', rateLimit: 0, logLevel: 'silent', ...(fixtures ? { fixtures } : {}) });
    return { url: mock.url, stop: () => mock.stop() };
  }
  const server = createServer(createBaselineApp(fixtures));
  server.keepAliveTimeout = 5_000; // as the mock sets it
  return listen(server);
}

async function listen(server, onStop = () => {}) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        onStop();
      }),
  };
}

async function startSendServer(kind, { signingKey, hooks, client }) {
  if (kind === 'mock') {
    // One domain per hook set; current webhook names take a list of URLs. Nothing else is seeded,
    // so no event is ever posted outside this machine.
    const fixtures = {
      domains: Object.entries(hooks).map(([name, events]) => ({
        name,
        createdAt: '2026-01-01T00:00:00.000Z',
        webhooks: Object.fromEntries(Object.entries(events).map(([event, urls]) => [event, { urls }])),
      })),
    };
    const mock = await startMailgunMock({ port: 0, host: '127.0.0.1', rateLimit: 0, logLevel: 'silent', signingKey, fixtures });
    return { url: mock.url, stop: () => mock.stop() };
  }
  const { server, close } = createSendBaseline({ signingKey, domains: hooks, client });
  return listen(server, close);
}

/**
 * The store scenario's mock: the store fixtures, retention above anything a run reaches, and the
 * data file if any. `info`: how long startMailgunMock took (open the store, build the app, listen)
 * and what the store holds once started (the bench checks it against the file it wrote).
 */
async function startStoreServer(kind, { dataFile, options = {} }) {
  if (kind !== 'mock') throw new Error('the store scenario measures the mock only');
  const t0 = performance.now();
  const mock = await startMailgunMock({ port: 0, host: '127.0.0.1', rateLimit: 0, logLevel: 'silent', fixtures: STORE_FIXTURES, ...STORE_RETAIN, ...(dataFile ? { dataFile } : {}), ...options });
  const startMs = performance.now() - t0;
  const { state, kind: storage } = mock.store;
  return { url: mock.url, stop: () => mock.stop(), info: { startMs: Math.round(startMs * 10) / 10, storage, messages: state.messages.length, events: state.events.length } };
}

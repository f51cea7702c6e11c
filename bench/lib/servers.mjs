// Starts one server under test on 127.0.0.1, port 0: the mock (built dist/) or the bare Express 5
// baseline, seeded for a scenario. Used in-process or from server-child.mjs.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { startMailgunMock } from '../../dist/index.js';
import { createBaselineApp } from './baseline.mjs';
import { createFixtures } from './scenarios.mjs';

/**
 * @param {'mock' | 'baseline'} kind
 * @param {{ scenario: 'list' | 'create', domains?: number }} spec  `domains`: how many empty domains the create walk may use
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startServer(kind, spec) {
  const fixtures = spec.scenario === 'create' ? createFixtures(spec.domains ?? 1) : undefined;
  if (kind === 'mock') {
    // rateLimit 0: the documented 300/min limiter would answer 429 almost at once; no apiKeys: any key.
    const mock = await startMailgunMock({ port: 0, host: '127.0.0.1', rateLimit: 0, logLevel: 'silent', ...(fixtures ? { fixtures } : {}) });
    return { url: mock.url, stop: () => mock.stop() };
  }
  const server = createServer(createBaselineApp(fixtures));
  server.keepAliveTimeout = 5_000; // as the mock sets it
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

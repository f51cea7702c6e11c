// AppContext: everything a request handler may use, built once per mock. No globals: two mocks in
// one process share nothing.
import type { ResolvedOptions } from './config.js';
import type { FaultEngine } from './faults/registry.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { JournalRecorder } from './services/journal.js';
import type { RateLimiter } from './services/rate-limiter.js';
import type { Seed } from './store/seed.js';
import type { Store } from './store/types.js';

export interface AppContext {
  options: ResolvedOptions;
  seed: Seed;
  store: Store;
  faults: FaultEngine;
  journal: JournalRecorder;
  rateLimiter: RateLimiter;
  clock: Clock;
  logger: Logger;
  /** Keys the account accepts; empty means any non-empty key. */
  apiKeys: ReadonlySet<string>;
  /** The account's HTTP webhook signing key. */
  signingKey: string;
  /** The package version, for health and banners. */
  version: string;
}

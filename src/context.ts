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
import type { Bus } from './lib/bus.js';
import type { Scheduler } from './lib/scheduler.js';
import type { OutcomeEngine } from './outcomes/registry.js';
import type { DeliveryEngine } from './services/delivery.js';
import type { MockTopics } from './services/wait.js';
import type { Dispatcher } from './webhooks/dispatcher.js';
import type { Poster } from './webhooks/http-post.js';

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
  /** The account's HTTP webhook signing key (read from the state: it can be regenerated). */
  readonly signingKey: string;
  /** The account id in event payloads (`account.id`). */
  accountId: string;
  outcomes: OutcomeEngine;
  scheduler: Scheduler;
  dispatcher: Dispatcher;
  /** The webhook HTTP client (deliveries and test events). */
  poster: Poster;
  /** "Now" for webhook signatures: real time, or the mock clock with signatureClock 'mock'. */
  signatureNow(): number;
  delivery: DeliveryEngine;
  bus: Bus<MockTopics>;
  /** The package version, for health and banners. */
  version: string;
}

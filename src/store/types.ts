// The shape of the mock's state and the Store interface both backends implement. State is plain
// JSON (arrays of records, no name-keyed objects), so names like `__proto__` are just data.

/** The Mailgun region a domain lives in. */
export type Region = 'us' | 'eu';

/** One webhook name on a domain. Legacy names hold one URL and answer `{url}`; current names answer `{urls}`. */
export interface WebhookRecord {
  name: string;
  urls: string[];
  legacy: boolean;
}

/** One domain of the account and its webhooks. */
export interface DomainRecord {
  /** Lower-cased domain name. */
  name: string;
  region: Region;
  createdAt: string;
  /** In the order they were set: lists replay in this order (the seed lists `open` before `click`). */
  webhooks: WebhookRecord[];
}

/** Everything the mock keeps (what the data file holds under `state`). */
export interface MockState {
  domains: DomainRecord[];
}

/** Where state lives. Changes go through `mutate`, which applies them at once and resolves when durable. */
export interface Store {
  /** `memory` or `file`. */
  readonly kind: 'memory' | 'file';
  /** The current state. Read it freely; change it only inside `mutate`. */
  readonly state: MockState;
  /**
   * Applies `change` to the state synchronously (so concurrent requests never interleave inside it)
   * and resolves with its result once the change is durable (at once for memory; after the group
   * write that contains it for a file).
   */
  mutate<T>(change: (state: MockState) => T): Promise<T>;
  /** Restores the seed state. */
  reset(): Promise<void>;
  /** Waits until every change made so far is durable. */
  flush(): Promise<void>;
  /** Flushes and releases the backend. */
  close(): Promise<void>;
}

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

/** The domain's open, click and unsubscribe tracking (Mailgun's domain tracking settings). */
export interface TrackingSettings {
  open: boolean;
  click: boolean;
  unsubscribe: boolean;
}

/** A bounces-list entry: sends to it fail with 605. */
export interface BounceRecord {
  address: string;
  code: string;
  error: string;
  createdAt: string;
}

/** An unsubscribes-list entry: `tags` `['*']` is domain-wide; otherwise only messages with one of the tags fail (606). */
export interface UnsubscribeRecord {
  address: string;
  tags: string[];
  createdAt: string;
}

/** A complaints-list entry: sends to it fail with 607. */
export interface ComplaintRecord {
  address: string;
  createdAt: string;
}

/** An allowlist entry (Mailgun's `whitelists`): an address or a whole domain that never joins the bounces list. */
export interface AllowlistRecord {
  value: string;
  type: 'address' | 'domain';
  reason: string;
  createdAt: string;
}

/** An account-level (v1) webhook: one URL for several event types, on every domain of its region. */
export interface AccountWebhookRecord {
  /** 24 hex characters. */
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
  createdAt: string;
  region: Region;
}

/** One domain of the account and its webhooks. */
export interface DomainRecord {
  /** Lower-cased domain name. */
  name: string;
  region: Region;
  createdAt: string;
  /** In the order they were set: lists replay in this order (the seed lists `open` before `click`). */
  webhooks: WebhookRecord[];
  tracking: TrackingSettings;
  bounces: BounceRecord[];
  unsubscribes: UnsubscribeRecord[];
  complaints: ComplaintRecord[];
  allowlist: AllowlistRecord[];
  /** Domains API settings; absent ones read as Mailgun's defaults for a verified custom domain. */
  state?: 'active' | 'unverified' | 'disabled';
  type?: 'custom' | 'sandbox';
  spamAction?: 'disabled' | 'block' | 'tag';
  wildcard?: boolean;
  webScheme?: 'http' | 'https';
  webPrefix?: string;
  smtpLogin?: string;
  smtpPassword?: string;
  requireTls?: boolean;
  skipVerification?: boolean;
}

/** A file sent with a message (`attachment` or `inline`), content kept as base64. */
export interface StoredFile {
  field: 'attachment' | 'inline';
  filename: string;
  contentType: string;
  size: number;
  /** The bytes, base64. */
  content: string;
  /** The part's Content-ID without `<>` (MIME sends), which `cid:` references name. */
  contentId?: string;
}

/** A message accepted by `POST /v3/{domain}/messages` or `/messages.mime`. */
export interface MessageRecord {
  /** The Message-Id without angle brackets (`20261126195501.3f2a9c1e5b7d4a10@samples.mailgun.org`). */
  id: string;
  domain: string;
  /** The key of its `storage` object in events. */
  storageKey: string;
  /** The API base URL it was sent to: storage URLs in its events point there. */
  apiBase: string;
  /** Which endpoint took it. */
  api: 'messages' | 'messages.mime';
  /** Epoch ms (mock clock) it was accepted. */
  acceptedAt: number;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  /** Every recipient address (To, Cc, Bcc; for MIME sends the `to` field), bare and in order. */
  recipients: string[];
  subject: string;
  text?: string;
  html?: string;
  ampHtml?: string;
  template?: string;
  /** `h:` headers, names as sent. */
  headers: Record<string, string>;
  /** `v:` variables (values as sent; JSON strings stay strings). */
  variables: Record<string, string>;
  /** `recipient-variables`, by address. */
  recipientVariables: Record<string, Record<string, unknown>>;
  /** `o:` options as sent (each name's values). */
  options: Record<string, string[]>;
  tags: string[];
  testMode: boolean;
  /** Per-message tracking (`o:tracking*`); undefined follows the domain's setting. */
  tracking: { opens?: boolean; clicks?: boolean | 'htmlonly' };
  /** `o:deliverytime` as epoch ms, when given. */
  deliveryTime?: number;
  attachments: StoredFile[];
  /** The raw MIME message of a `messages.mime` send, base64. */
  mime?: string;
  /** Size in bytes of what was sent (fields and files). */
  size: number;
}

/** The `event-data` object of an event: what the Events API lists and webhooks post. */
export interface EventData {
  event: string;
  id: string;
  /** Epoch seconds with microseconds. */
  timestamp: number;
  'log-level': string;
  [field: string]: unknown;
}

/** One stored event. */
export interface EventRecord {
  /** Order of creation within this mock (ties in `timestamp` keep this order). */
  seq: number;
  domain: string;
  messageId?: string;
  recipient?: string;
  data: EventData;
}

/** Everything the mock keeps (what the data file holds under `state`). */
export interface MockState {
  domains: DomainRecord[];
  /** The account's HTTP webhook signing key (`/v5/accounts/http_signing_key` regenerates it). */
  signingKey: string;
  /** Oldest first. */
  messages: MessageRecord[];
  /** Oldest first (by `seq`). */
  events: EventRecord[];
  /** The next event `seq`. */
  nextSeq: number;
  /** Account-level (v1) webhooks, oldest first. */
  accountWebhooks: AccountWebhookRecord[];
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

// Fault rules as data: what a rule matches and what it answers.

/** Named, Mailgun-shaped answers a rule can give. */
export const FAULT_PRESETS = ['rate-limited', 'server-error', 'bad-gateway', 'unavailable', 'gateway-timeout', 'unauthorized', 'not-found', 'bad-request'] as const;
/** A preset's name (see the README's preset table). */
export type FaultPreset = (typeof FAULT_PRESETS)[number];

/**
 * A fault rule as users write it (programmatically, as JSON to `/__mock/faults`, or as a
 * `key=value,…` spec on the CLI and in the `X-Mailgun-Mock-Fault` header).
 * Give at most one of `preset`, `status`, `drop`; `delayMs` may go with any of them, or alone
 * to slow the real answer down.
 */
export interface FaultRuleInput {
  /** Route id to match (`webhooks.create`), a prefix glob (`webhooks.*`) or `*`. Default: every Mailgun route. */
  route?: string;
  /** HTTP method to match. */
  method?: string;
  /** Domain to match (case-insensitive). */
  domain?: string;
  /** Webhook name to match (`delivered`, `open`…). */
  webhook?: string;
  /** Answer with a named preset. */
  preset?: FaultPreset;
  /** Answer with this status (4xx/5xx) and a Mailgun-shaped body. */
  status?: number;
  /** Replaces the `message` of the body. */
  message?: string;
  /** Replaces the whole body (an object is sent as JSON, a string as text/plain). */
  body?: Record<string, unknown> | string;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Wait this long (real milliseconds) before answering. */
  delayMs?: number;
  /** Destroy the connection without an answer. */
  drop?: boolean;
  /** Fire this many times, then stop. Default: every time. */
  times?: number;
  /** Fire with this probability (0–1), drawn from the mock's seeded random source. Default 1. */
  probability?: number;
}

/** A rule in the registry. */
export interface FaultRule extends FaultRuleInput {
  id: string;
  /** How many times it has fired. */
  hits: number;
  /** Fires left, or null for unlimited. */
  remaining: number | null;
}

/** What a rule is matched against. */
export interface FaultTarget {
  routeId: string;
  method: string;
  domain?: string;
  webhook?: string;
}

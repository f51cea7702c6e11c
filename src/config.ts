// Options for a mock: their types, defaults and checks. Nothing here reads argv or env; the CLI
// turns those into these same options.
import type { Clock } from './lib/clock.js';
import { LOG_LEVELS, type LogLevel } from './lib/logger.js';
import type { FaultRuleInput } from './faults/types.js';
import type { OutcomeRuleInput } from './outcomes/rules.js';
import type { FixtureData } from './store/seed.js';

/** Everything a mock can be told at creation. All optional. */
export interface MailgunMockOptions {
  /** Port to listen on; 0 picks a free one. Default 0 programmatically, 8465 from the CLI. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port of the EU region (a second listener); 0 picks a free one. Default 0 programmatically, 8466 from the CLI. */
  euPort?: number;
  /** Give each API key its own account (state, faults, journal, rate limit), seeded from the fixtures on first use: the way to share one mock between parallel test workers. Default false. */
  accountPerKey?: boolean;
  /**
   * Host names a request may name besides localhost (and *.localhost), IP addresses, Mailgun's API
   * hosts, host.docker.internal and `host` (DNS-rebinding protection), or `'all'` to accept any.
   * Default: none more, whatever the interface (as Vite's dev server); a Docker network that
   * reaches the mock by a service name lists that name.
   */
  allowedHosts?: string[] | 'all';
  /** Keep state in this JSON file (lowdb snapshot plus a write-ahead log, `<file>.wal`). Default: in memory. */
  dataFile?: string;
  /** With `dataFile`: sync each write to the disk before a change is acknowledged (survives a power cut, not only a crash). Default false. */
  dataFsync?: boolean;
  /** Fixtures to seed from: a file path or the data itself. Default: the package's `fixtures/default.json`. */
  fixtures?: string | FixtureData;
  /** API keys the account accepts (added to any in the fixtures). None at all: any non-empty key is accepted. */
  apiKeys?: string[];
  /** Webhook API requests per minute per account; 0 switches the limiter off. Default 300, as Mailgun documents. */
  rateLimit?: number;
  /** The rate-limit window in ms. Default 60000. */
  rateLimitWindowMs?: number;
  /** Fault rules in force from the start (and after every reset): rule objects or `key=value,…` specs. */
  faults?: Array<FaultRuleInput | string>;
  /** Seed of the random source behind fault probabilities. Default 1. */
  faultSeed?: number;
  /** The account's HTTP webhook signing key. Default: the fixtures' `signingKey`, else a fixed documented key. */
  signingKey?: string;
  /** How many requests the journal keeps (oldest dropped first). Default 1000. */
  journalLimit?: number;
  /** Largest request body accepted, in bytes. Default 26214400 (25 MiB, Mailgun's message size limit). */
  maxBodyBytes?: number;
  /** Log level for stderr. Default `silent` programmatically, `info` from the CLI. */
  logLevel?: LogLevel;
  /** Injected clock (tests freeze or advance time with it). Default: real time. */
  clock?: Clock;
  /** Speed of the default clock against real time (60 = a minute per second). Ignored with `clock`. Default 1. */
  clockSpeed?: number;
  /** Waits between webhook attempts in ms (attempt n+1 is due this long after attempt n). Default Mailgun's: 10 min, 10 min, 15 min, 30 min, 1 h, 2 h, 4 h. */
  webhookRetrySchedule?: number[];
  /** How long a webhook handler may take to answer, in ms, before the attempt counts as failed. Default 10000. */
  webhookTimeoutMs?: number;
  /** Whether `delivered` webhooks are retried like the others (Mailgun's docs disagree). Default true. */
  retryDelivered?: boolean;
  /** Whether webhook signatures carry real time (`real`, what a receiver's freshness check expects) or the mock clock's (`mock`). Default `real`. */
  signatureClock?: 'real' | 'mock';
  /** Waits between delivery attempts of a soft-failing (temporary_fail) recipient, in ms; after the last one the message fails with reason `old`. Default: the webhook schedule's default. */
  deliveryRetrySchedule?: number[];
  /** Mock-clock ms between a message being accepted and its outcome (delivered, failed…). Default 0: in the same write, before the API answers. */
  deliveryDelayMs?: number;
  /** Outcome rules in force from the start and after every reset (added to the fixtures' rules). */
  outcomes?: OutcomeRuleInput[];
  /** How many webhook deliveries the delivery journal keeps (oldest dropped first). Default 1000. */
  deliveryLimit?: number;
  /** How many messages each account keeps (the oldest go first, in steps of a tenth). Default 10000. */
  retainMessages?: number;
  /** How many events each account keeps (the oldest go first, in steps of a tenth). Default 100000. */
  retainEvents?: number;
}

/** Options after defaults are applied and checked. */
export interface ResolvedOptions {
  port: number;
  euPort: number;
  accountPerKey: boolean;
  allowedHosts: string[] | 'all';
  host: string;
  dataFile?: string;
  dataFsync: boolean;
  fixtures?: string | FixtureData;
  apiKeys: string[];
  rateLimit: number;
  rateLimitWindowMs: number;
  faults: Array<FaultRuleInput | string>;
  faultSeed: number;
  signingKey?: string;
  journalLimit: number;
  maxBodyBytes: number;
  logLevel: LogLevel;
  clock?: Clock;
  clockSpeed: number;
  webhookRetrySchedule: number[];
  webhookTimeoutMs: number;
  retryDelivered: boolean;
  signatureClock: 'real' | 'mock';
  deliveryRetrySchedule: number[];
  deliveryDelayMs: number;
  outcomes: OutcomeRuleInput[];
  deliveryLimit: number;
  retainMessages: number;
  retainEvents: number;
}

const MINUTE = 60_000;
/** Mailgun's documented webhook retry schedule (the older docs and the help center; see docs/api-coverage.md). */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [10 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 120 * MINUTE, 240 * MINUTE];

/** The CLI's default EU-region port (the US port + 1). */
export const DEFAULT_EU_PORT = 8466;

/** The CLI's default port: clear of 3000, 8080, 8025 (Mailpit), 4010 (Prism) and other usual suspects. */
export const DEFAULT_PORT = 8465;
/** Mailgun's documented webhook API limit. */
export const DEFAULT_RATE_LIMIT = 300;
/** A fixed signing key, so that signatures are reproducible until you choose your own. */
export const DEFAULT_SIGNING_KEY = 'key-6d61696c67756e2d6d6f636b2d6b6579'; // hex of "mailgun-mock-key"

export class OptionsError extends Error {
  override name = 'OptionsError';
}

/** Applies defaults and checks every option. @throws OptionsError */
/** A host name as `allowedHosts` takes it: letters, digits, `-`, `_` and dots, no wildcard. */
export const isHostName = (name: string): boolean => /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,252}$/.test(name);

export function resolveOptions(options: MailgunMockOptions = {}): ResolvedOptions {
  const o = { ...options };
  const int = (name: string, v: number | undefined, min: number, max: number, dflt: number) => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v) || v < min || v > max) throw new OptionsError(`option ${name} must be a whole number from ${min} to ${max} (got ${String(v)})`);
    return v;
  };
  if (o.logLevel !== undefined && !LOG_LEVELS.includes(o.logLevel)) throw new OptionsError(`option logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  if (o.apiKeys !== undefined && (!Array.isArray(o.apiKeys) || o.apiKeys.some((k) => typeof k !== 'string' || k.length === 0))) {
    throw new OptionsError('option apiKeys must be a list of non-empty strings');
  }
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host.length === 0)) throw new OptionsError('option host must be a non-empty string');
  if (o.allowedHosts !== undefined && o.allowedHosts !== 'all' && (!Array.isArray(o.allowedHosts) || o.allowedHosts.some((h) => typeof h !== 'string' || !isHostName(h)))) {
    throw new OptionsError("option allowedHosts must be 'all' or a list of host names");
  }
  if (o.signingKey !== undefined && (typeof o.signingKey !== 'string' || o.signingKey.length === 0)) throw new OptionsError('option signingKey must be a non-empty string');
  const schedule = (name: string, v: number[] | undefined): number[] => {
    if (v === undefined) return [...DEFAULT_RETRY_SCHEDULE];
    if (!Array.isArray(v) || v.length > 100 || v.some((n) => !Number.isInteger(n) || n < 0 || n > 7 * 24 * 60 * MINUTE)) {
      throw new OptionsError(`option ${name} must be a list of at most 100 waits in whole milliseconds (0 to 7 days each)`);
    }
    return [...v];
  };
  if (o.clockSpeed !== undefined && (typeof o.clockSpeed !== 'number' || !(o.clockSpeed > 0) || o.clockSpeed > 1_000_000)) {
    throw new OptionsError('option clockSpeed must be a number above 0 and at most 1000000');
  }
  if (o.accountPerKey !== undefined && typeof o.accountPerKey !== 'boolean') throw new OptionsError('option accountPerKey must be true or false');
  if (o.port !== undefined && o.euPort !== undefined && o.port !== 0 && o.port === o.euPort) throw new OptionsError('options port and euPort must differ');
  if (o.dataFsync !== undefined && typeof o.dataFsync !== 'boolean') throw new OptionsError('option dataFsync must be true or false');
  if (o.dataFsync && !o.dataFile) throw new OptionsError('option dataFsync needs dataFile (there is nothing to sync in memory)');
  if (o.retryDelivered !== undefined && typeof o.retryDelivered !== 'boolean') throw new OptionsError('option retryDelivered must be true or false');
  if (o.signatureClock !== undefined && o.signatureClock !== 'real' && o.signatureClock !== 'mock') throw new OptionsError("option signatureClock must be 'real' or 'mock'");
  if (o.outcomes !== undefined && !Array.isArray(o.outcomes)) throw new OptionsError('option outcomes must be a list of outcome rules');
  const resolved: ResolvedOptions = {
    clockSpeed: o.clockSpeed ?? 1,
    webhookRetrySchedule: schedule('webhookRetrySchedule', o.webhookRetrySchedule),
    webhookTimeoutMs: int('webhookTimeoutMs', o.webhookTimeoutMs, 1, 600_000, 10_000),
    retryDelivered: o.retryDelivered ?? true,
    signatureClock: o.signatureClock ?? 'real',
    deliveryRetrySchedule: schedule('deliveryRetrySchedule', o.deliveryRetrySchedule),
    deliveryDelayMs: int('deliveryDelayMs', o.deliveryDelayMs, 0, 7 * 24 * 60 * MINUTE, 0),
    outcomes: o.outcomes ?? [],
    deliveryLimit: int('deliveryLimit', o.deliveryLimit, 0, 1_000_000, 1000),
    retainMessages: int('retainMessages', o.retainMessages, 1, 10_000_000, 10_000),
    retainEvents: int('retainEvents', o.retainEvents, 1, 100_000_000, 100_000),
    port: int('port', o.port, 0, 65535, 0),
    euPort: int('euPort', o.euPort, 0, 65535, 0),
    accountPerKey: o.accountPerKey ?? false,
    allowedHosts: o.allowedHosts === 'all' ? 'all' : (o.allowedHosts ?? []).map((h) => h.toLowerCase().replace(/\.$/, '')),
    host: o.host ?? '127.0.0.1',
    dataFile: o.dataFile,
    dataFsync: o.dataFsync ?? false,
    fixtures: o.fixtures,
    apiKeys: o.apiKeys ?? [],
    rateLimit: int('rateLimit', o.rateLimit, 0, 1_000_000_000, DEFAULT_RATE_LIMIT),
    rateLimitWindowMs: int('rateLimitWindowMs', o.rateLimitWindowMs, 1, 86_400_000, 60_000),
    faults: o.faults ?? [],
    faultSeed: int('faultSeed', o.faultSeed, 0, 2 ** 32 - 1, 1),
    signingKey: o.signingKey,
    journalLimit: int('journalLimit', o.journalLimit, 0, 1_000_000, 1000),
    maxBodyBytes: int('maxBodyBytes', o.maxBodyBytes, 1024, 1024 ** 3, 25 * 1024 * 1024),
    logLevel: o.logLevel ?? 'silent',
    clock: o.clock,
  };
  // A misspelt option (`dataFlie`) would otherwise be ignored without a word, and the mock run
  // without what it was asked for.
  for (const name of Object.keys(o)) {
    if (!(name in resolved)) throw new OptionsError(`unknown option ${name} (the options are the CLI's in camelCase: see README, Configuration)`);
  }
  return resolved;
}

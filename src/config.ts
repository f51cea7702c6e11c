// Options for a mock: their types, defaults and checks. Nothing here reads argv or env; the CLI
// turns those into these same options.
import type { Clock } from './lib/clock.js';
import { LOG_LEVELS, type LogLevel } from './lib/logger.js';
import type { FaultRuleInput } from './faults/types.js';
import type { FixtureData } from './store/seed.js';

/** Everything a mock can be told at creation. All optional. */
export interface MailgunMockOptions {
  /** Port to listen on; 0 picks a free one. Default 0 programmatically, 8465 from the CLI. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Keep state in this JSON file (lowdb). Default: in memory. */
  dataFile?: string;
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
}

/** Options after defaults are applied and checked. */
export interface ResolvedOptions {
  port: number;
  host: string;
  dataFile?: string;
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
}

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
  if (o.signingKey !== undefined && (typeof o.signingKey !== 'string' || o.signingKey.length === 0)) throw new OptionsError('option signingKey must be a non-empty string');
  return {
    port: int('port', o.port, 0, 65535, 0),
    host: o.host ?? '127.0.0.1',
    dataFile: o.dataFile,
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
}

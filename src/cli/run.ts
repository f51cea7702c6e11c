// The CLI's front door: the only module that reads process.argv and process.env. It parses them
// with yargs (configured from the option table), turns them into MailgunMockOptions and hands
// over to serve or healthcheck. Exit codes: 0 fine, 1 runtime failure, 2 usage or config error.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isHostName, type MailgunMockOptions } from '../config.js';
import { FaultRuleError, parseFaultSpec } from '../faults/rules.js';
import type { LogLevel } from '../lib/logger.js';
import { PACKAGE_VERSION } from '../lib/version.js';
import { CLI_OPTIONS, CONFIG_OPTION, ENV_PREFIX, envName, helpDescription, yargsOptions } from './options.js';
import { healthcheck } from './healthcheck.js';
import { describeStartError, serve } from './serve.js';

/** A mistake in how the CLI was called or configured: one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type CliCommand =
  | { kind: 'serve'; options: MailgunMockOptions & { port: number; host: string; logLevel: LogLevel } }
  | { kind: 'healthcheck'; host: string; port: number }
  | { kind: 'done' }; // --help or --version, already printed

const PATH_OPTIONS = ['data', 'fixtures'];

function readConfigFile(path: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`config file ${path} ${e.code ? `cannot be read (${e.code})` : `is not valid JSON (${e.message})`}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`config file ${path} must hold a JSON object of options`);
  // Paths in a config file mean what they say next to it, wherever the mock is started from.
  const out = { ...(data as Record<string, unknown>) };
  for (const key of PATH_OPTIONS) {
    const v = out[key];
    if (typeof v === 'string' && v.length > 0 && !isAbsolute(v)) out[key] = resolve(dirname(path), v);
  }
  return out;
}

function buildParser(args: string[]) {
  const config = CLI_OPTIONS.find((o) => o.name === CONFIG_OPTION)!;
  return yargs(args)
    .scriptName('mailgun-mock')
    .usage('$0 [options]\n\nA local stand-in for the Mailgun HTTP API.')
    .command('$0', 'Start the mock and print its URL (the default)')
    .command('healthcheck', "Exit 0 if a mock answers GET /__mock/health on --host/--port, else 1 (Docker's HEALTHCHECK)")
    .options(yargsOptions())
    .config(CONFIG_OPTION, helpDescription(config), readConfigFile)
    .env(ENV_PREFIX)
    .strict()
    .example('$0', 'serve on http://127.0.0.1:8465, in memory, seeded from the bundled fixtures')
    .example('$0 --port 0 --api-key key-test', 'a free port; only key-test is accepted')
    .example('$0 --data ./mailgun-state.json', 'keep state in a file across restarts')
    .example("$0 --fault 'status=503,times=2'", 'the first two API requests get a 503')
    .example(`${envName('api-key')}=key-a,key-b $0`, 'options from the environment (a flag beats it)')
    .example('$0 healthcheck --port 8465', 'is a mock up on 127.0.0.1:8465?')
    .epilogue('Every option is also a MAILGUN_MOCK_* variable and a key of a --config file: flag > env > config file > default.')
    .version(PACKAGE_VERSION)
    .alias('help', 'h')
    .wrap(100)
    .exitProcess(false)
    .fail((msg, err) => {
      if (err instanceof UsageError) throw err;
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: …"); keep one line.
      const line = (msg || err?.message || 'invalid arguments').replace(/\s*\n\s*/g, ' ');
      throw new UsageError(unknownEnvMessage(msg) ?? line);
    });
}

/**
 * yargs reports a stray MAILGUN_MOCK_FOO as "Unknown argument: foo", which sends people hunting
 * through their flags; name the variable instead.
 */
function unknownEnvMessage(msg: string | undefined): string | undefined {
  const m = /^Unknown arguments?: (.+)$/.exec(msg ?? '');
  if (!m?.[1]) return undefined;
  const unknown = new Set(m[1].split(', '));
  const vars = Object.keys(process.env).filter((k) => {
    if (!k.startsWith(`${ENV_PREFIX}_`)) return false;
    const name = k.slice(ENV_PREFIX.length + 1).toLowerCase().replace(/_([a-z0-9])/g, (_x, c: string) => c.toUpperCase());
    return unknown.has(name) || unknown.has(name.toLowerCase());
  });
  if (vars.length === 0) return undefined;
  const known = CLI_OPTIONS.map((o) => envName(o.name)).join(', ');
  return `unknown environment variable${vars.length > 1 ? 's' : ''} ${vars.join(', ')} (mailgun-mock reads ${known})`;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v.flat(Infinity) : [v]);

function strings(name: string, v: unknown, separator: string): string[] {
  return list(v).flatMap((item) => {
    if (typeof item !== 'string' && typeof item !== 'number') throw new UsageError(`--${name} takes text values`);
    const text = String(item).trim();
    // A JSON fault spec is one rule even when its message holds the separator.
    const parts = text.startsWith('{') ? [text] : text.split(separator);
    return parts.map((p) => p.trim()).filter((p) => p.length > 0);
  });
}

function integer(name: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}${typeof v === 'string' ? ` (got '${v}')` : ''}`);
  }
  return n;
}

function text(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} needs a value`);
  return v;
}

/** `10m,10m,15m` (or milliseconds, or `30s`, `1h`, `500ms`) → milliseconds. */
export function parseDurations(name: string, v: unknown): number[] {
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || text.trim() === '') throw new UsageError(`--${name} needs a comma-separated list of waits such as 10m,10m,15m`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return text.split(',').map((part) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(part);
    if (!m) throw new UsageError(`--${name}: '${part.trim()}' is not a wait (use milliseconds, or a number with ms, s, m or h)`);
    return Math.round(Number(m[1]) * unit[m[2] ?? 'ms']!);
  });
}

function positive(name: string, v: unknown): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !(n > 0) || n > 1_000_000) throw new UsageError(`--${name} must be a number above 0 and at most 1000000`);
  return n;
}

/**
 * Parses arguments (and, through yargs, process.env and any --config file) into a command.
 * @throws UsageError for anything the user should fix.
 */
export async function parseCli(args: string[]): Promise<CliCommand> {
  const argv = (await buildParser(args).parseAsync()) as Record<string, unknown> & { _: Array<string | number> };
  if (argv.help === true || argv.version === true) return { kind: 'done' };
  const port = integer('port', argv.port, 0, 65535);
  // The EU port follows the US one: 8465 → 8466, and a free port when the US port is free too.
  const euPort = argv.euPort !== undefined ? integer('eu-port', argv.euPort, 0, 65535) : port === 0 || port === 65535 ? 0 : port + 1;
  if (port !== 0 && port === euPort) throw new UsageError(`--port and --eu-port must differ (both are ${port})`);
  const host = text('host', argv.host) ?? '127.0.0.1';
  if (argv._[0] === 'healthcheck') return { kind: 'healthcheck', host, port };

  const faults = strings('fault', argv.fault, ';').map((spec) => {
    try {
      return parseFaultSpec(spec);
    } catch (err) {
      if (err instanceof FaultRuleError) throw new UsageError(`--fault '${spec}': ${err.message}`);
      throw err;
    }
  });
  const data = text('data', argv.data);
  const fixtures = text('fixtures', argv.fixtures);
  if (argv.dataFsync === 'yes' && !data) throw new UsageError('--data-fsync yes needs --data <file.json> (there is nothing to sync in memory)');
  const apiKeys = strings('api-key', argv.apiKey, ',');
  const allowedHosts = strings('allowed-hosts', argv.allowedHosts, ',');
  for (const h of allowedHosts) if (h !== 'all' && !isHostName(h)) throw new UsageError(`--allowed-hosts '${h}': not a host name (or 'all'; no wildcards)`);
  return {
    kind: 'serve',
    options: {
      port,
      euPort,
      accountPerKey: argv.accountPerKey === 'yes',
      host,
      ...(data ? { dataFile: resolve(data) } : {}),
      ...(argv.dataFsync === 'yes' ? { dataFsync: true } : {}),
      ...(fixtures ? { fixtures: resolve(fixtures) } : {}),
      ...(apiKeys.length > 0 ? { apiKeys } : {}),
      ...(allowedHosts.length > 0 ? { allowedHosts: allowedHosts.includes('all') ? ('all' as const) : allowedHosts } : {}),
      rateLimit: integer('rate-limit', argv.rateLimit, 0, 1_000_000_000),
      faults,
      faultSeed: integer('fault-seed', argv.faultSeed, 0, 2 ** 32 - 1),
      ...(argv.signingKey !== undefined ? { signingKey: text('signing-key', argv.signingKey) } : {}),
      clockSpeed: positive('clock-speed', argv.clockSpeed),
      webhookRetrySchedule: parseDurations('webhook-retry-schedule', argv.webhookRetrySchedule),
      deliveryRetrySchedule: parseDurations('webhook-retry-schedule', argv.webhookRetrySchedule),
      webhookTimeoutMs: integer('webhook-timeout', argv.webhookTimeout, 1, 600_000),
      retryDelivered: argv.retryDelivered !== 'no',
      signatureClock: argv.signatureClock === 'mock' ? 'mock' : 'real',
      deliveryDelayMs: integer('delivery-delay', argv.deliveryDelay, 0, 7 * 24 * 3_600_000),
      retainMessages: integer('retain-messages', argv.retainMessages, 1, 10_000_000),
      retainEvents: integer('retain-events', argv.retainEvents, 1, 100_000_000),
      logLevel: argv.logLevel as LogLevel,
    },
  };
}

/** Runs the CLI with these arguments; resolves with the exit code once it is done. */
export async function run(args: string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = await parseCli(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`mailgun-mock: ${err.message} (see mailgun-mock --help)\n`);
    return 2;
  }
  if (command.kind === 'done') return 0;
  if (command.kind === 'healthcheck') return healthcheck(command.host, command.port);
  return serve(command.options);
}

/** The `mailgun-mock` executable: run with process.argv, then exit with the code. */
export async function main(): Promise<void> {
  let code: number;
  try {
    code = await run(hideBin(process.argv));
  } catch (err) {
    const { message } = describeStartError(err);
    process.stderr.write(`mailgun-mock: ${message}\n`);
    code = 1;
  }
  // Exit explicitly: a stray timer or keep-alive socket must not keep a stopped mock's process alive.
  process.exit(code);
}

// The one table of CLI options. yargs is configured from it and the README's configuration table
// is rendered from it, so --help, the MAILGUN_MOCK_* variables and the docs cannot drift apart.
import type { Options } from 'yargs';
import { DEFAULT_EU_PORT, DEFAULT_PORT, DEFAULT_RATE_LIMIT } from '../config.js';
import { LOG_LEVELS } from '../lib/logger.js';

/** One option: a `--flag`, a `MAILGUN_MOCK_*` variable and a key of a `--config` file. */
export interface CliOption {
  /** Flag name without dashes (kebab-case); also its key in a config file. */
  name: string;
  type: 'string' | 'number';
  /** Placeholder for the value in docs, e.g. `<file.json>`. */
  arg: string;
  default?: string | number;
  /** How the default reads when it is not a plain value. */
  defaultText?: string;
  choices?: readonly string[];
  /**
   * May be given several times. The env variable then holds several values split on this
   * separator: `;` for fault specs, because a spec itself is comma-separated.
   */
  repeatable?: { envSeparator: ',' | ';' };
  description: string;
  /** A flag as a user would type it. */
  example: string;
}

export const ENV_PREFIX = 'MAILGUN_MOCK';

/** `rate-limit` → `MAILGUN_MOCK_RATE_LIMIT` (the name yargs' `.env('MAILGUN_MOCK')` looks for). */
export function envName(name: string): string {
  return `${ENV_PREFIX}_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** The option that names a JSON config file (yargs reads it through `.config()`). */
export const CONFIG_OPTION = 'config';

export const CLI_OPTIONS: readonly CliOption[] = [
  {
    name: 'port',
    type: 'number',
    arg: '<port>',
    default: DEFAULT_PORT,
    description: 'Port to listen on; 0 picks a free one (the banner prints the URL).',
    example: '--port 0',
  },
  {
    name: 'eu-port',
    type: 'number',
    arg: '<port>',
    defaultText: `--port + 1 (${DEFAULT_EU_PORT}; a free port with --port 0)`,
    description: 'Port of the EU region (api.eu.mailgun.net): domains of the EU region answer here, US ones on --port; 0 picks a free one.',
    example: '--eu-port 0',
  },
  {
    name: 'account-per-key',
    type: 'string',
    arg: '<yes|no>',
    default: 'no',
    choices: ['yes', 'no'],
    description: 'Give each API key its own account (state, webhooks, messages, faults, journal, rate limit), seeded from the fixtures on first use: share one mock between parallel test workers.',
    example: '--account-per-key yes',
  },
  {
    name: 'host',
    type: 'string',
    arg: '<host>',
    default: '127.0.0.1',
    description: 'Interface to bind. The Docker image sets 0.0.0.0.',
    example: '--host 0.0.0.0',
  },
  {
    name: 'allowed-hosts',
    type: 'string',
    arg: '<name>',
    defaultText: 'none',
    repeatable: { envSeparator: ',' },
    description: "Host names requests may name besides localhost, *.localhost, IP addresses, api.mailgun.net, api.eu.mailgun.net, host.docker.internal and --host (DNS-rebinding protection), e.g. a Docker Compose service name; 'all' accepts any. Repeat for several; the variable takes a comma-separated list.",
    example: '--allowed-hosts mailgun.test',
  },
  {
    name: 'data',
    type: 'string',
    arg: '<file.json>',
    defaultText: 'in memory',
    description: 'Keep state in this JSON file (a snapshot plus a write-ahead log, <file>.wal, folded in at start and stop); a missing file starts from the fixtures. A change is answered once written.',
    example: '--data ./mailgun-state.json',
  },
  {
    name: 'data-fsync',
    type: 'string',
    arg: '<yes|no>',
    default: 'no',
    choices: ['yes', 'no'],
    description: 'With --data: sync each write to the disk (fdatasync) before answering, so a power cut loses nothing answered, not only a crash (slower; see docs/decisions/0010).',
    example: '--data-fsync yes',
  },
  {
    name: 'fixtures',
    type: 'string',
    arg: '<file.json>',
    defaultText: 'bundled fixtures/default.json',
    description: 'Seed data, checked against fixtures/schema.json at boot; a reset returns to it.',
    example: '--fixtures ./test/mailgun.json',
  },
  {
    name: 'api-key',
    type: 'string',
    arg: '<key>',
    defaultText: 'none (any non-empty key is accepted)',
    repeatable: { envSeparator: ',' },
    description: 'An API key the account accepts (HTTP Basic api:<key>). Repeat for several; the variable takes a comma-separated list.',
    example: '--api-key key-test',
  },
  {
    name: 'rate-limit',
    type: 'number',
    arg: '<n>',
    default: DEFAULT_RATE_LIMIT,
    description: 'Webhook API requests per minute per account; 0 switches the limiter off.',
    example: '--rate-limit 0',
  },
  {
    name: 'fault',
    type: 'string',
    arg: '<spec>',
    defaultText: 'none',
    repeatable: { envSeparator: ';' },
    description: 'A fault rule in force from boot and after every reset (see docs/faults.md). Repeat for several; the variable separates rules with ";".',
    example: "--fault 'preset=rate-limited,route=webhooks.create,times=2'",
  },
  {
    name: 'fault-seed',
    type: 'number',
    arg: '<n>',
    default: 1,
    description: 'Seed of the random source behind fault probabilities, so a run repeats.',
    example: '--fault-seed 42',
  },
  {
    name: 'log-level',
    type: 'string',
    arg: '<level>',
    default: 'info',
    choices: LOG_LEVELS,
    description: 'How much to log on stderr.',
    example: '--log-level debug',
  },
  {
    name: 'signing-key',
    type: 'string',
    arg: '<key>',
    defaultText: "the fixtures' signingKey, else a fixed key",
    description: 'The HTTP webhook signing key (the banner prints the one in force).',
    example: '--signing-key key-my-signing-key',
  },
  {
    name: 'clock-speed',
    type: 'number',
    arg: '<factor>',
    default: 1,
    description: 'How fast the mock clock runs against real time (60: an hour of webhook retries takes a minute). POST /__mock/clock/advance moves it on demand.',
    example: '--clock-speed 60',
  },
  {
    name: 'webhook-retry-schedule',
    type: 'string',
    arg: '<waits>',
    default: '10m,10m,15m,30m,1h,2h,4h',
    description: "Waits between webhook attempts (ms, or with s, m, h), Mailgun's documented schedule by default; also used for soft-bounce retries. After the last, the delivery is given up.",
    example: '--webhook-retry-schedule 5m,10m,15m,1h,2h,4h',
  },
  {
    name: 'webhook-timeout',
    type: 'number',
    arg: '<ms>',
    default: 10000,
    description: "How long a webhook handler may take to answer before the attempt counts as failed (and is retried).",
    example: '--webhook-timeout 2000',
  },
  {
    name: 'retry-delivered',
    type: 'string',
    arg: '<yes|no>',
    default: 'yes',
    choices: ['yes', 'no'],
    description: "Whether delivered webhooks are retried like the others (Mailgun's docs disagree; see docs/api-coverage.md).",
    example: '--retry-delivered no',
  },
  {
    name: 'signature-clock',
    type: 'string',
    arg: '<real|mock>',
    default: 'real',
    choices: ['real', 'mock'],
    description: "Whether webhook signatures carry real time (what a handler's freshness check expects, even after the mock clock was advanced) or the mock clock's time.",
    example: '--signature-clock mock',
  },
  {
    name: 'delivery-delay',
    type: 'number',
    arg: '<ms>',
    default: 0,
    description: "Mock-clock time between a message being accepted and its outcome (delivered, failed…); 0 records both before the send is answered.",
    example: '--delivery-delay 2000',
  },
  {
    name: 'retain-messages',
    type: 'number',
    arg: '<n>',
    default: 10000,
    description: 'How many messages each account keeps; past that the oldest go (a tenth at a time), with --data too.',
    example: '--retain-messages 100000',
  },
  {
    name: 'retain-events',
    type: 'number',
    arg: '<n>',
    default: 100000,
    description: 'How many events each account keeps; past that the oldest go (a tenth at a time).',
    example: '--retain-events 1000000',
  },
  {
    name: CONFIG_OPTION,
    type: 'string',
    arg: '<file.json>',
    defaultText: 'none',
    description: 'A JSON file holding any of these options by name; relative paths in it are resolved from its folder.',
    example: '--config ./mailgun-mock.json',
  },
];

/** The yargs option definitions (all but `config`, which yargs wires through `.config()`). */
export function yargsOptions(): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const o of CLI_OPTIONS) {
    if (o.name === CONFIG_OPTION) continue;
    out[o.name] = {
      type: o.type,
      description: helpDescription(o),
      ...(o.default !== undefined ? { default: o.default } : {}),
      ...(o.defaultText !== undefined ? { defaultDescription: o.defaultText } : {}),
      ...(o.choices ? { choices: [...o.choices] } : {}),
      // nargs 1: `--api-key a healthcheck` must not swallow the command as a second key.
      ...(o.repeatable ? { array: true, nargs: 1 } : { requiresArg: true }),
    };
  }
  return out;
}

/** The text --help shows for an option: the description plus its env variable. */
export function helpDescription(o: CliOption): string {
  return `${o.description} [env ${envName(o.name)}]`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
// Outside code spans, `<key>` would read as an HTML tag on GitHub.
const prose = (text: string) => cell(text).replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The README's configuration table, as Markdown. `npm run -s docs:options` prints it. */
export function optionsMarkdownTable(): string {
  const rows = CLI_OPTIONS.map((o) => {
    const flag = `\`--${o.name} ${o.arg}\``;
    const env = `\`${envName(o.name)}\``;
    const dflt = o.default !== undefined ? `\`${String(o.default)}\`` : o.defaultText ?? '';
    const choices = o.choices ? ` One of ${o.choices.map((c) => `\`${c}\``).join(', ')}.` : '';
    return `| ${cell(flag)} | ${env} | ${o.default !== undefined ? cell(dflt) : prose(dflt)} | ${prose(o.description) + choices} | \`${cell(o.example)}\` |`;
  });
  return ['| flag | environment variable | default | what it does | example |', '|---|---|---|---|---|', ...rows].join('\n');
}

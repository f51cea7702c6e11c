// The default command: start the mock through the same startMailgunMock the tests use, print the
// banner, and stop gracefully on SIGINT/SIGTERM (a second signal exits at once).
import type { MailgunMockOptions } from '../config.js';
import { OptionsError } from '../config.js';
import { FaultRuleError } from '../faults/rules.js';
import { createLogger, type LogLevel } from '../lib/logger.js';
import { startMailgunMock, type MailgunMock } from '../server.js';
import { DataFileError } from '../store/file.js';
import { FixtureError } from '../store/seed.js';

type ServeOptions = MailgunMockOptions & { port: number; host: string; logLevel: LogLevel };

/** What went wrong at start, as one line and an exit code (2: the user's configuration; 1: the rest). */
export function describeStartError(err: unknown, opts?: { port: number; host: string }): { code: number; message: string } {
  if (err instanceof FixtureError || err instanceof DataFileError || err instanceof OptionsError || err instanceof FaultRuleError) {
    return { code: 2, message: err.message };
  }
  const e = err as NodeJS.ErrnoException;
  const where = opts ? `port ${opts.port} on ${opts.host}` : 'the address';
  switch (e?.code) {
    case 'EADDRINUSE':
      return { code: 1, message: `${where} is already in use (choose another with --port, or --port 0 for a free one)` };
    case 'EACCES':
      return { code: 1, message: `no permission to listen on ${where} (ports below 1024 need privileges; choose another with --port)` };
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: 1, message: `cannot listen on ${where}: this machine has no such address (check --host)` };
    default:
      return { code: 1, message: `unexpected error: ${e instanceof Error ? e.message : String(err)}` };
  }
}

/** The startup banner. Its first line holds the URL, so scripts can read it. */
export function banner(mock: MailgunMock, opts: ServeOptions): string {
  const keys = mock.authMode === 'keys' ? (opts.apiKeys ?? []) : [];
  const exampleKey = keys[0] ?? 'key-anything';
  let keyLine =
    mock.authMode === 'keys'
      ? `checked: only configured keys are accepted${keys.length > 0 ? ` (${keys.join(', ')})` : ' (from the fixtures)'}`
      : 'any non-empty key is accepted (none configured; set --api-key to check keys)';
  if (mock.accountPerKey) keyLine += '; each key has its own account';
  const storage = opts.dataFile ? `data file ${opts.dataFile}` : 'in memory';
  const seed = typeof opts.fixtures === 'string' ? opts.fixtures : 'bundled fixtures/default.json';
  const lines = [
    `mailgun-mock listening on ${mock.url}`,
    `  regions        US ${mock.url}  EU ${mock.euUrl} (or Host api.mailgun.net / api.eu.mailgun.net)`,
    `  version        ${mock.version}`,
    `  API key        ${keyLine}`,
    `  storage        ${storage} (seed: ${seed})`,
    `  rate limit     ${opts.rateLimit === 0 ? 'off' : `${opts.rateLimit ?? 300} requests/minute per account`}`,
  ];
  const faults = opts.faults?.length ?? 0;
  if (faults > 0) lines.push(`  faults         ${faults} rule${faults === 1 ? '' : 's'} from boot (see ${mock.url}/__mock/faults)`);
  if (opts.host === '0.0.0.0' || opts.host === '::') lines.push(`  bound to       ${opts.host} (all interfaces)`);
  const allowed = opts.allowedHosts === 'all' ? 'any name' : (opts.allowedHosts ?? []).length > 0 ? `localhost, IP addresses, Mailgun's hosts and ${(opts.allowedHosts as string[]).join(', ')}` : "localhost, IP addresses and Mailgun's hosts (others: --allowed-hosts)";
  lines.push(`  host names     ${allowed}`);
  lines.push(
    `  dashboard      ${mock.url}/__mock/ui`,
    `  control plane  ${mock.url}/__mock`,
    `  signing key    ${mock.signingKey} (webhooks are signed with it)`,
    `  webhooks       retried after ${formatWaits(opts.webhookRetrySchedule)}; clock ${opts.clockSpeed !== undefined && opts.clockSpeed !== 1 ? `runs ×${opts.clockSpeed}` : 'is real time'} (POST ${mock.url}/__mock/clock/advance)`,
    `  mailgun.js     new Mailgun(FormData).client({ username: 'api', key: '${exampleKey}', url: '${mock.url}' })`,
    'Stop with Ctrl+C.',
  );
  return lines.join('\n') + '\n';
}

function formatWaits(ms: number[] | undefined): string {
  const list = ms ?? [600_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000];
  if (list.length === 0) return 'never (no retries)';
  const one = (n: number) => (n % 3_600_000 === 0 && n > 0 ? `${n / 3_600_000}h` : n % 60_000 === 0 && n > 0 ? `${n / 60_000}m` : n % 1000 === 0 && n > 0 ? `${n / 1000}s` : `${n}ms`);
  return list.map(one).join(', ');
}

/** Starts the mock and resolves with the exit code once a signal has stopped it. */
export async function serve(opts: ServeOptions): Promise<number> {
  const log = createLogger(opts.logLevel, (line) => process.stderr.write(line + '\n'));
  let mock: MailgunMock;
  try {
    mock = await startMailgunMock(opts);
  } catch (err) {
    const { code, message } = describeStartError(err, opts);
    process.stderr.write(`mailgun-mock: ${message}\n`);
    return code;
  }
  process.stdout.write(banner(mock, opts));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`mailgun-mock: ${signal} again, exiting without waiting\n`);
        process.exit(1);
      }
      stopping = true;
      log.info(`${signal}: stopping (finishing requests in flight, flushing the store)`);
      mock.stop().then(
        () => {
          log.info('stopped');
          resolve(0);
        },
        (err: unknown) => {
          process.stderr.write(`mailgun-mock: could not stop cleanly: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

// A small levelled logger. The mock logs to stderr so that stdout stays for the banner and
// for whatever the user's own process prints.

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
/** How much the mock logs on stderr, from nothing (`silent`) to everything (`debug`). */
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const at = (min: LogLevel, tag: string) => (message: string) => {
    if (rank >= LOG_LEVELS.indexOf(min)) write(`[mailgun-mock] ${tag} ${message}`);
  };
  return { error: at('error', 'error'), warn: at('warn', 'warn'), info: at('info', 'info'), debug: at('debug', 'debug') };
}

// The mock's sense of time. Everything that reads "now" (rate-limit windows, journal
// timestamps, event timestamps, delivery and webhook retries) asks the clock on ctx, so tests can freeze or advance it.

/** A source of time that tests can advance. */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Moves the clock forward by `ms` milliseconds (never backwards). */
  advance(ms: number): void;
  /** Total milliseconds added through `advance()` since creation. */
  readonly advancedMs: number;
  /** How fast it runs against real time (1 = real time). Absent: 1. Schedulers use it to time their waits. */
  readonly speed?: number;
  /** True when it moves only through `advance()`. Absent: false. */
  readonly frozen?: boolean;
  /** Calls `listener` after every `advance()`; returns the unsubscribe. Absent: schedulers re-check every second. */
  onAdvance?(listener: () => void): () => void;
}

/** How `createClock` keeps time. */
export interface ClockOptions {
  /** Where real time comes from; defaults to `Date.now`. */
  source?: () => number;
  /** Multiplies the passing of real time (2 = twice as fast). Default 1. */
  speed?: number;
  /** Start the clock frozen at this epoch-ms instant: it then moves only through `advance()`. */
  frozenAt?: number;
}

/**
 * Creates a clock. Real time by default; `frozenAt` gives a clock that only moves when told.
 * @example
 * const clock = createClock({ frozenAt: Date.parse('2026-01-01T00:00:00Z') });
 * clock.advance(60_000);
 */
export function createClock(options: ClockOptions = {}): Clock {
  const source = options.source ?? Date.now;
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError('clock speed must be a positive number');
  const frozen = options.frozenAt !== undefined;
  const realStart = source();
  const virtualStart = options.frozenAt ?? realStart;
  let advanced = 0;
  const listeners = new Set<() => void>();
  return {
    speed,
    frozen,
    onAdvance(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    now() {
      const elapsed = frozen ? 0 : (source() - realStart) * speed;
      return Math.floor(virtualStart + elapsed + advanced);
    },
    advance(ms: number) {
      if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError('clock can only be advanced by a non-negative number of milliseconds');
      advanced += ms;
      for (const l of [...listeners]) l();
    },
    get advancedMs() {
      return advanced;
    },
  };
}

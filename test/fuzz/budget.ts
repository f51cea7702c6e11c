// The fuzz budget, from the environment, so `npm test` stays quick and a long run is one variable away:
//   FUZZ_RUNS=5000 npx vitest run test/fuzz       (more runs per property)
//   FUZZ_SEED=42 npx vitest run test/fuzz         (another seed; the default is fixed, so runs repeat)
//   FUZZ_SEED=<seed> FUZZ_PATH=<path> ...         (replay the failure fast-check printed)
// fast-check's failure message names the seed, the path and the shrunk counterexample; the
// describe titles carry the budget so a report always says which one ran.
import fc from 'fast-check';

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Runs per request-fuzz property (the model tests take a fraction: each of their runs is a whole command sequence). */
export const FUZZ_RUNS = intFromEnv('FUZZ_RUNS', 200, 1);
/** The seed of every property; fixed by default so that a plain `npm test` is reproducible. */
export const FUZZ_SEED = intFromEnv('FUZZ_SEED', 0x6d61696c, -(2 ** 31));
/** A replay path from a failure report (use it with the seed it came with). */
export const FUZZ_PATH = process.env.FUZZ_PATH?.trim() || undefined;

/** `runs=… seed=…`, for describe titles. */
export const BUDGET_LABEL = `FUZZ_RUNS=${FUZZ_RUNS} FUZZ_SEED=${FUZZ_SEED}${FUZZ_PATH ? ` FUZZ_PATH=${FUZZ_PATH}` : ''}`;

/** Runs for a property worth `share` of the budget (at least `min`). */
export function runsFor(share: number, min = 1): number {
  return Math.max(min, Math.round(FUZZ_RUNS * share));
}

/**
 * fast-check parameters for a property of `numRuns` runs: the shared seed, a replay path, full
 * reports; `examples` (counterexamples found before) run first, every time, whatever the budget.
 */
export function fuzzParams<T>(numRuns: number, examples: T[] = []): fc.Parameters<T> {
  return {
    numRuns,
    ...(examples.length > 0 && FUZZ_PATH === undefined ? { examples } : {}),
    seed: FUZZ_SEED,
    ...(FUZZ_PATH === undefined ? {} : { path: FUZZ_PATH }),
    // The failure message then lists every failing value met while shrinking, not only the last.
    verbose: 1,
  };
}

/** A vitest timeout generous enough for `numRuns` runs of about `perRunMs` each (it is a hang guard, never a timing assertion). */
export function timeoutFor(numRuns: number, perRunMs: number): number {
  return 30_000 + numRuns * perRunMs * 4;
}

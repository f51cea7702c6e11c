// Work due at a time on the mock's clock (webhook retries, soft-bounce retries, scheduled sends).
// Waits in real time scaled by the clock's speed; an `advance()` of the clock runs what became due
// at once, and a chain of tasks each due after the last (a whole retry schedule) runs in one go.
import type { Clock } from './clock.js';

/** The longest setTimeout Node accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A clock that cannot tell us when it is advanced is re-checked this often. */
const POLL_MS = 1_000;
/** Rounds of newly due work one `runDue` goes through (a retry chain is ~10 rounds). */
const MAX_ROUNDS = 10_000;

export interface Scheduler {
  /** Runs `task` once the clock reaches `dueMs`; returns a function that cancels it. */
  at(dueMs: number, task: () => unknown): () => void;
  /** Runs everything due now, then whatever that work scheduled that is also due; resolves when all has settled. */
  runDue(): Promise<number>;
  /** Resolves when no task is running. */
  idle(): Promise<void>;
  /** Tasks waiting. */
  readonly pending: number;
  /** Whether a waiting task is due now. */
  hasDue(): boolean;
  /** Drops every waiting task (running ones finish). */
  clear(): void;
  /** Clears and stops listening to the clock. */
  stop(): void;
}

interface Task {
  due: number;
  seq: number;
  run: () => unknown;
}

export function createScheduler(clock: Clock, onError: (err: unknown) => void): Scheduler {
  let tasks: Task[] = [];
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = 0;
  let idleWaiters: Array<() => void> = [];
  let stopped = false;

  const settle = () => {
    if (running === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      w.forEach((f) => f());
    }
  };

  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (stopped || tasks.length === 0) return;
    const next = tasks[0]!.due;
    const speed = clock.speed ?? 1;
    let wait: number;
    if (next <= clock.now()) {
      // Already due (scheduled by work that ended after a drain): run it now, frozen clock or not.
      wait = 0;
    } else if (clock.frozen) {
      if (clock.onAdvance) return; // only an advance can make it due
      wait = POLL_MS;
    } else {
      wait = Math.max(0, (next - clock.now()) / speed);
      if (!clock.onAdvance) wait = Math.min(wait, POLL_MS);
    }
    timer = setTimeout(() => void runDue(), Math.min(Math.ceil(wait), MAX_TIMER_MS));
    timer.unref();
  };

  const takeDue = (): Task[] => {
    const now = clock.now();
    let n = 0;
    while (n < tasks.length && tasks[n]!.due <= now) n++;
    return n === 0 ? [] : tasks.splice(0, n);
  };

  const runOne = async (t: Task) => {
    running++;
    try {
      await t.run();
    } catch (err) {
      onError(err);
    } finally {
      running--;
      settle();
    }
  };

  // Drains run one after another: a second call (an advance while a drain runs) resolves only
  // after the work it made due has settled too.
  let chain: Promise<number> = Promise.resolve(0);
  const runDue = (): Promise<number> => {
    chain = chain.then(drain, drain);
    return chain;
  };

  const drain = async (): Promise<number> => {
    let ran = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const due = takeDue();
      if (due.length === 0) break;
      ran += due.length;
      await Promise.all(due.map(runOne));
    }
    arm();
    return ran;
  };

  const unsubscribe = clock.onAdvance?.(() => void runDue());

  return {
    at(dueMs, run) {
      const task: Task = { due: dueMs, seq: seq++, run };
      // Keep the list ordered by (due, seq): insert after every task due at or before it.
      let i = tasks.length;
      while (i > 0 && tasks[i - 1]!.due > dueMs) i--;
      tasks.splice(i, 0, task);
      if (i === 0) arm();
      return () => {
        const at = tasks.indexOf(task);
        if (at !== -1) {
          tasks.splice(at, 1);
          if (at === 0) arm();
        }
      };
    },
    runDue,
    idle() {
      if (running === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    get pending() {
      return tasks.length;
    },
    hasDue() {
      return tasks.length > 0 && tasks[0]!.due <= clock.now();
    },
    clear() {
      tasks = [];
      arm();
    },
    stop() {
      stopped = true;
      tasks = [];
      if (timer) clearTimeout(timer);
      unsubscribe?.();
    },
  };
}

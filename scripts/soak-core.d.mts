// Types of scripts/soak-core.mjs, for test/e2e/soak-short.test.ts (the script itself is plain JS).

export interface MemoryThresholds {
  /** The cycle whose heap after reset is the baseline (1-based). */
  baselineCycle: number;
  /** How many last cycles' median is compared with it. */
  lastN: number;
  /** Allowed growth: max(pct × baseline, floorBytes). */
  pct: number;
  floorBytes: number;
}
export interface LatencyThresholds {
  warmupCycles: number;
  p50Max: number;
  p99Warn: number;
}
export interface Thresholds {
  memory: MemoryThresholds;
  latency: LatencyThresholds;
}
export const DEFAULT_THRESHOLDS: Thresholds;
export const SIGNING_KEY: string;
export const SEND_DOMAIN: string;

export interface SoakOptions {
  cycles: number;
  cycleSeconds: number;
  concurrency?: number;
  seed?: number;
  /** performance.now() after which no work is started. */
  deadline?: number;
  maxRequestsPerCycle?: number;
  drainSeconds?: number;
  /** Test-only: the child keeps every request body (a number: that many copies) forever. */
  retainGarbage?: boolean | number;
  snapshotDir?: string;
  log?: (line: string) => void;
}

export interface CycleResult {
  cycle: number;
  requests: number;
  reqPerSec: number;
  loadSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  sends: number;
  deliveriesExpected: number;
  deliveriesVerified: number;
  missing: number;
  duplicates: number;
  strays: number;
  badSignatures: number;
  pendingAfterDrain: number;
  drainMs: number;
  failedRequests: number;
  resetOk: boolean;
  afterReset: { messages: number; events: number; journal: number; deliveries: number };
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  heapSpaces: Record<string, number>;
  retainedByLeakSwitch: number;
  kinds: Record<string, { n: number; bad: number; p50Ms: number; p99Ms: number }>;
  errors: string[];
}

export interface SoakResult {
  config: Record<string, unknown>;
  cycles: CycleResult[];
  fatal: string | undefined;
}

export interface Verdicts {
  ok: boolean;
  memory: { ok: boolean; reason?: string; baselineHeap?: number; lastHeap?: number; growth?: number; allowance?: number; baselineRss?: number; lastRss?: number; cycles?: number[] };
  latency: { ok: boolean; warn?: boolean; reason?: string; p50Ratio?: number; p99Ratio?: number };
  correctness: { ok: boolean; requests: number; deliveries: number; deliveriesExpected: number; problems: string[] };
}

export function runSoak(o: SoakOptions): Promise<SoakResult>;
export function judge(result: SoakResult, thresholds?: Thresholds): Verdicts;
export function formatReport(result: SoakResult, verdicts: Verdicts, thresholds?: Thresholds): string;
export function prng(seed: number): () => number;
export function median(xs: number[]): number;

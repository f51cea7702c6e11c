// A short run of the soak (scripts/soak-core.mjs; the long one is `node --expose-gc scripts/soak.mjs`):
// three cycles of mixed load on a mock in a child process, each ended by a reset and forced GCs.
// It asserts only what does not depend on the machine's speed: the heap after reset comes back
// (generous margin), every answer and every webhook is right. Never timings. A second run with the
// child's deliberate leak switched on proves the memory check can fail.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, judge, runSoak, type SoakResult, type Thresholds } from '../../scripts/soak-core.mjs';

const MB = 1024 * 1024;
/**
 * Cycle 1 warms up, cycle 2 is the baseline, cycle 3 is compared with it. Allowed: max(10 %, 4 MB).
 * Without a leak the heap after reset moved by -0.05 to +0.4 MB from cycle 2 to 3 in every short
 * run measured (JIT code and feedback still growing a little), so 4 MB is ten times that. The leak
 * below keeps about 30 KB a request: 10 MB a cycle even at 300 requests a cycle, far over the
 * allowance (10 % of a baseline that already holds two cycles of leak, or 4 MB).
 */
const SHORT: Thresholds = { ...DEFAULT_THRESHOLDS, memory: { baselineCycle: 2, lastN: 1, pct: 0.1, floorBytes: 4 * MB } };
const run = (retainGarbage: number | false): Promise<SoakResult> =>
  runSoak({ cycles: 3, cycleSeconds: 2, concurrency: 10, seed: 7, drainSeconds: 10, retainGarbage, deadline: performance.now() + 28_000 });
const explain = (r: SoakResult) =>
  r.cycles.map((c) => `cycle ${c.cycle}: ${c.requests} req, heap ${(c.heapUsed / MB).toFixed(2)} MB, retained ${c.retainedByLeakSwitch}, ${c.errors.join(' | ')}`).join('\n') + (r.fatal ? `\n${r.fatal}` : '');

describe('soak, short', () => {
  it('comes back to its heap after every reset, and every answer and webhook is right', { timeout: 40_000 }, async () => {
    const r = await run(false);
    const v = judge(r, SHORT);
    expect(r.cycles, explain(r)).toHaveLength(3);
    expect(v.correctness.problems, explain(r)).toEqual([]);
    expect(v.correctness.deliveries).toBe(v.correctness.deliveriesExpected);
    expect(v.correctness.deliveries).toBeGreaterThan(0);
    expect(v.memory.ok, `${JSON.stringify(v.memory)}\n${explain(r)}`).toBe(true);
  });

  it('the memory check fails when the server keeps what it saw (the leak switch of the soak child)', { timeout: 40_000 }, async () => {
    // 16 copies of every request body, never freed.
    const r = await run(16);
    const v = judge(r, SHORT);
    expect(r.cycles, explain(r)).toHaveLength(3);
    expect(r.cycles[2]!.retainedByLeakSwitch).toBeGreaterThan(r.cycles[1]!.retainedByLeakSwitch);
    expect(v.correctness.problems, explain(r)).toEqual([]);
    expect(v.memory.ok, `${JSON.stringify(v.memory)}\n${explain(r)}`).toBe(false);
  });
});

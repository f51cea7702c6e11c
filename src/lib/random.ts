// Seeded randomness, so that "fail 30% of the time" fails the same requests on every run.

/** A deterministic random source in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny, well-known 32-bit PRNG; plenty for picking which request a fault hits. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

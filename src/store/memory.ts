// The in-memory backend: the default, and what every test suite uses unless it asks for a file.
import type { MockState, Store } from './types.js';

export function createMemoryStore(seed: MockState): Store {
  let state = structuredClone(seed);
  return {
    kind: 'memory',
    get state() {
      return state;
    },
    async mutate(change) {
      return change(state);
    },
    async reset() {
      state = structuredClone(seed);
    },
    async flush() {},
    async close() {},
  };
}

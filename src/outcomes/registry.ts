// The outcome registry: the rules in force, matched in the order they were added.
import { outcomeMatches, validateOutcomeRule, type OutcomeRule, type OutcomeRuleInput, type OutcomeTarget } from './rules.js';

/**
 * What happens to recipients after a send, as `mock.outcomes`.
 * @example
 * mock.outcomes.add({ recipient: '*@bounce.test', outcome: 'permanent_fail' });
 * mock.outcomes.list(); // [{ id: 'outcome-1', recipient: '*@bounce.test', outcome: 'permanent_fail', hits: 0, remaining: null }]
 */
export interface OutcomeRegistry {
  /** Adds a rule (checked first) and returns it with its id. @throws OutcomeRuleError */
  add(input: OutcomeRuleInput): OutcomeRule;
  /** The rules, in matching order, with their hit counts. */
  list(): OutcomeRule[];
  /** Removes one rule; false when there was none with that id. */
  remove(id: string): boolean;
  /** Removes every rule (the fixtures' rules come back on reset). */
  clear(): void;
}

/** The registry as the delivery engine uses it. */
export interface OutcomeEngine extends OutcomeRegistry {
  /** The first rule that matches this recipient (using up one of its `times`). */
  take(target: OutcomeTarget): OutcomeRule | undefined;
  /** Back to the rules given at boot. */
  reset(): void;
}

export function createOutcomeRegistry(boot: OutcomeRuleInput[] = []): OutcomeEngine {
  const initial = boot.map((r) => validateOutcomeRule(r));
  let rules: OutcomeRule[] = [];
  let nextId = 1;
  const add = (input: OutcomeRuleInput): OutcomeRule => {
    const clean = validateOutcomeRule(input);
    const rule: OutcomeRule = { ...clean, id: `outcome-${nextId++}`, hits: 0, remaining: clean.times ?? null };
    rules.push(rule);
    return rule;
  };
  const reset = () => {
    rules = [];
    nextId = 1;
    initial.forEach(add);
  };
  reset();
  return {
    add,
    list: () => rules.map((r) => ({ ...r })),
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      return rules.length !== before;
    },
    clear() {
      rules = [];
    },
    take(target) {
      for (const rule of rules) {
        if (rule.remaining === 0 || !outcomeMatches(rule, target)) continue;
        rule.hits++;
        if (rule.remaining !== null) rule.remaining--;
        return rule;
      }
      return undefined;
    },
    reset,
  };
}

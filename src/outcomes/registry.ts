// The outcome registry: the rules in force, matched in the order they were added.
import { createRuleList } from '../lib/rule-list.js';
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

export function createOutcomeRegistry(boot: OutcomeRuleInput[] = [], changed?: () => void): OutcomeEngine {
  const rules = createRuleList<OutcomeRuleInput>('outcome', validateOutcomeRule, boot, changed);
  return {
    add: (input) => rules.add(input),
    list: () => rules.list(),
    remove: (id) => rules.remove(id),
    clear: () => rules.clear(),
    take: (target) => rules.take((rule) => outcomeMatches(rule, target)),
    reset: () => rules.reset(),
  };
}

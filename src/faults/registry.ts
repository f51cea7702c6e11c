// The fault registry: the rules in force, matched in the order they were added.
import { createRandom, type Random } from '../lib/random.js';
import { createRuleList } from '../lib/rule-list.js';
import { validateFaultRule } from './rules.js';
import type { FaultRule, FaultRuleInput, FaultTarget } from './types.js';

/**
 * Forced responses, as `mock.faults`.
 * @example
 * mock.faults.add({ route: 'webhooks.create', preset: 'rate-limited', times: 2 });
 * mock.faults.list(); // [{ id: 'fault-1', route: 'webhooks.create', preset: 'rate-limited', times: 2, hits: 0, remaining: 2 }]
 */
export interface FaultRegistry {
  /** Adds a rule (checked first) and returns it with its id. @throws FaultRuleError */
  add(input: FaultRuleInput): FaultRule;
  /** The rules, in matching order, with their hit counts. */
  list(): FaultRule[];
  /** Removes one rule; false when there was none with that id. */
  remove(id: string): boolean;
  /** Removes every rule. */
  clear(): void;
}

/** The registry as the mock's middleware uses it. */
export interface FaultEngine extends FaultRegistry {
  /** How many rules are in force (exhausted ones included). */
  readonly size: number;
  /** The first rule that matches and fires for this request (consuming one of its `times`). */
  take(target: FaultTarget): FaultRule | undefined;
  /** Back to the rules given at boot, with fresh counters and random source. */
  reset(): void;
  /** True with this probability, drawn from the same seeded source the rules use. */
  chance(probability: number): boolean;
}

/** Whether a rule's conditions match (without rolling its probability). */
export function ruleMatches(rule: FaultRuleInput, t: FaultTarget): boolean {
  if (rule.route !== undefined && !routeMatches(rule.route, t.routeId)) return false;
  if (rule.method !== undefined && rule.method !== t.method.toUpperCase()) return false;
  if (rule.domain !== undefined && rule.domain.toLowerCase() !== t.domain?.toLowerCase()) return false;
  if (rule.webhook !== undefined && rule.webhook !== t.webhook) return false;
  return true;
}

function routeMatches(pattern: string, routeId: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return routeId.startsWith(pattern.slice(0, -1));
  return pattern === routeId;
}

export function createFaultRegistry(options: { boot?: FaultRuleInput[]; seed?: number; changed?: () => void } = {}): FaultEngine {
  const seed = options.seed ?? 1;
  const rules = createRuleList<FaultRuleInput>('fault', validateFaultRule, options.boot ?? [], options.changed);
  let random: Random = createRandom(seed);
  const chance = (probability: number) => random() < probability;
  return {
    add: (input) => rules.add(input) as FaultRule,
    list: () => rules.list() as FaultRule[],
    remove: (id) => rules.remove(id),
    clear: () => rules.clear(),
    get size() {
      return rules.size;
    },
    // The probability is drawn only for a rule that matches, in order: the same draws on every run.
    take: (target) => rules.take((rule) => ruleMatches(rule, target) && (rule.probability === undefined || chance(rule.probability))) as FaultRule | undefined,
    reset() {
      rules.reset();
      random = createRandom(seed);
    },
    chance,
  };
}

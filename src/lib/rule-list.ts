// An ordered list of rules with ids and use counters: what fault rules and outcome rules share
// (add, list, remove, clear, the first match in force, back to the boot rules on reset).

/** The counters every rule in a list carries. */
export interface RuleCounters {
  id: string;
  /** How many times it has been used. */
  hits: number;
  /** Uses left, or null for unlimited. */
  remaining: number | null;
}

export interface RuleList<I extends { times?: number }> {
  /** Adds a rule (checked first) and returns it with its id. */
  add(input: I): I & RuleCounters;
  /** The rules, in matching order, as copies. */
  list(): Array<I & RuleCounters>;
  /** Removes one rule; false when there was none with that id. */
  remove(id: string): boolean;
  /** Removes every rule. */
  clear(): void;
  /** How many rules are in force (used-up ones included). */
  readonly size: number;
  /** The first rule with uses left for which `accept` holds, using one of its uses. */
  take(accept: (rule: I & RuleCounters) => boolean): (I & RuleCounters) | undefined;
  /** Back to the boot rules, with fresh ids and counters. */
  reset(): void;
}

/**
 * `prefix` names the ids (`fault-1`); `validate` checks and copies an input; `boot` rules come back
 * on every reset; `changed` hears of every change to the list or a rule's counters.
 */
export function createRuleList<I extends { times?: number }>(prefix: string, validate: (input: I) => I, boot: I[], changed: () => void = () => undefined): RuleList<I> {
  const initial = boot.map(validate);
  let rules: Array<I & RuleCounters> = [];
  let nextId = 1;
  const add = (input: I): I & RuleCounters => {
    const clean = validate(input);
    const rule = { ...clean, id: `${prefix}-${nextId++}`, hits: 0, remaining: clean.times ?? null };
    rules.push(rule);
    return rule;
  };
  const reset = () => {
    rules = [];
    nextId = 1;
    initial.forEach(add);
    changed();
  };
  reset();
  return {
    add(input) {
      const rule = add(input);
      changed();
      return rule;
    },
    list: () => rules.map((r) => ({ ...r })),
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      if (rules.length === before) return false;
      changed();
      return true;
    },
    clear() {
      rules = [];
      changed();
    },
    get size() {
      return rules.length;
    },
    take(accept) {
      for (const rule of rules) {
        if (rule.remaining === 0 || !accept(rule)) continue;
        rule.hits++;
        if (rule.remaining !== null) rule.remaining--;
        changed();
        return rule;
      }
      return undefined;
    },
    reset,
  };
}

// Outcome rules as data: what happens to a recipient after Mailgun accepts a message (delivered,
// bounced, soft-failed and retried, opened, clicked, unsubscribed, complained). Like fault rules:
// checked on the way in, matched in the order added, optionally a limited number of times.

/** What a rule makes happen to a matching recipient. */
export const OUTCOMES = ['delivered', 'permanent_fail', 'temporary_fail', 'complained', 'opened', 'clicked', 'unsubscribed'] as const;
/** One of {@link OUTCOMES}. */
export type Outcome = (typeof OUTCOMES)[number];

/**
 * An outcome rule as users write it (programmatically, as JSON to `/__mock/outcomes`, in fixtures).
 * Conditions left out match everything; all given must match.
 * @example
 * { recipient: '*@bounce.test', outcome: 'permanent_fail' }
 * { tag: 'newsletter', outcome: 'clicked', url: 'https://example.com/offer' }
 * { recipient: 'slow@example.com', outcome: 'temporary_fail', recoverAfter: 2 }
 */
export interface OutcomeRuleInput {
  /** Recipient address, case-insensitive; `*` matches any run of characters (`*@example.com`). */
  recipient?: string;
  /** Sending domain (case-insensitive). */
  domain?: string;
  /** A tag the message carries (`o:tag`), case-insensitive. */
  tag?: string;
  outcome: Outcome;
  /** permanent_fail / temporary_fail: the SMTP code (default 550 / 452). */
  code?: number;
  /** permanent_fail / temporary_fail: the SMTP message in `delivery-status.message`. */
  message?: string;
  /** permanent_fail / temporary_fail: `delivery-status.description`. */
  description?: string;
  /** temporary_fail: failed attempts before the message is delivered after all. Default: never (after the last retry it fails permanently, reason `old`). */
  recoverAfter?: number;
  /** clicked: the URL clicked. Default `https://example.com/`. */
  url?: string;
  /** Apply this many times, then stop. Default: every time. */
  times?: number;
}

/** A rule in force, with its id and counters. */
export interface OutcomeRule extends OutcomeRuleInput {
  id: string;
  hits: number;
  /** Uses left, or null for unlimited. */
  remaining: number | null;
}

/**
 * An outcome rule that cannot be used; the message says why.
 * @example try { mock.outcomes.add({ outcome: 'exploded' } as never); } catch (e) { e instanceof OutcomeRuleError; }
 */
export class OutcomeRuleError extends Error {
  override name = 'OutcomeRuleError';
}

const KEYS = ['recipient', 'domain', 'tag', 'outcome', 'code', 'message', 'description', 'recoverAfter', 'url', 'times'] as const;
const MAX_TEXT = 1000;

/**
 * Checks a rule and returns a clean copy.
 * @throws OutcomeRuleError
 * @example validateOutcomeRule({ recipient: '*@bounce.test', outcome: 'permanent_fail' });
 */
export function validateOutcomeRule(input: unknown): OutcomeRuleInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new OutcomeRuleError('a rule must be an object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(k)) throw new OutcomeRuleError(`unknown field '${k}' (known: ${KEYS.join(', ')})`);
  }
  if (typeof o.outcome !== 'string' || !(OUTCOMES as readonly string[]).includes(o.outcome)) {
    throw new OutcomeRuleError(`'outcome' must be one of ${OUTCOMES.join(', ')}`);
  }
  const outcome = o.outcome as Outcome;
  const out: OutcomeRuleInput = { outcome };
  for (const k of ['recipient', 'domain', 'tag', 'message', 'description', 'url'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TEXT) throw new OutcomeRuleError(`'${k}' must be a non-empty string of at most ${MAX_TEXT} characters`);
    out[k] = v;
  }
  if (o.code !== undefined) {
    if (!Number.isInteger(o.code) || (o.code as number) < 100 || (o.code as number) > 999) throw new OutcomeRuleError(`'code' must be a whole number from 100 to 999`);
    out.code = o.code as number;
  }
  if (o.recoverAfter !== undefined) {
    if (outcome !== 'temporary_fail') throw new OutcomeRuleError(`'recoverAfter' applies only to the temporary_fail outcome`);
    if (!Number.isInteger(o.recoverAfter) || (o.recoverAfter as number) < 1 || (o.recoverAfter as number) > 100) throw new OutcomeRuleError(`'recoverAfter' must be a whole number from 1 to 100`);
    out.recoverAfter = o.recoverAfter as number;
  }
  if (o.times !== undefined) {
    if (!Number.isInteger(o.times) || (o.times as number) < 1) throw new OutcomeRuleError(`'times' must be a whole number of at least 1`);
    out.times = o.times as number;
  }
  if ((out.code !== undefined || out.message !== undefined || out.description !== undefined) && outcome !== 'permanent_fail' && outcome !== 'temporary_fail') {
    throw new OutcomeRuleError(`'code', 'message' and 'description' apply only to permanent_fail and temporary_fail`);
  }
  if (out.url !== undefined && outcome !== 'clicked') throw new OutcomeRuleError(`'url' applies only to the clicked outcome`);
  if (out.code !== undefined) {
    if (outcome === 'permanent_fail' && (out.code < 500 || out.code > 699)) throw new OutcomeRuleError(`a permanent_fail 'code' must be 5xx or 6xx`);
    if (outcome === 'temporary_fail' && (out.code < 400 || out.code > 499)) throw new OutcomeRuleError(`a temporary_fail 'code' must be 4xx`);
  }
  return out;
}

/** What a rule is matched against. */
export interface OutcomeTarget {
  recipient: string;
  domain: string;
  tags: readonly string[];
}

function globMatches(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  if (!p.includes('*')) return p === v;
  // Split on * and match the pieces in order: linear, no regex backtracking.
  const parts = p.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!v.startsWith(first) || v.length < first.length + last.length || !v.endsWith(last)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const at = v.indexOf(part, pos);
    if (at === -1 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

/** Whether a rule's conditions match a recipient of a message. */
export function outcomeMatches(rule: OutcomeRuleInput, t: OutcomeTarget): boolean {
  if (rule.recipient !== undefined && !globMatches(rule.recipient, t.recipient)) return false;
  if (rule.domain !== undefined && rule.domain.toLowerCase() !== t.domain.toLowerCase()) return false;
  if (rule.tag !== undefined && !t.tags.some((tag) => tag.toLowerCase() === rule.tag!.toLowerCase())) return false;
  return true;
}

// Checking fault rules and reading the compact `key=value,…` spec used by the CLI, the
// MAILGUN_MOCK_FAULT env var and the X-Mailgun-Mock-Fault header.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { FAULT_PRESETS, type FaultPreset, type FaultRuleInput } from './types.js';

/**
 * A fault rule that cannot be used; the message says why.
 * @example
 * try { mock.faults.add({ status: 200 }); } catch (e) { if (e instanceof FaultRuleError) console.log(e.message); }
 */
export class FaultRuleError extends Error {
  override name = 'FaultRuleError';
}

const KEYS = ['route', 'method', 'domain', 'webhook', 'preset', 'status', 'message', 'body', 'headers', 'delayMs', 'drop', 'times', 'probability'] as const;
const MAX_DELAY_MS = 600_000;
/** How deep a JSON `body` may nest: a deeper one could overflow the stack when the answer is written. */
const MAX_BODY_DEPTH = 32;

/** The body as the JSON it will be sent as (a fresh copy), or an error saying why it cannot be. */
function jsonBody(b: object): Record<string, unknown> {
  let copy: Record<string, unknown>;
  try {
    copy = JSON.parse(JSON.stringify(b)) as Record<string, unknown>;
  } catch {
    // A cycle, a BigInt, or nesting so deep that serialising it overflows the stack.
    throw new FaultRuleError(`'body' must be plain JSON, nested at most ${MAX_BODY_DEPTH} levels`);
  }
  // The copy is a tree (no cycles), so this walk is linear in its size.
  const stack: Array<[unknown, number]> = [[copy, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_BODY_DEPTH) throw new FaultRuleError(`'body' must be plain JSON, nested at most ${MAX_BODY_DEPTH} levels`);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return copy;
}

/** Checks each header name and value as Node will when the answer is written. */
function checkHeaders(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
    } catch {
      throw new FaultRuleError(`'headers' has an invalid header name ${JSON.stringify(name)}`);
    }
    try {
      validateHeaderValue(name, value);
    } catch {
      throw new FaultRuleError(`'headers' has an invalid value for ${name} (control characters are not allowed)`);
    }
  }
}

/**
 * Checks a rule and returns a clean copy.
 * @throws FaultRuleError with a message that says what is wrong.
 * @example validateFaultRule({ route: 'webhooks.list', status: 503, times: 1 }); // { route: 'webhooks.list', status: 503, times: 1 }
 */
export function validateFaultRule(input: unknown): FaultRuleInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultRuleError('a fault rule must be an object');
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new FaultRuleError(`unknown fault rule field '${key}' (known: ${KEYS.join(', ')})`);
  }
  const rule: FaultRuleInput = {};
  for (const key of ['route', 'method', 'domain', 'webhook', 'message'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length === 0) throw new FaultRuleError(`'${key}' must be a non-empty string`);
    rule[key] = key === 'method' ? v.toUpperCase() : v;
  }
  if (raw.preset !== undefined) {
    if (!(FAULT_PRESETS as readonly unknown[]).includes(raw.preset)) throw new FaultRuleError(`unknown preset '${String(raw.preset)}' (known: ${FAULT_PRESETS.join(', ')})`);
    rule.preset = raw.preset as FaultPreset;
  }
  if (raw.status !== undefined) {
    if (!Number.isInteger(raw.status) || (raw.status as number) < 400 || (raw.status as number) > 599) throw new FaultRuleError(`'status' must be an integer from 400 to 599`);
    rule.status = raw.status as number;
  }
  if (raw.body !== undefined) {
    const b = raw.body;
    if (typeof b !== 'string' && (typeof b !== 'object' || b === null || Array.isArray(b))) throw new FaultRuleError(`'body' must be an object or a string`);
    rule.body = typeof b === 'string' ? b : jsonBody(b);
  }
  if (raw.headers !== undefined) {
    const h = raw.headers;
    if (typeof h !== 'object' || h === null || Array.isArray(h) || !Object.values(h).every((v) => typeof v === 'string')) throw new FaultRuleError(`'headers' must be an object of strings`);
    checkHeaders(h as Record<string, string>);
    rule.headers = { ...(h as Record<string, string>) };
  }
  if (raw.delayMs !== undefined) {
    if (typeof raw.delayMs !== 'number' || !Number.isFinite(raw.delayMs) || raw.delayMs < 0 || raw.delayMs > MAX_DELAY_MS) throw new FaultRuleError(`'delayMs' must be a number of milliseconds from 0 to ${MAX_DELAY_MS}`);
    rule.delayMs = raw.delayMs;
  }
  if (raw.drop !== undefined) {
    if (typeof raw.drop !== 'boolean') throw new FaultRuleError(`'drop' must be true or false`);
    if (raw.drop) rule.drop = true;
  }
  if (raw.times !== undefined) {
    if (!Number.isInteger(raw.times) || (raw.times as number) < 1) throw new FaultRuleError(`'times' must be a whole number of at least 1`);
    rule.times = raw.times as number;
  }
  if (raw.probability !== undefined) {
    if (typeof raw.probability !== 'number' || !(raw.probability >= 0 && raw.probability <= 1)) throw new FaultRuleError(`'probability' must be a number from 0 to 1`);
    rule.probability = raw.probability;
  }
  const answers = [rule.preset !== undefined, rule.status !== undefined, rule.drop === true].filter(Boolean).length;
  if (answers > 1) throw new FaultRuleError(`give only one of 'preset', 'status' and 'drop'`);
  if (answers === 0 && rule.delayMs === undefined) throw new FaultRuleError(`a fault rule needs one of 'preset', 'status', 'drop' or 'delayMs'`);
  if ((rule.message !== undefined || rule.body !== undefined) && rule.preset === undefined && rule.status === undefined) {
    throw new FaultRuleError(`'message' and 'body' need a 'preset' or 'status'`);
  }
  return rule;
}

// Without a prototype, so `constructor=…` or `__proto__=…` is read as the unknown key it is.
const SPEC_ALIASES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, { delay: 'delayMs', p: 'probability', id: 'webhook' });

/**
 * Reads a fault spec: a JSON object, a bare preset or status (`rate-limited`, `503`), or
 * `key=value` pairs separated by commas (`route=webhooks.create,status=503,times=2`; `delay=200`;
 * `drop`).
 * @example parseFaultSpec('preset=rate-limited,route=webhooks.*,times=3')
 */
export function parseFaultSpec(spec: string): FaultRuleInput {
  const text = spec.trim();
  if (text.length === 0) throw new FaultRuleError('empty fault spec');
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new FaultRuleError(`fault spec is not valid JSON: ${text}`);
    }
    return validateFaultRule(parsed);
  }
  const raw = Object.create(null) as Record<string, unknown>;
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item.length === 0) continue;
    const eq = item.indexOf('=');
    if (eq === -1) {
      if (/^\d{3}$/.test(item)) raw.status = Number(item);
      else if (item === 'drop') raw.drop = true;
      else if ((FAULT_PRESETS as readonly string[]).includes(item)) raw.preset = item;
      else throw new FaultRuleError(`cannot read '${item}' in fault spec '${text}' (expected key=value, a preset, a status or 'drop')`);
      continue;
    }
    const key0 = item.slice(0, eq).trim();
    const key = SPEC_ALIASES[key0] ?? key0;
    const value = item.slice(eq + 1).trim();
    if (key in raw) throw new FaultRuleError(`'${key0}' given twice in fault spec '${text}'`);
    if (key === 'status' || key === 'times' || key === 'delayMs' || key === 'probability') {
      const n = Number(value);
      if (value === '' || Number.isNaN(n)) throw new FaultRuleError(`'${key0}' must be a number in fault spec '${text}'`);
      raw[key] = n;
    } else if (key === 'drop') {
      if (value !== 'true' && value !== 'false') throw new FaultRuleError(`'drop' must be true or false in fault spec '${text}'`);
      raw[key] = value === 'true';
    } else {
      raw[key] = value;
    }
  }
  return validateFaultRule(raw);
}

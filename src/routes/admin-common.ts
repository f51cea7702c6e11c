// What the control-plane routers share: reading the query string, a 404 in their own words, and
// the four routes of a rule list (fault rules, outcome rules): list, add, clear, remove one.
import type { Request, Router } from 'express';
import { errors, MailgunError, sendJson } from '../errors.js';

/** Everything after the first `?` (a `?` inside the query is legal and belongs to a value). */
export function queryOf(req: Request): URLSearchParams {
  const at = req.originalUrl.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : req.originalUrl.slice(at + 1));
}

/** A whole-number query parameter, or undefined when absent. */
export function wholeNumber(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`Query parameter '${name}' must be a whole number`);
  return n;
}

/**
 * A list answer: `items` (the newest `limit` of what matched, when a limit is given), `total` (how
 * many items) and `matched` (how many matched before the limit).
 */
export function listAnswer<T, U = T>(all: T[], limit: number | undefined, map?: (t: T) => U): { items: Array<T | U>; total: number; matched: number } {
  const newest = limit === undefined ? all : all.slice(Math.max(0, all.length - limit));
  const items = map ? newest.map(map) : newest;
  return { items, total: items.length, matched: all.length };
}

export function notFound(message: string): MailgunError {
  return new MailgunError(404, { message });
}

/** A registry of rules as the control plane drives it. */
export interface RuleRoutes<R> {
  list(): R[];
  add(rule: R): R;
  remove(id: string): boolean;
  clear(): void;
}

/**
 * GET, POST (one rule as JSON, or a list), DELETE (all) and DELETE /{id} under `path`. `check` turns
 * one JSON value into a rule or throws `invalid` (its message goes into the 400); `singular` and
 * `plural` name the rules in the answers (`Fault has been added`, `Faults have been cleared`), `kind` in
 * the 400 (`Invalid fault rule: …`).
 */
export function mountRuleRoutes<R>(
  r: Router,
  path: string,
  rules: RuleRoutes<R>,
  check: (input: unknown) => R,
  invalid: new (...args: never[]) => Error,
  names: { singular: string; plural: string; noun: string; kind: string },
): void {
  r.get(path, (_req, res) => {
    sendJson(res, 200, { items: rules.list() });
  });
  r.post(path, (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null) throw errors.badRequest(`Send ${names.noun} as a JSON object (Content-Type: application/json)`);
    const inputs = Array.isArray(body) ? body : [body];
    if (inputs.length === 0) throw errors.badRequest(`Send at least one ${names.kind} (an empty list adds nothing)`);
    let checked: R[];
    try {
      checked = inputs.map(check);
    } catch (err) {
      if (err instanceof invalid) throw errors.badRequest(`Invalid ${names.kind}: ${err.message}`);
      throw err;
    }
    const items = checked.map((rule) => rules.add(rule));
    sendJson(res, 200, { message: items.length === 1 ? `${names.singular} has been added` : `${names.plural} have been added`, items });
  });
  r.delete(path, (_req, res) => {
    rules.clear();
    sendJson(res, 200, { message: `${names.plural} have been cleared` });
  });
  r.delete(`${path}/:id`, (req, res) => {
    if (!rules.remove(req.params.id!)) throw notFound(`${names.singular} not found`);
    sendJson(res, 200, { message: `${names.singular} has been removed` });
  });
}

// Mailgun's Events API filter expressions (`event=rejected OR failed`, `size=>10000 <20000`,
// `subject="foo bar" AND NOT baz`): a tokenizer and a recursive-descent parser, bounded in length and
// depth, and the matcher that runs a parsed filter against an event. Used by event-query.ts.
import { errors } from '../errors.js';
import type { EventData } from '../store/types.js';

/** Bounds that keep hostile filters cheap to parse. */
export const MAX_FILTER_CHARS = 2048;
export const MAX_FILTER_NESTING = 16;

/** A value as error messages quote it (long ones cut). */
export function quote(value: string): string {
  return value.length > 60 ? `'${value.slice(0, 60)}…'` : `'${value}'`;
}

/** The query parameters Mailgun documents as filter fields. */
export const EVENT_FILTER_FIELDS = [
  'event',
  'list',
  'attachment',
  'from',
  'message-id',
  'subject',
  'to',
  'size',
  'recipient',
  'recipients',
  'tags',
  'severity',
] as const;
export type EventFilterField = (typeof EVENT_FILTER_FIELDS)[number];

/** One filter parameter as given (`event=rejected OR failed`); the expression is re-parsed when run. */
export interface EventFilter {
  field: EventFilterField;
  expression: string;
}

//
//   or      := and ('OR' and)*
//   and     := unary (['AND'] unary)*          juxtaposition is AND
//   unary   := ('NOT' | '-') unary | primary   `-foo` is the 2013 docs' spelling of NOT
//   primary := '(' or ')' | word | "quoted" | ('>' | '<' | '>=' | '<=') number

export type Relation = '=' | '>' | '<' | '>=' | '<=';
export type FilterNode =
  | { op: 'and' | 'or'; args: FilterNode[] }
  | { op: 'not'; arg: FilterNode }
  | { op: 'term'; text: string }
  | { op: 'cmp'; rel: Relation; value: number };

type Token =
  | { t: 'word' | 'quoted'; v: string }
  | { t: '(' | ')' | 'AND' | 'OR' | 'NOT' }
  | { t: 'cmp'; rel: Relation; value: number };

// C0 controls other than tab/CR/LF, DEL, and lone surrogates: never in a real filter, and costly in a token.
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NUMBER = /^\d+(?:\.\d+)?$/;
const COMPARISON = /^(>=|<=|>|<)\s*(\d+(?:\.\d+)?)(?=[\s()"]|$)/;

function tokenize(field: string, text: string): Token[] {
  const fail = (why: string) => errors.badRequest(`Invalid filter expression for "${field}": ${why}`);
  if (text.length > MAX_FILTER_CHARS) throw fail(`longer than ${MAX_FILTER_CHARS} characters`);
  if (FORBIDDEN.test(text)) throw fail('control characters are not allowed');
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ t: c });
      i++;
    } else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw fail('unterminated quote');
        const q = text[i]!;
        if (q === '"') break;
        if (q === '\\' && i + 1 < text.length) i++;
        v += text[i];
        i++;
      }
      i++;
      tokens.push({ t: 'quoted', v });
    } else if (c === '-' && i + 1 < text.length && !/\s/.test(text[i + 1]!)) {
      tokens.push({ t: 'NOT' });
      i++;
    } else {
      const cmp = c === '>' || c === '<' ? COMPARISON.exec(text.slice(i)) : null;
      if (cmp) {
        tokens.push({ t: 'cmp', rel: cmp[1] as Relation, value: Number(cmp[2]) });
        i += cmp[0].length;
        continue;
      }
      // Anything else up to whitespace, a parenthesis or a quote is one term (`<id@host>` included).
      let j = i;
      while (j < text.length && !/[\s()"]/.test(text[j]!)) j++;
      const word = text.slice(i, j);
      i = j;
      if (word === 'AND' || word === 'OR' || word === 'NOT') tokens.push({ t: word });
      else tokens.push({ t: 'word', v: word });
    }
  }
  return tokens;
}

function parseTokens(field: string, tokens: Token[]): FilterNode {
  const fail = (why: string) => errors.badRequest(`Invalid filter expression for "${field}": ${why}`);
  let pos = 0;
  const peek = () => tokens[pos];
  const startsUnary = (t: Token | undefined) => t !== undefined && t.t !== ')' && t.t !== 'AND' && t.t !== 'OR';

  const parseOr = (depth: number): FilterNode => {
    const args = [parseAnd(depth)];
    while (peek()?.t === 'OR') {
      pos++;
      args.push(parseAnd(depth));
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };
  const parseAnd = (depth: number): FilterNode => {
    const args = [parseUnary(depth)];
    for (;;) {
      const t = peek();
      if (t?.t === 'AND') {
        pos++;
        args.push(parseUnary(depth));
      } else if (startsUnary(t)) {
        args.push(parseUnary(depth));
      } else break;
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const parseUnary = (depth: number): FilterNode => {
    if (depth > MAX_FILTER_NESTING) throw fail(`nested more than ${MAX_FILTER_NESTING} levels deep`);
    const t = peek();
    if (t === undefined) throw fail('expected a term at the end');
    pos++;
    switch (t.t) {
      case 'NOT':
        return { op: 'not', arg: parseUnary(depth + 1) };
      case '(': {
        if (peek()?.t === ')') throw fail('empty parentheses');
        const inner = parseOr(depth + 1);
        if (peek()?.t !== ')') throw fail('unbalanced parentheses');
        pos++;
        return inner;
      }
      case 'word':
      case 'quoted':
        return { op: 'term', text: t.v };
      case 'cmp':
        return { op: 'cmp', rel: t.rel, value: t.value };
      default:
        throw fail(t.t === ')' ? 'unbalanced parentheses' : `expected a term before ${t.t}`);
    }
  };

  const node = parseOr(0);
  if (pos < tokens.length) throw fail('unbalanced parentheses');
  return node;
}

type FieldKind = 'exact' | 'contains' | 'numeric';
interface FieldSpec {
  kind: FieldKind;
  /** The event's values for this field (strings; for `size` a number). */
  values: (data: EventData) => unknown[];
}

function at(data: unknown, ...path: string[]): unknown {
  let v = data;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
const one = (v: unknown): unknown[] => (v === undefined ? [] : [v]);
const many = (v: unknown): unknown[] => (Array.isArray(v) ? v : one(v));

/** Where each filter field lives in `event-data`, and how a term matches it. */
const FIELDS: Record<EventFilterField, FieldSpec> = {
  event: { kind: 'exact', values: (d) => one(d.event) },
  severity: { kind: 'exact', values: (d) => one(d.severity) },
  recipient: { kind: 'exact', values: (d) => one(d.recipient) },
  'message-id': { kind: 'exact', values: (d) => one(at(d, 'message', 'headers', 'message-id')) },
  tags: { kind: 'exact', values: (d) => many(d.tags) },
  from: { kind: 'contains', values: (d) => one(at(d, 'message', 'headers', 'from')) },
  to: { kind: 'contains', values: (d) => one(at(d, 'message', 'headers', 'to')) },
  subject: { kind: 'contains', values: (d) => one(at(d, 'message', 'headers', 'subject')) },
  attachment: {
    kind: 'contains',
    values: (d) => many(at(d, 'message', 'attachments')).map((a) => at(a, 'filename')),
  },
  recipients: { kind: 'contains', values: (d) => many(at(d, 'message', 'recipients')) },
  list: { kind: 'contains', values: (d) => one(at(d, 'mailing-list', 'address')) },
  size: { kind: 'numeric', values: (d) => one(at(d, 'message', 'size')) },
};

/** Message ids are stored without angle brackets; a filter may carry them. */
function normalise(field: EventFilterField, text: string): string {
  const lower = text.toLowerCase();
  return field === 'message-id' ? lower.replace(/^<(.*)>$/, '$1') : lower;
}

/** Checks the tree against the field's kind and lower-cases terms (numeric terms on `size` become `=`). */
function prepare(field: EventFilterField, node: FilterNode): FilterNode {
  const fail = (why: string) => errors.badRequest(`Invalid filter expression for "${field}": ${why}`);
  const numeric = FIELDS[field].kind === 'numeric';
  switch (node.op) {
    case 'and':
    case 'or':
      return { op: node.op, args: node.args.map((a) => prepare(field, a)) };
    case 'not':
      return { op: 'not', arg: prepare(field, node.arg) };
    case 'cmp':
      if (!numeric) throw fail(`"${node.rel}" applies to numeric fields only (size)`);
      return node;
    case 'term':
      if (numeric) {
        if (!NUMBER.test(node.text)) throw fail(`${quote(node.text)} is not a number`);
        return { op: 'cmp', rel: '=', value: Number(node.text) };
      }
      return { op: 'term', text: normalise(field, node.text) };
  }
}

/** Parses one filter value; throws MailgunError 400 naming the field when it is not a valid expression. */
export function parseFilterExpression(field: EventFilterField, expression: string): FilterNode {
  const tokens = tokenize(field, expression);
  if (tokens.length === 0) throw errors.badRequest(`Invalid filter expression for "${field}": empty`);
  return prepare(field, parseTokens(field, tokens));
}

function evaluate(node: FilterNode, kind: FieldKind, strings: string[], numbers: number[]): boolean {
  switch (node.op) {
    case 'and':
      return node.args.every((a) => evaluate(a, kind, strings, numbers));
    case 'or':
      return node.args.some((a) => evaluate(a, kind, strings, numbers));
    case 'not':
      return !evaluate(node.arg, kind, strings, numbers);
    case 'term':
      return kind === 'exact' ? strings.includes(node.text) : strings.some((s) => s.includes(node.text));
    case 'cmp':
      return numbers.some((n) => {
        switch (node.rel) {
          case '=': return n === node.value;
          case '>': return n > node.value;
          case '<': return n < node.value;
          case '>=': return n >= node.value;
          case '<=': return n <= node.value;
        }
      });
  }
}

export function compileFilter(filter: EventFilter): (data: EventData) => boolean {
  const tree = parseFilterExpression(filter.field, filter.expression);
  const spec = FIELDS[filter.field];
  return (data) => {
    const raw = spec.values(data);
    const strings: string[] = [];
    const numbers: number[] = [];
    for (const v of raw) {
      if (typeof v === 'string') strings.push(normalise(filter.field, v));
      else if (typeof v === 'number' && Number.isFinite(v)) numbers.push(v);
    }
    return evaluate(tree, spec.kind, strings, numbers);
  };
}


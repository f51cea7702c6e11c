// Address fields as Mailgun reads them (from, to, cc, bcc; suppression addresses): mailboxes with
// display names, quoted names, comments and groups, checked by RFC 5321/5322 syntax in one linear
// pass (no backtracking regex on user input).
import { errors } from '../errors.js';

/** The address fields of a send. */
export type AddressField = 'from' | 'to' | 'cc' | 'bcc';

/** Mailgun's 400 text for an address field that holds something that is not an address. */
export const invalidAddressText = (param: AddressField) => `'${param}' parameter is not a valid address. please check documentation`;

const bad = (message: string) => errors.badRequest(message);


/**
 * The mailboxes of address fields: each value may hold several, separated by commas (or semicolons);
 * `Name <a@x.org>`, `"Last, First" <a@x.org>`, `<a@x.org>`, bare `a@x.org`, and groups
 * (`Team: a@x.org, b@x.org;`, whose members count). An entry that is not a valid address throws that
 * field's "not a valid address" 400. One linear pass per value: no backtracking regex on addresses.
 */
export function parseAddressList(values: string[], field: AddressField = 'to'): Array<{ address: string; name?: string; raw: string }> {
  const out: Array<{ address: string; name?: string; raw: string }> = [];
  for (const value of Array.isArray(values) ? values : []) {
    if (typeof value !== 'string') continue;
    const items = splitAddressItems(value);
    if (!items) throw bad(invalidAddressText(field));
    for (const item of items) {
      const raw = item.trim();
      if (raw === '') continue;
      const parsed = parseMailbox(raw);
      if (!parsed) throw bad(invalidAddressText(field));
      out.push(parsed);
    }
  }
  return out;
}

/** Splits on top-level `,` and `;` (not inside quotes, comments, `<…>` or `[…]`); drops group names. Null when unbalanced. */
function splitAddressItems(value: string): string[] | null {
  const items: string[] = [];
  let start = 0;
  let inQuote = false;
  let comment = 0;
  let angle = false;
  let bracket = false;
  let sawAt = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
      continue;
    }
    if (comment > 0) {
      if (c === '\\') i++;
      else if (c === '(') comment++;
      else if (c === ')') comment--;
      continue;
    }
    switch (c) {
      case '"':
        inQuote = true;
        break;
      case '(':
        comment = 1;
        break;
      case '<':
        if (angle) return null;
        angle = true;
        break;
      case '>':
        if (!angle) return null;
        angle = false;
        break;
      case '[':
        bracket = true;
        break;
      case ']':
        bracket = false;
        break;
      case '@':
        sawAt = true;
        break;
      case ':':
        // `Group name:` opens a group; its members follow as ordinary items. A colon after an `@` is no group.
        if (!angle && !bracket && !sawAt) start = i + 1;
        break;
      case ',':
      case ';':
        if (!angle && !bracket) {
          items.push(value.slice(start, i));
          start = i + 1;
          sawAt = false;
        }
        break;
    }
  }
  if (inQuote || comment > 0 || angle || bracket) return null;
  items.push(value.slice(start));
  return items;
}

/** One mailbox: `display name <addr-spec>` or a bare addr-spec (comments around it ignored). */
function parseMailbox(raw: string): { address: string; name?: string; raw: string } | null {
  const lt = indexOutsideQuotes(raw, '<');
  let address: string;
  let name: string | undefined;
  if (lt >= 0) {
    const gt = raw.indexOf('>', lt);
    if (gt < 0 || stripComments(raw.slice(gt + 1)).trim() !== '') return null;
    address = raw.slice(lt + 1, gt).trim();
    const phrase = displayName(raw.slice(0, lt));
    if (phrase === null) return null;
    name = phrase;
  } else {
    address = stripComments(raw).trim();
  }
  if (!isValidAddress(address)) return null;
  return name ? { address, name, raw } : { address, raw };
}

/** The display name, unquoted; undefined when empty, null when it is not a phrase (an `@` or `>` outside quotes). */
function displayName(text: string): string | undefined | null {
  const phrase = stripComments(text).trim();
  if (phrase === '') return undefined;
  let out = '';
  let inQuote = false;
  for (let i = 0; i < phrase.length; i++) {
    const c = phrase[i]!;
    if (inQuote) {
      if (c === '\\' && i + 1 < phrase.length) out += phrase[++i];
      else if (c === '"') inQuote = false;
      else out += c;
    } else if (c === '"') inQuote = true;
    else if (c === '@' || c === '>') return null;
    else out += c;
  }
  const name = out.replace(/\s+/g, ' ').trim();
  return name === '' ? undefined : name;
}

function indexOutsideQuotes(s: string, ch: string): number {
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === ch) return i;
  }
  return -1;
}

function stripComments(s: string): string {
  if (!s.includes('(')) return s;
  let out = '';
  let depth = 0;
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      continue;
    }
    if (inQuote) {
      if (c === '\\') {
        out += c + (s[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === '(') {
      depth = 1;
      continue;
    }
    out += c;
  }
  return out;
}

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+$/;
const LABEL = /^[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]{0,61}[A-Za-z0-9\u0080-\uffff])?$/;

/**
 * An addr-spec by RFC 5321/5322 syntax (the checks Mailgun documents; it also verifies the domain in DNS,
 * which a local mock cannot): dot-atom or quoted local part up to 64 bytes, and a domain of at least two
 * labels (Mailgun refuses `user@localhost`-style domains) or an address literal; 254 bytes in all.
 */
export function isValidAddress(address: string): boolean {
  if (address.length === 0 || address.length > 254 || Buffer.byteLength(address) > 254) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return Buffer.byteLength(local) <= 64 && isValidLocalPart(local) && isValidDomain(domain);
}

function isValidLocalPart(local: string): boolean {
  if (local.startsWith('"')) {
    if (local.length < 2 || !local.endsWith('"')) return false;
    for (let i = 1; i < local.length - 1; i++) {
      const c = local.charCodeAt(i);
      if (c === 0x5c) {
        i++;
        if (i >= local.length - 1) return false;
      } else if (c === 0x22 || c < 0x20 || c === 0x7f) return false;
    }
    return true;
  }
  return local.split('.').every((atom) => atom !== '' && ATEXT.test(atom));
}

/** A domain as an address may hold it after the `@` (two or more labels, UTF-8 allowed), without IP literals: what an allowlist entry names. */
export function isValidMailDomain(domain: string): boolean {
  if (domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return !/^\d+$/.test(labels[labels.length - 1]!);
}

function isValidDomain(domain: string): boolean {
  if (domain.startsWith('[')) {
    if (!domain.endsWith(']')) return false;
    const literal = domain.slice(1, -1);
    if (/^IPv6:[0-9A-Fa-f:.]{2,45}$/i.test(literal)) return true;
    const parts = literal.split('.');
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  }
  return isValidMailDomain(domain);
}



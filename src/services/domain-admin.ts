// Mailgun's Domains API without HTTP: list, get, create, update, delete and verify domains, and
// their open/click/unsubscribe tracking settings, with the wire shapes Mailgun answers (recorded
// by mailgun-ruby against the real API in 2025). DNS is never looked up: verify makes a domain active.
import { createHash } from 'node:crypto';
import { errors } from '../errors.js';
import type { DomainRecord, MockState, Region } from '../store/types.js';
import { findDomain, forgetDomainIndex, requireDomain } from './domains.js';

/** Raw form or query values by their wire names (absent = not given). */
export type RawInput = Record<string, string | undefined>;

export const TRACKING_KINDS = ['open', 'click', 'unsubscribe'] as const;
export type TrackingKind = (typeof TRACKING_KINDS)[number];

const SPAM_ACTIONS = ['disabled', 'block', 'tag'] as const;
const WEB_SCHEMES = ['http', 'https'] as const;
const STATES = ['active', 'unverified', 'disabled'] as const;
/** Mailgun documents at most 1000 domains a page, 100 by default. */
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
/** The selector Mailgun gave new domains in the 2025 recordings. */
const DKIM_SELECTOR = 'smtp';
/** Mailgun's default unsubscribe footers (its tracking answers quote them). */
export const DEFAULT_HTML_FOOTER = '\n<br>\n<p><a href="%unsubscribe_url%">unsubscribe</a></p>\n';
export const DEFAULT_TEXT_FOOTER = '\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n';
/** MX and tracking CNAME targets per region (EU answers name the eu hosts; SPF is the same). */
const REGION_HOSTS: Record<Region, { mx: [string, string]; cname: string }> = {
  us: { mx: ['mxa.mailgun.org', 'mxb.mailgun.org'], cname: 'mailgun.org' },
  eu: { mx: ['mxa.eu.mailgun.org', 'mxb.eu.mailgun.org'], cname: 'eu.mailgun.org' },
};

// ---- values ---------------------------------------------------------------------------------

const bad = (field: string, value: string, allowed: readonly string[]) =>
  errors.badRequest(`Invalid parameter '${field}': '${value}' is not one of ${allowed.join(', ')}`);

function oneOf<T extends string>(field: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw bad(field, value, allowed);
}

/** `true`/`false` as mailgun.js sends them (booleans become strings), plus Go's ParseBool spellings and yes/no. */
function bool(field: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (['true', 't', '1', 'yes'].includes(v)) return true;
  if (['false', 'f', '0', 'no'].includes(v)) return false;
  throw bad(field, value, ['true', 'false']);
}

function whole(field: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw errors.badRequest(`Invalid parameter '${field}': '${value}' is not a whole number from ${min} to ${max}`);
  return n;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name of two or more DNS labels (letters, digits, hyphens), at most 253 characters, with a non-numeric TLD. */
export function isValidDomainName(name: string): boolean {
  const labels = name.split('.');
  return name.length <= 253 && labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

// ---- wire shapes ----------------------------------------------------------------------------

/** A 24-hex id like Mailgun's (an ObjectId: creation seconds, then bytes), stable for a name and date. */
function domainId(d: DomainRecord): string {
  const seconds = Math.max(0, Math.floor(Date.parse(d.createdAt) / 1000));
  return seconds.toString(16).padStart(8, '0').slice(-8) + createHash('sha256').update(d.name).digest('hex').slice(0, 16);
}

const stateOf = (d: DomainRecord) => d.state ?? 'active';

/** The domain object, keys in Mailgun's (alphabetical) order; `extended` adds dkim_host and mailfrom_host. */
export function domainJson(d: DomainRecord, extended = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    created_at: new Date(d.createdAt).toUTCString(),
    id: domainId(d),
    is_disabled: stateOf(d) === 'disabled',
    name: d.name,
    require_tls: d.requireTls ?? false,
    skip_verification: d.skipVerification ?? false,
    smtp_login: d.smtpLogin ?? `postmaster@${d.name}`,
    spam_action: d.spamAction ?? 'disabled',
    state: stateOf(d),
    type: d.type ?? 'custom',
    use_automatic_sender_security: false,
    web_prefix: d.webPrefix ?? 'email',
    web_scheme: d.webScheme ?? 'http',
    wildcard: d.wildcard ?? false,
  };
  if (extended) Object.assign(out, { dkim_host: d.name, mailfrom_host: d.name });
  return out;
}

/** A DKIM public key that looks like a 1024-bit one, derived from the name (nothing can check it). */
function dkimValue(name: string): string {
  const bytes = Buffer.concat([0, 1, 2].map((i) => createHash('sha512').update(`${i}:${name}`).digest())).subarray(0, 129);
  return `k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ${bytes.toString('base64')}IDAQAB`;
}

/** The DNS records Mailgun asks for: `unknown` until verified, then `valid` (the mock checks nothing). */
export function dnsRecords(d: DomainRecord): { receiving_dns_records: object[]; sending_dns_records: object[] } {
  const active = stateOf(d) === 'active';
  const valid = active ? 'valid' : 'unknown';
  const hosts = REGION_HOSTS[d.region];
  return {
    receiving_dns_records: hosts.mx.map((value) => ({ is_active: true, cached: [], priority: '10', record_type: 'MX', valid, value })),
    sending_dns_records: [
      { is_active: active, cached: [], name: `${DKIM_SELECTOR}._domainkey.${d.name}`, record_type: 'TXT', valid, value: dkimValue(d.name) },
      { is_active: true, cached: [], name: d.name, record_type: 'TXT', valid, value: 'v=spf1 include:mailgun.org ~all' },
      { is_active: true, cached: [], name: `${d.webPrefix ?? 'email'}.${d.name}`, record_type: 'CNAME', valid, value: hosts.cname },
    ],
  };
}

/** `{domain, receiving_dns_records, sending_dns_records}`, after an optional `message`. */
function domainBody(d: DomainRecord, message?: string, opts: { withDns?: boolean; extended?: boolean } = {}): Record<string, unknown> {
  const records = opts.withDns === false ? { receiving_dns_records: null, sending_dns_records: null } : dnsRecords(d);
  return { ...(message === undefined ? {} : { message }), domain: domainJson(d, opts.extended), ...records };
}

// ---- domains --------------------------------------------------------------------------------

/** `GET /v4/domains`: the region's domains, newest first (or by name), filtered, then paged. */
export function listDomains(state: MockState, region: Region, q: RawInput): { total_count: number; items: Record<string, unknown>[] } {
  const limit = whole('limit', q.limit, 1, MAX_LIMIT, DEFAULT_LIMIT);
  const skip = whole('skip', q.skip, 0, Number.MAX_SAFE_INTEGER, 0);
  const wanted = oneOf('state', q.state, STATES);
  const sort = q.sort === undefined ? undefined : oneOf('sort', q.sort.replace(/\s+/g, ''), ['name', 'name:asc', 'name:desc'] as const);
  const search = q.search?.trim().toLowerCase();
  // "If state is specified then only state filtering will be proceed" (Mailgun's docs). Every mock domain is its own DKIM authority.
  const authority = wanted === undefined ? q.authority?.trim().toLowerCase() : undefined;
  const found = state.domains
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => d.region === region && (wanted === undefined || stateOf(d) === wanted) && (!search || d.name.includes(search)) && (!authority || d.name === authority));
  if (sort === undefined) found.sort((a, b) => Date.parse(b.d.createdAt) - Date.parse(a.d.createdAt) || b.i - a.i);
  else found.sort((a, b) => (a.d.name < b.d.name ? -1 : a.d.name > b.d.name ? 1 : 0) * (sort === 'name:desc' ? -1 : 1));
  return { total_count: found.length, items: found.slice(skip, skip + limit).map(({ d }) => domainJson(d)) };
}

/** `GET /v4/domains/{name}` (query `h:with_dns`, default true; `h:extended`, default false). */
export function getDomain(state: MockState, name: string, q: RawInput = {}): Record<string, unknown> {
  const withDns = bool('with_dns', q['h:with_dns'] ?? q.with_dns) ?? true;
  const extended = bool('extended', q['h:extended'] ?? q.extended) ?? false;
  return domainBody(requireDomain(state, name), undefined, { withDns, extended });
}

/** Settings both create and update take; checked before anything changes. */
function readSettings(f: RawInput): Partial<Pick<DomainRecord, 'spamAction' | 'wildcard' | 'webScheme' | 'webPrefix' | 'smtpPassword'>> {
  const out: ReturnType<typeof readSettings> = {};
  const spamAction = oneOf('spam_action', f.spam_action, SPAM_ACTIONS);
  const wildcard = bool('wildcard', f.wildcard);
  const webScheme = oneOf('web_scheme', f.web_scheme, WEB_SCHEMES);
  if (spamAction !== undefined) out.spamAction = spamAction;
  if (wildcard !== undefined) out.wildcard = wildcard;
  if (webScheme !== undefined) out.webScheme = webScheme;
  if (f.web_prefix !== undefined) {
    const prefix = f.web_prefix.trim().toLowerCase();
    if (!LABEL.test(prefix)) throw errors.badRequest(`Invalid parameter 'web_prefix': '${f.web_prefix}' is not a valid DNS label`);
    out.webPrefix = prefix;
  }
  if (f.smtp_password !== undefined && f.smtp_password !== '') out.smtpPassword = f.smtp_password;
  // Accepted and not modelled: checked so a typo still fails as it would on Mailgun [inferred].
  for (const flag of ['use_automatic_sender_security', 'force_dkim_authority', 'force_root_dkim_host', 'encrypt_incoming_message']) bool(flag, f[flag]);
  return out;
}

/** `POST /v4/domains`: a new custom domain in the request's region, unverified, tracking off, empty lists. */
export function createDomain(state: MockState, region: Region, f: RawInput, nowMs: number): Record<string, unknown> {
  const given = f.name?.trim();
  if (!given) throw errors.missingParameter('name');
  const name = given.toLowerCase();
  if (!isValidDomainName(name)) throw errors.badRequest(`'${given}' is not a valid domain name`);
  if (f.dkim_key_size !== undefined && !['1024', '2048'].includes(f.dkim_key_size.trim())) throw bad('dkim_key_size', f.dkim_key_size, ['1024', '2048']);
  const settings = readSettings(f);
  // Domain names are global: a name held in either region (or by anyone, on Mailgun) is taken.
  if (findDomain(state, name)) throw errors.badRequest('This domain name is already taken');
  const d: DomainRecord = {
    name,
    region,
    createdAt: new Date(Math.floor(nowMs / 1000) * 1000).toISOString(),
    webhooks: [],
    // A new Mailgun domain tracks nothing (recorded 2025: GET tracking right after create).
    tracking: { open: false, click: false, unsubscribe: false },
    bounces: [],
    unsubscribes: [],
    complaints: [],
    allowlist: [],
    state: 'unverified',
    type: 'custom',
    spamAction: 'disabled',
    wildcard: false,
    webScheme: 'http',
    webPrefix: 'email',
    ...settings,
  };
  state.domains.push(d);
  return domainBody(d, 'Domain DNS records have been created');
}

/** `PUT /v4/domains/{name}`: spam_action, wildcard, web_scheme, web_prefix, smtp_password; others accepted and ignored. */
export function updateDomain(state: MockState, name: string, f: RawInput): Record<string, unknown> {
  const d = requireDomain(state, name);
  if (f.message_ttl !== undefined) whole('message_ttl', f.message_ttl, 0, Number.MAX_SAFE_INTEGER, 0);
  Object.assign(d, readSettings(f));
  return domainBody(d, 'Domain has been updated');
}

/** `PUT /v4/domains/{name}/verify`: no DNS is looked up; an unverified domain becomes active (a disabled one stays disabled). */
export function verifyDomain(state: MockState, name: string): Record<string, unknown> {
  const d = requireDomain(state, name);
  if (stateOf(d) === 'unverified') d.state = 'active';
  return domainBody(d, 'Domain DNS records have been updated');
}

/** `DELETE /v3/domains/{name}`: the domain goes with its webhooks, suppressions, messages and events. */
export function deleteDomain(state: MockState, name: string): { message: string } {
  const d = requireDomain(state, name);
  state.domains.splice(state.domains.indexOf(d), 1);
  forgetDomainIndex(state);
  state.messages = state.messages.filter((m) => m.domain !== d.name);
  state.events = state.events.filter((e) => e.domain !== d.name);
  return { message: 'Domain will be deleted in the background' };
}

// ---- tracking -------------------------------------------------------------------------------

/** `GET /v3/domains/{name}/tracking`, keys in the order Mailgun answered in 2025. */
export function getTracking(state: MockState, name: string): { tracking: Record<string, unknown> } {
  const d = requireDomain(state, name);
  return {
    tracking: {
      open: { active: d.tracking.open, place_at_the_top: false },
      click: { active: d.tracking.click },
      unsubscribe: { active: d.tracking.unsubscribe, html_footer: DEFAULT_HTML_FOOTER, text_footer: DEFAULT_TEXT_FOOTER },
      web_scheme: d.webScheme ?? 'http',
    },
  };
}

/** `yes`/`no`/`true`/`false` (and `htmlonly` for clicks), as the docs and mailgun.js send them. */
function activeValue(kind: TrackingKind, value: string | undefined): boolean | 'htmlonly' | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  if (v === 'htmlonly' && kind === 'click') return 'htmlonly';
  throw bad('active', value, kind === 'click' ? ['yes', 'no', 'true', 'false', 'htmlonly'] : ['yes', 'no', 'true', 'false']);
}

/**
 * `PUT /v3/domains/{name}/tracking/{open|click|unsubscribe}`: `active` (absent keeps the setting);
 * open also `place_at_the_top`, unsubscribe also `html_footer` and `text_footer`. The answer echoes
 * what was set. The state keeps one boolean per kind: `htmlonly` is kept as on, and the place and
 * footers are not kept (GET answers the defaults).
 */
export function updateTracking(state: MockState, name: string, kind: TrackingKind, f: RawInput): Record<string, unknown> {
  const d = requireDomain(state, name);
  const active = activeValue(kind, f.active);
  const place = kind === 'open' ? activeValue('open', f.place_at_the_top) : undefined;
  if (active !== undefined) d.tracking[kind] = active !== false;
  const shown = active ?? d.tracking[kind];
  const message = 'Domain tracking settings have been updated';
  if (kind === 'open') return { message, open: { active: shown, place_at_the_top: place ?? false } };
  if (kind === 'click') return { message, click: { active: shown } };
  return { message, unsubscribe: { active: shown, html_footer: f.html_footer ?? DEFAULT_HTML_FOOTER, text_footer: f.text_footer ?? DEFAULT_TEXT_FOOTER } };
}

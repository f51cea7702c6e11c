// A model of the webhook APIs (v3 domain webhooks and their v2 alias, v4 domain webhooks, v1 account
// webhooks) as docs/api-coverage.md states them, and fast-check commands that drive the mock and the
// model side by side: each command's answer must be exactly the one the model predicts (success or
// Mailgun's error, status and body), and afterwards the mock's lists must equal the model.
import { Agent } from 'node:http';
import fc from 'fast-check';
import type { FixtureData } from '../../src/index.js';
import { sendRaw, type RawResponse } from './raw-http.js';
import { ModelCommand } from './command.js';

export const LEGACY = ['bounce', 'deliver', 'drop', 'spam', 'unsubscribe', 'click', 'open'];
export const CURRENT = ['accepted', 'clicked', 'complained', 'delivered', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed'];
const MAX_URLS = 3;

/** A domain webhook as the model keeps it: names in the order they were set. */
export interface Hook {
  name: string;
  urls: string[];
  legacy: boolean;
}

export interface AccountHook {
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
}

export interface Model {
  /** US domains by lower-case name; a domain not here (or of the EU) is not found. */
  domains: Map<string, Hook[]>;
  /** US account webhooks, oldest first. */
  account: AccountHook[];
}

/** What the mock under test is reached through. */
export interface Real {
  port: number;
  agent: Agent;
  /** Stops the mock and starts it again on the same data file (the data-file variant only). */
  reopen?: () => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Pools: few enough values that names and URLs collide.

/** URLs with whether Mailgun takes them as an absolute http(s) URL. All point at 127.0.0.1 (port 1: nothing listens). */
export const URLS: Array<[string, boolean]> = [
  ['http://127.0.0.1:1/a', true],
  ['http://127.0.0.1:1/b', true],
  ['https://127.0.0.1:1/c', true],
  ['http://127.0.0.1:1/d', true],
  ['http://127.0.0.1:1/e?x=1', true],
  ['http://127.0.0.1:1/a,b', true],
  ['not a url', false],
  ['ftp://127.0.0.1:1/x', false],
  [' http://127.0.0.1:1/a', false],
];
const URL_VALID = new Map(URLS);
const isValidUrl = (u: string) => URL_VALID.get(u) ?? false;

/** Domains as they appear in paths: real ones, another case, one of the EU region, one that does not exist. */
export const PATH_DOMAINS = ['samples.mailgun.org', 'x.example.com', 'X.EXAMPLE.COM', 'y.example.com', 'eu.example.com', 'nope.example.com'];

// ---------------------------------------------------------------------------------------------
// Expected answers

interface Expected {
  status: number;
  /** The exact JSON body, or undefined for an empty one (204). */
  body?: unknown;
}

const err = (status: number, body: Record<string, string>): Expected => ({ status, body });
const ok = (body: unknown): Expected => ({ status: 200, body });
const domainNotFound = (): Expected => err(404, { message: 'Domain not found' });

type View = { url: string } | { urls: string[] };
const view = (h: Hook): View => (h.legacy ? { url: h.urls[0] ?? '' } : { urls: [...h.urls] });

/** The v3 list (and the v4 answer): `{name: view}` in the order the names were set. */
export function listView(hooks: Hook[]): Record<string, View> {
  const out: Record<string, View> = {};
  // defineProperty: a name is data, never a setter (the mock does the same).
  for (const h of hooks) Object.defineProperty(out, h.name, { value: view(h), enumerable: true, writable: true, configurable: true });
  return out;
}

const split = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
const unique = <T>(xs: T[]) => [...new Set(xs)];
const isName = (n: string) => LEGACY.includes(n) || CURRENT.includes(n);

/** v3 `url` values: present (blank ones dropped, duplicates once), one for legacy names, at most 3, each valid. */
function checkV3Urls(name: string, legacy: boolean, sent: string[]): Expected | string[] {
  const urls = unique(sent.filter((u) => u.length > 0));
  if (urls.length === 0) return err(400, { message: "Missing parameter 'url'" });
  if (legacy && urls.length > 1) return err(400, { message: `webhook ${name} accepts a single url` });
  if (urls.length > MAX_URLS) return err(400, { message: `unable to add more than 3 urls for webhook ${name}` });
  const bad = urls.find((u) => !isValidUrl(u));
  if (bad !== undefined) return err(400, { Reason: `${bad} is not a valid url` });
  return urls;
}

export const expectV3 = {
  create(model: Model, domain: string, id: string | undefined, urls: string[]): Expected {
    const hooks = model.domains.get(domain.toLowerCase());
    if (!hooks) return domainNotFound();
    if (id === undefined || id === '') return err(400, { message: "Missing parameter 'id'" });
    if (!isName(id)) return err(400, { message: `Invalid webhook name '${id}'` });
    const legacy = LEGACY.includes(id);
    const clean = checkV3Urls(id, legacy, urls);
    if (!Array.isArray(clean)) return clean;
    if (hooks.some((h) => h.name === id)) return err(400, { message: 'Webhook already exists' });
    const hook = { name: id, urls: clean, legacy };
    hooks.push(hook);
    return ok({ message: 'Webhook has been created', webhook: view(hook) });
  },
  update(model: Model, domain: string, name: string, urls: string[]): Expected {
    const hooks = model.domains.get(domain.toLowerCase());
    if (!hooks) return domainNotFound();
    if (!isName(name)) return err(400, { message: `Invalid webhook name '${name}'` });
    const hook = hooks.find((h) => h.name === name);
    if (!hook) return err(404, { message: 'Webhook not found' });
    const clean = checkV3Urls(name, hook.legacy, urls);
    if (!Array.isArray(clean)) return clean;
    hook.urls = clean;
    return ok({ message: 'Webhook has been updated', webhook: view(hook) });
  },
  remove(model: Model, domain: string, name: string): Expected {
    const hooks = model.domains.get(domain.toLowerCase());
    if (!hooks) return domainNotFound();
    if (!isName(name)) return err(400, { message: `Invalid webhook name '${name}'` });
    const at = hooks.findIndex((h) => h.name === name);
    if (at === -1) return err(404, { message: 'Webhook not found' });
    const [hook] = hooks.splice(at, 1);
    return ok({ message: 'Webhook has been deleted', webhook: view(hook!) });
  },
  get(model: Model, domain: string, name: string): Expected {
    const hooks = model.domains.get(domain.toLowerCase());
    if (!hooks) return domainNotFound();
    if (!isName(name)) return err(400, { message: `Invalid webhook name '${name}'` });
    const hook = hooks.find((h) => h.name === name);
    if (!hook) return err(404, { message: 'Webhook not found' });
    return ok({ webhook: view(hook) });
  },
};

/** v4 checks, in order: url, event types, then room for the URL under each name. Undefined when all pass. */
function checkV4(hooks: Hook[], url: string | undefined, types: string[]): Expected | string[] {
  if (url === undefined || url === '') return err(400, { Reason: "Missing parameter 'url'" });
  if (!isValidUrl(url)) return err(400, { Reason: `${url} is not a valid url` });
  const names = split(types);
  if (names.length === 0) return err(400, { Reason: "Missing parameter 'event_types'" });
  const bad = names.find((n) => !CURRENT.includes(n));
  if (bad !== undefined) return err(400, { Reason: `event_type '${bad}' is invalid` });
  const wanted = unique(names);
  for (const n of wanted) {
    const hook = hooks.find((h) => h.name === n && !h.legacy);
    if (hook && !hook.urls.includes(url) && hook.urls.length >= MAX_URLS) return err(400, { Reason: `unable to add more than 3 urls for event type ${n}` });
  }
  return wanted;
}

function attach(hooks: Hook[], url: string, names: string[]): void {
  for (const n of names) {
    const hook = hooks.find((h) => h.name === n && !h.legacy);
    if (!hook) hooks.push({ name: n, urls: [url], legacy: false });
    else if (!hook.urls.includes(url)) hook.urls.push(url);
  }
}

/** Removes `urls` from the current names not in `keep`; a current name left without URLs is unset. Legacy names are never touched. */
function detach(model: Model, domain: string, urls: Set<string>, keep: Set<string> = new Set()): void {
  const hooks = model.domains.get(domain)!;
  for (const h of hooks) if (!h.legacy && !keep.has(h.name)) h.urls = h.urls.filter((u) => !urls.has(u));
  model.domains.set(domain, hooks.filter((h) => h.legacy || h.urls.length > 0));
}

export const expectV4 = {
  create(model: Model, domain: string, url: string | undefined, types: string[]): Expected {
    const key = domain.toLowerCase();
    const hooks = model.domains.get(key);
    if (!hooks) return domainNotFound();
    const names = checkV4(hooks, url, types);
    if (!Array.isArray(names)) return names;
    attach(hooks, url!, names);
    return ok({ webhooks: listView(model.domains.get(key)!) });
  },
  update(model: Model, domain: string, url: string | undefined, types: string[]): Expected {
    const key = domain.toLowerCase();
    const hooks = model.domains.get(key);
    if (!hooks) return domainNotFound();
    const names = checkV4(hooks, url, types);
    if (!Array.isArray(names)) return names;
    detach(model, key, new Set([url!]), new Set(names));
    attach(model.domains.get(key)!, url!, names);
    return ok({ webhooks: listView(model.domains.get(key)!) });
  },
  remove(model: Model, domain: string, values: string[]): Expected {
    const key = domain.toLowerCase();
    const hooks = model.domains.get(key);
    if (!hooks) return domainNotFound();
    // A value that is itself a registered URL is one URL; otherwise a comma-joined list (mailgun-java).
    const registered = new Set(hooks.filter((h) => !h.legacy).flatMap((h) => h.urls));
    const urls = values.flatMap((v) => (registered.has(v) ? [v] : split([v])));
    if (urls.length === 0) return err(400, { Reason: "Missing parameter 'url'" });
    detach(model, key, new Set(urls));
    return ok({ webhooks: listView(model.domains.get(key)!) });
  },
};

const HEX24 = /^[0-9a-f]{24}$/i;

/** v1 checks, in order: url, event types (known, then distinct), then 3 unique URLs per event type. */
function checkV1(model: Model, url: string | undefined, types: string[], self?: AccountHook): Expected | string[] {
  if (url === undefined || url === '') return err(400, { message: "Missing parameter 'url'" });
  if (!isValidUrl(url)) return err(400, { message: `${url} is not a valid url` });
  const names = split(types);
  if (names.length === 0) return err(400, { message: "Missing parameter 'event_types'" });
  const bad = names.find((n) => !CURRENT.includes(n));
  if (bad !== undefined) return err(404, { Description: `event_type '${bad}' is invalid` });
  const dupes = unique(names.filter((n, i) => names.indexOf(n) !== i));
  if (dupes.length > 0) return err(400, { Field: 'event_types', Value: `duplicate event types: ${dupes.map((n) => `'${n}'`).join(', ')}` });
  for (const n of names) {
    const taken = new Set(model.account.filter((w) => w !== self && w.eventTypes.includes(n)).map((w) => w.url));
    if (!taken.has(url) && taken.size >= MAX_URLS) return err(409, { Description: `unable to add more than 3 urls for event type ${n}` });
  }
  return names;
}

export const expectV1 = {
  /** The id comes from the answer: `check` validates the rest and `commit` records it. */
  create(model: Model, url: string | undefined, types: string[], description: string | undefined): { expected: Expected; commit?: (id: string) => void } {
    const names = checkV1(model, url, types);
    if (!Array.isArray(names)) return { expected: names };
    return { expected: { status: 200 }, commit: (id) => model.account.push({ id, url: url!, eventTypes: names, description: description ?? '' }) };
  },
  update(model: Model, id: string, url: string | undefined, types: string[], description: string | undefined): Expected {
    if (!HEX24.test(id)) return err(400, { Field: 'webhook_id', Value: 'is not valid' });
    const hook = model.account.find((w) => w.id === id.toLowerCase());
    if (!hook) return err(404, { Description: 'webhook not found' });
    const names = checkV1(model, url, types, hook);
    if (!Array.isArray(names)) return names;
    Object.assign(hook, { url: url!, eventTypes: names, description: description ?? '' });
    return { status: 204 };
  },
  remove(model: Model, id: string): Expected {
    if (!HEX24.test(id)) return err(400, { Field: 'webhook_id', Value: 'is not valid' });
    const at = model.account.findIndex((w) => w.id === id.toLowerCase());
    if (at === -1) return err(404, { Description: `webhook_id not found: ${id}` });
    model.account.splice(at, 1);
    return { status: 204 };
  },
  removeMany(model: Model, ids: string[] | undefined, all: string | undefined): Expected {
    let wanted: string[] | undefined;
    if (ids !== undefined && ids.length > 0) {
      const parts = ids.flatMap((v) => v.split(',')).map((v) => v.trim());
      if (parts.some((p) => p === '')) return err(400, { message: 'Invalid parameter: webhook_ids malformed webhook_ids parameter: empty values not allowed' });
      const bad = parts.find((p) => !HEX24.test(p));
      if (bad !== undefined) return err(400, { message: `Invalid parameter: webhook_ids malformed webhook_ids parameter: '${bad}' is not a valid id` });
      wanted = parts.map((p) => p.toLowerCase());
    }
    const everything = all !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(all);
    if (wanted === undefined && !everything) return err(400, { message: "Invalid parameter: one of 'webhook_ids' or 'all=true' is required" });
    const doomed = model.account.filter((w) => wanted === undefined || wanted.includes(w.id));
    if (doomed.length === 0) return err(404, { Description: 'no webhooks found for account' });
    model.account = model.account.filter((w) => !doomed.includes(w));
    return { status: 204 };
  },
};

// ---------------------------------------------------------------------------------------------
// Talking to the mock

const AUTH = 'Basic ' + Buffer.from('api:key-model').toString('base64');

export async function call(real: Real, method: string, path: string, fields?: Array<[string, string]>): Promise<RawResponse> {
  const headers: Record<string, string> = { authorization: AUTH };
  let body: Buffer | undefined;
  if (fields !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = Buffer.from(new URLSearchParams(fields).toString());
  }
  return sendRaw(real.port, { method, path, headers, ...(body ? { body } : {}) }, 10_000, real.agent);
}

function sameAnswer(what: string, res: RawResponse, expected: Expected): void {
  const text = res.body.toString('utf8');
  const want = expected.body === undefined ? '' : JSON.stringify(expected.body) + '\n';
  if (res.status !== expected.status || (expected.body !== undefined && text !== want) || (expected.status === 204 && text !== '')) {
    throw new Error(`${what}: the mock answered ${res.status} ${JSON.stringify(text)}; the model expects ${expected.status} ${JSON.stringify(want)}`);
  }
}

const enc = encodeURIComponent;

/** The mock's v3 list of every US domain, and its v1 list, equal the model (names, URLs, order). */
export async function checkLists(model: Model, real: Real, when: string): Promise<void> {
  for (const [domain, hooks] of model.domains) {
    const res = await call(real, 'GET', `/v3/domains/${enc(domain)}/webhooks`);
    sameAnswer(`${when}: GET /v3/domains/${domain}/webhooks`, res, ok({ webhooks: listView(hooks) }));
  }
  const res = await call(real, 'GET', '/v1/webhooks');
  if (res.status !== 200) throw new Error(`${when}: GET /v1/webhooks answered ${res.status} ${res.body.toString()}`);
  const got = (JSON.parse(res.body.toString()) as { webhooks: Array<Record<string, unknown>> }).webhooks;
  for (const w of got) if (typeof w.created_at !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(w.created_at)) throw new Error(`${when}: created_at ${JSON.stringify(w.created_at)} is not RFC 3339 UTC`);
  const seen = got.map(({ created_at: _c, ...rest }) => rest);
  const want = model.account.map((w) => ({ webhook_id: w.id, description: w.description, url: w.url, event_types: w.eventTypes }));
  if (JSON.stringify(seen) !== JSON.stringify(want)) throw new Error(`${when}: GET /v1/webhooks lists ${JSON.stringify(seen)}; the model has ${JSON.stringify(want)}`);
}

// ---------------------------------------------------------------------------------------------
// Commands

type Cmd = fc.AsyncCommand<Model, Real, false>;
abstract class Base extends ModelCommand<Model, Real> {}

const v3Path = (alias: boolean, domain: string) => `/${alias ? 'v2' : 'v3'}/domains/${enc(domain)}/webhooks`;
const urlFields = (urls: string[]): Array<[string, string]> => urls.map((u) => ['url', u]);

class V3Create extends Base {
  constructor(readonly domain: string, readonly id: string | undefined, readonly urls: string[], readonly alias: boolean) {
    super();
  }
  async run(model: Model, real: Real) {
    const fields: Array<[string, string]> = [...(this.id === undefined ? [] : [['id', this.id] as [string, string]]), ...urlFields(this.urls)];
    const res = await call(real, 'POST', v3Path(this.alias, this.domain), fields);
    sameAnswer(this.toString(), res, expectV3.create(model, this.domain, this.id, this.urls));
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `POST ${v3Path(this.alias, this.domain)} id=${JSON.stringify(this.id)} url=${JSON.stringify(this.urls)}`;
  }
}

class V3Update extends Base {
  constructor(readonly domain: string, readonly name: string, readonly urls: string[], readonly alias: boolean) {
    super();
  }
  async run(model: Model, real: Real) {
    const res = await call(real, 'PUT', `${v3Path(this.alias, this.domain)}/${enc(this.name)}`, urlFields(this.urls));
    sameAnswer(this.toString(), res, expectV3.update(model, this.domain, this.name, this.urls));
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `PUT ${v3Path(this.alias, this.domain)}/${this.name} url=${JSON.stringify(this.urls)}`;
  }
}

class V3Delete extends Base {
  constructor(readonly domain: string, readonly name: string, readonly alias: boolean) {
    super();
  }
  async run(model: Model, real: Real) {
    const res = await call(real, 'DELETE', `${v3Path(this.alias, this.domain)}/${enc(this.name)}`);
    sameAnswer(this.toString(), res, expectV3.remove(model, this.domain, this.name));
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `DELETE ${v3Path(this.alias, this.domain)}/${this.name}`;
  }
}

class V3Get extends Base {
  constructor(readonly domain: string, readonly name: string) {
    super();
  }
  async run(model: Model, real: Real) {
    const res = await call(real, 'GET', `${v3Path(false, this.domain)}/${enc(this.name)}`);
    sameAnswer(this.toString(), res, expectV3.get(model, this.domain, this.name));
  }
  toString() {
    return `GET ${v3Path(false, this.domain)}/${this.name}`;
  }
}

const v4Path = (domain: string) => `/v4/domains/${enc(domain)}/webhooks`;
const v4Fields = (url: string | undefined, types: string[]): Array<[string, string]> => [...(url === undefined ? [] : [['url', url] as [string, string]]), ...types.map((t): [string, string] => ['event_types', t])];

class V4Write extends Base {
  constructor(readonly method: 'POST' | 'PUT', readonly domain: string, readonly url: string | undefined, readonly types: string[]) {
    super();
  }
  async run(model: Model, real: Real) {
    const res = await call(real, this.method, v4Path(this.domain), v4Fields(this.url, this.types));
    const expected = this.method === 'POST' ? expectV4.create(model, this.domain, this.url, this.types) : expectV4.update(model, this.domain, this.url, this.types);
    sameAnswer(this.toString(), res, expected);
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `${this.method} ${v4Path(this.domain)} url=${JSON.stringify(this.url)} event_types=${JSON.stringify(this.types)}`;
  }
}

class V4Delete extends Base {
  constructor(readonly domain: string, readonly values: string[], readonly inBody: boolean) {
    super();
  }
  async run(model: Model, real: Real) {
    const query = this.values.map((v) => `url=${enc(v)}`).join('&');
    const res = this.inBody
      ? await call(real, 'DELETE', v4Path(this.domain), this.values.map((v): [string, string] => ['url', v]))
      : await call(real, 'DELETE', `${v4Path(this.domain)}${query ? `?${query}` : ''}`);
    sameAnswer(this.toString(), res, expectV4.remove(model, this.domain, this.values));
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `DELETE ${v4Path(this.domain)} url=${JSON.stringify(this.values)} (${this.inBody ? 'form body' : 'query'})`;
  }
}

/** A reference to an account webhook: the k-th one the model has (by whatever id spelling), or a literal id. */
type Ref = { k: number; upper: boolean } | { literal: string };

function resolve(model: Model, ref: Ref): string {
  if ('literal' in ref) return ref.literal;
  const w = model.account[ref.k % Math.max(1, model.account.length)];
  if (!w) return '0123456789abcdef01234567';
  return ref.upper ? w.id.toUpperCase() : w.id;
}
const refText = (ref: Ref) => ('literal' in ref ? JSON.stringify(ref.literal) : `<#${ref.k}${ref.upper ? ', upper-case' : ''}>`);
const v1Fields = (url: string | undefined, types: string[], description: string | undefined): Array<[string, string]> => [
  ...v4Fields(url, types),
  ...(description === undefined ? [] : [['description', description] as [string, string]]),
];

class V1Create extends Base {
  constructor(readonly url: string | undefined, readonly types: string[], readonly description: string | undefined) {
    super();
  }
  async run(model: Model, real: Real) {
    const res = await call(real, 'POST', '/v1/webhooks', v1Fields(this.url, this.types, this.description));
    const { expected, commit } = expectV1.create(model, this.url, this.types, this.description);
    if (commit) {
      const text = res.body.toString();
      const id = res.status === 200 ? (JSON.parse(text) as { webhook_id?: unknown }).webhook_id : undefined;
      if (typeof id !== 'string' || !/^[0-9a-f]{24}$/.test(id) || text !== JSON.stringify({ webhook_id: id }) + '\n') throw new Error(`${this}: the mock answered ${res.status} ${JSON.stringify(text)}; the model expects 200 {"webhook_id":"<24 hex>"}`);
      commit(id);
    } else sameAnswer(this.toString(), res, expected);
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `POST /v1/webhooks url=${JSON.stringify(this.url)} event_types=${JSON.stringify(this.types)} description=${JSON.stringify(this.description)}`;
  }
}

class V1Update extends Base {
  constructor(readonly ref: Ref, readonly url: string | undefined, readonly types: string[], readonly description: string | undefined) {
    super();
  }
  async run(model: Model, real: Real) {
    const id = resolve(model, this.ref);
    const res = await call(real, 'PUT', `/v1/webhooks/${enc(id)}`, v1Fields(this.url, this.types, this.description));
    sameAnswer(`${this} (id ${id})`, res, expectV1.update(model, id, this.url, this.types, this.description));
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `PUT /v1/webhooks/${refText(this.ref)} url=${JSON.stringify(this.url)} event_types=${JSON.stringify(this.types)} description=${JSON.stringify(this.description)}`;
  }
}

class V1Delete extends Base {
  constructor(readonly ref: Ref) {
    super();
  }
  async run(model: Model, real: Real) {
    const id = resolve(model, this.ref);
    const res = await call(real, 'DELETE', `/v1/webhooks/${enc(id)}`);
    sameAnswer(`${this} (id ${id})`, res, expectV1.remove(model, id));
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `DELETE /v1/webhooks/${refText(this.ref)}`;
  }
}

class V1DeleteMany extends Base {
  constructor(readonly refs: Ref[] | undefined, readonly joined: boolean, readonly all: string | undefined) {
    super();
  }
  async run(model: Model, real: Real) {
    const ids = this.refs?.map((r) => resolve(model, r));
    const values = ids === undefined ? undefined : this.joined ? [ids.join(',')] : ids;
    const query = [...(values ?? []).map((v) => `webhook_ids=${enc(v)}`), ...(this.all === undefined ? [] : [`all=${enc(this.all)}`])].join('&');
    const res = await call(real, 'DELETE', `/v1/webhooks${query ? `?${query}` : ''}`);
    sameAnswer(`${this} (ids ${JSON.stringify(values)})`, res, expectV1.removeMany(model, values, this.all));
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `DELETE /v1/webhooks webhook_ids=${this.refs === undefined ? 'none' : `[${this.refs.map(refText).join(', ')}]${this.joined ? ' comma-joined' : ''}`} all=${JSON.stringify(this.all)}`;
  }
}

class Reopen extends Base {
  async run(model: Model, real: Real) {
    if (!real.reopen) return;
    await real.reopen();
    await checkLists(model, real, 'after stopping the mock and opening its data file again');
  }
  toString() {
    return 'stop the mock, start it again on its data file';
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const domainArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('samples.mailgun.org', 'x.example.com', 'X.EXAMPLE.COM', 'y.example.com') }, { weight: 1, arbitrary: fc.constantFrom(...PATH_DOMAINS) });
const nameArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('delivered', 'opened', 'clicked', 'accepted', 'permanent_fail') }, { weight: 3, arbitrary: fc.constantFrom('open', 'click', 'deliver') }, { weight: 1, arbitrary: fc.constantFrom('bogus', 'Delivered', '__proto__', 'constructor') });
const urlArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...URLS.filter(([, v]) => v).map(([u]) => u)) }, { weight: 1, arbitrary: fc.constantFrom(...URLS.filter(([, v]) => !v).map(([u]) => u), '') });
const urlsArb = fc.oneof({ weight: 8, arbitrary: fc.array(urlArb, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.array(urlArb, { minLength: 0, maxLength: 5 }) });
const typesArb = fc.oneof(
  // Few names, so that one fills up to its 3 URLs.
  { weight: 6, arbitrary: fc.uniqueArray(fc.constantFrom('delivered', 'opened', 'clicked'), { minLength: 1, maxLength: 2 }) },
  { weight: 2, arbitrary: fc.uniqueArray(fc.constantFrom('delivered', 'opened', 'clicked', 'accepted', 'permanent_fail'), { minLength: 1, maxLength: 3 }) },
  { weight: 2, arbitrary: fc.uniqueArray(fc.constantFrom('delivered', 'opened', 'clicked'), { minLength: 1, maxLength: 3 }).map((n) => [n.join(', ')]) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('delivered', 'open', 'bogus', '', ',', ' clicked '), { minLength: 0, maxLength: 3 }) },
);
const maybeUrl = fc.oneof({ weight: 9, arbitrary: urlArb }, { weight: 1, arbitrary: fc.constant(undefined) });
const refArb: fc.Arbitrary<Ref> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.nat(5), upper: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constantFrom('0123456789abcdef01234567', 'xyz', '0123456789ABCDEF0123456G').map((literal) => ({ literal })) },
);
const descriptionArb = fc.option(fc.constantFrom('mine', '', 'ünïcode'), { nil: undefined });

export function webhookCommands(withReopen: boolean): Array<fc.Arbitrary<Cmd>> {
  const cmds: Array<fc.Arbitrary<Cmd>> = [
    fc.tuple(domainArb, fc.oneof({ weight: 9, arbitrary: nameArb }, { weight: 1, arbitrary: fc.constantFrom(undefined, '') }), urlsArb, fc.boolean()).map(([d, n, u, a]) => new V3Create(d, n, u, a)),
    fc.tuple(domainArb, nameArb, urlsArb, fc.boolean()).map(([d, n, u, a]) => new V3Update(d, n, u, a)),
    fc.tuple(domainArb, nameArb, fc.boolean()).map(([d, n, a]) => new V3Delete(d, n, a)),
    fc.tuple(domainArb, nameArb).map(([d, n]) => new V3Get(d, n)),
    fc.tuple(fc.constantFrom<'POST' | 'PUT'>('POST', 'PUT'), domainArb, maybeUrl, typesArb).map(([m, d, u, t]) => new V4Write(m, d, u, t)),
    fc.tuple(domainArb, fc.oneof({ weight: 4, arbitrary: fc.array(urlArb, { minLength: 1, maxLength: 2 }) }, { weight: 1, arbitrary: fc.array(urlArb, { minLength: 2, maxLength: 2 }).map((u) => [u.join(',')]) }, { weight: 1, arbitrary: fc.constant<string[]>([]) }), fc.boolean()).map(([d, v, b]) => new V4Delete(d, v, b)),
    fc.tuple(maybeUrl, typesArb, descriptionArb).map(([u, t, d]) => new V1Create(u, t, d)),
    fc.tuple(refArb, maybeUrl, typesArb, descriptionArb).map(([r, u, t, d]) => new V1Update(r, u, t, d)),
    refArb.map((r) => new V1Delete(r)),
    fc.tuple(fc.option(fc.array(refArb, { minLength: 1, maxLength: 2 }), { nil: undefined }), fc.boolean(), fc.option(fc.constantFrom('true', 'T', '1', 'no', ''), { nil: undefined })).map(([r, j, a]) => new V1DeleteMany(r, j, a)),
  ];
  if (withReopen) cmds.push(fc.constant(new Reopen()));
  return cmds;
}

/** The model of the fixtures the tests start from (the default seed plus x and y; eu is in the EU region). */
export function initialModel(): Model {
  return {
    domains: new Map<string, Hook[]>([
      ['samples.mailgun.org', [{ name: 'open', urls: ['http://postbin.heroku.com/860bcd65'], legacy: true }, { name: 'click', urls: ['http://postbin.heroku.com/860bcd65'], legacy: true }]],
      ['x.example.com', []],
      ['y.example.com', [{ name: 'delivered', urls: ['http://127.0.0.1:1/seed'], legacy: false }]],
    ]),
    account: [],
  };
}

/** The fixtures `initialModel` describes. */
export const MODEL_FIXTURES: FixtureData = {
  domains: [
    { name: 'samples.mailgun.org', createdAt: '2013-10-25T00:00:00.000Z', webhooks: { open: { url: 'http://postbin.heroku.com/860bcd65' }, click: { url: 'http://postbin.heroku.com/860bcd65' } } },
    { name: 'x.example.com' },
    { name: 'y.example.com', webhooks: { delivered: { urls: ['http://127.0.0.1:1/seed'] } } },
    { name: 'eu.example.com', region: 'eu', webhooks: { opened: { urls: ['http://127.0.0.1:1/eu'] } } },
  ],
};

// The workload of the concurrency tests: several accounts (API keys) hitting one mock at once over
// many sockets, with a plan whose final state is known whatever order the requests land in.
//
// Every operation works on keys of its own, so only a lost update, cross-talk or a dropped request
// can change the outcome: v3 webhook chains (create → update → maybe delete, in order within the
// chain) each on its own (account, domain, name); v4 URL adds to one domain, a distinct URL each;
// bounce adds to one domain, a distinct address each; v1 account webhooks (some then updated);
// message sends with distinct subjects and recipients. Every string an account sends carries its
// token (`acct-<name>`), so anything of account A found in B's answers is cross-talk.
import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { accountIdOf } from '../../src/account.js';
import { ACCOUNT_HEADER, LEGACY_WEBHOOK_NAMES, WEBHOOK_NAMES, type FixtureData } from '../../src/index.js';
import { basic } from '../helpers.js';

export const ACCOUNTS = ['amber', 'basil', 'cedar', 'delta'] as const;
export type Acct = (typeof ACCOUNTS)[number];
export const keyOf = (acct: Acct): string => `key-conc-${acct}`;
/** The string every URL, address, subject and description of an account carries. */
export const tokenOf = (acct: Acct): string => `acct-${acct}`;
/** A fifth key the tests use for noise (sends and resets of its own account during the burst). */
export const NOISE_KEY = 'key-conc-echo';
export const NOISE_TOKEN = 'acct-echo';
/** What no answer to `acct` may contain: the other accounts' tokens and the noise account's. */
const foreignTo = (acct: Acct): string[] => [...ACCOUNTS.filter((a) => a !== acct).map(tokenOf), NOISE_TOKEN];

export const HOOK_DOMAINS = [0, 1, 2].map((i) => `hooks-${i}.conc.example.com`);
export const V4_DOMAINS = [0, 1].map((i) => `v4-${i}.conc.example.com`);
export const SEND_DOMAINS = [0, 1, 2].map((i) => `send-${i}.conc.example.com`);
export const FIXTURES: FixtureData = { domains: [...HOOK_DOMAINS, ...V4_DOMAINS, ...SEND_DOMAINS].map((name) => ({ name })) };

const V3_NAMES = [...WEBHOOK_NAMES, ...LEGACY_WEBHOOK_NAMES] as string[];
/** Account-webhook event types that no event of the workload fires (nothing is ever posted to them). */
const QUIET_TYPES = ['clicked', 'complained', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed'];
const BOUNCES_PER_DOMAIN = 20;
const SENDS_PER_DOMAIN = 25;
const JSON_TYPE = 'application/json; charset=utf-8';

// ---------------------------------------------------------------------------------------------
// HTTP: node:http with one agent of many keep-alive sockets, so every request can be in flight.

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface CallOptions {
  /** API key (HTTP Basic api:<key>). */
  key?: string;
  /** Control plane: the account header. */
  account?: string;
  form?: URLSearchParams;
}

export class Http {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  constructor(readonly base: string) {}

  call(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
    const body = o.form?.toString();
    const headers: OutgoingHttpHeaders = {};
    if (o.key !== undefined) headers.authorization = basic(o.key);
    if (o.account !== undefined) headers[ACCOUNT_HEADER] = o.account;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(new URL(path, this.base), { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function form(fields: Record<string, string | string[]>): URLSearchParams {
  const f = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) f.append(name, v);
  return f;
}

/** Fields as the journal shows them: one value as a string, several as an array. */
function flatten(f: URLSearchParams | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!f) return out;
  for (const name of new Set(f.keys())) {
    const all = f.getAll(name);
    out[name] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

const stable = (v: Record<string, string | string[]>) => JSON.stringify(Object.keys(v).sort().map((k) => [k, v[k]]));

// ---------------------------------------------------------------------------------------------
// The plan and what it implies.

type WebhookView = { url: string } | { urls: string[] };

export interface SentRequest {
  method: string;
  path: string;
  fields: Record<string, string | string[]>;
  status: number;
}

export interface SentMessage {
  id: string;
  domain: string;
  subject: string;
  recipients: string[];
}

export interface Expected {
  v3: Record<string, Record<string, WebhookView>>;
  /** domain → name → URLs (sorted). */
  v4: Record<string, Record<string, string[]>>;
  /** domain → addresses (sorted). */
  bounces: Record<string, string[]>;
  /** Sorted by URL. */
  v1: Array<{ url: string; event_types: string[]; description: string }>;
  /** Filled in from the answers (the Message-Ids). */
  messages: SentMessage[];
}

export interface AccountRun {
  acct: Acct;
  key: string;
  sent: SentRequest[];
  /** Answers that were not what the plan implies (status, shape, another account's data). */
  problems: string[];
  expected: Expected;
}

/** Whether a reply is what was expected: status, JSON content type and body (`body` a value or a predicate). */
type Predicate = (json: any) => boolean;

function check(run: AccountRun, what: string, reply: Reply, status: number, body?: Predicate | Record<string, unknown>): boolean {
  const bad = (why: string) => {
    run.problems.push(`${run.acct} ${what}: ${why} (status ${reply.status}, body ${reply.text.slice(0, 300)})`);
    return false;
  };
  for (const token of foreignTo(run.acct)) if (reply.text.includes(token)) return bad(`answer holds data of ${token}`);
  if (reply.status !== status) return bad(`expected status ${status}`);
  if (status === 204) return reply.text === '' || bad('expected no body');
  if (reply.headers['content-type'] !== JSON_TYPE) return bad(`content type ${String(reply.headers['content-type'])}`);
  if (typeof body === 'function') return body(reply.json) || bad('unexpected body');
  return isDeepStrictEqual(reply.json, body) || bad(`expected body ${JSON.stringify(body)}`);
}

const viewOf = (name: string, urls: string[]): WebhookView => ((LEGACY_WEBHOOK_NAMES as readonly string[]).includes(name) ? { url: urls[0]! } : { urls });

/**
 * Starts every operation chain of every account (all requests of the first step are in flight
 * before anything is awaited) and resolves when all have been answered.
 */
export async function runWorkload(http: Http, sink: string): Promise<{ runs: AccountRun[]; inFlight: number }> {
  const runs: AccountRun[] = ACCOUNTS.map((acct) => ({
    acct,
    key: keyOf(acct),
    sent: [],
    problems: [],
    expected: { v3: {}, v4: {}, bounces: {}, v1: [], messages: [] },
  }));
  const chains: Array<Promise<void>> = [];
  for (const run of runs) chains.push(...chainsOf(run, http, sink));
  // Every chain's first request has been handed to the agent, none answered yet: the sockets open now.
  const inFlight = Object.values(http.agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
  await Promise.all(chains);
  for (const run of runs) run.expected.messages.sort((a, b) => a.subject.localeCompare(b.subject));
  return { runs, inFlight };
}

function chainsOf(run: AccountRun, http: Http, sink: string): Array<Promise<void>> {
  const { acct, key, expected } = run;
  const t = tokenOf(acct);
  const send = async (method: string, path: string, f?: URLSearchParams): Promise<Reply> => {
    let reply: Reply;
    try {
      reply = await http.call(method, path, { key, form: f });
    } catch (err) {
      // No answer at all (a reset connection): the journal would show status 0 at best.
      reply = { status: 0, headers: {}, text: `(no answer: ${(err as Error).message})`, json: undefined };
    }
    run.sent.push({ method, path, fields: flatten(f), status: reply.status });
    return reply;
  };
  const chains: Array<Promise<void>> = [];

  // v3 webhook chains: one per (domain, name); create, update, and every third one deleted.
  for (const d of HOOK_DOMAINS) {
    expected.v3[d] = {};
    V3_NAMES.forEach((name, i) => {
      const legacy = (LEGACY_WEBHOOK_NAMES as readonly string[]).includes(name);
      const url = (step: string, j: number) => `${sink}/${t}/${d}/${name}/${step}-${j}`;
      const first = legacy ? [url('c', 0)] : Array.from({ length: 1 + (i % 2) }, (_, j) => url('c', j));
      const second = legacy ? [url('u', 0)] : Array.from({ length: 1 + (i % 3) }, (_, j) => url('u', j));
      const remove = i % 3 === 0;
      if (!remove) expected.v3[d]![name] = viewOf(name, second);
      chains.push((async () => {
        const created = await send('POST', `/v3/domains/${d}/webhooks`, form({ id: name, url: first }));
        if (!check(run, `create ${d}/${name}`, created, 200, { message: 'Webhook has been created', webhook: viewOf(name, first) })) return;
        const updated = await send('PUT', `/v3/domains/${d}/webhooks/${name}`, form({ url: second }));
        if (!check(run, `update ${d}/${name}`, updated, 200, { message: 'Webhook has been updated', webhook: viewOf(name, second) })) return;
        if (!remove) return;
        const deleted = await send('DELETE', `/v3/domains/${d}/webhooks/${name}`);
        check(run, `delete ${d}/${name}`, deleted, 200, { message: 'Webhook has been deleted', webhook: viewOf(name, second) });
      })());
    });
  }

  // v4: every current name of the domain gets three URLs, each from its own request, all at once
  // (three is Mailgun's limit per name, so the domain ends up full).
  for (const d of V4_DOMAINS) {
    expected.v4[d] = {};
    for (const name of WEBHOOK_NAMES) {
      const urls = [0, 1, 2].map((j) => `${sink}/${t}/${d}/v4/${name}/${j}`);
      expected.v4[d]![name] = [...urls].sort();
      for (const url of urls) {
        chains.push((async () => {
          const reply = await send('POST', `/v4/domains/${d}/webhooks`, form({ url, event_types: name }));
          check(run, `v4 add ${url}`, reply, 200, (j) => Array.isArray(j?.webhooks?.[name]?.urls) && j.webhooks[name].urls.includes(url) && Object.keys(j).length === 1);
        })());
      }
    }
  }

  // Bounces: distinct addresses added to the same domain at once.
  for (const d of SEND_DOMAINS) {
    const addresses = Array.from({ length: BOUNCES_PER_DOMAIN }, (_, i) => `bounce-${i}@${t}.bounced.example.com`);
    expected.bounces[d] = [...addresses].sort();
    addresses.forEach((address, i) => {
      chains.push((async () => {
        const reply = await send('POST', `/v3/${d}/bounces`, form({ address, code: '550', error: `${t} bounce ${i}` }));
        check(run, `bounce ${d} ${address}`, reply, 200, { message: 'Address has been added to the bounces table', address });
      })());
    });
  }

  // v1 account webhooks: three URLs for each quiet event type; the first of each then updated.
  for (const type of QUIET_TYPES) {
    for (const j of [0, 1, 2]) {
      const url = `${sink}/${t}/v1/${type}/${j}`;
      const description = `${t} ${type} ${j}`;
      const update = j === 0;
      expected.v1.push({ url, event_types: [type], description: update ? `${description} updated` : description });
      chains.push((async () => {
        const created = await send('POST', '/v1/webhooks', form({ url, event_types: type, description }));
        if (!check(run, `v1 create ${url}`, created, 200, (b) => typeof b?.webhook_id === 'string' && /^[0-9a-f]{24}$/.test(b.webhook_id) && Object.keys(b).length === 1)) return;
        if (!update) return;
        const updated = await send('PUT', `/v1/webhooks/${created.json.webhook_id as string}`, form({ url, event_types: type, description: `${description} updated` }));
        check(run, `v1 update ${url}`, updated, 204);
      })());
    }
  }
  expected.v1.sort((a, b) => a.url.localeCompare(b.url));

  // Sends: distinct subjects and recipients (every fifth message to two recipients).
  for (const d of SEND_DOMAINS) {
    for (let i = 0; i < SENDS_PER_DOMAIN; i++) {
      const recipients = [`r${i}@${t}.rcpt.example.com`, ...(i % 5 === 0 ? [`r${i}b@${t}.rcpt.example.com`] : [])];
      const subject = `${t} ${d} #${i}`;
      chains.push((async () => {
        const reply = await send('POST', `/v3/${d}/messages`, form({ from: `App <app@${d}>`, to: recipients.join(', '), subject, text: `hello from ${t}` }));
        const idForm = new RegExp(`^<\\d{14}\\.[0-9a-f]{16}@${d.replace(/\./g, '\\.')}>$`);
        if (check(run, `send ${subject}`, reply, 200, (b) => typeof b?.id === 'string' && idForm.test(b.id) && b.message === 'Queued. Thank you.' && Object.keys(b).length === 2)) {
          expected.messages.push({ id: (reply.json.id as string).slice(1, -1), domain: d, subject, recipients });
        }
      })());
    }
  }
  return chains;
}

/** How many requests the plan sends per account (to check no request was left out). */
export const REQUESTS_PER_ACCOUNT =
  HOOK_DOMAINS.length * V3_NAMES.reduce((n, _, i) => n + (i % 3 === 0 ? 3 : 2), 0) +
  V4_DOMAINS.length * WEBHOOK_NAMES.length * 3 +
  SEND_DOMAINS.length * BOUNCES_PER_DOMAIN +
  QUIET_TYPES.length * 4 +
  SEND_DOMAINS.length * SENDS_PER_DOMAIN;

/** Chains per account: how many requests of one account are in flight at the start. */
export const CHAINS_PER_ACCOUNT =
  HOOK_DOMAINS.length * V3_NAMES.length + V4_DOMAINS.length * WEBHOOK_NAMES.length * 3 + SEND_DOMAINS.length * BOUNCES_PER_DOMAIN + QUIET_TYPES.length * 3 + SEND_DOMAINS.length * SENDS_PER_DOMAIN;

// ---------------------------------------------------------------------------------------------
// Checking the mock against the plan.

const signature = (e: SentRequest) => `${e.method} ${e.path} ${e.status} ${stable(e.fields)}`;

/** The journal (GET /__mock/requests with the account header) holds exactly the account's requests. */
export async function verifyJournal(http: Http, run: AccountRun): Promise<void> {
  const reply = await http.call('GET', '/__mock/requests', { account: run.key });
  expect(reply.status).toBe(200);
  const items = reply.json.items as Array<SentRequest & { seq: number; faultId: string | null; client: string | null; routeId: string | null }>;
  expect(reply.json.matched, `${run.acct}: journal entries`).toBe(run.sent.length);
  expect(items.map(signature).sort(), `${run.acct}: journal vs requests sent`).toEqual(run.sent.map(signature).sort());
  expect(new Set(items.map((e) => e.seq)).size).toBe(items.length);
  expect(items.filter((e) => e.faultId !== null || e.client !== null || e.routeId === null)).toEqual([]);
}

/** The account's state, read back through the Mailgun API and the control plane, is what the plan implies. */
export async function verifyState(http: Http, run: AccountRun): Promise<void> {
  const { acct, key, expected } = run;
  const label = (what: string) => `${acct}: ${what}`;
  const texts: string[] = [];
  const get = async (path: string, o: CallOptions) => {
    const reply = await http.call('GET', path, o);
    expect(reply.status, label(`GET ${path}`)).toBe(200);
    expect(reply.headers['content-type']).toBe(JSON_TYPE);
    texts.push(reply.text);
    return reply.json;
  };

  // v3 chains: what is left of each, exactly.
  for (const d of HOOK_DOMAINS) expect((await get(`/v3/domains/${d}/webhooks`, { key })).webhooks, label(`v3 webhooks of ${d}`)).toEqual(expected.v3[d]);

  // v4: every URL added, none lost.
  for (const d of V4_DOMAINS) {
    const webhooks = (await get(`/v3/domains/${d}/webhooks`, { key })).webhooks as Record<string, { urls: string[] }>;
    const got = Object.fromEntries(Object.entries(webhooks).map(([name, v]) => [name, [...v.urls].sort()]));
    expect(got, label(`v4 URLs of ${d}`)).toEqual(expected.v4[d]);
  }

  // Bounces: every address added, none lost.
  for (const d of SEND_DOMAINS) {
    const page = await get(`/v3/${d}/bounces?limit=1000`, { key });
    expect((page.items as Array<{ address: string }>).map((b) => b.address).sort(), label(`bounces of ${d}`)).toEqual(expected.bounces[d]);
  }

  // v1 account webhooks.
  const v1 = (await get('/v1/webhooks', { key })).webhooks as Array<{ url: string; event_types: string[]; description: string }>;
  expect(v1.map(({ url, event_types, description }) => ({ url, event_types, description })).sort((a, b) => a.url.localeCompare(b.url)), label('v1 webhooks')).toEqual(expected.v1);

  // Messages: one per accepted send, with its Message-Id, subject and recipients.
  const messages = (await get('/__mock/messages?light=1', { account: key })).items as Array<{ id: string; domain: string; subject: string; recipients: string[] }>;
  expect(messages.map(({ id, domain, subject, recipients }) => ({ id, domain, subject, recipients })).sort((a, b) => a.subject.localeCompare(b.subject)), label('messages')).toEqual(expected.messages);

  // Events: accepted and delivered, once per recipient of every message, in the account's name.
  const implied = expected.messages.flatMap((m) => m.recipients.flatMap((r) => ['accepted', 'delivered'].map((e) => ({ e, m, r }))));
  const line = (event: string, id: string, recipient: string) => `${event} ${id} ${recipient}`;
  type EventJson = { id: string; timestamp: number; event: string; recipient: string; message: { headers: { 'message-id': string } }; account: { id: string }; domain: { name: string } };
  const events = (await get('/__mock/events', { account: key })).items as EventJson[];
  expect(events.map((e) => line(e.event, e.message.headers['message-id'], e.recipient)).sort(), label('events (control plane)')).toEqual(implied.map(({ e, m, r }) => line(e, m.id, r)).sort());
  expect(events.filter((e) => e.account.id !== accountIdOf(key))).toEqual([]);
  // Each event its own id, and stored order is timestamp order (a burst shares milliseconds).
  expect(new Set(events.map((e) => e.id)).size, label('distinct event ids')).toBe(events.length);
  expect(events.filter((e, i) => i > 0 && !(e.timestamp > events[i - 1]!.timestamp)).map((e) => e.id), label('timestamps out of order')).toEqual([]);

  // The same through the Events API, domain by domain (one page holds them all).
  for (const d of SEND_DOMAINS) {
    const page = await get(`/v3/${d}/events?limit=300`, { key });
    const items = page.items as EventJson[];
    expect(items.map((e) => line(e.event, e.message.headers['message-id'], e.recipient)).sort(), label(`Events API of ${d}`)).toEqual(
      implied.filter(({ m }) => m.domain === d).map(({ e, m, r }) => line(e, m.id, r)).sort(),
    );
    expect(items.every((e) => e.domain.name === d)).toBe(true);
  }

  // Nothing of another account anywhere in what this one was shown.
  for (const token of foreignTo(acct)) expect(texts.filter((t) => t.includes(token)), label(`answers holding data of ${token}`)).toEqual([]);
}

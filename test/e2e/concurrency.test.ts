// Concurrency: one mock, four accounts (API keys, accountPerKey), about a thousand requests in flight
// together over as many sockets. The plan (concurrency-workload.ts) gives every operation keys of
// its own, so the final state is known whatever order the requests land in: any difference is a
// lost update, cross-talk between accounts or a request the mock dropped. Meanwhile a fifth account
// is reset again and again. The same plan runs again on a data file: a copy of its files taken while
// the mock runs (what a crash leaves) and the files after stop() must both hold it all. Then
// contention on one key (exactly the winners' changes stay), per-account rate-limit budgets under a
// burst, and sends of three accounts on two domains at once, with each webhook post checked for
// where it went, who signed it and how often it came.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountIdOf } from '../../src/account.js';
import { createClock, startMailgunMock, type MailgunMock } from '../../src/index.js';
import { isSignedBy, startReceiver, type Receiver } from '../receiver.js';
import {
  ACCOUNTS,
  CHAINS_PER_ACCOUNT,
  FIXTURES,
  form,
  HOOK_DOMAINS,
  Http,
  keyOf,
  NOISE_KEY,
  NOISE_TOKEN,
  REQUESTS_PER_ACCOUNT,
  runWorkload,
  SEND_DOMAINS,
  tokenOf,
  verifyJournal,
  verifyState,
  type Acct,
  type AccountRun,
  type Reply,
} from './concurrency-workload.js';

const BASE = { port: 0, logLevel: 'silent', rateLimit: 0, accountPerKey: true, journalLimit: 20_000, fixtures: FIXTURES } as const;

/** Mocks, receivers and agents a describe block started, stopped in its afterAll. */
function useCleanup() {
  const mocks: MailgunMock[] = [];
  const receivers: Receiver[] = [];
  const clients: Http[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(mocks.map((m) => m.stop()));
    await Promise.all(receivers.map((r) => r.close()));
  });
  return {
    mock: async (extra: Parameters<typeof startMailgunMock>[0] = {}) => {
      const m = await startMailgunMock({ ...BASE, ...extra });
      mocks.push(m);
      return m;
    },
    receiver: async () => {
      const r = await startReceiver();
      receivers.push(r);
      return r;
    },
    http: (base: string) => {
      const h = new Http(base);
      clients.push(h);
      return h;
    },
  };
}

describe('about a thousand requests at once from four accounts (memory store)', () => {
  const use = useCleanup();
  let mock: MailgunMock;
  let sink: Receiver;
  let http: Http;
  let runs: AccountRun[];
  let inFlight: number;
  let noise: Reply[];

  beforeAll(async () => {
    sink = await use.receiver(); // every URL registered points here; nothing in the plan fires them
    mock = await use.mock();
    http = use.http(mock.url);
    // Meanwhile a fifth account sends and is reset, again and again, through its own sockets: the
    // four others must not notice. It ends with a reset once all its requests are answered.
    const other = use.http(mock.url);
    const noisy = (async () => {
      const calls: Array<Promise<Reply>> = [];
      for (let i = 0; i < 60; i++) {
        const d = SEND_DOMAINS[i % 3]!;
        calls.push(other.call('POST', `/v3/${d}/messages`, { key: NOISE_KEY, form: form({ from: `app@${d}`, to: `r${i}@${NOISE_TOKEN}.rcpt.example.com`, subject: `${NOISE_TOKEN} ${i}`, text: 'hi' }) }));
        if (i % 12 === 0) calls.push(other.call('POST', '/__mock/reset', { account: NOISE_KEY }));
      }
      const replies = await Promise.all(calls);
      replies.push(await other.call('POST', '/__mock/reset', { account: NOISE_KEY }));
      return replies;
    })();
    [{ runs, inFlight }, noise] = await Promise.all([runWorkload(http, sink.url), noisy]);
  });

  it('answered every request with the 2xx the plan implies, Mailgun-shaped, holding only the account’s own data', () => {
    // The first request of every chain was on its own socket before any was answered.
    expect(inFlight).toBe(CHAINS_PER_ACCOUNT * ACCOUNTS.length);
    expect(runs.flatMap((r) => r.problems)).toEqual([]);
    for (const run of runs) expect(run.sent, run.acct).toHaveLength(REQUESTS_PER_ACCOUNT);
    expect(noise.map((r) => r.status)).toEqual(noise.map(() => 200));
  });

  it('journals, per account, exactly the requests that account sent, with the statuses the client saw', async () => {
    for (const run of runs) await verifyJournal(http, run);
    // Nothing went to the default account (every request carried a key).
    const main = await http.call('GET', '/__mock/requests');
    expect(main.json).toMatchObject({ total: 0, matched: 0 });
  });

  it('lost no update and mixed nothing between accounts: webhooks (v3, v4, v1), bounces, messages, events', async () => {
    for (const run of runs) await verifyState(http, run);
  });

  it('counts each account’s own messages and events on GET /__mock/accounts, none for the default account', async () => {
    const listed = (await http.call('GET', '/__mock/accounts')).json.items as Array<{ id: string; messages: number; events: number }>;
    const expected = runs.map((r) => ({
      id: accountIdOf(r.key),
      messages: r.expected.messages.length,
      events: 2 * r.expected.messages.reduce((n, m) => n + m.recipients.length, 0),
    }));
    expect(listed.filter((a) => a.id !== mock.id)).toEqual(expect.arrayContaining(expected));
    expect(listed).toHaveLength(ACCOUNTS.length + 2);
    expect(listed.find((a) => a.id === mock.id)).toEqual({ id: mock.id, messages: 0, events: 0 });
    // The noise account's last reset left it empty, journal included.
    expect(listed.find((a) => a.id === accountIdOf(NOISE_KEY))).toEqual({ id: accountIdOf(NOISE_KEY), messages: 0, events: 0 });
    expect((await http.call('GET', '/__mock/requests', { account: NOISE_KEY })).json).toMatchObject({ total: 0 });
  });

  it('posted nothing: no event of the plan fires any registered webhook', async () => {
    await mock.advanceClock(0);
    expect(sink.posts).toEqual([]);
    for (const key of [...runs.map((r) => r.key), NOISE_KEY]) expect((await mock.account(key)).deliveries.list()).toEqual([]);
  });
});

describe('the same burst on a data file, then re-opened', () => {
  const use = useCleanup();
  const dir = mkdtempSync(join(tmpdir(), 'mailgun-mock-concurrency-'));
  const live = join(dir, 'live');
  const image = join(dir, 'image');
  const dataFile = join(live, 'state.json');
  mkdirSync(live);
  mkdirSync(image);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What a data file holds now: the snapshot and whatever sits next to it (a write-ahead log). */
  const onDisk = (file: string) => readdirSync(dirname(file)).filter((f) => f === basename(file) || (f.startsWith(`${basename(file)}.`) && !f.endsWith('.tmp'))).map((f) => readFileSync(join(dirname(file), f), 'utf8')).join('\n');

  it('answers, journals and stores it all, one file per account; a copy taken while it runs and a new mock after stop() both find it all', async () => {
    const sink = await use.receiver();
    const first = await use.mock({ dataFile });
    const http = use.http(first.url);
    const { runs, inFlight } = await runWorkload(http, sink.url);
    expect(inFlight).toBe(CHAINS_PER_ACCOUNT * ACCOUNTS.length);
    expect(runs.flatMap((r) => r.problems)).toEqual([]);
    for (const run of runs) {
      expect(run.sent).toHaveLength(REQUESTS_PER_ACCOUNT);
      await verifyJournal(http, run);
      await verifyState(http, run);
    }

    // Every change has been acknowledged and the mock is idle: a copy of its files now is what a
    // crash (no stop(), no final write) would leave. Logs first, then snapshots, as a restart reads them.
    const files = readdirSync(live).filter((f) => !f.startsWith('.'));
    for (const f of [...files.filter((x) => !x.endsWith('.json')), ...files.filter((x) => x.endsWith('.json'))]) copyFileSync(join(live, f), join(image, f));

    http.close();
    await first.stop();

    // Each account's file holds its own data and nothing of the others.
    for (const acct of ACCOUNTS) {
      const file = join(live, `state.${accountIdOf(keyOf(acct))}.json`);
      expect(existsSync(file), file).toBe(true);
      const text = onDisk(file);
      expect(text).toContain(tokenOf(acct));
      for (const other of [...ACCOUNTS.filter((a) => a !== acct).map(tokenOf), NOISE_TOKEN]) expect(text.includes(other), `${acct}'s file holds ${other}'s data`).toBe(false);
    }
    expect(onDisk(dataFile)).not.toMatch(/acct-/);

    const second = await use.mock({ dataFile });
    const again = use.http(second.url);
    for (const run of runs) await verifyState(again, run);

    const fromCopy = await use.mock({ dataFile: join(image, 'state.json') });
    const copied = use.http(fromCopy.url);
    for (const run of runs) await verifyState(copied, run);
  });
});

describe('contention on the same key: the answers decide, and the state agrees with them', () => {
  const use = useCleanup();
  const RACE = 'race.conc.example.com';

  it('one create of a name wins, the 3-URL limits hold (v4, v1), one delete wins, repeated bounces are one entry', async () => {
    const mock = await use.mock({ fixtures: { domains: [{ name: RACE }] } });
    const http = use.http(mock.url);
    const sink = 'http://127.0.0.1:9'; // registered only: no event of this test fires them
    const journalled = new Map<string, string[]>();
    const call = async (acct: Acct, method: string, path: string, f?: URLSearchParams) => {
      const r = await http.call(method, path, { key: keyOf(acct), form: f });
      const lines = journalled.get(acct) ?? [];
      lines.push(`${method} ${path} ${r.status}`);
      journalled.set(acct, lines);
      return r;
    };
    // Set up what the deletes race for, one name per account.
    for (const acct of ACCOUNTS) expect((await call(acct, 'POST', `/v3/domains/${RACE}/webhooks`, form({ id: 'opened', url: `${sink}/${tokenOf(acct)}/opened` }))).status).toBe(200);

    const results = await Promise.all(ACCOUNTS.map(async (acct) => {
      const t = tokenOf(acct);
      const range = (n: number) => Array.from({ length: n }, (_, i) => i);
      const [creates, v4, v1, bounces, deletes] = await Promise.all([
        Promise.all(range(10).map((i) => call(acct, 'POST', `/v3/domains/${RACE}/webhooks`, form({ id: 'delivered', url: `${sink}/${t}/v3/${i}` })).then((r) => ({ r, url: `${sink}/${t}/v3/${i}` })))),
        Promise.all(range(8).map((i) => call(acct, 'POST', `/v4/domains/${RACE}/webhooks`, form({ url: `${sink}/${t}/v4/${i}`, event_types: 'clicked' })).then((r) => ({ r, url: `${sink}/${t}/v4/${i}` })))),
        Promise.all(range(6).map((i) => call(acct, 'POST', '/v1/webhooks', form({ url: `${sink}/${t}/v1/${i}`, event_types: 'complained' })).then((r) => ({ r, url: `${sink}/${t}/v1/${i}` })))),
        Promise.all(range(10).map((i) => call(acct, 'POST', `/v3/${RACE}/bounces`, form({ address: `same@${t}.example.com`, error: `try ${i}` })))),
        Promise.all(range(6).map(() => call(acct, 'DELETE', `/v3/domains/${RACE}/webhooks/opened`))),
      ]);
      return { acct, creates, v4, v1, bounces, deletes };
    }));

    for (const { acct, creates, v4, v1, bounces, deletes } of results) {
      const key = keyOf(acct);
      const t = tokenOf(acct);
      // v3 create of one name: exactly one winner, the others "already exists"; the winner's URL stays.
      const won = creates.filter((c) => c.r.status === 200);
      expect(won, acct).toHaveLength(1);
      expect(creates.filter((c) => c.r.status !== 200).map((c) => [c.r.status, c.r.json])).toEqual(Array.from({ length: 9 }, () => [400, { message: 'Webhook already exists' }]));
      const hooks = (await call(acct, 'GET', `/v3/domains/${RACE}/webhooks`)).json.webhooks as Record<string, { urls: string[] }>;
      expect(hooks.delivered).toEqual({ urls: [won[0]!.url] });
      // v4: three URLs fit; the others are refused; the list is exactly the accepted ones.
      const v4ok = v4.filter((c) => c.r.status === 200).map((c) => c.url);
      expect(v4ok, acct).toHaveLength(3);
      expect(v4.filter((c) => c.r.status !== 200).map((c) => [c.r.status, c.r.json])).toEqual(Array.from({ length: 5 }, () => [400, { Reason: 'unable to add more than 3 urls for event type clicked' }]));
      expect([...hooks.clicked!.urls].sort()).toEqual([...v4ok].sort());
      // v1: three unique URLs per event type; the fourth and later are 409s.
      const v1ok = v1.filter((c) => c.r.status === 200);
      expect(v1ok, acct).toHaveLength(3);
      expect(v1.filter((c) => c.r.status !== 200).map((c) => [c.r.status, c.r.json])).toEqual(Array.from({ length: 3 }, () => [409, { Description: 'unable to add more than 3 urls for event type complained' }]));
      const listed = (await call(acct, 'GET', '/v1/webhooks')).json.webhooks as Array<{ webhook_id: string; url: string }>;
      expect(listed.map((w) => `${w.webhook_id} ${w.url}`).sort()).toEqual(v1ok.map((c) => `${c.r.json.webhook_id as string} ${c.url}`).sort());
      // The same bounce ten times at once: all answered, one entry.
      expect(bounces.map((r) => r.status)).toEqual(bounces.map(() => 200));
      const entries = (await call(acct, 'GET', `/v3/${RACE}/bounces`)).json.items as Array<{ address: string; error: string }>;
      expect(entries.map((e) => e.address)).toEqual([`same@${t}.example.com`]);
      expect(entries[0]!.error).toMatch(/^try \d$/);
      // Deleting one name from six requests at once: one 200, five 404s, and it is gone.
      expect(deletes.map((r) => r.status).sort()).toEqual([200, 404, 404, 404, 404, 404]);
      expect(deletes.find((r) => r.status === 200)!.json).toEqual({ message: 'Webhook has been deleted', webhook: { urls: [`${sink}/${t}/opened`] } });
      expect(hooks.opened).toBeUndefined();
      // Journal: each request once, with the status its client saw; nothing of another account.
      const items = (await http.call('GET', '/__mock/requests', { account: key })).json.items as Array<{ method: string; path: string; status: number }>;
      expect(items.map((e) => `${e.method} ${e.path} ${e.status}`).sort()).toEqual([...journalled.get(acct)!].sort());
    }
  });
});

describe('rate-limit budgets under a burst', () => {
  const use = useCleanup();
  const LIMIT = 40;
  const SENDS = 20;

  it('each account spends its own budget: LIMIT limited calls of each at once pass, the next of each is 429; sends are not counted', async () => {
    const mock = await use.mock({ rateLimit: LIMIT, clock: createClock({ frozenAt: Date.parse('2026-11-26T12:00:00Z') }) });
    const http = use.http(mock.url);
    const ops = ACCOUNTS.flatMap((acct) => [
      ...Array.from({ length: LIMIT }, (_, i) => ({ acct, method: 'GET', path: i % 2 === 0 ? '/v1/webhooks' : `/v3/domains/${HOOK_DOMAINS[i % 3]}/webhooks`, f: undefined as URLSearchParams | undefined })),
      ...Array.from({ length: SENDS }, (_, i) => ({
        acct,
        method: 'POST',
        path: `/v3/${SEND_DOMAINS[i % 3]}/messages`,
        f: form({ from: `app@${SEND_DOMAINS[i % 3]}`, to: `r${i}@${tokenOf(acct)}.rcpt.example.com`, subject: `${tokenOf(acct)} ${i}`, text: 'hi' }),
      })),
    ]);
    const replies = await Promise.all(ops.map((o) => http.call(o.method, o.path, { key: keyOf(o.acct), form: o.f })));
    expect(replies.map((r, i) => `${ops[i]!.acct} ${ops[i]!.method} ${ops[i]!.path} ${r.status}`).filter((l) => !l.endsWith(' 200'))).toEqual([]);

    const over = await Promise.all(ACCOUNTS.map((acct) => http.call('GET', `/v3/domains/${HOOK_DOMAINS[0]}/webhooks`, { key: keyOf(acct) })));
    for (const r of over) {
      expect(r.status).toBe(429);
      expect(r.json).toEqual({ 'retry-seconds': 60 });
      expect([r.headers['x-ratelimit-limit'], r.headers['x-ratelimit-remaining'], r.headers['retry-after']]).toEqual([String(LIMIT), '0', '60']);
    }
    // Sends never count: they still pass for every account.
    const sends = await Promise.all(ACCOUNTS.map((acct) => http.call('POST', `/v3/${SEND_DOMAINS[0]}/messages`, { key: keyOf(acct), form: form({ from: `app@${SEND_DOMAINS[0]}`, to: `late@${tokenOf(acct)}.rcpt.example.com`, subject: 'late', text: 'hi' }) })));
    expect(sends.map((r) => r.status)).toEqual(ACCOUNTS.map(() => 200));

    // Each journal: its own requests, one 429.
    for (const acct of ACCOUNTS) {
      const items = (await http.call('GET', '/__mock/requests', { account: keyOf(acct) })).json.items as Array<{ status: number; routeId: string }>;
      expect(items).toHaveLength(LIMIT + SENDS + 2);
      expect(items.filter((e) => e.status === 429).map((e) => e.routeId)).toEqual(['webhooks.list']);
      expect(items.filter((e) => e.routeId === 'messages.send' && e.status === 200)).toHaveLength(SENDS + 1);
    }
  });
});

describe('webhook deliveries of concurrent sends: three accounts, two domains, one receiver', () => {
  const use = useCleanup();
  const DOMAINS = ['dlv-0.conc.example.com', 'dlv-1.conc.example.com'];
  const WHO = ACCOUNTS.slice(0, 3);
  const PER = 30; // messages per account and domain

  it('delivers every event exactly once, to the sending account’s URLs only, signed with that account’s key', async () => {
    const receiver = await use.receiver();
    const mock = await use.mock({ fixtures: { domains: DOMAINS.map((name) => ({ name })) } });
    const http = use.http(mock.url);
    const rx = receiver.url;

    // Setup, every account at once: its own signing key, accepted + delivered webhooks on both
    // domains, and an account-level (v1) delivered webhook.
    const signingKeys = new Map<Acct, string>();
    await Promise.all(WHO.map(async (acct) => {
      const key = keyOf(acct);
      const t = tokenOf(acct);
      const [signing, ...rest] = await Promise.all([
        http.call('POST', '/v5/accounts/http_signing_key', { key }),
        ...DOMAINS.flatMap((d) => ['accepted', 'delivered'].map((name) => http.call('POST', `/v3/domains/${d}/webhooks`, { key, form: form({ id: name, url: `${rx}/${t}/${d}/${name}` }) }))),
        http.call('POST', '/v1/webhooks', { key, form: form({ url: `${rx}/${t}/v1/delivered`, event_types: 'delivered' }) }),
      ]);
      expect([signing, ...rest].map((r) => r.status)).toEqual([signing, ...rest].map(() => 200));
      signingKeys.set(acct, signing!.json.http_signing_key as string);
    }));
    expect(new Set(signingKeys.values()).size).toBe(WHO.length);

    // Every send in flight at once.
    const sends = WHO.flatMap((acct) => DOMAINS.flatMap((d) => Array.from({ length: PER }, (_, i) => ({ acct, d, to: `r${i}@${tokenOf(acct)}.${d}` }))));
    const replies = await Promise.all(sends.map((s) => http.call('POST', `/v3/${s.d}/messages`, { key: keyOf(s.acct), form: form({ from: `app@${s.d}`, to: s.to, subject: `${tokenOf(s.acct)} ${s.to}`, text: 'hi' }) })));
    expect(replies.filter((r) => r.status !== 200).map((r) => r.text)).toEqual([]);
    const sent = new Map(sends.map((s, i) => [(replies[i]!.json.id as string).slice(1, -1), s]));
    expect(sent.size).toBe(sends.length);

    // What must arrive: accepted to the domain's URL, delivered to the domain's and the account's.
    const expected = [...sent].flatMap(([id, s]) => [
      `/${tokenOf(s.acct)}/${s.d}/accepted accepted ${id} ${s.to}`,
      `/${tokenOf(s.acct)}/${s.d}/delivered delivered ${id} ${s.to}`,
      `/${tokenOf(s.acct)}/v1/delivered delivered ${id} ${s.to}`,
    ]);
    await receiver.waitFor(expected.length, undefined, 12_000);
    await mock.advanceClock(0); // attempts still in flight end before counting
    type EventJson = { event: string; recipient: string; message: { headers: { 'message-id': string } }; account: { id: string }; domain: { name: string } };
    const got = receiver.posts.map((p) => {
      const data = p.json!['event-data'] as unknown as EventJson;
      return { post: p, data, line: `${p.path} ${data.event} ${data.message.headers['message-id']} ${data.recipient}` };
    });
    // Exactly once each: nothing missing, nothing twice, nothing else.
    expect(got.map((g) => g.line).sort()).toEqual(expected.sort());

    for (const { post, data } of got) {
      const s = sent.get(data.message.headers['message-id'])!;
      const owner = post.path.split('/')[1];
      expect(owner, post.path).toBe(tokenOf(s.acct)); // posted to the URL of the account that sent it
      expect(data.account.id).toBe(accountIdOf(keyOf(s.acct)));
      expect(data.domain.name).toBe(s.d);
      expect(isSignedBy(post, signingKeys.get(s.acct)!), `${post.path} signed with ${s.acct}'s key`).toBe(true);
      for (const other of WHO) if (other !== s.acct) expect(isSignedBy(post, signingKeys.get(other)!)).toBe(false);
    }

    // Each account's delivery journal: its own URLs, each delivered at the first attempt.
    for (const acct of WHO) {
      const deliveries = (await mock.account(keyOf(acct))).deliveries.list();
      expect(deliveries).toHaveLength(DOMAINS.length * PER * 3);
      expect(deliveries.filter((d) => !d.url.startsWith(`${rx}/${tokenOf(acct)}/`) || d.state !== 'delivered' || d.attempts.length !== 1)).toEqual([]);
    }
  });
});

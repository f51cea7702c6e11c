// GET /__mock/stream over a real socket, read as a browser's EventSource would: `hello` first, then
// one coalesced frame per topic ({count, latest}) for messages, events, webhook deliveries, API
// requests (never the control plane's), resets and clock moves; a client that leaves unsubscribes,
// mock.stop() ends every open stream cleanly, and with accountPerKey ?account= picks the account.
// Every server is on 127.0.0.1 port 0; every wait has a deadline and no assertion is about timing.
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/account.js';
import { ACCOUNT_HEADER, createClock, startMailgunMock, type MailgunMock, type MailgunMockOptions } from '../../src/index.js';
import { basic } from '../helpers.js';
import { startReceiver, type Receiver } from '../receiver.js';

const DOMAIN = 'samples.mailgun.org';
const FROZEN = Date.parse('2026-11-26T12:00:00Z');
const DEADLINE_MS = 5_000;
const TOPICS = ['message', 'event', 'delivery', 'request', 'reset', 'shutdown'] as const;

interface Frame {
  event: string;
  data: Record<string, unknown>;
}
/** What every frame but `hello` carries. */
interface Announcement {
  count: number;
  latest: Record<string, unknown>;
}

interface LiveStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every frame so far, in order (comments and `retry:` lines left out). */
  frames: Frame[];
  /** The announcements of one topic. */
  of(event: string): Announcement[];
  /** The sum of the counts of one topic's frames. */
  total(event: string): number;
  /** Resolves with the first frame (already read or still to come) that matches; rejects after the deadline. */
  waitFor(match: (f: Frame) => boolean, what: string): Promise<Frame>;
  /** Resolves once `check` holds (re-checked on each frame); rejects after the deadline. */
  until(check: () => boolean, what: string): Promise<void>;
  /** How the response ended: 'end' (the server finished it) or 'error' (the connection was cut). */
  finished: Promise<'end' | 'error'>;
  close(): void;
}

const open = new Set<LiveStream>();

/** Reads `text/event-stream` the simple way: blocks split on a blank line, `event:` and `data:` lines. */
function parseBlock(block: string): Frame | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const at = line.indexOf(':');
    const field = at === -1 ? line : line.slice(0, at);
    const value = at === -1 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 ? undefined : { event, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
}

/** Opens the stream and resolves once the response headers arrived. */
function openStream(url: string, headers: Record<string, string> = {}): Promise<LiveStream> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } });
    req.once('error', reject);
    req.once('response', (res) => {
      const frames: Frame[] = [];
      const watchers = new Set<() => void>();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const frame = parseBlock(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (frame) frames.push(frame);
        }
        for (const w of [...watchers]) w();
      });
      const finished = new Promise<'end' | 'error'>((done) => {
        res.once('end', () => done('end'));
        res.once('error', () => done('error'));
        res.once('aborted', () => done('error'));
        req.once('error', () => done('error'));
      });
      const until = (check: () => boolean, what: string) =>
        new Promise<void>((ok, fail) => {
          const watch = () => {
            if (!check()) return;
            watchers.delete(watch);
            clearTimeout(timer);
            ok();
          };
          const timer = setTimeout(() => {
            watchers.delete(watch);
            fail(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(frames)}`));
          }, DEADLINE_MS);
          watchers.add(watch);
          watch();
        });
      const stream: LiveStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames,
        of: (event) => frames.filter((f) => f.event === event).map((f) => f.data as unknown as Announcement),
        total: (event) => stream.of(event).reduce((n, a) => n + a.count, 0),
        until,
        async waitFor(match, what) {
          await until(() => frames.some(match), what);
          return frames.find(match)!;
        },
        finished,
        close() {
          open.delete(stream);
          req.destroy();
        },
      };
      open.add(stream);
      resolve(stream);
    });
    req.end();
  });
}

/** Resolves once `check` holds, polling; rejects after the deadline. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A promise, or a rejection after the deadline. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), DEADLINE_MS)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Mailgun API call with a key; the body as a urlencoded form. */
async function mailgun(mock: MailgunMock, method: string, path: string, fields?: Record<string, string | string[]>, key = 'key-anything'): Promise<Response> {
  const body = fields === undefined ? undefined : new URLSearchParams(Object.entries(fields).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x]))).toString();
  const headers: Record<string, string> = { authorization: basic(key) };
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  return fetch(`${mock.url}${path}`, { method, headers, body });
}

/** Sends a message and returns its bare Message-Id. */
async function send(mock: MailgunMock, fields: Record<string, string | string[]> = {}, key?: string): Promise<string> {
  const res = await mailgun(mock, 'POST', `/v3/${DOMAIN}/messages`, { from: `Bob <bob@${DOMAIN}>`, to: 'alice@example.com', subject: 'Hello', text: 'Secret body text', ...fields }, key);
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.id.slice(1, -1);
}

/** The internal account (its bus), for the unsubscribe check. */
const internal = (mock: MailgunMock, i = 0) => mock.accounts()[i] as unknown as Account;

const closeAll = () => {
  for (const s of [...open]) s.close();
};

function useMock(options: MailgunMockOptions = {}): { mock: MailgunMock } {
  const s = {} as { mock: MailgunMock };
  beforeAll(async () => {
    // No webhooks in the seed: only the ones a test registers are ever posted to.
    s.mock = await startMailgunMock({ port: 0, host: '127.0.0.1', logLevel: 'silent', clock: createClock({ frozenAt: FROZEN }), fixtures: { domains: [{ name: DOMAIN }] }, ...options });
  });
  afterEach(async () => {
    closeAll();
    await s.mock.reset();
  });
  afterAll(() => s.mock?.stop());
  return s;
}

describe('GET /__mock/stream', () => {
  const s = useMock();
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver?.close());

  const stream = () => openStream(`${s.mock.url}/__mock/stream`);

  it('answers with an event stream whose first frame is hello, naming the account', async () => {
    const live = await stream();
    expect(live.status).toBe(200);
    expect(live.headers['content-type']).toMatch(/^text\/event-stream\b/);
    expect(live.headers['cache-control']).toBe('no-store');
    await live.until(() => live.frames.length > 0, 'the first frame');
    expect(live.frames[0]).toEqual({ event: 'hello', data: { account: s.mock.id, now: s.mock.clock.now() } });
  });

  it('announces a sent message and its events, with ids but no bodies', async () => {
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    const id = await send(s.mock, { subject: 'Streamed', to: ['alice@example.com', 'bob@example.com'] });

    const message = await live.waitFor((f) => f.event === 'message', 'a message frame');
    expect(message.data).toEqual({ count: 1, latest: { id, domain: DOMAIN, subject: 'Streamed', recipients: ['alice@example.com', 'bob@example.com'] } });
    expect(JSON.stringify(live.frames)).not.toContain('Secret body text');

    await s.mock.waitForEvent({ messageId: id, event: 'delivered', recipient: 'bob@example.com' }, { timeoutMs: DEADLINE_MS });
    const stored = s.mock.events.list({ messageId: id });
    await live.until(() => live.total('event') === stored.length, `${stored.length} events announced`);
    const latest = live.of('event').at(-1)!.latest;
    expect(latest).toEqual({ id: stored.at(-1)!.id, event: stored.at(-1)!.event, recipient: stored.at(-1)!.recipient, messageId: id });
  });

  it('announces webhook delivery attempts to a local receiver', async () => {
    const hook = await mailgun(s.mock, 'POST', `/v3/domains/${DOMAIN}/webhooks`, { id: 'delivered', url: `${receiver.url}/live` });
    expect(hook.status).toBe(200);
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    await send(s.mock);

    const frame = await live.waitFor((f) => f.event === 'delivery' && (f.data as unknown as Announcement).latest.state === 'delivered', 'a delivered delivery frame');
    const [delivery] = s.mock.deliveries.list({ state: 'delivered' });
    expect(delivery).toBeDefined();
    expect((frame.data as unknown as Announcement).latest).toEqual({ id: delivery!.id, state: 'delivered', status: 200, attempts: 1, nextRetryAt: delivery!.nextRetryAt });
    expect(receiver.posts.filter((p) => p.path === '/live')).toHaveLength(1);
  });

  it('announces a Mailgun API request with its journal seq, method, path and status', async () => {
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    const path = `/v3/domains/${DOMAIN}/webhooks`;
    expect((await mailgun(s.mock, 'GET', `${path}?limit=5`)).status).toBe(200);

    const frame = await live.waitFor((f) => f.event === 'request', 'a request frame');
    const [entry] = s.mock.journal.list();
    expect(frame.data).toEqual({ count: 1, latest: { seq: entry!.seq, method: 'GET', path, routeId: 'webhooks.list', status: 200, client: null } });

    // A refused one too, with its status.
    expect((await fetch(`${s.mock.url}${path}`)).status).toBe(401);
    await live.until(() => live.total('request') === 2, 'the second request');
    expect(live.of('request').at(-1)!.latest).toEqual({ seq: entry!.seq + 1, method: 'GET', path, routeId: 'webhooks.list', status: 401, client: null });
  });

  it("announces a change when an API call changed a domain's settings (a 2xx write to domains, webhooks or suppressions, anyone's)", async () => {
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    const hooks = `/v3/domains/${DOMAIN}/webhooks`;
    // Not changes: a read, a refused write, a send, a webhook test.
    expect((await mailgun(s.mock, 'GET', hooks)).status).toBe(200);
    expect((await mailgun(s.mock, 'POST', hooks, { id: 'nope' })).status).toBe(400);
    await send(s.mock);
    expect((await mailgun(s.mock, 'PUT', `${hooks}/open/test`, { url: 'http://127.0.0.1:1/t' })).status).toBe(200);
    await live.until(() => live.total('request') === 4, 'four request frames');
    expect(live.total('change')).toBe(0);
    // Changes: another client's webhook, and the dashboard's own (another tab follows it too).
    expect((await mailgun(s.mock, 'POST', hooks, { id: 'delivered', url: 'http://127.0.0.1:9/d' })).status).toBe(200);
    const change = await live.waitFor((f) => f.event === 'change', 'a change frame');
    expect(change.data).toMatchObject({ count: 1, latest: { method: 'POST', path: hooks, routeId: 'webhooks.create', status: 200, client: null } });
    const dashboard = await fetch(`${s.mock.url}/v3/${DOMAIN}/bounces`, { method: 'POST', headers: { Authorization: basic(), 'X-Mailgun-Mock-Client': 'dashboard', 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'address=x@example.com' });
    expect(dashboard.status).toBe(200);
    await live.until(() => live.total('change') === 2, 'the second change');
    expect(live.of('change').at(-1)!.latest).toMatchObject({ routeId: 'suppressions.create', client: 'dashboard' });
    // The journal says whose call each was, and filters by it.
    const clients = s.mock.journal.list().map((e) => e.client);
    expect(clients.at(-1)).toBe('dashboard');
    expect(clients.slice(0, -1).every((c) => c === null)).toBe(true);
    const only = await (await fetch(`${s.mock.url}/__mock/requests?client=dashboard`)).json() as { items: Array<{ path: string }> };
    expect(only.items.map((e) => e.path)).toEqual([`/v3/${DOMAIN}/bounces`]);
    const others = await (await fetch(`${s.mock.url}/__mock/requests?client=none`)).json() as { items: Array<{ client: string | null }> };
    expect(others.items.length).toBe(clients.length - 1);
    expect(others.items.every((e) => e.client === null)).toBe(true);
  });

  it('announces rule changes (added, used, cleared) and a cleared journal', async () => {
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    s.mock.faults.add({ route: 'webhooks.list', status: 503, times: 1 });
    await live.waitFor((f) => f.event === 'rules', 'a rules frame for the add');
    expect((await mailgun(s.mock, 'GET', `/v3/domains/${DOMAIN}/webhooks`)).status).toBe(503);
    await live.until(() => live.total('rules') >= 2, 'a rules frame for the hit');
    await fetch(`${s.mock.url}/__mock/outcomes`, { method: 'DELETE' });
    await live.until(() => live.total('rules') >= 3, 'a rules frame for the clear');
    await fetch(`${s.mock.url}/__mock/requests`, { method: 'DELETE' });
    await live.waitFor((f) => f.event === 'journal', 'a journal frame');
  });

  it('answers HEAD with the headers and ends at once', async () => {
    const res = await fetch(`${s.mock.url}/__mock/stream`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  it('does not announce control-plane requests', async () => {
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    for (const path of ['/__mock/messages', '/__mock/requests', '/__mock/health', '/__mock/ui/config', '/__mock', '/__mock/nope']) await fetch(`${s.mock.url}${path}`);
    // A Mailgun request after them: had they been announced, they would be in its frame or before it.
    const marker = `/v3/domains/${DOMAIN}/webhooks`;
    await mailgun(s.mock, 'GET', marker);
    await live.waitFor((f) => f.event === 'request' && (f.data as unknown as Announcement).latest.path === marker, 'the marker request');
    expect(live.total('request')).toBe(1);
    expect(live.of('request').map((a) => a.latest.path)).toEqual([marker]);
  });

  it('announces POST /__mock/reset', async () => {
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    expect((await fetch(`${s.mock.url}/__mock/reset`, { method: 'POST' })).status).toBe(200);
    const frame = await live.waitFor((f) => f.event === 'reset', 'a reset frame');
    expect(frame.data).toEqual({ count: 1, latest: {} });
    // The stream outlives the reset: it still announces.
    await send(s.mock);
    await live.waitFor((f) => f.event === 'message', 'a message after the reset');
  });

  it('announces POST /__mock/clock/advance with the new time', async () => {
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    const res = await fetch(`${s.mock.url}/__mock/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 60_000 }) });
    expect(res.status).toBe(200);
    const { now } = (await res.json()) as { now: number };
    const frame = await live.waitFor((f) => f.event === 'clock', 'a clock frame');
    expect(frame.data).toEqual({ count: 1, latest: { now } });
  });

  it('coalesces a burst of sends into fewer frames whose counts add up', async () => {
    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    const SENDS = 30;
    const ids = await Promise.all(Array.from({ length: SENDS }, (_, i) => send(s.mock, { subject: `Burst ${i}`, to: ['a@example.com', 'b@example.com'] })));

    await live.until(() => live.total('message') === SENDS, `${SENDS} messages announced`);
    await live.until(() => live.total('request') === SENDS, `${SENDS} requests announced`);
    // Every recipient of every message is accepted, then delivered.
    await eventually(() => s.mock.events.list().length === SENDS * 4, 'every event stored');
    await live.until(() => live.total('event') === SENDS * 4, `${SENDS * 4} events announced`);

    expect(live.of('message').length).toBeLessThan(SENDS);
    expect(live.of('event').length).toBeLessThan(SENDS * 4);
    expect(ids).toContain(live.of('message').at(-1)!.latest.id);
    // Nothing more comes in: the counts stay exact.
    await send(s.mock, { subject: 'After the burst' });
    await live.until(() => live.total('message') === SENDS + 1, 'one more message');
    expect(live.of('message').at(-1)!.latest.subject).toBe('After the burst');
  });

  it('gives every open stream its own copy of the frames', async () => {
    const one = await stream();
    const two = await stream();
    await one.waitFor((f) => f.event === 'hello', 'hello on the first');
    await two.waitFor((f) => f.event === 'hello', 'hello on the second');
    const id = await send(s.mock);
    for (const live of [one, two]) {
      const frame = await live.waitFor((f) => f.event === 'message', 'a message frame');
      expect((frame.data as unknown as Announcement).latest.id).toBe(id);
    }
    // One leaving does not end the other.
    one.close();
    const next = await send(s.mock, { subject: 'Second' });
    await two.waitFor((f) => f.event === 'message' && (f.data as unknown as Announcement).latest.id === next, 'the second message');
  });

  it('unsubscribes when the client goes away', async () => {
    const bus = internal(s.mock).ctx.bus;
    // The streams of earlier tests are gone once the server saw them close.
    await eventually(() => TOPICS.every((topic) => !bus.listening(topic)), 'no listener before the stream');

    const live = await stream();
    await live.waitFor((f) => f.event === 'hello', 'hello');
    for (const topic of TOPICS) expect(bus.listening(topic), topic).toBe(true);

    live.close();
    await eventually(() => TOPICS.every((topic) => !bus.listening(topic)), 'every bus listener removed');
    // Nobody listens: API requests are no longer announced at all.
    expect((await mailgun(s.mock, 'GET', `/v3/domains/${DOMAIN}/webhooks`)).status).toBe(200);
    expect(bus.listening('request')).toBe(false);
  });
});

describe('mock.stop() with a stream open', () => {
  it('ends the stream cleanly, and stop() resolves', async () => {
    const mock = await startMailgunMock({ port: 0, host: '127.0.0.1', logLevel: 'silent', fixtures: { domains: [{ name: DOMAIN }] } });
    let live: LiveStream | undefined;
    try {
      live = await openStream(`${mock.url}/__mock/stream`);
      await live.waitFor((f) => f.event === 'hello', 'hello');
      await send(mock);
      await live.waitFor((f) => f.event === 'message', 'a message frame');
    } finally {
      await mock.stop();
    }
    // 'end': the server finished the response (terminating chunk) instead of having it cut after
    // the stop grace period, which the client would see as an aborted response.
    expect(await within(live!.finished, 'the end of the stream')).toBe('end');
    expect(live!.frames[0]!.event).toBe('hello');
  });

  it('ends the streams of every account, with accountPerKey', async () => {
    const mock = await startMailgunMock({ port: 0, host: '127.0.0.1', logLevel: 'silent', accountPerKey: true, fixtures: { domains: [{ name: DOMAIN }] } });
    const streams: LiveStream[] = [];
    try {
      streams.push(await openStream(`${mock.url}/__mock/stream`));
      streams.push(await openStream(`${mock.url}/__mock/stream?account=key-a`));
      streams.push(await openStream(`${mock.url}/__mock/stream`, { [ACCOUNT_HEADER]: 'key-b' }));
      for (const live of streams) await live.waitFor((f) => f.event === 'hello', 'hello');
    } finally {
      await mock.stop();
    }
    for (const live of streams) expect(await within(live.finished, 'the end of a stream')).toBe('end');
  });
});

describe('GET /__mock/stream with an account per key', () => {
  const A = 'key-alpha';
  const B = 'key-bravo';
  const s = useMock({ accountPerKey: true, apiKeys: [A, B] });

  it('?account= streams only that key\'s account', async () => {
    const live = await openStream(`${s.mock.url}/__mock/stream?account=${A}`);
    expect(live.status).toBe(200);
    const hello = await live.waitFor((f) => f.event === 'hello', 'hello');
    expect(hello.data.account).toBe((await s.mock.account(A)).id);
    expect(hello.data.account).not.toBe(s.mock.id);

    const fromB = await send(s.mock, { subject: 'bravo' }, B);
    const fromA = await send(s.mock, { subject: 'alpha' }, A);
    await live.waitFor((f) => f.event === 'message' && (f.data as unknown as Announcement).latest.id === fromA, "alpha's message");
    await live.until(() => live.total('request') === 1, "alpha's request");

    expect(live.total('message')).toBe(1);
    expect(JSON.stringify(live.frames)).not.toContain(fromB);
    expect(JSON.stringify(live.frames)).not.toContain('bravo');
  });

  it('takes the account header as well', async () => {
    const live = await openStream(`${s.mock.url}/__mock/stream`, { [ACCOUNT_HEADER]: B });
    const hello = await live.waitFor((f) => f.event === 'hello', 'hello');
    expect(hello.data.account).toBe((await s.mock.account(B)).id);
  });

  it('announces a reset of its own account, and of all of them, but not of another', async () => {
    const live = await openStream(`${s.mock.url}/__mock/stream?account=${A}`);
    await live.waitFor((f) => f.event === 'hello', 'hello');
    expect((await fetch(`${s.mock.url}/__mock/reset?account=${B}`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${s.mock.url}/__mock/reset?account=${A}`, { method: 'POST' })).status).toBe(200);
    await live.waitFor((f) => f.event === 'reset', "alpha's reset");
    expect(live.total('reset')).toBe(1);
    expect((await fetch(`${s.mock.url}/__mock/reset`, { method: 'POST' })).status).toBe(200);
    await live.until(() => live.total('reset') === 2, 'the reset of every account');
  });

  it('refuses a key the mock does not accept with 400', async () => {
    const res = await fetch(`${s.mock.url}/__mock/stream?account=key-unknown`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: expect.stringContaining('not an accepted API key') });
  });
});

describe('the dashboard over the EU listener', () => {
  const s = useMock();

  it('GET /__mock/ui/config says eu on the EU port and us on the US port', async () => {
    const eu = await fetch(`${s.mock.euUrl}/__mock/ui/config`);
    expect(eu.status).toBe(200);
    expect(await eu.json()).toMatchObject({ region: 'eu', account: s.mock.id });
    expect(await (await fetch(`${s.mock.url}/__mock/ui/config`)).json()).toMatchObject({ region: 'us' });
  });

  it('streams the same account on the EU port', async () => {
    const live = await openStream(`${s.mock.euUrl}/__mock/stream`);
    const hello = await live.waitFor((f) => f.event === 'hello', 'hello');
    expect(hello.data.account).toBe(s.mock.id);
  });
});

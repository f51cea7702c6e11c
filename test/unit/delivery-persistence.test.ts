// Delivery state in the data file: messages, events, suppressions the outcomes add and a regenerated
// signing key survive a restart; a file from the previous version (domains only) is upgraded on
// load; hand-broken files and fixtures with bad delivery fields are refused, naming the field.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock, createMailgunMock, DataFileError, DEFAULT_SIGNING_KEY, FixtureError, loadFixtures, type FixtureData, type MailgunMock, type MailgunMockOptions } from '../../src/index.js';
import { readDataFile } from '../../src/store/file.js';
import { basic, DOMAIN } from '../helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
/** No webhooks: nothing is posted anywhere. */
const FIXTURES: FixtureData = { domains: [{ name: DOMAIN }] };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailgun-mock-delivery-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let count = 0;
const freshPath = () => join(dir, `data-${++count}.json`);

/** A quiet mock on the data file, with a frozen clock (a restart keeps the same "now"). */
const open = (dataFile: string, options: MailgunMockOptions = {}) =>
  createMailgunMock({ logLevel: 'silent', dataFile, fixtures: FIXTURES, clock: createClock({ frozenAt: NOW }), ...options });

async function sendTo(mock: MailgunMock, to: string | string[], extra: Record<string, string> = {}): Promise<string> {
  const req = request(mock.app).post(`/v3/${DOMAIN}/messages`).set('Authorization', basic());
  for (const [n, v] of Object.entries({ from: 'bob@samples.mailgun.org', subject: 'Hi', text: 'Hello', ...extra })) req.field(n, v);
  for (const t of [to].flat()) req.field('to', t);
  const res = await req;
  expect(res.status, res.text).toBe(200);
  return (res.body.id as string).slice(1, -1);
}

async function onDisk(path: string): Promise<{ format: string; version: number; state: Record<string, unknown> }> {
  // The snapshot's header, and the state a restart would see (the snapshot with its write-ahead log applied).
  const raw = JSON.parse(await readFile(path, 'utf8'));
  return { format: raw.format, version: raw.version, state: (await readDataFile(path)) as never };
}

describe('a mock with a data file keeps delivery state across a restart', () => {
  it('keeps messages, their files and their events', async () => {
    const dataFile = freshPath();
    const first = await open(dataFile);
    const file = Buffer.from([0, 1, 2, 250, 255]);
    const res = await request(first.app).post(`/v3/${DOMAIN}/messages`).set('Authorization', basic())
      .field('from', 'bob@samples.mailgun.org').field('to', 'alice@example.com').field('subject', 'Kept').field('text', 'across restarts').field('o:tag', 'keep')
      .attach('attachment', file, { filename: 'bytes.bin', contentType: 'application/octet-stream' });
    expect(res.status).toBe(200);
    const id = (res.body.id as string).slice(1, -1);
    const events = first.events.list();
    await first.stop();

    const second = await open(dataFile);
    try {
      expect(second.messages.get(id)).toMatchObject({ subject: 'Kept', text: 'across restarts', tags: ['keep'], recipients: ['alice@example.com'] });
      expect(Buffer.from(second.messages.get(id)!.attachments[0]!.content, 'base64')).toEqual(file);
      expect(second.events.list()).toEqual(events);
      const listed = await request(second.app).get(`/v3/${DOMAIN}/events?ascending=yes`).set('Authorization', basic());
      expect(listed.body.items.map((e: { id: string }) => e.id)).toEqual(events.map((e) => e.id));
      const stored = await request(second.app).get(`/v3/domains/${DOMAIN}/messages/${second.messages.get(id)!.storageKey}`).set('Authorization', basic());
      expect(stored.status).toBe(200);
      expect(stored.body.subject).toBe('Kept');
    } finally {
      await second.stop();
    }
  });

  it('has an acknowledged send on disk before stop() (no write is left for later)', async () => {
    const dataFile = freshPath();
    const mock = await open(dataFile);
    try {
      const id = await sendTo(mock, 'alice@example.com');
      const state = (await onDisk(dataFile)).state as { messages: Array<{ id: string }>; events: Array<{ messageId: string; data: { event: string } }> };
      expect(state.messages.map((m) => m.id)).toEqual([id]);
      expect(state.events.map((e) => e.data.event)).toEqual(['accepted', 'delivered']);
    } finally {
      await mock.stop();
    }
  });

  it('keeps events made through POST /__mock/events', async () => {
    const dataFile = freshPath();
    const first = await open(dataFile);
    const id = await sendTo(first, 'alice@example.com');
    const emitted = await request(first.app).post('/__mock/events').send({ message: id, event: 'clicked', url: 'https://example.com/kept' });
    expect(emitted.status).toBe(200);
    await first.stop();

    const second = await open(dataFile);
    try {
      expect(second.events.list({ event: 'clicked' })).toEqual([expect.objectContaining({ id: emitted.body.items[0].id, url: 'https://example.com/kept' })]);
    } finally {
      await second.stop();
    }
  });

  it('keeps the suppressions outcomes added: the addresses stay bounced, unsubscribed and complained', async () => {
    const dataFile = freshPath();
    const first = await open(dataFile, {
      outcomes: [
        { recipient: 'bounce@example.com', outcome: 'permanent_fail' },
        { recipient: 'unsub@example.com', outcome: 'unsubscribed' },
        { recipient: 'complain@example.com', outcome: 'complained' },
      ],
    });
    await sendTo(first, ['bounce@example.com', 'unsub@example.com', 'complain@example.com']);
    await first.stop();
    const domain = ((await onDisk(dataFile)).state.domains as Array<Record<string, Array<{ address: string }>>>)[0]!;
    expect(domain.bounces!.map((b) => b.address)).toEqual(['bounce@example.com']);
    expect(domain.unsubscribes!.map((u) => u.address)).toEqual(['unsub@example.com']);
    expect(domain.complaints!.map((c) => c.address)).toEqual(['complain@example.com']);

    // No outcome rules this time: only the lists can refuse these recipients now.
    const second = await open(dataFile);
    try {
      const id = await sendTo(second, ['bounce@example.com', 'unsub@example.com', 'complain@example.com', 'fine@example.com']);
      const outcome = second.events.list({ messageId: id }).filter((e) => e.event !== 'accepted');
      expect(outcome.map((e) => [e.recipient, e.event, e.reason ?? null, (e['delivery-status'] as { code: number }).code])).toEqual([
        ['bounce@example.com', 'failed', 'suppress-bounce', 605],
        ['unsub@example.com', 'failed', 'suppress-unsubscribe', 606],
        ['complain@example.com', 'failed', 'suppress-complaint', 607],
        ['fine@example.com', 'delivered', null, 250],
      ]);
    } finally {
      await second.stop();
    }
  });

  it('keeps a regenerated signing key', async () => {
    const dataFile = freshPath();
    const first = await open(dataFile);
    const res = await request(first.app).post('/v5/accounts/http_signing_key').set('Authorization', basic());
    expect(res.status).toBe(200);
    const key: string = res.body.http_signing_key;
    expect(key).toMatch(/^key-[0-9a-f]{32}$/);
    expect(key).not.toBe(DEFAULT_SIGNING_KEY);
    await first.stop();

    const second = await open(dataFile);
    try {
      expect(second.signingKey).toBe(key);
      const got = await request(second.app).get('/v5/accounts/http_signing_key').set('Authorization', basic());
      expect(got.body).toEqual({ http_signing_key: key });
    } finally {
      await second.stop();
    }
  });

  it('answers a paging URL handed out before the restart', async () => {
    const dataFile = freshPath();
    const first = await open(dataFile);
    await sendTo(first, ['a@example.com', 'b@example.com']);
    const page = await request(first.app).get(`/v3/${DOMAIN}/events?ascending=yes&limit=2`).set('Authorization', basic());
    const next = new URL(page.body.paging.next as string).pathname;
    await first.stop();

    const second = await open(dataFile);
    try {
      const res = await request(second.app).get(next).set('Authorization', basic());
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { event: string; recipient: string }) => `${e.event} ${e.recipient}`)).toEqual(['delivered a@example.com', 'delivered b@example.com']);
    } finally {
      await second.stop();
    }
  });

  it('numbers events on from where the file left off', async () => {
    const dataFile = freshPath();
    const first = await open(dataFile);
    await sendTo(first, ['a@example.com', 'b@example.com']);
    await first.stop();

    const second = await open(dataFile);
    try {
      await sendTo(second, 'c@example.com');
      expect(second.store.state.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(second.store.state.nextSeq).toBe(7);
    } finally {
      await second.stop();
    }
  });

  // Events made in one millisecond get increasing microseconds "so timestamps keep creation order";
  // a restarted mock on a frozen clock starts that count again, so its first events sort among the old
  // ones, and a poller following `next` never sees the ones that land before its cursor.
  it('lists events made after a restart after the old ones, even on the same frozen millisecond', async () => {
    const dataFile = freshPath();
    const first = await open(dataFile);
    await sendTo(first, ['a@example.com', 'b@example.com']);
    const page = await request(first.app).get(`/v3/${DOMAIN}/events?ascending=yes&limit=4`).set('Authorization', basic());
    expect(page.body.items).toHaveLength(4);
    const next = new URL(page.body.paging.next as string).pathname;
    await first.stop();

    const second = await open(dataFile);
    try {
      await sendTo(second, 'c@example.com');
      const res = await request(second.app).get(next).set('Authorization', basic());
      expect(res.body.items.map((e: { event: string; recipient: string }) => `${e.event} ${e.recipient}`)).toEqual(['accepted c@example.com', 'delivered c@example.com']);
    } finally {
      await second.stop();
    }
  });
});

describe('a data file written by the previous version (domains and webhooks only)', () => {
  const OLD = {
    format: 'mailgun-mock',
    version: 1,
    state: { domains: [{ name: DOMAIN, region: 'us', createdAt: '2013-10-25T00:00:00.000Z', webhooks: [{ name: 'delivered', urls: ['https://hooks.example.com/d'], legacy: false }] }] },
  };

  it('loads, gaining no messages or events, default tracking, empty suppression lists and the default signing key', async () => {
    const dataFile = freshPath();
    await writeFile(dataFile, JSON.stringify(OLD, null, 2));
    const mock = await open(dataFile);
    try {
      expect(mock.store.state).toEqual({
        domains: [
          {
            name: DOMAIN,
            region: 'us',
            createdAt: '2013-10-25T00:00:00.000Z',
            webhooks: [{ name: 'delivered', urls: ['https://hooks.example.com/d'], legacy: false }],
            tracking: { open: true, click: true, unsubscribe: true },
            bounces: [],
            unsubscribes: [],
            complaints: [],
            allowlist: [],
          },
        ],
        messages: [],
        events: [],
        nextSeq: 1,
        accountWebhooks: [],
        signingKey: DEFAULT_SIGNING_KEY,
      });
      const hooks = await request(mock.app).get(`/v3/domains/${DOMAIN}/webhooks`).set('Authorization', basic());
      expect(hooks.body).toEqual({ webhooks: { delivered: { urls: ['https://hooks.example.com/d'] } } });
    } finally {
      await mock.stop();
    }
  });

  it('answers sends and lists their events, and writes the upgraded state back', async () => {
    const dataFile = freshPath();
    await writeFile(dataFile, JSON.stringify(OLD));
    // The old file's webhook points at a host that does not resolve: drop it first so nothing is posted.
    const mock = await open(dataFile);
    try {
      await request(mock.app).delete(`/v3/domains/${DOMAIN}/webhooks/delivered`).set('Authorization', basic()).expect(200);
      const id = await sendTo(mock, 'alice@example.com');
      const events = await request(mock.app).get(`/v3/${DOMAIN}/events`).set('Authorization', basic());
      expect(events.body.items.map((e: { event: string }) => e.event)).toEqual(['delivered', 'accepted']);
      const saved = await onDisk(dataFile);
      expect(saved.format).toBe('mailgun-mock');
      expect(saved.version).toBe(1);
      expect((saved.state.messages as Array<{ id: string }>).map((m) => m.id)).toEqual([id]);
      expect(saved.state.nextSeq).toBe(3);
      expect(saved.state.signingKey).toBe(DEFAULT_SIGNING_KEY);
    } finally {
      await mock.stop();
    }
  });
});

describe('a hand-broken data file is refused, naming the field, and left byte for byte as it was', () => {
  const domain = { name: DOMAIN, region: 'us', createdAt: '2026-01-01T00:00:00.000Z', webhooks: [] };
  const message = {
    id: '20260101000000.0123456789abcdef@samples.mailgun.org', domain: DOMAIN, storageKey: 'key', apiBase: 'http://127.0.0.1:1', api: 'messages', acceptedAt: NOW,
    from: 'bob@samples.mailgun.org', to: ['alice@example.com'], cc: [], bcc: [], recipients: ['alice@example.com'], subject: 'Hi', text: 'x',
    headers: {}, variables: {}, recipientVariables: {}, options: {}, tags: [], testMode: false, tracking: {}, attachments: [], size: 10,
  };
  const event = { seq: 1, domain: DOMAIN, messageId: message.id, recipient: 'alice@example.com', data: { event: 'accepted', id: 'abcdefghijklmnopqrstuv', timestamp: NOW / 1000, 'log-level': 'info' } };
  const file = (state: Record<string, unknown>) => JSON.stringify({ format: 'mailgun-mock', version: 1, state: { domains: [domain], ...state } }, null, 2);

  async function refusal(content: string): Promise<{ path: string; err: unknown }> {
    const path = freshPath();
    await writeFile(path, content);
    const err = await open(path).then(
      async (m) => {
        await m.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataFileError);
    expect(await readFile(path, 'utf8')).toBe(content);
    return { path, err };
  }

  it.each([
    // case                                          state                                                                                 field and why
    ['events that are not a list', { events: {} }, '/state/events must be an array'],
    ['an event without data', { events: [{ seq: 1, domain: DOMAIN }] }, '/state/events/0/data must be an object'],
    ['an event whose data has no timestamp', { events: [{ ...event, data: { ...event.data, timestamp: undefined } }] }, '/state/events/0/data/timestamp must be a number'],
    ['an event that is null', { events: [null] }, '/state/events/0 must be a stored event (an object)'],
    ['nextSeq below a seq', { events: [event, { ...event, seq: 5 }], nextSeq: 3 }, '/state/nextSeq must be a whole number above every event seq'],
    ['nextSeq equal to a seq', { events: [event], nextSeq: 1 }, '/state/nextSeq must be a whole number above every event seq'],
    ['nextSeq that is no whole number', { events: [event], nextSeq: 2.5 }, '/state/nextSeq must be a whole number above every event seq'],
    ['messages that are not a list', { messages: 'none' }, '/state/messages must be an array'],
    ['a messages entry that is not an object', { messages: ['hello'] }, '/state/messages/0 must be a stored message (an object)'],
    ['a message without recipients', { messages: [{ ...message, recipients: undefined }] }, '/state/messages/0/recipients must be an array of strings'],
    ['unsubscribes tags that are not a list', { domains: [{ ...domain, unsubscribes: [{ address: 'a@example.com', tags: '*', createdAt: '2026-01-01T00:00:00.000Z' }] }] }, '/state/domains/0/unsubscribes/0/tags must be an array of strings'],
    ['unsubscribes tags holding a number', { domains: [{ ...domain, unsubscribes: [{ address: 'a@example.com', tags: [1] }] }] }, '/state/domains/0/unsubscribes/0/tags must be an array of strings'],
    ['a bounce without an address', { domains: [{ ...domain, bounces: [{ code: '550' }] }] }, '/state/domains/0/bounces/0 must be an object with an address'],
    ['complaints that are not a list', { domains: [{ ...domain, complaints: 'a@example.com' }] }, '/state/domains/0/complaints must be an array'],
    ['tracking without click', { domains: [{ ...domain, tracking: { open: true, unsubscribe: true } }] }, '/state/domains/0/tracking must be an object of open, click and unsubscribe booleans'],
    ['tracking that is a string', { domains: [{ ...domain, tracking: 'on' }] }, '/state/domains/0/tracking must be an object of open, click and unsubscribe booleans'],
    ['an empty signing key', { signingKey: '' }, '/state/signingKey must be a non-empty string'],
  ])('%s', async (_case, state, field) => {
    const { path, err } = await refusal(file(state));
    expect((err as Error).message).toBe(`data file ${path}: field ${field}; it was not changed`);
  });

  // A message record the routes cannot read must stop the start, as a broken webhook record does:
  // otherwise the mock starts and answers 500 to reads of it (the rule: never a 500 for bad input).
  it.each([
    ['without to', { ...message, to: undefined }],
    ['without a subject', { ...message, subject: undefined }],
    ['without headers', { ...message, headers: undefined }],
    ['without tracking', { ...message, tracking: undefined }],
    ['with a null attachment', { ...message, attachments: [null] }],
    ['with a tag that is a number', { ...message, tags: [7] }],
  ])('a message %s', async (_case, broken) => {
    const { err } = await refusal(file({ messages: [broken] }));
    expect((err as Error).message).toMatch(/: field \/state\/messages\/0\S* must be .*; it was not changed$/);
  });

  it('a message the check lets through never gets a 500 from the routes that read it', async () => {
    // The same records as above, started anyway where the check allows it: every read must be a 2xx/4xx.
    const broken = [{ ...message, to: undefined }, { ...message, subject: undefined }, { ...message, headers: undefined }, { ...message, tracking: undefined }, { ...message, attachments: [null] }, { ...message, tags: [7] }];
    const statuses: string[] = [];
    for (const [i, m] of broken.entries()) {
      const path = freshPath();
      await writeFile(path, file({ messages: [m] }));
      const mock = await open(path).catch(() => undefined);
      if (!mock) continue;
      try {
        const api = () => request(mock.app);
        const reads: Array<[string, () => request.Test]> = [
          ['stored', () => api().get(`/v3/domains/${DOMAIN}/messages/key`).set('Authorization', basic())],
          ['list', () => api().get('/__mock/messages')],
          ['list by subject', () => api().get('/__mock/messages?subject=x')],
          ['list by tag', () => api().get('/__mock/messages?tag=x')],
          ['emit', () => api().post('/__mock/events').send({ message: message.id, event: 'opened' })],
          ['emit delivered', () => api().post('/__mock/events').send({ message: message.id, event: 'delivered' })],
        ];
        for (const [label, read] of reads) {
          const res = await read();
          if (res.status >= 500) statuses.push(`record ${i} ${label}: ${res.status}`);
        }
      } finally {
        await mock.stop();
      }
    }
    expect(statuses).toEqual([]);
  });
});

describe('fixtures with bad delivery fields are refused, naming the field', () => {
  const domain = { name: DOMAIN };
  async function refusal(data: unknown): Promise<string> {
    const err = await loadFixtures(data as FixtureData).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FixtureError);
    return (err as Error).message;
  }

  it.each([
    // case                                        fixtures                                                                                          message after "fixtures file (inline): field "
    ['outcomes that are not a list', { domains: [domain], outcomes: { outcome: 'delivered' } }, '/outcomes must be array'],
    ['an outcome that is a string', { domains: [domain], outcomes: ['delivered'] }, '/outcomes/0 must be object'],
    ['an unknown outcome', { domains: [domain], outcomes: [{ outcome: 'exploded' }] }, "/outcomes/0: 'outcome' must be one of delivered, permanent_fail, temporary_fail, complained, opened, clicked, unsubscribed"],
    ['recoverAfter on permanent_fail', { domains: [domain], outcomes: [{ outcome: 'delivered' }, { outcome: 'permanent_fail', recoverAfter: 1 }] }, "/outcomes/1: 'recoverAfter' applies only to the temporary_fail outcome"],
    ['an outcome with an unknown key', { domains: [domain], outcomes: [{ outcome: 'delivered', to: 'a@example.com' }] }, "/outcomes/0: unknown field 'to' (known: recipient, domain, tag, outcome, code, message, description, recoverAfter, url, times)"],
    ['a bounce without an address', { domains: [{ ...domain, bounces: [{ code: '550' }] }] }, "/domains/0/bounces/0 must have required property 'address'"],
    ['a bounce with an unknown key', { domains: [{ ...domain, bounces: [{ address: 'a@example.com', reason: 'x' }] }] }, "/domains/0/bounces/0 must NOT have additional properties 'reason'"],
    ['a bounce with a numeric code', { domains: [{ ...domain, bounces: [{ address: 'a@example.com', code: 550 }] }] }, '/domains/0/bounces/0/code must be string'],
    ['a bounce dated "yesterday"', { domains: [{ ...domain, bounces: [{ address: 'a@example.com', createdAt: 'yesterday' }] }] }, '/domains/0/bounces/0/createdAt is not a date-time'],
    ['bounces that are not a list', { domains: [{ ...domain, bounces: 'a@example.com' }] }, '/domains/0/bounces must be array'],
    ['unsubscribe tags that are not a list', { domains: [{ ...domain, unsubscribes: [{ address: 'a@example.com', tags: '*' }] }] }, '/domains/0/unsubscribes/0/tags must be array'],
    ['a complaint without an address', { domains: [{ ...domain, complaints: [{}] }] }, "/domains/0/complaints/0 must have required property 'address'"],
    ['tracking as a string', { domains: [{ ...domain, tracking: 'on' }] }, '/domains/0/tracking must be object'],
    ['tracking open as "yes"', { domains: [{ ...domain, tracking: { open: 'yes' } }] }, '/domains/0/tracking/open must be boolean'],
    ['tracking with an unknown key', { domains: [{ ...domain, tracking: { opens: true } }] }, "/domains/0/tracking must NOT have additional properties 'opens'"],
  ])('%s', async (_case, data, message) => {
    expect(await refusal(data)).toBe(`fixtures file (inline): field ${message}`);
  });

  it('stops a mock from being created', async () => {
    await expect(createMailgunMock({ fixtures: { domains: [domain], outcomes: [{ outcome: 'clicked', code: 500 } as never] } })).rejects.toThrow(
      new FixtureError("fixtures file (inline): field /outcomes/0: 'code', 'message' and 'description' apply only to permanent_fail and temporary_fail"),
    );
  });

  it('loads good delivery fields, with defaults filled in', async () => {
    const seed = await loadFixtures({
      domains: [{ name: 'Mixed.Example.com', tracking: { click: false }, bounces: [{ address: ' Bounced@Example.com ' }], unsubscribes: [{ address: 'u@example.com' }, { address: 't@example.com', tags: ['news'] }], complaints: [{ address: 'c@example.com', createdAt: '2026-02-01T00:00:00Z' }] }],
      outcomes: [{ recipient: '*@bounce.test', outcome: 'permanent_fail', code: 554 }],
    });
    expect(seed.state.domains[0]).toEqual({
      name: 'mixed.example.com',
      region: 'us',
      createdAt: '2026-01-01T00:00:00.000Z',
      webhooks: [],
      tracking: { open: true, click: false, unsubscribe: true },
      bounces: [{ address: 'bounced@example.com', code: '550', error: '', createdAt: '2026-01-01T00:00:00.000Z' }],
      unsubscribes: [
        { address: 'u@example.com', tags: ['*'], createdAt: '2026-01-01T00:00:00.000Z' },
        { address: 't@example.com', tags: ['news'], createdAt: '2026-01-01T00:00:00.000Z' },
      ],
      complaints: [{ address: 'c@example.com', createdAt: '2026-02-01T00:00:00.000Z' }],
      allowlist: [],
    });
    expect(seed.outcomes).toEqual([{ recipient: '*@bounce.test', outcome: 'permanent_fail', code: 554 }]);
  });
});

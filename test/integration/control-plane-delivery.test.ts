// The control plane's delivery half: /__mock/messages (filters, latest, by id, attachments),
// /__mock/events (listing, and making events happen), /__mock/outcomes, the webhook delivery
// journal, the mock clock, and what POST /__mock/reset clears and keeps.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClock, type MailgunMock } from '../../src/index.js';
import { startReceiver, type Receiver } from '../receiver.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const OTHER = 'other.example.com';
const MAX_ADVANCE_MS = 366 * 24 * 3600 * 1000;
// Keys in the order the mock lists them (outcome first).
const FIXTURE_RULE = { outcome: 'permanent_fail', recipient: '*@fixture-bounce.test' } as const;
const OPTION_RULE = { outcome: 'permanent_fail', recipient: '*@option-bounce.test' } as const;
const RETRY_MS = 60_000;

let mock: MailgunMock;
let receiver: Receiver;
beforeAll(async () => {
  mock = await createTestMock({
    clock: createClock({ frozenAt: NOW }),
    fixtures: { domains: [{ name: DOMAIN }, { name: OTHER }], outcomes: [FIXTURE_RULE] },
    outcomes: [OPTION_RULE],
    deliveryRetrySchedule: [RETRY_MS, RETRY_MS],
  });
  receiver = await startReceiver();
});
afterEach(async () => {
  await mock.reset();
  receiver.posts.length = 0;
  receiver.answer = () => ({ status: 200, body: 'ok' });
});
afterAll(async () => {
  await mock.stop();
  await receiver.close();
});

const api = () => request(mock.app);

function expectJson(res: request.Response, status: number, body: unknown): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.text).toBe(JSON.stringify(body) + '\n');
}

/** Sends a message through the API (multipart, so files can ride along) and returns its bare Message-Id. */
async function send(fields: Record<string, string | string[]>, files: Array<{ name: string; content: Buffer; type: string }> = [], domain = DOMAIN): Promise<string> {
  const req = api().post(`/v3/${domain}/messages`).set('Authorization', basic());
  for (const [name, value] of Object.entries({ text: 'Hi', ...fields })) for (const v of [value].flat()) req.field(name, v);
  for (const f of files) req.attach('attachment', f.content, { filename: f.name, contentType: f.type });
  const res = await req;
  expect(res.status, res.text).toBe(200);
  return (res.body.id as string).slice(1, -1);
}

const PDF = Buffer.from('%PDF-1.4\n\u0000\u00ff binary tail', 'latin1');

/** Three messages with something different about each, so every filter picks a different set. */
async function sendThree(): Promise<[string, string, string]> {
  const one = await send({ from: 'Bob <bob@samples.mailgun.org>', to: 'alice@example.com', subject: 'Welcome aboard', 'o:tag': 'welcome' });
  const two = await send({ from: 'Carol <carol@samples.mailgun.org>', to: 'bob@example.com', cc: 'alice@example.com', subject: 'Your invoice', 'o:tag': 'billing' }, [{ name: 'invoice.pdf', content: PDF, type: 'application/pdf' }]);
  const three = await send({ from: 'ops@other.example.com', to: 'Alice@Example.com', subject: 'Welcome to Other', 'o:tag': 'Welcome' }, [], OTHER);
  return [one, two, three];
}

describe('GET /__mock/messages', () => {
  it.each([
    // query                                                     which of the three (1-based)
    ['', [1, 2, 3]],
    ['?recipient=alice@example.com', [1, 2, 3]],
    ['?recipient=ALICE@example.com', [1, 2, 3]],
    ['?recipient=bob@example.com', [2]],
    ['?recipient=nobody@example.com', []],
    ['?subject=welcome', [1, 3]],
    ['?subject=INVOICE', [2]],
    ['?tag=welcome', [1, 3]],
    ['?tag=billing', [2]],
    ['?tag=bill', []],
    ['?from=carol', [2]],
    ['?from=samples.mailgun.org', [1, 2]],
    [`?domain=${OTHER}`, [3]],
    ['?domain=OTHER.Example.com', [3]],
    ['?limit=2', [2, 3]],
    ['?limit=0', []],
    [`?recipient=alice@example.com&subject=welcome&domain=${DOMAIN}`, [1]],
  ])('GET /__mock/messages%s', async (query, which) => {
    const ids = await sendThree();
    const res = await api().get(`/__mock/messages${query}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(which.length);
    expect(res.body.items.map((m: { id: string }) => m.id)).toEqual(which.map((n) => ids[n - 1]));
  });

  it('lists messages without file contents or the raw MIME', async () => {
    await sendThree();
    const res = await api().get('/__mock/messages?tag=billing');
    expect(res.body.items[0].attachments).toEqual([{ field: 'attachment', filename: 'invoice.pdf', contentType: 'application/pdf', size: PDF.length }]);
    expect(res.body.items[0]).not.toHaveProperty('mime');
  });

  it.each(['abc', '-1', '1.5'])('answers 400 for limit=%s', async (limit) => {
    expectJson(await api().get(`/__mock/messages?limit=${limit}`), 400, { message: "Query parameter 'limit' must be a whole number" });
  });

  it('reads a filter value with a literal ? in it whole (a query may contain ?)', async () => {
    await send({ from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'Ready?' });
    await send({ from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'Ready now' });
    // RFC 3986 allows ? unescaped in the query: curl and browsers send it as is.
    const res = await api().get('/__mock/messages?subject=Ready?');
    expect(res.body.items.map((m: { subject: string }) => m.subject)).toEqual(['Ready?']);
  });
});

describe('GET /__mock/messages/latest', () => {
  it('answers 404 when there is no message at all', async () => {
    expectJson(await api().get('/__mock/messages/latest'), 404, { message: 'No message matches' });
  });

  it('gives the newest message, or the newest that matches the filters', async () => {
    const [one, two, three] = await sendThree();
    expect((await api().get('/__mock/messages/latest')).body.id).toBe(three);
    expect((await api().get(`/__mock/messages/latest?domain=${DOMAIN}`)).body.id).toBe(two);
    expect((await api().get('/__mock/messages/latest?subject=aboard')).body.id).toBe(one);
    expectJson(await api().get('/__mock/messages/latest?tag=nope'), 404, { message: 'No message matches' });
  });
});

describe('GET /__mock/messages/{id}', () => {
  it('finds a message by its Message-Id, bare, in <>, or URL-encoded', async () => {
    const [, two] = await sendThree();
    for (const id of [two, encodeURIComponent(two), encodeURIComponent(`<${two}>`)]) {
      const res = await api().get(`/__mock/messages/${id}`);
      expect(res.status, id).toBe(200);
      expect(res.body).toMatchObject({ id: two, subject: 'Your invoice', recipients: ['bob@example.com', 'alice@example.com'] });
    }
  });

  it('includes the file contents, base64', async () => {
    const [, two] = await sendThree();
    const res = await api().get(`/__mock/messages/${two}`);
    expect(res.body.attachments).toEqual([{ field: 'attachment', filename: 'invoice.pdf', contentType: 'application/pdf', size: PDF.length, content: PDF.toString('base64') }]);
  });

  it('answers 404 for an unknown id', async () => {
    await sendThree();
    expectJson(await api().get('/__mock/messages/20260101000000.0000000000000000@samples.mailgun.org'), 404, { message: 'Message not found' });
  });

  it('serves an attachment with the bytes and type it was sent with', async () => {
    const [, two] = await sendThree();
    const res = await api().get(`/__mock/messages/${encodeURIComponent(`<${two}>`)}/attachments/0`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0);
  });

  it.each([
    ['an index past the end', (id: string) => `/__mock/messages/${id}/attachments/1`, 'Attachment not found'],
    ['an index that is no number', (id: string) => `/__mock/messages/${id}/attachments/x`, 'Attachment not found'],
    ['an unknown message', () => '/__mock/messages/nope@samples.mailgun.org/attachments/0', 'Message not found'],
  ])('answers 404 for %s', async (_case, path, message) => {
    const [, two] = await sendThree();
    expectJson(await api().get(path(two)), 404, { message });
  });
});

describe('GET /__mock/events', () => {
  async function mixed(): Promise<[string, string]> {
    const ok = await send({ from: 'bob@samples.mailgun.org', to: 'alice@example.com', subject: 'ok' });
    const bounced = await send({ from: 'bob@samples.mailgun.org', to: ['carol@example.com', 'x@fixture-bounce.test'], subject: 'bounce' });
    await send({ from: 'x@other.example.com', to: 'alice@example.com', subject: 'other' }, [], OTHER);
    return [ok, bounced];
  }

  it.each([
    // query                                           events (event recipient)
    ['?event=failed', ['failed x@fixture-bounce.test']],
    ['?severity=permanent', ['failed x@fixture-bounce.test']],
    ['?recipient=carol@example.com', ['accepted carol@example.com', 'delivered carol@example.com']],
    [`?domain=${OTHER}`, ['accepted alice@example.com', 'delivered alice@example.com']],
    ['?event=delivered&recipient=ALICE@example.com', ['delivered alice@example.com', 'delivered alice@example.com']],
    ['?event=accepted&limit=1', ['accepted alice@example.com']],
    ['?limit=0', []],
    ['?event=opened', []],
  ])('GET /__mock/events%s', async (query, expected) => {
    await mixed();
    const res = await api().get(`/__mock/events${query}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(expected.length);
    expect(res.body.items.map((e: { event: string; recipient: string }) => `${e.event} ${e.recipient}`)).toEqual(expected);
  });

  it('filters by message, with or without <>', async () => {
    const [ok] = await mixed();
    for (const id of [ok, `<${ok}>`]) {
      const res = await api().get(`/__mock/events?message=${encodeURIComponent(id)}`);
      expect(res.body.items.map((e: { event: string }) => e.event)).toEqual(['accepted', 'delivered']);
    }
  });

  it('answers 400 for a limit that is no whole number', async () => {
    expectJson(await api().get('/__mock/events?limit=ten'), 400, { message: "Query parameter 'limit' must be a whole number" });
  });
});

describe('POST /__mock/events', () => {
  const emit = (body: unknown) => api().post('/__mock/events').send(body as object);

  it('makes an event happen to every recipient of a stored message', async () => {
    const id = await send({ from: 'bob@samples.mailgun.org', to: ['a@example.com', 'b@example.com'], subject: 's' });
    const res = await emit({ message: id, event: 'opened' });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Events have been created');
    expect(res.body.items.map((e: { event: string; recipient: string }) => `${e.event} ${e.recipient}`)).toEqual(['opened a@example.com', 'opened b@example.com']);
    expect(mock.events.list({ event: 'opened' })).toHaveLength(2);
  });

  it('makes it happen to one recipient, with the Message-Id in <>', async () => {
    const id = await send({ from: 'bob@samples.mailgun.org', to: ['a@example.com', 'b@example.com'], subject: 's' });
    const res = await emit({ message: `<${id}>`, event: 'clicked', recipient: 'B@example.com', url: 'https://example.com/offer' });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Event has been created');
    expect(res.body.items).toEqual([expect.objectContaining({ event: 'clicked', recipient: 'b@example.com', url: 'https://example.com/offer' })]);
  });

  it('makes a failure with the severity, code and reason given', async () => {
    const id = await send({ from: 'bob@samples.mailgun.org', to: 'a@example.com', subject: 's' });
    const res = await emit({ message: id, event: 'failed', severity: 'temporary', code: 421, reason: 'generic', description: 'Try later' });
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ event: 'failed', severity: 'temporary', reason: 'generic', 'log-level': 'warn', 'delivery-status': { code: 421, message: 'Try later' } });
  });

  it('answers 404 for a message the mock never accepted', async () => {
    expectJson(await emit({ message: 'nope@samples.mailgun.org', event: 'opened' }), 404, { message: 'Message not found: nope@samples.mailgun.org' });
  });

  describe('answers 400 for a request it cannot carry out', () => {
    it.each<[string, (id: string) => unknown, string]>([
      ['an unknown field', (id) => ({ message: id, event: 'opened', when: 'now' }), "Unknown field 'when' (known: message, event, recipient, url, severity, code, reason, description)"],
      ['a __proto__ field', (id) => JSON.parse(`{"message":"${id}","event":"opened","__proto__":{"x":1}}`), "Unknown field '__proto__' (known: message, event, recipient, url, severity, code, reason, description)"],
      ['no message', () => ({ event: 'opened' }), "'message' must be the Message-Id of a stored message"],
      ['a message that is not a string', () => ({ message: 42, event: 'opened' }), "'message' must be the Message-Id of a stored message"],
      ['an unknown event', (id) => ({ message: id, event: 'exploded' }), "'event' must be one of opened, clicked, unsubscribed, complained, failed, delivered"],
      ['an accepted event (only the API makes those)', (id) => ({ message: id, event: 'accepted' }), "'event' must be one of opened, clicked, unsubscribed, complained, failed, delivered"],
      ['a recipient not of the message', (id) => ({ message: id, event: 'opened', recipient: 'mallory@example.com' }), 'mallory@example.com is not a recipient of message ID'],
      ['an empty recipient', (id) => ({ message: id, event: 'opened', recipient: '' }), "'recipient' must be a non-empty string"],
      ['a url on an opened event', (id) => ({ message: id, event: 'opened', url: 'https://example.com/' }), "'url' applies only to clicked events"],
      ['a severity on a delivered event', (id) => ({ message: id, event: 'delivered', severity: 'permanent' }), "'severity', 'code' and 'reason' apply only to failed events"],
      ['a bad severity', (id) => ({ message: id, event: 'failed', severity: 'fatal' }), "'severity' must be permanent or temporary"],
      ['a code out of range', (id) => ({ message: id, event: 'failed', code: 1000 }), "'code' must be a whole number from 100 to 999"],
      ['a code as a string', (id) => ({ message: id, event: 'failed', code: '550' }), "'code' must be a whole number from 100 to 999"],
    ])('%s', async (_case, body, message) => {
      const id = await send({ from: 'bob@samples.mailgun.org', to: 'a@example.com', subject: 's' });
      expectJson(await emit(body(id)), 400, { message: message.replace('ID', id) });
      expect(mock.events.list().map((e) => e.event)).toEqual(['accepted', 'delivered']);
    });

    it.each([
      ['a text body', 'text/plain', 'message=x&event=opened'],
      ['a form body', 'application/x-www-form-urlencoded', 'message=x&event=opened'],
      ['an XML body', 'application/xml', '<event><message>x</message></event>'],
      ['a JSON array', 'application/json', '[{"message":"x","event":"opened"}]'],
      ['no body at all', undefined, undefined],
    ])('%s', async (_case, type, body) => {
      let req = api().post('/__mock/events');
      if (type !== undefined) req = req.set('Content-Type', type);
      const res = await (body === undefined ? req : req.send(body));
      expectJson(res, 400, { message: 'Send the event as a JSON object (Content-Type: application/json)' });
    });

    // The control plane reads JSON strictly (objects and arrays only), as express.json does by default.
    it.each([
      ['malformed JSON', '{"message": '],
      ['JSON null', 'null'],
      ['a JSON string', '"opened"'],
    ])('%s', async (_case, body) => {
      expectJson(await api().post('/__mock/events').set('Content-Type', 'application/json').send(body), 400, { message: 'Malformed request body' });
    });
  });

  it('answers 400 for an open the message does not track', async () => {
    const id = await send({ from: 'bob@samples.mailgun.org', to: 'a@example.com', subject: 's', 'o:tracking-opens': 'no' });
    const res = await emit({ message: id, event: 'opened' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^opens are not tracked for message /);
  });
});

describe('/__mock/outcomes', () => {
  const add = (body: unknown) => api().post('/__mock/outcomes').send(body as object);

  it('GET lists the fixtures\' and the options\' rules first', async () => {
    expectJson(await api().get('/__mock/outcomes'), 200, {
      items: [
        { ...FIXTURE_RULE, id: 'outcome-1', hits: 0, remaining: null },
        { ...OPTION_RULE, id: 'outcome-2', hits: 0, remaining: null },
      ],
    });
  });

  it('POST adds a rule, which the next send follows', async () => {
    const res = await add({ recipient: '*@soft.test', outcome: 'temporary_fail', code: 421, times: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Outcome rule has been added', items: [{ outcome: 'temporary_fail', recipient: '*@soft.test', code: 421, times: 1, id: 'outcome-3', hits: 0, remaining: 1 }] });
    await send({ from: 'bob@samples.mailgun.org', to: 'x@soft.test', subject: 's' });
    expect(mock.events.list({ event: 'failed' })).toEqual([expect.objectContaining({ severity: 'temporary', 'delivery-status': expect.objectContaining({ code: 421 }) })]);
    expect((await api().get('/__mock/outcomes')).body.items[2]).toMatchObject({ id: 'outcome-3', hits: 1, remaining: 0 });
  });

  it('POST takes a list of rules', async () => {
    const res = await add([{ tag: 'newsletter', outcome: 'opened' }, { domain: OTHER, outcome: 'clicked', url: 'https://example.com/x' }]);
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Outcome rules have been added');
    expect(res.body.items.map((r: { id: string }) => r.id)).toEqual(['outcome-3', 'outcome-4']);
  });

  it('POST adds none of a list when one rule is bad', async () => {
    const res = await add([{ outcome: 'opened' }, { outcome: 'nope' }]);
    expect(res.status).toBe(400);
    expect((await api().get('/__mock/outcomes')).body.items).toHaveLength(2);
  });

  it('DELETE /{id} removes one rule; an unknown id is a 404', async () => {
    expectJson(await api().delete('/__mock/outcomes/outcome-1'), 200, { message: 'Outcome rule has been removed' });
    expect((await api().get('/__mock/outcomes')).body.items.map((r: { id: string }) => r.id)).toEqual(['outcome-2']);
    expectJson(await api().delete('/__mock/outcomes/outcome-1'), 404, { message: 'Outcome rule not found' });
    expectJson(await api().delete('/__mock/outcomes/__proto__'), 404, { message: 'Outcome rule not found' });
  });

  it('DELETE removes every rule', async () => {
    expectJson(await api().delete('/__mock/outcomes'), 200, { message: 'Outcome rules have been cleared' });
    expectJson(await api().get('/__mock/outcomes'), 200, { items: [] });
  });

  describe('POST answers 400 {"message": "Invalid outcome rule: …"} for a rule it cannot use', () => {
    it.each([
      // case                                rule                                                           why
      ['an unknown outcome', { outcome: 'exploded' }, "'outcome' must be one of delivered, permanent_fail, temporary_fail, complained, opened, clicked, unsubscribed"],
      ['no outcome', { recipient: 'a@example.com' }, "'outcome' must be one of delivered, permanent_fail, temporary_fail, complained, opened, clicked, unsubscribed"],
      ['recoverAfter on permanent_fail', { outcome: 'permanent_fail', recoverAfter: 2 }, "'recoverAfter' applies only to the temporary_fail outcome"],
      ['recoverAfter of 0', { outcome: 'temporary_fail', recoverAfter: 0 }, "'recoverAfter' must be a whole number from 1 to 100"],
      ['a code out of range', { outcome: 'permanent_fail', code: 1000 }, "'code' must be a whole number from 100 to 999"],
      ['a 4xx code on permanent_fail', { outcome: 'permanent_fail', code: 450 }, "a permanent_fail 'code' must be 5xx or 6xx"],
      ['a 5xx code on temporary_fail', { outcome: 'temporary_fail', code: 550 }, "a temporary_fail 'code' must be 4xx"],
      ['a code on delivered', { outcome: 'delivered', code: 250 }, "'code', 'message' and 'description' apply only to permanent_fail and temporary_fail"],
      ['a url on opened', { outcome: 'opened', url: 'https://example.com/' }, "'url' applies only to the clicked outcome"],
      ['an unknown key', { outcome: 'delivered', when: 'always' }, "unknown field 'when' (known: recipient, domain, tag, outcome, code, message, description, recoverAfter, url, times)"],
      ['an empty recipient', { outcome: 'delivered', recipient: '' }, "'recipient' must be a non-empty string of at most 1000 characters"],
      ['times of 0', { outcome: 'delivered', times: 0 }, "'times' must be a whole number of at least 1"],
      ['a list holding a string', ['delivered'], 'must be an object'],
    ])('%s', async (_case, rule, why) => {
      const res = await add(rule);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(Object.keys(res.body)).toEqual(['message']);
      expect(res.body.message).toMatch(/^Invalid outcome rule: /);
      expect(res.body.message).toContain(why);
      expect((await api().get('/__mock/outcomes')).body.items).toHaveLength(2);
    });

    it.each([
      ["'code'", { outcome: 'permanent_fail', code: 1000 }],
      ["'recoverAfter'", { outcome: 'permanent_fail', recoverAfter: 2 }],
      ["'url'", { outcome: 'opened', url: 'https://example.com/' }],
    ])('reads as a sentence for a bad %s (no stray "it")', async (_field, rule) => {
      const res = await add(rule);
      expect(res.body.message).not.toMatch(/^Invalid outcome rule: it '/);
    });

    it.each([
      ['a text body', 'text/plain', 'outcome=delivered', 'Send an outcome rule as a JSON object (Content-Type: application/json)'],
      ['a form body', 'application/x-www-form-urlencoded', 'outcome=delivered', 'Send an outcome rule as a JSON object (Content-Type: application/json)'],
      ['JSON null', 'application/json', 'null', 'Malformed request body'],
      ['a JSON number', 'application/json', '5', 'Malformed request body'],
    ])('%s', async (_case, type, body, message) => {
      const res = await api().post('/__mock/outcomes').set('Content-Type', type).send(body);
      expectJson(res, 400, { message });
    });
  });
});

describe('/__mock/webhooks/deliveries', () => {
  /** Registers the delivered webhook on the receiver and sends to two recipients; resolves once both are delivered. */
  async function delivered(): Promise<string> {
    await api().post(`/v3/domains/${DOMAIN}/webhooks`).set('Authorization', basic()).type('form').send({ id: 'delivered', url: `${receiver.url}/delivered` }).expect(200);
    const id = await send({ from: 'bob@samples.mailgun.org', to: ['a@example.com', 'b@example.com'], subject: 's' });
    await mock.waitForDelivery({ recipient: 'a@example.com', state: 'delivered' });
    await mock.waitForDelivery({ recipient: 'b@example.com', state: 'delivered' });
    return id;
  }

  it.each([
    // query                              recipients
    ['', ['a@example.com', 'b@example.com']],
    ['?webhook=delivered', ['a@example.com', 'b@example.com']],
    ['?webhook=opened', []],
    ['?event=delivered', ['a@example.com', 'b@example.com']],
    ['?state=delivered', ['a@example.com', 'b@example.com']],
    ['?state=retrying', []],
    ['?status=200', ['a@example.com', 'b@example.com']],
    ['?status=500', []],
    ['?recipient=B@example.com', ['b@example.com']],
    [`?domain=${DOMAIN}`, ['a@example.com', 'b@example.com']],
    [`?domain=${OTHER}`, []],
    ['?limit=1', ['b@example.com']],
    ['?limit=0', []],
  ])('GET /__mock/webhooks/deliveries%s', async (query, recipients) => {
    await delivered();
    const res = await api().get(`/__mock/webhooks/deliveries${query}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: { recipient: string }) => d.recipient)).toEqual(recipients);
    expect(res.body.total).toBe(recipients.length);
  });

  it('filters by url and by message (with or without <>)', async () => {
    const id = await delivered();
    expect((await api().get(`/__mock/webhooks/deliveries?url=${encodeURIComponent(`${receiver.url}/delivered`)}`)).body.total).toBe(2);
    expect((await api().get(`/__mock/webhooks/deliveries?message=${encodeURIComponent(`<${id}>`)}`)).body.total).toBe(2);
    expect((await api().get(`/__mock/webhooks/deliveries?message=${id}`)).body.total).toBe(2);
  });

  it.each([
    ['state=bogus', "Query parameter 'state' must be one of pending, retrying, delivered, rejected, failed, cancelled"],
    ['status=ok', "Query parameter 'status' must be a whole number"],
    ['status=2000', "Query parameter 'status' must be a whole number"],
    ['limit=-1', "Query parameter 'limit' must be a whole number"],
  ])('answers 400 for ?%s', async (query, message) => {
    expectJson(await api().get(`/__mock/webhooks/deliveries?${query}`), 400, { message });
  });

  it('GET /{id} gives one delivery with its attempts; an unknown id is a 404', async () => {
    await delivered();
    const [first] = (await api().get('/__mock/webhooks/deliveries')).body.items;
    const res = await api().get(`/__mock/webhooks/deliveries/${first.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: first.id, webhook: 'delivered', state: 'delivered', attempts: [expect.objectContaining({ attempt: 1, status: 200 })] });
    expectJson(await api().get('/__mock/webhooks/deliveries/delivery-999'), 404, { message: 'Delivery not found' });
    expectJson(await api().get('/__mock/webhooks/deliveries/__proto__'), 404, { message: 'Delivery not found' });
  });

  it('POST /{id}/retry posts again now; an unknown id is a 404', async () => {
    await delivered();
    const [first] = (await api().get('/__mock/webhooks/deliveries')).body.items;
    const res = await api().post(`/__mock/webhooks/deliveries/${first.id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Delivery has been attempted');
    expect(res.body.delivery.attempts.map((a: { attempt: number; status: number }) => [a.attempt, a.status])).toEqual([[1, 200], [2, 200]]);
    expect(receiver.posts).toHaveLength(3);
    expectJson(await api().post('/__mock/webhooks/deliveries/delivery-999/retry'), 404, { message: 'Delivery not found' });
  });
});

describe('/__mock/clock', () => {
  it('GET tells the time, how far it was advanced and what is waiting', async () => {
    const res = await api().get('/__mock/clock');
    const now = mock.clock.now();
    expectJson(res, 200, { now, iso: new Date(now).toISOString(), advancedMs: mock.clock.advancedMs, speed: 1, frozen: true, pending: 0 });
  });

  it('POST /advance moves it and runs the retries that became due', async () => {
    await api().post('/__mock/outcomes').send({ recipient: 'slow@example.com', outcome: 'temporary_fail', recoverAfter: 1 }).expect(200);
    await send({ from: 'bob@samples.mailgun.org', to: 'slow@example.com', subject: 's' });
    expect(mock.events.list().map((e) => e.event)).toEqual(['accepted', 'failed']);
    expect((await api().get('/__mock/clock')).body.pending).toBe(1);

    const before = mock.clock.now();
    const res = await api().post('/__mock/clock/advance').send({ ms: RETRY_MS });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Clock has been advanced', now: before + RETRY_MS, iso: new Date(before + RETRY_MS).toISOString(), advancedMs: mock.clock.advancedMs, pending: 0 });
    expect(mock.events.list().map((e) => e.event)).toEqual(['accepted', 'failed', 'delivered']);
  });

  it('POST /advance by 0 is allowed and changes nothing', async () => {
    const before = mock.clock.now();
    await api().post('/__mock/clock/advance').send({ ms: 0 }).expect(200);
    expect(mock.clock.now()).toBe(before);
  });

  const RANGE = `'ms' must be a number of milliseconds from 0 to ${MAX_ADVANCE_MS}`;
  const OBJECT = 'Send {"ms": <milliseconds>} as a JSON object (Content-Type: application/json)';
  it.each([
    // case                    content type           body                               message
    ['no ms', 'application/json', '{}', RANGE],
    ['a negative ms', 'application/json', '{"ms": -1}', RANGE],
    ['"NaN" as a string', 'application/json', '{"ms": "NaN"}', RANGE],
    ['a number as a string', 'application/json', '{"ms": "1000"}', RANGE],
    ['a huge ms', 'application/json', '{"ms": 1e300}', RANGE],
    ['a year and a day and a bit', 'application/json', `{"ms": ${MAX_ADVANCE_MS + 1}}`, RANGE],
    ['null ms', 'application/json', '{"ms": null}', RANGE],
    ['a JSON array', 'application/json', '[1000]', OBJECT],
    ['a bare number', 'application/json', '1000', 'Malformed request body'],
    ['a form body', 'application/x-www-form-urlencoded', 'ms=1000', OBJECT],
    ['a text body', 'text/plain', '1000', OBJECT],
    ['no body', undefined, undefined, OBJECT],
    ['malformed JSON', 'application/json', '{"ms": 10', 'Malformed request body'],
  ])('POST /advance answers 400 for %s', async (_case, type, body, message) => {
    const before = mock.clock.now();
    let req = api().post('/__mock/clock/advance');
    if (type !== undefined) req = req.set('Content-Type', type);
    expectJson(await (body === undefined ? req : req.send(body)), 400, { message });
    expect(mock.clock.now()).toBe(before);
  });
});

describe('POST /__mock/reset', () => {
  it('clears messages, events, deliveries and runtime outcome rules, and keeps the fixture and option rules', async () => {
    await api().post(`/v3/domains/${DOMAIN}/webhooks`).set('Authorization', basic()).type('form').send({ id: 'delivered', url: `${receiver.url}/delivered` }).expect(200);
    await api().post('/__mock/outcomes').send({ tag: 'x', outcome: 'opened' }).expect(200);
    const id = await send({ from: 'bob@samples.mailgun.org', to: 'a@example.com', subject: 's' });
    await api().post('/__mock/events').send({ message: id, event: 'complained' }).expect(200);
    await mock.waitForDelivery({ state: 'delivered' });

    expectJson(await api().post('/__mock/reset'), 200, { message: 'Mock has been reset' });

    expect((await api().get('/__mock/messages')).body).toEqual({ items: [], total: 0, matched: 0 });
    expect((await api().get('/__mock/events')).body).toEqual({ items: [], total: 0, matched: 0 });
    expect((await api().get('/__mock/webhooks/deliveries')).body).toEqual({ items: [], total: 0, matched: 0 });
    expectJson(await api().get('/__mock/outcomes'), 200, {
      items: [
        { ...FIXTURE_RULE, id: 'outcome-1', hits: 0, remaining: null },
        { ...OPTION_RULE, id: 'outcome-2', hits: 0, remaining: null },
      ],
    });
    // The complaint the event added to the suppression list is gone too: the address gets mail again.
    await send({ from: 'bob@samples.mailgun.org', to: 'a@example.com', subject: 's' });
    expect(mock.events.list().map((e) => e.event)).toEqual(['accepted', 'delivered']);
  });

  it('brings back fixture rules that were deleted', async () => {
    await api().delete('/__mock/outcomes').expect(200);
    await api().post('/__mock/reset').expect(200);
    expect((await api().get('/__mock/outcomes')).body.items.map((r: { recipient: string }) => r.recipient)).toEqual([FIXTURE_RULE.recipient, OPTION_RULE.recipient]);
  });
});

describe('rule lists refuse an empty list', () => {
  it.each([
    ['/__mock/outcomes', 'Send at least one outcome rule (an empty list adds nothing)'],
    ['/__mock/faults', 'Send at least one fault rule (an empty list adds nothing)'],
  ])('POST %s with [] is a 400', async (path, message) => {
    const m = await createTestMock();
    const res = await request(m.app).post(path).set('Content-Type', 'application/json').send('[]');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message });
    await m.stop();
  });
});

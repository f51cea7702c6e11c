// The Messages API over HTTP: POST /v3/{domain}/messages (urlencoded and multipart), /messages.mime,
// Mailgun's 400s word for word, and the stored-message and attachment reads that events link to.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClock, type MailgunMock } from '../../src/index.js';
import { MESSAGE_ERRORS } from '../../src/services/message-input.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const SEND = `/v3/${DOMAIN}/messages`;
const MIME = `/v3/${DOMAIN}/messages.mime`;
const ID = /^<20260101000000\.[0-9a-f]{16}@samples\.mailgun\.org>$/;
const MAILGUN_HEADERS = {
  'access-control-allow-credentials': 'true',
  'access-control-allow-origin': '*',
  'cache-control': 'no-store',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-xss-protection': '1; mode=block',
};

type Fields = Array<[string, string]>;
type Encoding = 'urlencoded' | 'multipart';

let mock: MailgunMock;
beforeAll(async () => {
  // No webhooks in the seed: nothing is posted anywhere while these tests send.
  mock = await createTestMock({ clock: createClock({ frozenAt: NOW }), fixtures: { domains: [{ name: DOMAIN }] } });
});
afterEach(() => mock.reset());
afterAll(() => mock.stop());

const api = () => request(mock.app);

/** POSTs the fields (repeats allowed) as a urlencoded form or as multipart/form-data. */
function post(path: string, encoding: Encoding, fields: Fields): request.Test {
  const req = api().post(path).set('Authorization', basic());
  if (encoding === 'urlencoded') return req.type('form').send(new URLSearchParams(fields).toString());
  for (const [name, value] of fields) req.field(name, value);
  return req;
}

/** A JSON answer exactly as Mailgun writes it: compact, one trailing newline. */
function expectJson(res: request.Response, status: number, body: unknown): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.text).toBe(JSON.stringify(body) + '\n');
}

const BASIC: Fields = [
  ['from', 'Bob <bob@samples.mailgun.org>'],
  ['to', 'alice@example.com'],
  ['subject', 'Hello'],
  ['text', 'Hi Alice'],
];

describe('POST /v3/{domain}/messages', () => {
  it.each<Encoding>(['urlencoded', 'multipart'])('answers 200 with the Message-Id and "Queued. Thank you." (%s)', async (encoding) => {
    const res = await post(SEND, encoding, BASIC);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.stringMatching(ID), message: 'Queued. Thank you.' });
    expectJson(res, 200, { id: res.body.id, message: 'Queued. Thank you.' });
  });

  it('answers with the headers every Mailgun API answer carries', async () => {
    const res = await post(SEND, 'urlencoded', BASIC);
    expect(res.headers).toMatchObject(MAILGUN_HEADERS);
    expect(res.headers['x-mailgun-key-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('stores the message as sent: addresses, subject, body, tags, variables, headers', async () => {
    const res = await post(SEND, 'multipart', [
      ...BASIC,
      ['to', 'Carol <carol@example.com>, dave@example.com'],
      ['cc', 'erin@example.com'],
      ['bcc', 'frank@example.com'],
      ['html', '<p>Hi</p>'],
      ['o:tag', 'welcome'],
      ['o:tag', 'Welcome'],
      ['v:user-id', '42'],
      ['h:X-Campaign', 'spring'],
    ]).expect(200);
    const m = mock.messages.get(res.body.id)!;
    expect(m).toMatchObject({
      api: 'messages',
      domain: DOMAIN,
      from: 'Bob <bob@samples.mailgun.org>',
      to: ['alice@example.com', 'Carol <carol@example.com>', 'dave@example.com'],
      cc: ['erin@example.com'],
      bcc: ['frank@example.com'],
      recipients: ['alice@example.com', 'carol@example.com', 'dave@example.com', 'erin@example.com', 'frank@example.com'],
      subject: 'Hello',
      text: 'Hi Alice',
      html: '<p>Hi</p>',
      tags: ['welcome'],
      variables: { 'user-id': '42' },
      headers: { 'X-Campaign': 'spring' },
      acceptedAt: NOW,
    });
    expect(`<${m.id}>`).toBe(res.body.id);
  });

  it('takes the same send the same way in both encodings', async () => {
    const a = await post(SEND, 'urlencoded', BASIC).expect(200);
    const b = await post(SEND, 'multipart', BASIC).expect(200);
    const strip = ({ id: _i, storageKey: _k, apiBase: _a, size: _s, ...rest }: Record<string, unknown>) => rest;
    expect(strip({ ...mock.messages.get(a.body.id) })).toEqual(strip({ ...mock.messages.get(b.body.id) }));
  });

  describe('answers Mailgun\'s 400 for a send it cannot take', () => {
    const without = (name: string): Fields => BASIC.filter(([n]) => n !== name);
    const replace = (name: string, value: string): Fields => [...without(name), [name, value]];
    const thousandAndOne = Array.from({ length: 1001 }, (_, i): [string, string] => ['to', `user${i}@example.com`]);

    const rows: Array<[string, Fields, string]> = [
      // case                                  fields                                                          message
      ['no from', without('from'), MESSAGE_ERRORS.missing('from')],
      ['a blank from', replace('from', '   '), MESSAGE_ERRORS.missing('from')],
      ['no to', without('to'), MESSAGE_ERRORS.missing('to')],
      ['a blank to', replace('to', ' '), MESSAGE_ERRORS.missing('to')],
      ['no subject', without('subject'), MESSAGE_ERRORS.missing('subject')],
      ['no text, html, amp-html or template', without('text'), MESSAGE_ERRORS.noBody],
      ['both html and template', [...BASIC, ['html', '<p>x</p>'], ['template', 'welcome']], MESSAGE_ERRORS.htmlAndTemplate],
      ['a from that is no address', replace('from', 'bob'), MESSAGE_ERRORS.invalidAddress('from')],
      ['a from with two mailboxes', replace('from', 'a@example.com, b@example.com'), MESSAGE_ERRORS.invalidAddress('from')],
      ['a to that is no address', replace('to', 'alice'), MESSAGE_ERRORS.invalidAddress('to')],
      ['a to with an unbalanced <', replace('to', 'Alice <alice@example.com'), MESSAGE_ERRORS.invalidAddress('to')],
      ['a cc that is no address', [...BASIC, ['cc', 'carol@']], MESSAGE_ERRORS.invalidAddress('cc')],
      ['a bcc that is no address', [...BASIC, ['bcc', '@example.com']], MESSAGE_ERRORS.invalidAddress('bcc')],
      ['1001 recipients in one to field', [...without('to'), ['to', thousandAndOne.map(([, a]) => a).join(', ')]], MESSAGE_ERRORS.tooManyRecipients],
      ['1001 recipients over to, cc and bcc', [...without('to'), ['to', thousandAndOne.slice(0, 500).map(([, a]) => a).join(',')], ['cc', thousandAndOne.slice(500, 1000).map(([, a]) => a).join(',')], ['bcc', 'last@example.com']], MESSAGE_ERRORS.tooManyRecipients],
      ['send options over 16 kB', [...BASIC, ['v:big', 'x'.repeat(16 * 1024)]], MESSAGE_ERRORS.optionsTooLarge],
      ['a header name that is not ASCII', [...BASIC, ['h:X-Grüße', 'hi']], MESSAGE_ERRORS.headerNotAscii('X-Grüße')],
      ['recipient-variables that are not JSON', [...BASIC, ['recipient-variables', '{"alice@example.com": ']], MESSAGE_ERRORS.recipientVariables],
      ['recipient-variables that are a JSON list', [...BASIC, ['recipient-variables', '[1, 2]']], MESSAGE_ERRORS.recipientVariables],
      ['an o:deliverytime that is no RFC 2822 date', [...BASIC, ['o:deliverytime', 'tomorrow at noon']], MESSAGE_ERRORS.deliveryTime],
    ];

    it.each(rows.flatMap(([name, fields, message]) => (['urlencoded', 'multipart'] as const).map((enc): [string, Encoding, Fields, string] => [name, enc, fields, message])))(
      '%s (%s)',
      async (_case, encoding, fields, message) => {
        const res = await post(SEND, encoding, fields);
        expectJson(res, 400, { message });
        expect(res.headers).toMatchObject(MAILGUN_HEADERS);
        expect(mock.messages.list()).toEqual([]);
      },
    );
  });

  it('counts 1001 repeated to fields as 1001 recipients (urlencoded)', async () => {
    const fields: Fields = [...BASIC.filter(([n]) => n !== 'to'), ...Array.from({ length: 1001 }, (_, i): [string, string] => ['to', `user${i}@example.com`])];
    expectJson(await post(SEND, 'urlencoded', fields), 400, { message: MESSAGE_ERRORS.tooManyRecipients });
  });

  it('the same address twice counts once: 1000 distinct recipients are accepted', async () => {
    const fields: Fields = [...BASIC.filter(([n]) => n !== 'to'), ['to', Array.from({ length: 1000 }, (_, i) => `user${i}@example.com`).join(', ')], ['cc', 'USER0@example.com']];
    const res = await post(SEND, 'urlencoded', fields).expect(200);
    expect(mock.messages.get(res.body.id)!.recipients).toHaveLength(1000);
  });

  it('refuses a multipart body of more than 1000 parts with 413, as Go\'s form reader does', async () => {
    const fields: Fields = [...BASIC, ...Array.from({ length: 1000 }, (_, i): [string, string] => [`v:n${i}`, 'x'])];
    expectJson(await post(SEND, 'multipart', fields), 413, { message: 'Request entity too large' });
  });

  it('answers 404 naming the domain when the domain is not the account\'s', async () => {
    const res = await post('/v3/nope.example.com/messages', 'urlencoded', BASIC);
    expectJson(res, 404, { message: 'Domain not found: nope.example.com' });
  });

  it('checks the domain before the fields', async () => {
    const res = await post('/v3/nope.example.com/messages', 'multipart', []);
    expectJson(res, 404, { message: 'Domain not found: nope.example.com' });
  });

  it('answers 401 "Need authorization header" without an Authorization header', async () => {
    const res = await api().post(SEND).type('form').send(new URLSearchParams(BASIC).toString());
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="MG API"');
    expect(res.text).toBe('{"message":"Need authorization header"}\n');
    expect(mock.messages.list()).toEqual([]);
  });

  it('answers 401 before it looks at the domain', async () => {
    const res = await api().post('/v3/nope.example.com/messages').type('form').send('');
    expect(res.status).toBe(401);
  });

  it('is recorded in the request journal under the route id messages.send', async () => {
    await post(SEND, 'multipart', BASIC).attach('attachment', Buffer.from('hello'), { filename: 'hello.txt', contentType: 'text/plain' }).expect(200);
    const res = await api().get('/__mock/requests?route=messages.send');
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      method: 'POST',
      path: SEND,
      routeId: 'messages.send',
      domain: DOMAIN,
      status: 200,
      fields: { from: 'Bob <bob@samples.mailgun.org>', to: 'alice@example.com', subject: 'Hello', text: 'Hi Alice' },
      files: [{ field: 'attachment', filename: 'hello.txt', contentType: 'text/plain', size: 5 }],
    });
  });

  it('journals a refused send too, with its 400', async () => {
    await post(SEND, 'urlencoded', BASIC.slice(1)).expect(400);
    const res = await api().get('/__mock/requests?route=messages.send&status=400');
    expect(res.body.items).toHaveLength(1);
  });
});

describe('POST /v3/{domain}/messages.mime', () => {
  const RAW = [
    'From: Bob <bob@samples.mailgun.org>',
    'To: Alice <alice@example.com>',
    'Subject: From MIME',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello from a MIME message',
    '',
  ].join('\r\n');

  it('takes a multipart send with the MIME as a file part', async () => {
    const res = await api().post(MIME).set('Authorization', basic()).field('to', 'alice@example.com').attach('message', Buffer.from(RAW), { filename: 'message.mime', contentType: 'message/rfc822' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.stringMatching(ID), message: 'Queued. Thank you.' });
    expect(mock.messages.get(res.body.id)).toMatchObject({ api: 'messages.mime', subject: 'From MIME', recipients: ['alice@example.com'], text: 'Hello from a MIME message\n' });
  });

  it.each([
    ['application/x-www-form-urlencoded', 'to=alice%40example.com&message=x'],
    ['application/json', '{"to":"alice@example.com","message":"x"}'],
    ['text/plain', 'to=alice@example.com'],
  ])('answers the content-type 400 for a %s body', async (type, body) => {
    const res = await api().post(MIME).set('Authorization', basic()).set('Content-Type', type).send(body);
    expectJson(res, 400, { message: MESSAGE_ERRORS.contentType(type) });
  });

  it.each<[string, (r: request.Test) => request.Test, string]>([
    ['no to', (r) => r.attach('message', Buffer.from(RAW), 'm.eml'), MESSAGE_ERRORS.missing('to')],
    ['no message', (r) => r.field('to', 'alice@example.com'), MESSAGE_ERRORS.missing('message')],
    ['a blank message field', (r) => r.field('to', 'alice@example.com').field('message', ' '), MESSAGE_ERRORS.messageNotFile],
    ['a to that is no address', (r) => r.field('to', 'alice').attach('message', Buffer.from(RAW), 'm.eml'), MESSAGE_ERRORS.invalidAddress('to')],
  ])('answers Mailgun\'s 400 for %s', async (_case, build, message) => {
    const res = await build(api().post(MIME).set('Authorization', basic()));
    expectJson(res, 400, { message });
  });
});

describe('the stored message and its attachments', () => {
  // Every byte value, so nothing is lost to a text encoding on the way.
  const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const TEXT = Buffer.from('first line\nsecond line — ünïcode\n', 'utf8');

  async function sendWithFiles(): Promise<string> {
    const res = await post(SEND, 'multipart', BASIC)
      .attach('attachment', TEXT, { filename: 'notes.txt', contentType: 'text/plain' })
      .attach('attachment', BINARY, { filename: 'bytes.bin', contentType: 'application/octet-stream' })
      .expect(200);
    return res.body.id;
  }

  /** The path of an absolute URL the mock handed out (supertest serves each request on a new port). */
  const pathOf = (url: string) => new URL(url).pathname;

  it('is linked from the accepted event and answers 200 with the message', async () => {
    const id = await sendWithFiles();
    const [accepted] = mock.events.list({ event: 'accepted' });
    const storage = accepted!.storage as { url: string; key: string };
    expect(storage.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/v3/domains/${DOMAIN}/messages/${storage.key}$`));

    const res = await api().get(pathOf(storage.url)).set('Authorization', basic());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toMatchObject({
      'Message-Id': id,
      From: 'Bob <bob@samples.mailgun.org>',
      To: 'alice@example.com',
      Subject: 'Hello',
      sender: 'Bob <bob@samples.mailgun.org>',
      recipients: 'alice@example.com',
      subject: 'Hello',
      'body-plain': 'Hi Alice',
      'Content-Type': 'multipart/mixed',
    });
    expect(res.body.attachments).toEqual([
      { url: expect.stringMatching(/\/attachments\/0$/), 'content-type': 'text/plain', name: 'notes.txt', size: TEXT.length },
      { url: expect.stringMatching(/\/attachments\/1$/), 'content-type': 'application/octet-stream', name: 'bytes.bin', size: 256 },
    ]);
  });

  it('serves each attachment with the bytes and type it was sent with', async () => {
    await sendWithFiles();
    const key = mock.messages.latest()!.storageKey;
    const stored = await api().get(`/v3/domains/${DOMAIN}/messages/${key}`).set('Authorization', basic()).expect(200);
    const files = stored.body.attachments as Array<{ url: string }>;
    for (const [i, expected, type] of [[0, TEXT, 'text/plain'], [1, BINARY, 'application/octet-stream']] as const) {
      const res = await api().get(pathOf(files[i]!.url)).set('Authorization', basic()).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain(type);
      expect(res.headers['content-length']).toBe(String(expected.length));
      expect(Buffer.compare(res.body as Buffer, expected)).toBe(0);
    }
  });

  it.each([
    ['an unknown storage key', (key: string) => `/v3/domains/${DOMAIN}/messages/${key}x`, 404, { message: 'Message not found' }],
    ['an attachment index past the end', (key: string) => `/v3/domains/${DOMAIN}/messages/${key}/attachments/2`, 404, { message: 'Attachment not found' }],
    ['an attachment index that is no number', (key: string) => `/v3/domains/${DOMAIN}/messages/${key}/attachments/first`, 404, { message: 'Attachment not found' }],
    ['an unknown domain', (key: string) => `/v3/domains/nope.example.com/messages/${key}`, 404, { message: 'Domain not found: nope.example.com' }],
  ])('answers %s with a JSON 404', async (_case, path, status, body) => {
    await sendWithFiles();
    const res = await api().get(path(mock.messages.latest()!.storageKey)).set('Authorization', basic());
    expectJson(res, status, body);
  });

  it('shows every custom header at the top level, even one named like an Object method', async () => {
    await post(SEND, 'urlencoded', [...BASIC, ['h:X-Plain', 'a'], ['h:constructor', 'b'], ['h:toString', 'c']]).expect(200);
    const res = await api().get(`/v3/domains/${DOMAIN}/messages/${mock.messages.latest()!.storageKey}`).set('Authorization', basic());
    expect(res.status).toBe(200);
    expect(res.body['message-headers']).toEqual(expect.arrayContaining([['X-Plain', 'a'], ['constructor', 'b'], ['toString', 'c']]));
    expect({ plain: res.body['X-Plain'], ctor: Object.hasOwn(res.body, 'constructor') ? res.body.constructor : undefined, str: Object.hasOwn(res.body, 'toString') ? res.body.toString : undefined }).toEqual({ plain: 'a', ctor: 'b', str: 'c' });
  });

  it('needs the API key like every other Mailgun endpoint', async () => {
    await sendWithFiles();
    const res = await api().get(`/v3/domains/${DOMAIN}/messages/${mock.messages.latest()!.storageKey}`);
    expect(res.status).toBe(401);
  });
});

// The send parser: form fields and files of /messages and /messages.mime into a MessageInput, or Mailgun's 400.
import { describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { MailgunError } from '../../src/errors.js';
import { emptyFields, type Fields } from '../../src/lib/fields.js';
import { isValidAddress, parseAddressList } from '../../src/lib/addresses.js';
import {
  MESSAGE_ERRORS,
  parseMessage,
  parseMimeMessage,
  parseRfc2822Date,
  type MessageFile,
} from '../../src/services/message-input.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const MULTIPART = { nowMs: NOW, multipart: true };

/** Fields from pairs, repeated names kept (as the body parser gives them). */
function fields(pairs: Array<[string, string]>): Fields {
  const f = emptyFields();
  for (const [name, value] of pairs) (f[name] ??= []).push(value);
  return f;
}

/** The smallest send Mailgun accepts, plus extra pairs. */
function send(...extra: Array<[string, string]>): Fields {
  return fields([['from', 'Excited User <mailgun@samples.mailgun.org>'], ['to', 'alice@example.com'], ['subject', 'Hello'], ['text', 'Testing'], ...extra]);
}

function file(field: string, filename: string, content: string | Buffer, contentType = 'application/octet-stream'): MessageFile {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { field, filename, contentType, size: buf.length, content: buf };
}

/** The 400 message a call throws (fails the test when it does not throw a MailgunError 400). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MailgunError);
    expect((err as MailgunError).status).toBe(400);
    return ((err as MailgunError).body as { message: string }).message;
  }
  throw new Error('expected a 400, but the send was accepted');
}

async function asyncRefusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MailgunError);
    expect((err as MailgunError).status).toBe(400);
    return ((err as MailgunError).body as { message: string }).message;
  }
  throw new Error('expected a 400, but the send was accepted');
}

async function mime(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

describe('the error texts are Mailgun\'s', () => {
  it.each<[string, string]>([
    [MESSAGE_ERRORS.missing('from'), "'from' parameter is missing"],
    [MESSAGE_ERRORS.missing('to'), "'to' parameter is missing"],
    [MESSAGE_ERRORS.missing('message'), "'message' parameter is missing"],
    [MESSAGE_ERRORS.missing('subject'), "'subject' parameter is missing"],
    [MESSAGE_ERRORS.messageNotFile, "'message' parameter is not a file"],
    [MESSAGE_ERRORS.noBody, "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified"],
    [MESSAGE_ERRORS.htmlAndTemplate, "Only one parameters 'html' or 'template' is allowed"],
    [MESSAGE_ERRORS.optionsTooLarge, 'Send options (parameters starting with o:, h:, or v:) are limited to 16 kB total'],
    [MESSAGE_ERRORS.tooManyRecipients, 'Too many recipients, max is 1000'],
    [MESSAGE_ERRORS.invalidAddress('to'), "'to' parameter is not a valid address. please check documentation"],
    [MESSAGE_ERRORS.invalidAddress('from'), "'from' parameter is not a valid address. please check documentation"],
    [MESSAGE_ERRORS.invalidAddress('cc'), "'cc' parameter is not a valid address. please check documentation"],
    [MESSAGE_ERRORS.invalidAddress('bcc'), "'bcc' parameter is not a valid address. please check documentation"],
    [MESSAGE_ERRORS.recipientVariables, "'recipient-variables' parameter is not a valid JSON"],
    [MESSAGE_ERRORS.deliveryTime, 'invalid delivery time format'],
    [MESSAGE_ERRORS.headerNotAscii('X-Tëst'), 'Header name must be pure ASCII: X-Tëst'],
    [
      MESSAGE_ERRORS.contentType('application/x-www-form-urlencoded'),
      "Invalid request content type. Expecting 'multipart/form-data' but got 'application/x-www-form-urlencoded'",
    ],
  ])('%s', (built, expected) => {
    expect(built).toBe(expected);
  });
});

describe('a /messages send is refused with the text Mailgun answers', () => {
  const tooManyOptions = 'x'.repeat(16 * 1024);
  const thousandAndOne = Array.from({ length: 1001 }, (_, i) => `user${i}@example.com`).join(', ');
  it.each<[string, Array<[string, string]>, string]>([
    ['no from', [['to', 'a@example.com'], ['subject', 's'], ['text', 't']], "'from' parameter is missing"],
    ['an empty from', [['from', ''], ['to', 'a@example.com'], ['subject', 's'], ['text', 't']], "'from' parameter is missing"],
    ['no to', [['from', 'me@example.com'], ['subject', 's'], ['text', 't']], "'to' parameter is missing"],
    ['only blank to values', [['from', 'me@example.com'], ['to', ''], ['to', '  '], ['subject', 's'], ['text', 't']], "'to' parameter is missing"],
    ['no subject', [['from', 'me@example.com'], ['to', 'a@example.com'], ['text', 't']], "'subject' parameter is missing"],
    ['no body at all', [['from', 'me@example.com'], ['to', 'a@example.com'], ['subject', 's']], MESSAGE_ERRORS.noBody],
    ['a blank text only', [['from', 'me@example.com'], ['to', 'a@example.com'], ['subject', 's'], ['text', '   ']], MESSAGE_ERRORS.noBody],
    ['both html and template', [['from', 'me@example.com'], ['to', 'a@example.com'], ['subject', 's'], ['html', '<p>x</p>'], ['template', 'welcome']], MESSAGE_ERRORS.htmlAndTemplate],
    ['a from that is no address', [['from', 'not an address'], ['to', 'a@example.com'], ['subject', 's'], ['text', 't']], MESSAGE_ERRORS.invalidAddress('from')],
    ['two senders in from', [['from', 'a@example.com, b@example.com'], ['to', 'a@example.com'], ['subject', 's'], ['text', 't']], MESSAGE_ERRORS.invalidAddress('from')],
    ['a to without a domain dot', [['from', 'me@example.com'], ['to', 'matt@parabol'], ['subject', 's'], ['text', 't']], MESSAGE_ERRORS.invalidAddress('to')],
    ['a to of only commas', [['from', 'me@example.com'], ['to', ', ,'], ['subject', 's'], ['text', 't']], MESSAGE_ERRORS.invalidAddress('to')],
    ['a bad cc', [['from', 'me@example.com'], ['to', 'a@example.com'], ['cc', 'nope'], ['subject', 's'], ['text', 't']], MESSAGE_ERRORS.invalidAddress('cc')],
    ['a bad bcc', [['from', 'me@example.com'], ['to', 'a@example.com'], ['bcc', 'x@'], ['subject', 's'], ['text', 't']], MESSAGE_ERRORS.invalidAddress('bcc')],
    ['1001 recipients', [['from', 'me@example.com'], ['to', thousandAndOne], ['subject', 's'], ['text', 't']], MESSAGE_ERRORS.tooManyRecipients],
    ['send options over 16 kB', [...pairs(send()), ['v:big', tooManyOptions]], MESSAGE_ERRORS.optionsTooLarge],
    ['t: options counted in the 16 kB', [...pairs(send()), ['t:variables', tooManyOptions]], MESSAGE_ERRORS.optionsTooLarge],
    ['a non-ASCII header name', [...pairs(send()), ['h:X-Tëst', 'v']], MESSAGE_ERRORS.headerNotAscii('X-Tëst')],
    ['recipient-variables that are not JSON', [...pairs(send()), ['recipient-variables', '{nope']], MESSAGE_ERRORS.recipientVariables],
    ['recipient-variables that are an array', [...pairs(send()), ['recipient-variables', '[]']], MESSAGE_ERRORS.recipientVariables],
    ['recipient-variables that are null', [...pairs(send()), ['recipient-variables', 'null']], MESSAGE_ERRORS.recipientVariables],
    ['recipient-variables that are a string', [...pairs(send()), ['recipient-variables', '"x"']], MESSAGE_ERRORS.recipientVariables],
    ['a delivery time that is not RFC 2822', [...pairs(send()), ['o:deliverytime', '2026-11-27T10:00:00Z']], MESSAGE_ERRORS.deliveryTime],
  ])('%s', (_name, given, expected) => {
    expect(refusal(() => parseMessage(fields(given), [], MULTIPART))).toBe(expected);
  });

  it('checks from before to, to before subject, and the body before addresses', () => {
    expect(refusal(() => parseMessage(fields([]), [], MULTIPART))).toBe("'from' parameter is missing");
    expect(refusal(() => parseMessage(fields([['from', 'x']]), [], MULTIPART))).toBe("'to' parameter is missing");
    expect(refusal(() => parseMessage(fields([['from', 'x'], ['to', 'y']]), [], MULTIPART))).toBe("'subject' parameter is missing");
    expect(refusal(() => parseMessage(fields([['from', 'x'], ['to', 'y'], ['subject', 's']]), [], MULTIPART))).toBe(MESSAGE_ERRORS.noBody);
    expect(refusal(() => parseMessage(fields([['from', 'x'], ['to', 'y'], ['subject', 's'], ['text', 't']]), [], MULTIPART))).toBe(MESSAGE_ERRORS.invalidAddress('from'));
  });

  it('checks addresses before the recipient count, and the count before the send options', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `u${i}@example.com`).join(',');
    expect(refusal(() => parseMessage(fields([['from', 'me@example.com'], ['to', many + ',bad'], ['subject', 's'], ['text', 't']]), [], MULTIPART))).toBe(MESSAGE_ERRORS.invalidAddress('to'));
    expect(refusal(() => parseMessage(fields([['from', 'me@example.com'], ['to', many], ['subject', 's'], ['text', 't'], ['v:x', 'y'.repeat(20000)]]), [], MULTIPART))).toBe(MESSAGE_ERRORS.tooManyRecipients);
  });
});

/** The pairs of a Fields, for building on a base send. */
function pairs(f: Fields): Array<[string, string]> {
  return Object.entries(f).flatMap(([name, values]) => values.map((v): [string, string] => [name, v]));
}

describe('a /messages send is read into a message', () => {
  it('keeps the parts as sent and counts what was carried', () => {
    const given = send(['html', '<p>Hi</p>'], ['amp-html', '<html amp4email></html>'], ['cc', 'Carol <carol@example.com>'], ['bcc', 'dave@example.com']);
    const m = parseMessage(given, [], MULTIPART);
    expect(m).toMatchObject({
      api: 'messages',
      from: 'Excited User <mailgun@samples.mailgun.org>',
      to: ['alice@example.com'],
      cc: ['Carol <carol@example.com>'],
      bcc: ['dave@example.com'],
      recipients: ['alice@example.com', 'carol@example.com', 'dave@example.com'],
      subject: 'Hello',
      text: 'Testing',
      html: '<p>Hi</p>',
      ampHtml: '<html amp4email></html>',
      headers: {},
      variables: {},
      recipientVariables: {},
      options: {},
      tags: [],
      testMode: false,
      tracking: {},
      attachments: [],
    });
    expect(m).not.toHaveProperty('deliveryTime');
    expect(m).not.toHaveProperty('template');
    expect(m).not.toHaveProperty('mime');
    const expectedSize = pairs(given).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    expect(m.size).toBe(expectedSize);
  });

  it('reads what nodemailer-mailgun-transport 2.1.5 sends (captured from its multipart body)', () => {
    const given = fields([
      ['from', 'Sales <sales@example.com>'],
      ['to', 'a@example.com,Bob <b@example.com>'],
      ['cc', 'c@example.com'],
      ['h:Reply-To', 'r@example.com'],
      ['subject', 'Hi'],
      ['text', 'plain'],
      ['html', '<b>x</b>'],
      ['o:tag', 't1'],
      ['o:tag', 't2'],
      ['o:testmode', 'yes'],
      ['h:X-Mailgun-Variables', '{"k":1}'],
      ['v:user', 'u1'],
      ['X-Mailgun-Variables', '{"a":1}'],
      ['recipient-variables', '{"a@example.com":{"n":1}}'],
    ]);
    const m = parseMessage(given, [file('attachment', 'a.txt', 'hello', 'text/plain'), file('inline', 'logo.png', 'hello', 'image/png')], MULTIPART);
    expect(m).toMatchObject({
      from: 'Sales <sales@example.com>',
      to: ['a@example.com', 'Bob <b@example.com>'],
      recipients: ['a@example.com', 'b@example.com', 'c@example.com'],
      headers: { 'Reply-To': 'r@example.com', 'X-Mailgun-Variables': '{"k":1}' },
      variables: { k: '1', user: 'u1' },
      recipientVariables: { 'a@example.com': { n: 1 } },
      tags: ['t1', 't2'],
      testMode: true,
    });
    expect(m.attachments.map((a) => [a.field, a.filename])).toEqual([
      ['attachment', 'a.txt'],
      ['inline', 'logo.png'],
    ]);
  });

  it('takes html alone, amp-html alone, or a template alone as the body', () => {
    const base: Array<[string, string]> = [['from', 'me@example.com'], ['to', 'a@example.com'], ['subject', 's']];
    expect(parseMessage(fields([...base, ['html', '<b>x</b>']]), [], MULTIPART).html).toBe('<b>x</b>');
    expect(parseMessage(fields([...base, ['amp-html', '<html amp4email/>']]), [], MULTIPART).ampHtml).toBe('<html amp4email/>');
    expect(parseMessage(fields([...base, ['template', 'welcome']]), [], MULTIPART).template).toBe('welcome');
  });

  it('lets a template stand in for from and subject, and keeps its t: options', () => {
    const m = parseMessage(fields([['to', 'a@example.com'], ['template', 'welcome'], ['t:variables', '{"name":"Ann"}'], ['t:version', 'v2']]), [], MULTIPART);
    expect(m).toMatchObject({ from: '', subject: '', template: 'welcome', options: { 't:variables': ['{"name":"Ann"}'], 't:version': ['v2'] } });
  });

  it('accepts an empty subject (only an absent one is missing)', () => {
    expect(parseMessage(fields([['from', 'me@example.com'], ['to', 'a@example.com'], ['subject', ''], ['text', 't']]), [], MULTIPART).subject).toBe('');
  });

  it('reads the first value of a single-valued field, as Mailgun (Go FormValue) does', () => {
    const m = parseMessage(send(['subject', 'second'], ['text', 'second text']), [], MULTIPART);
    expect(m.subject).toBe('Hello');
    expect(m.text).toBe('Testing');
  });

  it('counts each recipient once across to, cc and bcc, compared without case, stored lower-cased', () => {
    const m = parseMessage(
      fields([['from', 'me@example.com'], ['to', 'Alice <Alice@Example.com>, bob@example.com'], ['to', 'alice@example.com'], ['cc', 'BOB@EXAMPLE.COM'], ['bcc', 'carol@example.com'], ['subject', 's'], ['text', 't']]),
      [],
      MULTIPART,
    );
    expect(m.to).toEqual(['Alice <Alice@Example.com>', 'bob@example.com', 'alice@example.com']);
    expect(m.cc).toEqual(['BOB@EXAMPLE.COM']);
    expect(m.recipients).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
  });

  it('accepts exactly 1000 recipients, and duplicates beyond do not count', () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => `user${i}@example.com`);
    const m = parseMessage(fields([['from', 'me@example.com'], ['to', thousand.join(',')], ['cc', thousand.slice(0, 500).join(',')], ['subject', 's'], ['text', 't']]), [], MULTIPART);
    expect(m.recipients).toHaveLength(1000);
  });
});

describe('addresses are read as RFC 5322 mailboxes', () => {
  it.each<[string, Array<{ address: string; name?: string; raw: string }>]>([
    ['a@example.com', [{ address: 'a@example.com', raw: 'a@example.com' }]],
    ['Bob <bob@example.com>', [{ address: 'bob@example.com', name: 'Bob', raw: 'Bob <bob@example.com>' }]],
    ['<bob@example.com>', [{ address: 'bob@example.com', raw: '<bob@example.com>' }]],
    ['"Doe, Jane" <jane@example.com>, b@example.org', [{ address: 'jane@example.com', name: 'Doe, Jane', raw: '"Doe, Jane" <jane@example.com>' }, { address: 'b@example.org', raw: 'b@example.org' }]],
    ['"Quote \\" inside" <q@example.com>', [{ address: 'q@example.com', name: 'Quote " inside', raw: '"Quote \\" inside" <q@example.com>' }]],
    ['Jörg Müller <jorg@example.de>', [{ address: 'jorg@example.de', name: 'Jörg Müller', raw: 'Jörg Müller <jorg@example.de>' }]],
    ['a@example.com;b@example.com', [{ address: 'a@example.com', raw: 'a@example.com' }, { address: 'b@example.com', raw: 'b@example.com' }]],
    ['a@example.com,,b@example.com,', [{ address: 'a@example.com', raw: 'a@example.com' }, { address: 'b@example.com', raw: 'b@example.com' }]],
    ['Team: a@example.com, Bo <b@example.com>;', [{ address: 'a@example.com', raw: 'a@example.com' }, { address: 'b@example.com', name: 'Bo', raw: 'Bo <b@example.com>' }]],
    ['undisclosed-recipients:;', []],
    ['a@example.com (Alice)', [{ address: 'a@example.com', raw: 'a@example.com (Alice)' }]],
    ['"john doe"@example.com', [{ address: '"john doe"@example.com', raw: '"john doe"@example.com' }]],
    ['first.last+tag@sub.example.co.uk', [{ address: 'first.last+tag@sub.example.co.uk', raw: 'first.last+tag@sub.example.co.uk' }]],
    ['user@[192.168.0.1]', [{ address: 'user@[192.168.0.1]', raw: 'user@[192.168.0.1]' }]],
    ['user@[IPv6:2001:db8::1]', [{ address: 'user@[IPv6:2001:db8::1]', raw: 'user@[IPv6:2001:db8::1]' }]],
    ['用户@例子.广告', [{ address: '用户@例子.广告', raw: '用户@例子.广告' }]],
  ])('%s', (value, expected) => {
    expect(parseAddressList([value])).toEqual(expected);
  });

  it('reads every value of a repeated field, in order', () => {
    expect(parseAddressList(['a@example.com', 'B <b@example.com>, c@example.com']).map((a) => a.address)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
  });

  it.each([
    'plain',
    'a@',
    '@example.com',
    'a@localhost',
    'a@example',
    'a@example.123',
    'a@-example.com',
    'a@example-.com',
    'a@exa_mple.com',
    'a@example..com',
    'a@example.com.',
    '.a@example.com',
    'a.@example.com',
    'a..b@example.com',
    'a b@example.com',
    'Name a@example.com',
    'Bob <bob@example.com',
    'Bob bob@example.com>',
    'Bob <bob@example.com> trailing',
    'A <<a@example.com>>',
    '"unterminated <a@example.com>',
    '(unterminated a@example.com',
    'a@[300.1.1.1]',
    'a@[1.2.3]',
    `${'l'.repeat(65)}@example.com`,
    `a@${'d'.repeat(64)}.com`,
    `a@${'abcdefghi.'.repeat(26)}com`,
    'a@exa mple.com',
    'a\u0000b@example.com',
  ])('refuses %j', (value) => {
    expect(refusal(() => parseAddressList([value]))).toBe(MESSAGE_ERRORS.invalidAddress('to'));
  });

  it('names the field it reads in its refusal', () => {
    expect(refusal(() => parseAddressList(['x'], 'bcc'))).toBe(MESSAGE_ERRORS.invalidAddress('bcc'));
  });

  it('isValidAddress checks one bare address', () => {
    expect(isValidAddress('a@example.com')).toBe(true);
    expect(isValidAddress('<a@example.com>')).toBe(false);
    expect(isValidAddress('')).toBe(false);
  });

  it('reads 10,000 addresses in one linear pass', () => {
    const value = Array.from({ length: 10_000 }, (_, i) => `"User, ${i}" <user${i}@example.com>`).join(', ');
    const started = performance.now();
    expect(parseAddressList([value])).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('takes no time on inputs that make backtracking parsers hang', () => {
    const evil = ['a'.repeat(50_000) + '@', '"'.repeat(50_000), '<'.repeat(50_000), 'a.'.repeat(50_000) + '@example.com', 'a@' + 'a-'.repeat(50_000), '('.repeat(50_000)];
    const started = performance.now();
    for (const value of evil) expect(() => parseAddressList([value])).toThrow(MailgunError);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('send options', () => {
  it('keeps every o: option as sent, with all its values', () => {
    const m = parseMessage(send(['o:tag', 'a'], ['o:tag', 'b'], ['o:dkim', 'yes'], ['o:require-tls', 'true'], ['o:unknown-option', 'kept']), [], MULTIPART);
    expect(m.options).toEqual({ 'o:tag': ['a', 'b'], 'o:dkim': ['yes'], 'o:require-tls': ['true'], 'o:unknown-option': ['kept'] });
  });

  it('keeps h: headers by name as sent, the first of repeated ones', () => {
    const m = parseMessage(send(['h:Reply-To', 'r@example.com'], ['h:X-My-Header', 'one'], ['h:X-My-Header', 'two'], ['h:', 'nameless']), [], MULTIPART);
    expect(m.headers).toEqual({ 'Reply-To': 'r@example.com', 'X-My-Header': 'one' });
  });

  it('keeps v: variables as sent (JSON text stays text)', () => {
    const m = parseMessage(send(['v:user-id', '42'], ['v:meta', '{"a":1}'], ['v:', 'nameless']), [], MULTIPART);
    expect(m.variables).toEqual({ 'user-id': '42', meta: '{"a":1}' });
  });

  it('adds the variables of an h:X-Mailgun-Variables header, v: fields winning', () => {
    const m = parseMessage(send(['h:X-Mailgun-Variables', '{"plan":"pro","n":3,"obj":{"k":true}}'], ['v:plan', 'free']), [], MULTIPART);
    expect(m.variables).toEqual({ plan: 'free', n: '3', obj: '{"k":true}' });
    expect(m.headers['X-Mailgun-Variables']).toBe('{"plan":"pro","n":3,"obj":{"k":true}}');
  });

  it('ignores an X-Mailgun-Variables header that is not a JSON object', () => {
    for (const value of ['nope', '[1]', 'null', '"x"', '['.repeat(100) + ']'.repeat(100)]) {
      expect(parseMessage(send(['h:x-mailgun-variables', value]), [], MULTIPART).variables).toEqual({});
    }
  });

  it('accepts send options of exactly 16 kB', () => {
    const name = 'v:x';
    const m = parseMessage(send([name, 'y'.repeat(16 * 1024 - name.length)]), [], MULTIPART);
    expect(m.variables.x).toHaveLength(16 * 1024 - name.length);
  });

  it('counts send options in bytes, not characters', () => {
    expect(refusal(() => parseMessage(send(['v:x', 'é'.repeat(8200)]), [], MULTIPART))).toBe(MESSAGE_ERRORS.optionsTooLarge);
  });
});

describe('tags', () => {
  it('keeps the first three distinct tags, compared without case', () => {
    const m = parseMessage(send(['o:tag', 'September newsletter'], ['o:tag', 'september NEWSLETTER'], ['o:tag', 'newsletters'], ['o:tag', ''], ['o:tag', 'three'], ['o:tag', 'four']), [], MULTIPART);
    expect(m.tags).toEqual(['September newsletter', 'newsletters', 'three']);
  });

  it('cuts a tag to 128 characters', () => {
    const m = parseMessage(send(['o:tag', 't'.repeat(300)]), [], MULTIPART);
    expect(m.tags).toEqual(['t'.repeat(128)]);
  });
});

describe('test mode and tracking', () => {
  it.each<[string, boolean]>([
    ['yes', true],
    ['true', true],
    ['YES', true],
    ['no', false],
    ['false', false],
    ['maybe', false],
  ])('o:testmode=%s reads as %s', (value, expected) => {
    expect(parseMessage(send(['o:testmode', value]), [], MULTIPART).testMode).toBe(expected);
  });

  it.each<[Array<[string, string]>, { opens?: boolean; clicks?: boolean | 'htmlonly' }]>([
    [[], {}],
    [[['o:tracking', 'no']], { opens: false, clicks: false }],
    [[['o:tracking', 'yes']], { opens: true, clicks: true }],
    [[['o:tracking', 'no'], ['o:tracking-opens', 'yes']], { opens: true, clicks: false }],
    [[['o:tracking', 'false'], ['o:tracking-clicks', 'htmlonly']], { opens: false, clicks: 'htmlonly' }],
    [[['o:tracking-clicks', 'HTMLONLY']], { clicks: 'htmlonly' }],
    [[['o:tracking-opens', 'true']], { opens: true }],
    [[['o:tracking-opens', 'no'], ['o:tracking-clicks', 'yes']], { opens: false, clicks: true }],
    [[['o:tracking', 'sometimes'], ['o:tracking-opens', 'perhaps']], {}],
  ])('%j gives tracking %j', (given, expected) => {
    expect(parseMessage(send(...given), [], MULTIPART).tracking).toEqual(expected);
  });
});

describe('delivery time', () => {
  it.each<[string, string]>([
    ['Fri, 14 Oct 2011 23:10:10 -0000', '2011-10-14T23:10:10.000Z'],
    ['Thu, 26 Nov 2026 19:55:55 GMT', '2026-11-26T19:55:55.000Z'],
    ['26 Nov 2026 19:55 +0130', '2026-11-26T18:25:00.000Z'],
    ['Thu, 26 Nov 2026 10:00:00 PST', '2026-11-26T18:00:00.000Z'],
    ['thu, 26 nov 2026 10:00:00 edt', '2026-11-26T14:00:00.000Z'],
    ['Thu, 26 Nov 2026 10:00:00 +0000 (UTC)', '2026-11-26T10:00:00.000Z'],
    ['  Sat, 29 Feb 2028 00:00:00 Z  ', '2028-02-29T00:00:00.000Z'],
  ])('reads %j', (value, iso) => {
    expect(new Date(parseRfc2822Date(value)!).toISOString()).toBe(iso);
    expect(parseMessage(send(['o:deliverytime', value]), [], MULTIPART).deliveryTime).toBe(Date.parse(iso));
  });

  it.each([
    '2026-11-27T10:00:00Z',
    'tomorrow',
    '1764000000',
    'Thu, 26 Nov 26 10:00:00 GMT',
    'Thu, 31 Nov 2026 10:00:00 GMT',
    'Thu, 29 Feb 2027 10:00:00 GMT',
    'Thu, 26 Foo 2026 10:00:00 GMT',
    'Thu, 26 Nov 2026 24:00:00 GMT',
    'Thu, 26 Nov 2026 10:60:00 GMT',
    'Thu, 26 Nov 2026 10:00:00 +0160',
    'Thu, 26 Nov 2026 10:00:00 XYZ',
    'Thu, 26 Nov 2026 10:00:00',
    'Thu, 26 Nov 2026 10:00:00 GMT (' + 'x'.repeat(200) + ')',
  ])('refuses %j', (value) => {
    expect(parseRfc2822Date(value)).toBeUndefined();
    expect(refusal(() => parseMessage(send(['o:deliverytime', value]), [], MULTIPART))).toBe(MESSAGE_ERRORS.deliveryTime);
  });

  it('keeps a time more than three days ahead as sent (Mailgun documents the limit, not an answer to it)', () => {
    const m = parseMessage(send(['o:deliverytime', 'Mon, 30 Nov 2026 12:00:00 +0000']), [], MULTIPART);
    expect(m.deliveryTime).toBe(Date.UTC(2026, 10, 30, 12));
  });

  it('treats an empty o:deliverytime as absent', () => {
    expect(parseMessage(send(['o:deliverytime', '']), [], MULTIPART)).not.toHaveProperty('deliveryTime');
  });
});

describe('recipient variables', () => {
  it('keeps the object of each address', () => {
    const rv = { 'alice@example.com': { first: 'Alice', id: 1 }, 'bob@example.com': { first: 'Bob', nested: { deep: [1, 2] } } };
    const m = parseMessage(send(['recipient-variables', JSON.stringify(rv)]), [], MULTIPART);
    expect(m.recipientVariables).toEqual(rv);
  });

  it('leaves out addresses whose value is not an object', () => {
    const m = parseMessage(send(['recipient-variables', '{"a@example.com":1,"b@example.com":[],"c@example.com":null,"d@example.com":{"ok":true}}']), [], MULTIPART);
    expect(m.recipientVariables).toEqual({ 'd@example.com': { ok: true } });
  });

  it('keeps an address named __proto__ as data, without touching any prototype', () => {
    const m = parseMessage(send(['recipient-variables', '{"__proto__":{"polluted":true}}']), [], MULTIPART);
    expect(Object.keys(m.recipientVariables)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(m.recipientVariables)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses nesting deeper than the mock can safely store', () => {
    const deep = '{"a@example.com":' + '{"x":'.repeat(100) + '1' + '}'.repeat(100) + '}';
    expect(refusal(() => parseMessage(send(['recipient-variables', deep]), [], MULTIPART))).toBe(MESSAGE_ERRORS.recipientVariables);
  });

  it('treats an empty recipient-variables as absent', () => {
    expect(parseMessage(send(['recipient-variables', '']), [], MULTIPART).recipientVariables).toEqual({});
  });
});

describe('attachments and inline files', () => {
  it('stores attachment and inline parts with their bytes as base64', () => {
    const pdf = Buffer.from('%PDF-1.4 fake');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const m = parseMessage(send(), [file('attachment', 'report.pdf', pdf, 'application/pdf'), file('inline', 'logo.png', png, 'image/png'), file('attachment', 'notes.txt', 'hello', 'text/plain')], MULTIPART);
    expect(m.attachments).toEqual([
      { field: 'attachment', filename: 'report.pdf', contentType: 'application/pdf', size: pdf.length, content: pdf.toString('base64') },
      { field: 'inline', filename: 'logo.png', contentType: 'image/png', size: 4, content: png.toString('base64') },
      { field: 'attachment', filename: 'notes.txt', contentType: 'text/plain', size: 5, content: Buffer.from('hello').toString('base64') },
    ]);
  });

  it('drops nameless attachments and plain-field attachments, as Mailgun silently does, but counts their bytes', () => {
    const given = send(['attachment', 'not a file']);
    const m = parseMessage(given, [file('attachment', '', 'nameless'), file('other', 'x.bin', 'zz')], MULTIPART);
    expect(m.attachments).toEqual([]);
    const fieldBytes = pairs(given).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    expect(m.size).toBe(fieldBytes + 'nameless'.length + 2);
  });

  it('defaults a missing content type to application/octet-stream', () => {
    expect(parseMessage(send(), [file('attachment', 'a.bin', 'x', '')], MULTIPART).attachments[0]!.contentType).toBe('application/octet-stream');
  });
});

describe('a /messages.mime send is read from its MIME', () => {
  it('takes from, to, cc, subject, bodies, attachments and headers from the MIME and recipients from the to field', async () => {
    const raw = await mime({
      from: '"Jörg, Sales" <sales@example.com>',
      to: ['Alice <alice@example.com>', 'bob@example.com'],
      cc: 'carol@example.com',
      subject: 'Quarterly report ✓',
      text: 'See attached.',
      html: '<p>See <img src="cid:logo@example.com"></p>',
      headers: { 'X-Campaign': 'q4' },
      attachments: [
        { filename: 'report.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' },
        { filename: 'logo.png', content: Buffer.from([1, 2, 3]), contentType: 'image/png', cid: 'logo@example.com' },
      ],
    });
    const given = fields([['to', 'alice@example.com, dave@example.com']]);
    const m = await parseMimeMessage(given, [file('message', 'MimeMessage', raw)], MULTIPART);
    expect(m).toMatchObject({
      api: 'messages.mime',
      from: '"Jörg, Sales" <sales@example.com>',
      to: ['Alice <alice@example.com>', 'bob@example.com'],
      cc: ['carol@example.com'],
      bcc: [],
      recipients: ['alice@example.com', 'dave@example.com'],
      subject: 'Quarterly report ✓',
      text: 'See attached.',
      html: '<p>See <img src="cid:logo@example.com"></p>',
      mime: raw.toString('base64'),
      tags: [],
      testMode: false,
    });
    expect(m.headers).toMatchObject({ 'X-Campaign': 'q4', Subject: 'Quarterly report ✓', 'MIME-Version': '1.0' });
    expect(m.headers.From).toContain('sales@example.com');
    const byName = Object.fromEntries(m.attachments.map((a) => [a.filename, a]));
    expect(byName['report.csv']).toMatchObject({ field: 'attachment', contentType: 'text/csv', size: 8, content: Buffer.from('a,b\n1,2\n').toString('base64') });
    expect(byName['logo.png']).toMatchObject({ field: 'inline', contentType: 'image/png', size: 3, content: Buffer.from([1, 2, 3]).toString('base64') });
    expect(m.size).toBe(Buffer.byteLength('to') + Buffer.byteLength('alice@example.com, dave@example.com') + raw.length);
  });

  it('accepts a MIME without From or Subject (Mailgun takes it as it is)', async () => {
    const raw = Buffer.from('To: a@example.com\r\nContent-Type: text/plain\r\n\r\nhello\r\n');
    const m = await parseMimeMessage(fields([['to', 'a@example.com']]), [file('message', 'm.eml', raw)], MULTIPART);
    expect(m).toMatchObject({ from: '', subject: '', text: 'hello\n', to: ['a@example.com'], recipients: ['a@example.com'] });
    expect(m).not.toHaveProperty('html');
  });

  it('applies the form\'s o:, h: and v: options on top of the MIME', async () => {
    const raw = await mime({ from: 'me@example.com', to: 'a@example.com', subject: 's', text: 't', headers: { 'X-Mailgun-Variables': '{"from":"mime","both":"mime"}', 'X-Mailgun-Tag': 'mime-tag' } });
    const given = fields([['to', 'a@example.com'], ['o:tag', 'form-tag'], ['o:testmode', 'yes'], ['o:tracking-clicks', 'htmlonly'], ['h:X-Extra', 'yes'], ['v:both', 'form'], ['o:deliverytime', 'Fri, 27 Nov 2026 08:00:00 +0000']]);
    const m = await parseMimeMessage(given, [file('message', 'MimeMessage', raw)], MULTIPART);
    expect(m).toMatchObject({
      tags: ['form-tag', 'mime-tag'],
      testMode: true,
      tracking: { clicks: 'htmlonly' },
      variables: { from: 'mime', both: 'form' },
      deliveryTime: Date.UTC(2026, 10, 27, 8),
      options: { 'o:tag': ['form-tag'], 'o:testmode': ['yes'], 'o:tracking-clicks': ['htmlonly'], 'o:deliverytime': ['Fri, 27 Nov 2026 08:00:00 +0000'] },
    });
    expect(m.headers['X-Extra']).toBe('yes');
  });

  it('reads X-Mailgun-* sending options inside the MIME, as Mailgun does over SMTP', async () => {
    const raw = Buffer.from(
      [
        'From: me@example.com',
        'To: a@example.com',
        'Subject: s',
        'X-Mailgun-Tag: one',
        'X-Mailgun-Tag: two',
        'X-Mailgun-Drop-Message: yes',
        'X-Mailgun-Track: no',
        'X-Mailgun-Track-Opens: yes',
        'X-Mailgun-Deliver-By: Fri, 27 Nov 2026 08:00:00 +0000',
        'X-Mailgun-Variables: =?UTF-8?Q?=7B=22k=22=3A=22v=22=7D?=',
        'X-Mailgun-Recipient-Variables: {"a@example.com":{"n":1}}',
        'Content-Type: text/plain',
        '',
        'hi',
      ].join('\r\n'),
    );
    const m = await parseMimeMessage(fields([['to', 'a@example.com']]), [file('message', 'MimeMessage', raw)], MULTIPART);
    expect(m).toMatchObject({
      tags: ['one', 'two'],
      testMode: true,
      tracking: { opens: true, clicks: false },
      deliveryTime: Date.UTC(2026, 10, 27, 8),
      variables: { k: 'v' },
      recipientVariables: { 'a@example.com': { n: 1 } },
    });
    expect(m.headers['X-Mailgun-Variables']).toBe('{"k":"v"}');
  });

  it('ignores a bad X-Mailgun-Deliver-By or recipient-variables header inside the MIME', async () => {
    const raw = Buffer.from('From: me@example.com\r\nX-Mailgun-Deliver-By: soon\r\nX-Mailgun-Recipient-Variables: [\r\n\r\nhi');
    const m = await parseMimeMessage(fields([['to', 'a@example.com']]), [file('message', 'MimeMessage', raw)], MULTIPART);
    expect(m).not.toHaveProperty('deliveryTime');
    expect(m.recipientVariables).toEqual({});
  });

  it.each<[string, Array<[string, string]>, MessageFile[], boolean, string]>([
    ['a urlencoded body', [['to', 'a@example.com'], ['message', 'From: x']], [], false, MESSAGE_ERRORS.contentType('application/x-www-form-urlencoded')],
    ['no to', [], [file('message', 'MimeMessage', 'From: x\r\n\r\nhi')], true, "'to' parameter is missing"],
    ['no message', [['to', 'a@example.com']], [], true, "'message' parameter is missing"],
    ['a blank message field', [['to', 'a@example.com'], ['message', ' ']], [], true, "'message' parameter is not a file"],
    ['a message under another part name', [['to', 'a@example.com']], [file('mime', 'MimeMessage', 'From: x\r\n\r\nhi')], true, "'message' parameter is missing"],
    ['a bad to', [['to', 'not-an-address']], [file('message', 'MimeMessage', 'From: x\r\n\r\nhi')], true, MESSAGE_ERRORS.invalidAddress('to')],
    ['1001 recipients', [['to', Array.from({ length: 1001 }, (_, i) => `u${i}@example.com`).join(',')]], [file('message', 'MimeMessage', 'hi')], true, MESSAGE_ERRORS.tooManyRecipients],
    ['send options over 16 kB', [['to', 'a@example.com'], ['v:x', 'y'.repeat(17000)]], [file('message', 'MimeMessage', 'hi')], true, MESSAGE_ERRORS.optionsTooLarge],
    ['a bad o:deliverytime', [['to', 'a@example.com'], ['o:deliverytime', 'soon']], [file('message', 'MimeMessage', 'hi')], true, MESSAGE_ERRORS.deliveryTime],
    ['bad recipient-variables', [['to', 'a@example.com'], ['recipient-variables', '{']], [file('message', 'MimeMessage', 'hi')], true, MESSAGE_ERRORS.recipientVariables],
  ])('refuses %s', async (_name, given, files, multipart, expected) => {
    expect(await asyncRefusal(parseMimeMessage(fields(given), files, { nowMs: NOW, multipart }))).toBe(expected);
  });

  it('names the content type it got', async () => {
    expect(await asyncRefusal(parseMimeMessage(fields([['to', 'a@example.com']]), [], { nowMs: NOW, multipart: false, contentType: 'application/json' }))).toBe(
      "Invalid request content type. Expecting 'multipart/form-data' but got 'application/json'",
    );
  });

  it('takes a MIME sent as a plain field, as mailgun.js sends a string', async () => {
    const m = await parseMimeMessage(fields([['to', 'a@example.com'], ['message', 'From: x@example.com\r\nSubject: Plain\r\n\r\nhi']]), [], MULTIPART);
    expect(m.subject).toBe('Plain');
    expect(m.text?.trim()).toBe('hi');
  });

  it('checks to before message', async () => {
    expect(await asyncRefusal(parseMimeMessage(fields([]), [], MULTIPART))).toBe("'to' parameter is missing");
  });

  it('accepts bytes mailparser cannot read as a message with nothing parsed', async () => {
    let nested = '';
    for (let i = 0; i < 1500; i++) nested += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    for (const raw of [Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.from('X-Big: ' + 'a'.repeat(2 * 1024 * 1024) + '\r\n\r\nbody'), Buffer.from('Subject: deep\r\n' + nested)]) {
      const m = await parseMimeMessage(fields([['to', 'a@example.com']]), [file('message', 'MimeMessage', raw)], MULTIPART);
      expect(m.recipients).toEqual(['a@example.com']);
      expect(m.mime).toBe(raw.toString('base64'));
    }
  });
});

describe('hostile input gives a clean 400 or a valid message, never another throw', () => {
  it('survives fields named like Object.prototype members', () => {
    const given = send(['__proto__', 'x'], ['constructor', 'y'], ['v:__proto__', 'z'], ['h:__proto__', 'w'], ['o:__proto__', 'o'], ['toString', 't']);
    const m = parseMessage(given, [], MULTIPART);
    expect(Object.keys(m.variables)).toEqual(['__proto__']);
    expect(Object.keys(m.headers)).toEqual(['__proto__']);
    expect(Object.keys(m.options)).toEqual(['o:__proto__']);
    expect(({} as Record<string, unknown>).z).toBeUndefined();
  });

  it('survives a hundred thousand fields in one pass', () => {
    const f = send();
    for (let i = 0; i < 100_000; i++) f[`field${i}`] = ['v'];
    const started = performance.now();
    expect(parseMessage(f, [], MULTIPART).subject).toBe('Hello');
    for (let i = 0; i < 100_000; i++) f[`o:opt${i}`] = ['v'];
    expect(refusal(() => parseMessage(f, [], MULTIPART))).toBe(MESSAGE_ERRORS.optionsTooLarge);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('ignores values that are not strings and files that are not files', () => {
    const f = send() as Record<string, unknown>;
    f.cc = [42, null, { a: 1 }];
    f.bcc = 'b@example.com';
    f['v:n'] = 7;
    const junkFiles = [null, 42, { field: 'attachment' }, { field: 'attachment', filename: 'a.txt', content: 'not a buffer' }] as unknown as MessageFile[];
    const m = parseMessage(f as Fields, junkFiles, MULTIPART);
    expect(m.cc).toEqual([]);
    expect(m.bcc).toEqual(['b@example.com']);
    expect(m.variables).toEqual({});
    expect(m.attachments).toEqual([]);
  });

  it('keeps replacement characters from invalid UTF-8 as text', () => {
    const broken = Buffer.from([0x48, 0xff, 0xfe, 0x69]).toString('utf8');
    const m = parseMessage(send(['subject', broken], ['v:x', broken]), [], MULTIPART);
    expect(m.variables.x).toBe(broken);
  });

  it('answers 400 for a to of 10,000 addresses', () => {
    const to = Array.from({ length: 10_000 }, (_, i) => `u${i}@example.com`).join(',');
    expect(refusal(() => parseMessage(fields([['from', 'me@example.com'], ['to', to], ['subject', 's'], ['text', 't']]), [], MULTIPART))).toBe(MESSAGE_ERRORS.tooManyRecipients);
  });

  it('answers only MailgunErrors across a table of junk', () => {
    const junk = ['', ' ', '\u0000', '<>', '<<<', '"', '\\', '@', '@@', ',;:', 'a@b@c.com', '\ud800', '=?utf-8?q?x?=', '{"__proto__":1}', '[[[[', 'a'.repeat(100_000)];
    for (const value of junk) {
      for (const name of ['from', 'to', 'cc', 'bcc', 'subject', 'text', 'recipient-variables', 'o:deliverytime', 'o:tag', 'h:X', 'v:x', 'template']) {
        try {
          parseMessage(send([name, value]), [], MULTIPART);
        } catch (err) {
          expect(err).toBeInstanceOf(MailgunError);
        }
      }
    }
  });
});

describe('dates before the year 100', () => {
  it('reads a four-digit year under 100 as that year (not 19xx)', () => {
    expect(new Date(parseRfc2822Date('Mon, 01 Jan 0001 00:00:00 +0000')!).getUTCFullYear()).toBe(1);
    expect(new Date(parseRfc2822Date('Fri, 01 Mar 0099 12:00:00 +0000')!).toISOString()).toBe('0099-03-01T12:00:00.000Z');
  });
});

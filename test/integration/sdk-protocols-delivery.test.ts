// What the Go, Ruby, PHP, Python and Java SDKs send to the delivery-side APIs (Messages, Events,
// Suppressions, Domains, v4 domain webhooks, v1 account webhooks, the signing key) and what their
// parsers need back, replayed request by request: method, path, content type (boundaries quoted or
// not), field names and encodings, query strings. Each SDK fact names its source (repo path, read in
// the SDK's public repository). The v3 webhooks API has its own file: sdk-protocols.test.ts.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClock, type MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

/** The 5th: a single-digit day, so the zero padding the Go and Java date parsers need is exercised. */
const NOW = Date.parse('2026-03-05T09:04:05Z');
const AUTH = basic();

let mock: MailgunMock;
beforeAll(async () => {
  mock = await createTestMock({ clock: createClock({ frozenAt: NOW }) });
});
afterEach(() => mock.reset());
afterAll(() => mock.stop());

const api = () => request(mock.app);
/** The path and query of an absolute URL the mock handed out (supertest serves each request on a new port). */
const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

// ---- multipart bodies, built by hand in each SDK's own part layout ---------------------------------

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  /** Header lines after Content-Disposition. */
  headers?: string[];
}

function multipart(boundary: string, parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `Content-Disposition: form-data; name="${p.name}"` + (p.filename === undefined ? '' : `; filename="${p.filename}"`);
    chunks.push(Buffer.from(`--${boundary}\r\n${[disposition, ...(p.headers ?? [])].join('\r\n')}\r\n\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

// mailgun-go httphelpers.go: mime/multipart.Writer; FormDataContentType() is `multipart/form-data;
// boundary=<60 hex>` (unquoted); CreateFormField writes only Content-Disposition, CreateFormFile adds
// `Content-Type: application/octet-stream`; the values are written first, then the files.
const GO_BOUNDARY = '7c1f0e9a2b4d6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c';
const GO_MULTIPART = `multipart/form-data; boundary=${GO_BOUNDARY}`;
const goField = (name: string, value: string): Part => ({ name, value });
const goFile = (name: string, filename: string, value: Buffer | string): Part => ({ name, filename, value, headers: ['Content-Type: application/octet-stream'] });
// mailgun-go rest_shim.go: `expected = []int{200, 202, 204}`; anything else is an UnexpectedResponseError.
const GO_ACCEPTS = [200, 202, 204];
const GO_UA = 'mailgun-go/5.0.0';

// mailgun-php src/HttpClient/RequestBuilder.php: `multipart/form-data; boundary="<uniqid>"` (quoted);
// php-http/multipart-stream-builder src/MultipartStreamBuilder.php: Content-Length on every part,
// `filename` and a Content-Type guessed from the file name's extension only for files.
const PHP_BOUNDARY = '6405c7d5bf1bb3.71239846';
const PHP_MULTIPART = `multipart/form-data; boundary="${PHP_BOUNDARY}"`;
const phpPart = (name: string, value: string, file?: { filename: string; type?: string }): Part => ({
  name,
  value,
  filename: file?.filename,
  headers: [`Content-Length: ${Buffer.byteLength(value)}`, ...(file?.type ? [`Content-Type: ${file.type}`] : [])],
});
/** An empty multipart body: what httpPost/httpDelete build from an empty parameter array. */
const PHP_EMPTY = `--${PHP_BOUNDARY}--\r\n`;
// mailgun-php src/HttpClient/HttpClientConfigurator.php: the User-Agent header.
const PHP_UA = 'mailgun-sdk-php/v2 (https://github.com/mailgun/mailgun-php)';
// mailgun-php src/Api/HttpApi.php: hydrateResponse accepts 200, 201, 202; src/Hydrator/ModelHydrator.php
// throws HydrationException unless Content-Type starts with application/json (or application/octet-stream).
function expectPhpHydratable(res: request.Response): void {
  expect([200, 201, 202]).toContain(res.status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(() => JSON.parse(res.text)).not.toThrow();
}

// mailgun-java src/main/java/com/mailgun/form/MultipartFormContentProcessor.java: boundary = hex of
// currentTimeMillis, header `multipart/form-data; charset=UTF-8; boundary=…` (charset before boundary);
// feign-form writers: fields carry `Content-Type: text/plain; charset=UTF-8`, files their type and
// `Content-Transfer-Encoding: binary`.
const JAVA_BOUNDARY = '18e0f0c2a31';
const JAVA_MULTIPART = `multipart/form-data; charset=UTF-8; boundary=${JAVA_BOUNDARY}`;
const javaField = (name: string, value: string): Part => ({ name, value, headers: ['Content-Type: text/plain; charset=UTF-8'] });
const javaFile = (name: string, filename: string, type: string, value: Buffer | string): Part => ({
  name,
  filename,
  value,
  headers: [`Content-Type: ${type}`, 'Content-Transfer-Encoding: binary'],
});

// mailgun-python mailgun/client.py: requests; data fields first, then files; urllib3 boundary is 32
// hex; neither fields nor (name, bytes) files carry a Content-Type; header `User-agent: mailgun-api-python/…`.
const PY_BOUNDARY = '2b1e6f0c9a4d8e3f7a1c5b9d0e2f4a6c';
const PY_MULTIPART = `multipart/form-data; boundary=${PY_BOUNDARY}`;
const pyField = (name: string, value: string): Part => ({ name, value });
const pyFile = (name: string, filename: string, value: Buffer | string): Part => ({ name, filename, value });
const PY_UA = 'mailgun-api-python/1.9.0';

// mailgun-ruby lib/mailgun/client.rb: Faraday with :multipart, :url_encoded and FlatParamsEncoder
// (keys sorted, arrays repeated, nil values sent as a bare key), `Accept: */*`, User-Agent below.
const RUBY_UA = 'mailgun-sdk-ruby/1.4.5';

/** A MIME message as an SDK would upload it to messages.mime. */
const MIME = [
  'From: Excited User <mailgun@samples.mailgun.org>',
  'To: alice@example.com',
  'Subject: Hello in MIME',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Sent as a whole message.',
  '',
].join('\r\n');

/** `Thu, 05 Mar 2026 09:04:05 UTC`: RFC 1123 with a two-digit day, which Go's time.RFC1123 needs and
 * Java's `EEE, d MMM yyyy HH:mm:ss z` / `EEE, dd MMM yyyy HH:mm:ss z` patterns both read. */
const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (UTC|GMT)$/;

const sendForm = (fields: string) => api().post(`/v3/${DOMAIN}/messages`).set('Authorization', AUTH).type('form').send(fields);

/** Sends one plain message (urlencoded) and returns its Message-Id without brackets. */
async function sendSimple(to: string, extra = ''): Promise<string> {
  const res = await sendForm(`from=sender%40${DOMAIN}&to=${encodeURIComponent(to)}&subject=Hi&text=Hello${extra}`);
  expect(res.status).toBe(200);
  return (res.body.id as string).slice(1, -1);
}

// =====================================================================================================

describe('mailgun-go (multipart sends, form suppressions, whole paging URLs, typed JSON)', () => {
  it('mailgun-go sends a message as unquoted-boundary multipart with an empty text beside html and buffer files, and reads {id, message} from a status it accepts', async () => {
    // messages.go: PlainMessage.AddValues always writes from, subject and text (text may be ''), then
    // cc/bcc, html, template, amp-html; addMessageOptions: repeated to, o:tag, o:tracking-clicks…;
    // addMessageHeaders: h:<name>; addMessageVariables: v:<name>, h:X-Mailgun-Variables (JSON of the
    // template variables), recipient-variables (JSON); addMessageAttachment: attachment and inline files.
    const body = multipart(GO_BOUNDARY, [
      goField('from', `Excited User <mailgun@${DOMAIN}>`),
      goField('subject', 'Hello'),
      goField('text', ''),
      goField('html', '<p>Hi %recipient.first%</p>'),
      goField('to', 'alice@example.com'),
      goField('to', 'bob@example.com'),
      goField('o:tag', 'newsletter'),
      goField('o:tracking-clicks', 'htmlonly'),
      goField('h:Reply-To', 'support@example.com'),
      goField('v:order', '42'),
      goField('h:X-Mailgun-Variables', '{"plan":{"tier":"pro"}}'),
      goField('recipient-variables', '{"alice@example.com":{"first":"Alice"},"bob@example.com":{"first":"Bob"}}'),
      goFile('attachment', 'invoice.pdf', '%PDF-1.4 go'),
      goFile('inline', 'logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47])),
    ]);
    const res = await api().post(`/v3/${DOMAIN}/messages`).set('Authorization', AUTH).set('User-Agent', GO_UA).set('Content-Type', GO_MULTIPART).send(body);
    expect(GO_ACCEPTS).toContain(res.status);
    // mtypes/messages.go: SendMessageResponse {message, id}
    expect(res.body).toEqual({ id: expect.stringMatching(/^<[^<>]+@samples\.mailgun\.org>$/), message: 'Queued. Thank you.' });

    const m = mock.messages.get(res.body.id as string);
    expect(m?.to).toEqual(['alice@example.com', 'bob@example.com']);
    expect(m?.html).toBe('<p>Hi %recipient.first%</p>');
    expect(m?.tags).toEqual(['newsletter']);
    expect(m?.tracking.clicks).toBe('htmlonly');
    expect(m?.headers['Reply-To']).toBe('support@example.com');
    expect(m?.variables.order).toBe('42');
    expect(m?.recipientVariables['bob@example.com']).toEqual({ first: 'Bob' });
    expect(m?.attachments.map((a) => [a.field, a.filename, a.size])).toEqual([
      ['attachment', 'invoice.pdf', 11],
      ['inline', 'logo.png', 4],
    ]);
  });

  it('mailgun-go sends a MIME message as a message.mime file part after its to fields', async () => {
    // messages.go: MimeMessage.AddValues adds the body as the read-closer `message` named message.mime;
    // httphelpers.go writes values (to, o:tag) before read-closers.
    const body = multipart(GO_BOUNDARY, [goField('to', 'alice@example.com'), goField('o:tag', 'mime'), goFile('message', 'message.mime', MIME)]);
    const res = await api().post(`/v3/${DOMAIN}/messages.mime`).set('Authorization', AUTH).set('User-Agent', GO_UA).set('Content-Type', GO_MULTIPART).send(body);
    expect(GO_ACCEPTS).toContain(res.status);
    expect(res.body.message).toBe('Queued. Thank you.');
    const m = mock.messages.get(res.body.id as string);
    expect(m?.api).toBe('messages.mime');
    expect(m?.subject).toBe('Hello in MIME');
    expect(m?.recipients).toEqual(['alice@example.com']);
    expect(m?.tags).toEqual(['mime']);
  });

  it('mailgun-go lists events with its RFC 2822 begin (one-digit day, numeric zone, + as space) and GETs each whole paging.next URL until a page has no items', async () => {
    for (const to of ['a@example.com', 'b@example.com', 'c@example.com']) await sendSimple(to);
    // events.go: ListEvents adds limit, pretty=no (Compact), ascending=yes, begin via formatMailgunTime
    // (mailgun.go: "Mon, 2 Jan 2006 15:04:05 -0700"); httphelpers.go encodes with url.Values (sorted, + for space).
    let url = `/v3/${DOMAIN}/events?ascending=yes&begin=Thu%2C+5+Mar+2026+09%3A00%3A00+%2B0000&limit=2&pretty=no`;
    const seen: string[] = [];
    for (let page = 0; page < 10; page++) {
      const res = await api().get(url).set('Authorization', AUTH).set('User-Agent', GO_UA);
      expect(GO_ACCEPTS).toContain(res.status);
      // events/events.go: Response {items []RawJSON, paging {first, next, previous, last}}
      const { items, paging } = res.body as { items: Array<{ id: string }>; paging: Record<string, string> };
      // httphelpers.go generateUrlWithParameters: the URL's path must match /v[1-5].*
      for (const link of Object.values(paging)) expect(new URL(link).pathname).toMatch(/^\/v3\//);
      // events.go: EventIterator.Next stops when len(Items) == 0
      if (items.length === 0) break;
      seen.push(...items.map((e) => e.id));
      url = pathOf(paging.next!);
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it('mailgun-go adds bounces by form and as a JSON batch with its zero created_at, gets one by a QueryEscape-d address, walks the list by paging.next and deletes', async () => {
    const base = `/v3/${DOMAIN}/bounces`;
    // bounces.go: AddBounce posts urlencoded address, code, error
    const add = await api().post(base).set('Authorization', AUTH).set('User-Agent', GO_UA).type('form').send('address=bob%2Bgo%40example.com&code=550&error=No+such+mailbox');
    expect(GO_ACCEPTS).toContain(add.status);
    // bounces.go: AddBounces posts JSON of []mtypes.Bounce; mtypes/bounces.go + mtypes/rfc2822.go: created_at
    // is always marshalled (RFC1123Z), so an unset one goes as the zero time; code is a string.
    const batch = await api().post(base).set('Authorization', AUTH).set('Content-Type', 'application/json').send(
      JSON.stringify([
        { created_at: 'Mon, 01 Jan 0001 00:00:00 +0000', code: '', address: 'zero@example.com', error: '' },
        { created_at: 'Wed, 04 Mar 2026 10:00:00 +0000', code: '554', address: 'carol@example.com', error: 'Rejected' },
      ]),
    );
    expect(GO_ACCEPTS).toContain(batch.status);

    // bounces.go: GetBounce appends url.QueryEscape(address); mtypes/bounces.go: Code is a Go string,
    // CreatedAt an RFC2822Time (time.RFC1123, RFC1123Z or RFC3339).
    const one = await api().get(`${base}/bob%2Bgo%40example.com`).set('Authorization', AUTH);
    expect(GO_ACCEPTS).toContain(one.status);
    expect(one.body).toMatchObject({ address: 'bob+go@example.com', code: '550', error: 'No such mailbox' });
    expect(one.body.created_at).toMatch(RFC1123);

    // bounces.go: ListBounces starts at ?limit=N; BouncesIterator.fetch GETs the whole Paging.Next; Next stops on no items
    let url = `${base}?limit=2`;
    const addresses: string[] = [];
    for (let page = 0; page < 10; page++) {
      const res = await api().get(url).set('Authorization', AUTH);
      expect(GO_ACCEPTS).toContain(res.status);
      const items = res.body.items as Array<{ address: string; code: unknown; created_at: string }>;
      if (items.length === 0) break;
      for (const b of items) {
        expect(typeof b.code).toBe('string');
        expect(b.created_at).toMatch(RFC1123);
      }
      addresses.push(...items.map((b) => b.address));
      url = pathOf(res.body.paging.next as string);
    }
    expect(addresses).toEqual(['bob+go@example.com', 'carol@example.com', 'zero@example.com']);

    // bounces.go: DeleteBounce (QueryEscape-d) and DeleteBounceList; the body is ignored
    expect(GO_ACCEPTS).toContain((await api().delete(`${base}/bob%2Bgo%40example.com`).set('Authorization', AUTH)).status);
    expect(GO_ACCEPTS).toContain((await api().delete(base).set('Authorization', AUTH)).status);
    expect((await api().get(base).set('Authorization', AUTH)).body.items).toEqual([]);
  });

  it('mailgun-go creates a domain (multipart, booleans as true), gets it with h:extended and h:with_dns, verifies it with an empty urlencoded PUT, updates it and deletes it on v3', async () => {
    // domains.go: CreateDomain posts multipart to /v4/domains: name, spam_action, wildcard/force_dkim_authority
    // ("true"), dkim_key_size, web_scheme, archive_to, dkim_selector…
    const create = await api().post('/v4/domains').set('Authorization', AUTH).set('User-Agent', GO_UA).set('Content-Type', GO_MULTIPART).send(
      multipart(GO_BOUNDARY, [
        goField('name', 'go.example.com'),
        goField('spam_action', 'tag'),
        goField('wildcard', 'true'),
        goField('force_dkim_authority', 'true'),
        goField('dkim_key_size', '2048'),
        goField('web_scheme', 'https'),
        goField('archive_to', 'https://archive.example.com/mime'),
        goField('dkim_selector', 'mg'),
      ]),
    );
    expect(GO_ACCEPTS).toContain(create.status);
    // mtypes/domains.go: GetDomainResponse {domain, receiving_dns_records, sending_dns_records}; Domain.CreatedAt
    // RFC2822Time; DNSRecord {is_active bool, cached []string, name, priority, record_type, valid, value: string}
    expect(create.body.domain).toMatchObject({ name: 'go.example.com', spam_action: 'tag', wildcard: true, web_scheme: 'https', state: 'unverified' });
    expect(create.body.domain.created_at).toMatch(RFC1123);
    for (const r of [...create.body.receiving_dns_records, ...create.body.sending_dns_records] as Array<Record<string, unknown>>) {
      expect(typeof r.is_active).toBe('boolean');
      expect(Array.isArray(r.cached)).toBe(true);
      for (const k of ['name', 'priority', 'record_type', 'valid', 'value']) if (r[k] !== undefined) expect(typeof r[k]).toBe('string');
    }

    // domains.go: GetDomain adds h:extended / h:with_dns (strconv.FormatBool)
    const got = await api().get('/v4/domains/go.example.com?h%3Aextended=true&h%3Awith_dns=false').set('Authorization', AUTH);
    expect(GO_ACCEPTS).toContain(got.status);
    expect(got.body.domain.name).toBe('go.example.com');
    expect(got.body.receiving_dns_records).toBeNull();
    expect(got.body.sending_dns_records).toBeNull();

    // domains.go: VerifyDomain PUTs an empty url-encoded payload to /v4/domains/{d}/verify
    const verify = await api().put('/v4/domains/go.example.com/verify').set('Authorization', AUTH).set('Content-Type', 'application/x-www-form-urlencoded').send('');
    expect(GO_ACCEPTS).toContain(verify.status);
    expect(verify.body.domain.state).toBe('active');

    // domains.go: UpdateDomain PUTs multipart to /v4/domains/{d} and ignores the body
    const update = await api().put('/v4/domains/go.example.com').set('Authorization', AUTH).set('Content-Type', GO_MULTIPART).send(
      multipart(GO_BOUNDARY, [goField('web_prefix', 'track'), goField('require_tls', 'true'), goField('message_ttl', '3600')]),
    );
    expect(GO_ACCEPTS).toContain(update.status);

    // domains.go: DeleteDomain is DELETE /v3/domains/{d}
    expect(GO_ACCEPTS).toContain((await api().delete('/v3/domains/go.example.com').set('Authorization', AUTH)).status);
  });

  it('mailgun-go lists domains with limit then limit+skip until an empty page, decoding total_count and RFC 1123 created_at', async () => {
    for (const name of ['one.example.com', 'two.example.com']) {
      expect((await api().post('/v4/domains').set('Authorization', AUTH).set('Content-Type', GO_MULTIPART).send(multipart(GO_BOUNDARY, [goField('name', name)]))).status).toBe(200);
    }
    // domains.go: DomainsIterator.fetch sends limit always and skip when non-zero; Next stops on no items
    const names: string[] = [];
    for (let skip = 0; skip < 10; ) {
      const res = await api().get(`/v4/domains?limit=1${skip ? `&skip=${skip}` : ''}`).set('Authorization', AUTH);
      expect(GO_ACCEPTS).toContain(res.status);
      expect(Number.isInteger(res.body.total_count)).toBe(true); // mtypes/domains.go: TotalCount int
      const items = res.body.items as Array<{ name: string; created_at: string }>;
      if (items.length === 0) break;
      for (const d of items) expect(d.created_at).toMatch(RFC1123);
      names.push(...items.map((d) => d.name));
      skip += items.length;
    }
    expect(names.sort()).toEqual(['one.example.com', DOMAIN, 'two.example.com'].sort());
  });

  it('mailgun-go sets click tracking to htmlonly (urlencoded) and still reads every tracking active as a Go bool', async () => {
    // domains_tracking.go: UpdateClickTracking PUTs urlencoded active=<string>; GetDomainTracking decodes
    // DomainTracking {click, open, unsubscribe: TrackingStatus{active bool, html_footer, text_footer string}}
    const put = await api().put(`/v3/domains/${DOMAIN}/tracking/click`).set('Authorization', AUTH).type('form').send('active=htmlonly');
    expect(GO_ACCEPTS).toContain(put.status);
    const res = await api().get(`/v3/domains/${DOMAIN}/tracking`).set('Authorization', AUTH);
    expect(GO_ACCEPTS).toContain(res.status);
    const t = res.body.tracking as Record<string, { active: unknown; html_footer?: unknown; text_footer?: unknown }>;
    for (const kind of ['open', 'click', 'unsubscribe']) expect(typeof t[kind]?.active).toBe('boolean');
    expect(t.click?.active).toBe(true);
    expect(typeof t.unsubscribe?.html_footer).toBe('string');
    expect(typeof t.unsubscribe?.text_footer).toBe('string');
  });
});

// =====================================================================================================

describe('mailgun-ruby (Faraday: sorted urlencoded params, paging rebuilt from the links)', () => {
  it('mailgun-ruby sends a Hash message urlencoded with sorted keys and repeated to and o:tag values', async () => {
    // lib/mailgun/client.rb: send_message posts a Hash without files through :url_encoded with FlatParamsEncoder
    const res = await api().post(`/v3/${DOMAIN}/messages`).set('Authorization', AUTH).set('User-Agent', RUBY_UA).set('Accept', '*/*').type('form').send(
      `from=Ruby+%3Cruby%40${DOMAIN}%3E&h%3AReply-To=help%40example.com&o%3Atag=one&o%3Atag=two&subject=Hash+Integration+Test&text=Hi&to=alice%40example.com&to=bob%40example.com&v%3Acustom-data=%7B%22a%22%3A1%7D`,
    );
    expect(res.status).toBe(200);
    // lib/mailgun/response.rb: to_h is JSON.parse of the body
    expect(JSON.parse(res.text)).toMatchObject({ message: 'Queued. Thank you.' });
    const m = mock.messages.get(res.body.id as string);
    expect(m?.to).toEqual(['alice@example.com', 'bob@example.com']);
    expect(m?.tags).toEqual(['one', 'two']);
    expect(m?.variables['custom-data']).toBe('{"a":1}');
  });

  it('mailgun-ruby pages events by element 6 of the paging URL split on / and stops at a page with no items', async () => {
    for (const to of ['a@example.com', 'b@example.com', 'c@example.com']) await sendSimple(to);
    // lib/mailgun/events/events.rb: get/next GET "#{domain}/events[/#{token}]" under https://host/v3;
    // extract_paging keeps paging['next'].split('/')[6]; each stops when to_h['items'] is empty.
    const first = await api().get(`/v3/${DOMAIN}/events?limit=2`).set('Authorization', AUTH).set('User-Agent', RUBY_UA);
    expect(first.status).toBe(200);
    let body = first.body as { items: Array<{ id: string }>; paging: { next: string; previous: string } };
    const seen: string[] = [];
    for (let page = 0; page < 10 && body.items.length > 0; page++) {
      seen.push(...body.items.map((e) => e.id));
      // The URL must be exactly scheme://host/v3/{domain}/events/{token}: no prefix, no '/' in the token.
      const parts = body.paging.next.split('/');
      expect(parts).toHaveLength(7);
      expect(parts.slice(3, 6)).toEqual(['v3', DOMAIN, 'events']);
      const token = parts[6]!;
      expect(body.paging.previous.split('/')[6]).toMatch(/^[^/?#]+$/);
      const next = await api().get(`/v3/${DOMAIN}/events/${token}`).set('Authorization', AUTH).set('User-Agent', RUBY_UA);
      expect(next.status).toBe(200);
      body = next.body;
    }
    expect(body.items).toEqual([]);
    expect(new Set(seen).size).toBe(6);
  });

  it('mailgun-ruby follows suppression paging with the path after /v3/ and the decoded query params, sorted', async () => {
    for (const a of ['a@example.com', 'b@example.com', 'c@example.com']) {
      expect((await api().post(`/v3/${DOMAIN}/unsubscribes`).set('Authorization', AUTH).type('form').send(`address=${encodeURIComponent(a)}&tag=*`)).status).toBe(200);
    }
    // lib/mailgun/suppressions.rb: list_unsubscribes GETs "#{domain}/unsubscribes" with params; extract_paging
    // keeps URI.parse(next).path[%r{/v\d/(.+)}, 1] and Hash[URI.decode_www_form(query)], then `next` GETs that
    // path with those params (Faraday FlatParamsEncoder sorts them).
    let res = await api().get(`/v3/${DOMAIN}/unsubscribes?limit=2`).set('Authorization', AUTH).set('User-Agent', RUBY_UA);
    const addresses: string[] = [];
    for (let page = 0; page < 10 && res.body.items.length > 0; page++) {
      addresses.push(...(res.body.items as Array<{ address: string }>).map((u) => u.address));
      const next = new URL(res.body.paging.next as string);
      const path = /\/v\d\/(.+)/.exec(next.pathname)?.[1];
      expect(path).toBe(`${DOMAIN}/unsubscribes`);
      const params = new URLSearchParams([...new URLSearchParams(next.search)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      res = await api().get(`/v3/${path}?${params.toString()}`).set('Authorization', AUTH).set('User-Agent', RUBY_UA);
      expect(res.status).toBe(200);
    }
    expect(addresses).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
  });

  it('mailgun-ruby creates bounces and unsubscribes in bulk as a JSON array of string values (tags stay an array)', async () => {
    // lib/mailgun/suppressions.rb: create_bounces/create_unsubscribes post valid.to_json with Content-Type
    // application/json; every value is made a string, except an unsubscribe's tags array (strings inside).
    const bounces = await api().post(`/v3/${DOMAIN}/bounces`).set('Authorization', AUTH).set('Content-Type', 'application/json').send(
      JSON.stringify([
        { address: 'bulk1@example.com', code: '550', error: 'Mailbox full', created_at: 'Thu, 05 Mar 2026 08:00:00 +0000' },
        { address: 'bulk2@example.com' },
      ]),
    );
    expect(bounces.status).toBe(200);
    expect(JSON.parse(bounces.text).message).toBe('2 addresses have been added to the bounces table');
    const unsubs = await api().post(`/v3/${DOMAIN}/unsubscribes`).set('Authorization', AUTH).set('Content-Type', 'application/json').send(
      JSON.stringify([{ address: 'bulk3@example.com', tags: ['news', 'promo'] }]),
    );
    expect(unsubs.status).toBe(200);
    // get_unsubscribe escapes the address with CGI.escape
    const one = await api().get(`/v3/${DOMAIN}/unsubscribes/bulk3%40example.com`).set('Authorization', AUTH);
    expect(one.body).toMatchObject({ address: 'bulk3@example.com', tags: ['news', 'promo'] });
  });

  it('mailgun-ruby (v4 client) creates a domain with a nil smtp_password sent as a bare key, lists items, gets and verifies it with no body', async () => {
    // lib/mailgun/domains/domains.rb: create merges {smtp_password: nil, spam_action: 'disabled', wildcard: false}
    // and posts it urlencoded; list returns to_h['items']; get and verify (PUT with nil) parse with to_h!;
    // enforces_api_version 'v4' for list/create/get/verify/update.
    const create = await api().post('/v4/domains').set('Authorization', AUTH).set('User-Agent', RUBY_UA).type('form').send('name=ruby.example.com&smtp_password&spam_action=disabled&wildcard=false');
    expect(create.status).toBe(200);
    expect(JSON.parse(create.text)).toMatchObject({ message: 'Domain DNS records have been created', domain: { name: 'ruby.example.com', wildcard: false } });
    const list = await api().get('/v4/domains?limit=10').set('Authorization', AUTH).set('User-Agent', RUBY_UA);
    expect((list.body.items as Array<{ name: string }>).map((d) => d.name)).toContain('ruby.example.com');
    const got = await api().get('/v4/domains/ruby.example.com').set('Authorization', AUTH);
    expect(got.body.domain.name).toBe('ruby.example.com');
    const verify = await api().put('/v4/domains/ruby.example.com/verify').set('Authorization', AUTH).set('User-Agent', RUBY_UA);
    expect(verify.status).toBe(200);
    expect(verify.body.domain.state).toBe('active');
  });

  it('mailgun-ruby (v3 client) removes a domain and gets JSON whose message is Mailgun\'s current text, not the \'Domain has been deleted\' it compares with', async () => {
    await api().post('/v4/domains').set('Authorization', AUTH).type('form').send('name=gone.example.com');
    // lib/mailgun/domains/domains.rb: remove returns to_h['message'] == 'Domain has been deleted' (true/false).
    // mailgun-python tests/integration/tests.py (live API) asserts 'Domain will be deleted in the background'.
    const res = await api().delete('/v3/domains/gone.example.com').set('Authorization', AUTH).set('User-Agent', RUBY_UA);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ message: 'Domain will be deleted in the background' });
  });

  it('mailgun-ruby lists account webhooks with an empty webhook_ids= and gets 200 with a webhooks array', async () => {
    // lib/mailgun/webhooks/account_webhooks.rb: list(webhook_ids = '') GETs webhooks with webhook_ids: ''
    // vcr_cassettes/account_webhooks.yml (recorded): GET /v1/webhooks?webhook_ids= answered 200 {"webhooks":[…]}.
    const created = await api().post('/v1/webhooks').set('Authorization', AUTH).type('form').send('description=test&event_types=accepted&url=http%3A%2F%2Fexample.com%2Fmailgun%2Fevents');
    expect(created.status).toBe(200);
    const res = await api().get('/v1/webhooks?webhook_ids=').set('Authorization', AUTH).set('User-Agent', RUBY_UA).set('Accept', '*/*');
    expect(res.status).toBe(200);
    expect(res.body.webhooks).toEqual([expect.objectContaining({ webhook_id: created.body.webhook_id, url: 'http://example.com/mailgun/events', event_types: ['accepted'] })]);
  });

  it('mailgun-ruby creates, gets, updates and removes account webhooks and counts update/remove/remove_all as done only on status 204', async () => {
    // vcr_cassettes/account_webhooks.yml: POST body description=test&event_types=accepted&url=… (sorted) → 200 {webhook_id}
    const created = await api().post('/v1/webhooks').set('Authorization', AUTH).set('User-Agent', RUBY_UA).type('form').send('description=test&event_types=accepted&url=http%3A%2F%2Fexample.com%2Fmailgun%2Fevents');
    expect(created.status).toBe(200);
    const id = created.body.webhook_id as string;
    const got = await api().get(`/v1/webhooks/${id}`).set('Authorization', AUTH);
    expect(got.body).toMatchObject({ webhook_id: id, description: 'test', event_types: ['accepted'] });
    // lib/mailgun/webhooks/account_webhooks.rb: update, remove and remove_all return `.status == 204`
    const updated = await api().put(`/v1/webhooks/${id}`).set('Authorization', AUTH).type('form').send('description=test2&event_types=accepted&url=http%3A%2F%2Fexample.com%2Fmailgun%2Fevents');
    expect(updated.status).toBe(204);
    expect((await api().delete(`/v1/webhooks/${id}`).set('Authorization', AUTH)).status).toBe(204);
    await api().post('/v1/webhooks').set('Authorization', AUTH).type('form').send('event_types=delivered&url=http%3A%2F%2Fexample.com%2Fd');
    expect((await api().delete('/v1/webhooks?all=true').set('Authorization', AUTH)).status).toBe(204);
  });

  it('mailgun-ruby sets v4 domain webhooks with repeated event_types and deletes by repeated raw url query values', async () => {
    // vcr_cassettes/webhooks_v4.yml (recorded): POST/PUT event_types=…&event_types=…&url=… → 200 {"webhooks":{name:{urls}}};
    // DELETE ?url=http://…/v4&url=http://…/v4-other (not percent-encoded) → 200 {"webhooks":{…}}
    const base = `/v4/domains/${DOMAIN}/webhooks`;
    const hook = 'http://example.com/mailgun/events/v4';
    const post = await api().post(base).set('Authorization', AUTH).type('form').send(`event_types=accepted&event_types=delivered&url=${encodeURIComponent(hook)}`);
    expect(post.status).toBe(200);
    expect(post.body.webhooks).toMatchObject({ accepted: { urls: [hook] }, delivered: { urls: [hook] } });
    const put = await api().put(base).set('Authorization', AUTH).type('form').send(`event_types=clicked&event_types=opened&url=${encodeURIComponent(hook)}`);
    expect(put.status).toBe(200);
    expect(put.body.webhooks).toMatchObject({ clicked: { urls: [hook] }, opened: { urls: [hook] } });
    expect(put.body.webhooks.accepted).toBeUndefined();
    const del = await api().delete(`${base}?url=${hook}&url=${hook}-other`).set('Authorization', AUTH);
    expect(del.status).toBe(200);
    expect(del.body.webhooks.clicked).toBeUndefined();
    expect(del.body.webhooks.opened).toBeUndefined();
  });
});

// =====================================================================================================

describe('mailgun-php (quoted-boundary multipart everywhere, JSON content type required)', () => {
  it('mailgun-php sends a message as quoted-boundary multipart with per-part Content-Length, fields before files, and gets a hydratable 200', async () => {
    // src/Api/Message.php: send() turns params into one part per value (arrays repeat), then appends
    // attachment/inline files ({fileContent, filename}); POST /v3/{domain}/messages; SendResponse.
    const body = multipart(PHP_BOUNDARY, [
      phpPart('from', `PHP <php@${DOMAIN}>`),
      phpPart('to', 'alice@example.com'),
      phpPart('to', 'bob@example.com'),
      phpPart('subject', 'Hello'),
      phpPart('text', 'Testing some Mailgun awesomness!'),
      phpPart('o:tag', 'php'),
      phpPart('attachment', 'plain attachment', { filename: 'notes.txt', type: 'text/plain' }),
    ]);
    const res = await api().post(`/v3/${DOMAIN}/messages`).set('Authorization', AUTH).set('User-Agent', PHP_UA).set('Content-Type', PHP_MULTIPART).send(body);
    expectPhpHydratable(res);
    // src/Model/Message/SendResponse.php reads id and message
    expect(res.body).toEqual({ id: expect.any(String), message: 'Queued. Thank you.' });
    const m = mock.messages.get(res.body.id as string);
    expect(m?.to).toEqual(['alice@example.com', 'bob@example.com']);
    expect(m?.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([['notes.txt', 'text/plain', 16]]);
  });

  it('mailgun-php sends a MIME string as a file part named message (filename message, no Content-Type) after the to parts', async () => {
    // src/Api/Message.php: sendMime sets params['to'] = recipients, then prepareFile('message',
    // {fileContent, filename: 'message'}); a name without an extension gets no guessed Content-Type.
    const body = multipart(PHP_BOUNDARY, [phpPart('to', 'alice@example.com'), phpPart('message', MIME, { filename: 'message' })]);
    const res = await api().post(`/v3/${DOMAIN}/messages.mime`).set('Authorization', AUTH).set('User-Agent', PHP_UA).set('Content-Type', PHP_MULTIPART).send(body);
    expectPhpHydratable(res);
    expect(mock.messages.get(res.body.id as string)?.subject).toBe('Hello in MIME');
  });

  it('mailgun-php pages events and bounces by GETting the absolute paging URLs, each page hydratable with paging and items carrying event, id and timestamp', async () => {
    for (const to of ['a@example.com', 'b@example.com']) await sendSimple(to);
    // src/Api/Event.php: get() GETs /v3/{domain}/events?{http_build_query(params)}; src/Api/Pagination.php:
    // nextPage() GETs getNextUrl() as given (AddHostPlugin leaves an absolute URL alone);
    // src/Model/Event/EventResponse.php reads $data['paging']; src/Model/Event/Event.php reads event, id, (int) timestamp.
    let res = await api().get(`/v3/${DOMAIN}/events?limit=3`).set('Authorization', AUTH).set('User-Agent', PHP_UA);
    let count = 0;
    for (let page = 0; page < 10; page++) {
      expectPhpHydratable(res);
      expect(res.body.paging).toEqual(expect.objectContaining({ next: expect.stringMatching(/^https?:\/\//) }));
      for (const e of res.body.items as Array<Record<string, unknown>>) {
        expect(typeof e.event).toBe('string');
        expect(typeof e.id).toBe('string');
        expect(typeof e.timestamp).toBe('number');
      }
      if (res.body.items.length === 0) break;
      count += res.body.items.length;
      res = await api().get(pathOf(res.body.paging.next as string)).set('Authorization', AUTH).set('User-Agent', PHP_UA);
    }
    expect(count).toBe(4);

    // src/Api/Suppression/Bounce.php: create posts multipart (address + params)
    for (const a of ['x1@example.com', 'x2@example.com']) {
      expectPhpHydratable(await api().post(`/v3/${DOMAIN}/bounces`).set('Authorization', AUTH).set('Content-Type', PHP_MULTIPART).send(multipart(PHP_BOUNDARY, [phpPart('address', a), phpPart('code', '550')])));
    }
    // index() GETs ?limit=N; the IndexResponse pages through Pagination the same way
    let bounces = await api().get(`/v3/${DOMAIN}/bounces?limit=1`).set('Authorization', AUTH);
    const seen: string[] = [];
    for (let page = 0; page < 10 && bounces.body.items.length > 0; page++) {
      expectPhpHydratable(bounces);
      seen.push(...(bounces.body.items as Array<{ address: string }>).map((b) => b.address));
      bounces = await api().get(pathOf(bounces.body.paging.next as string)).set('Authorization', AUTH);
    }
    expect(seen).toEqual(['x1@example.com', 'x2@example.com']);
  });

  it('mailgun-php shows a bounce by the raw address in the path and deletes one, then all, with an empty multipart body', async () => {
    const base = `/v3/${DOMAIN}/bounces`;
    await api().post(base).set('Authorization', AUTH).set('Content-Type', PHP_MULTIPART).send(multipart(PHP_BOUNDARY, [phpPart('address', 'test30@gmail.com'), phpPart('error', 'Test error')]));
    // src/Api/Suppression/Bounce.php: show/delete use sprintf('/v3/%s/bounces/%s') with the raw address;
    // src/Api/HttpApi.php: httpDelete sends createRequestBody([]) — an empty multipart body.
    const show = await api().get(`${base}/test30@gmail.com`).set('Authorization', AUTH).set('User-Agent', PHP_UA);
    expectPhpHydratable(show);
    // src/Model/Suppression/Bounce/Bounce.php: address, code, error, created_at (new \DateTimeImmutable)
    expect(show.body).toMatchObject({ address: 'test30@gmail.com', error: 'Test error' });
    expect(Number.isNaN(Date.parse(show.body.created_at as string))).toBe(false);
    const del = await api().delete(`${base}/test30@gmail.com`).set('Authorization', AUTH).set('Content-Type', PHP_MULTIPART).send(PHP_EMPTY);
    expectPhpHydratable(del);
    expect(del.body.message).toBe('Bounced address has been removed');
    const all = await api().delete(base).set('Authorization', AUTH).set('Content-Type', PHP_MULTIPART).send(PHP_EMPTY);
    expectPhpHydratable(all);
  });

  it('mailgun-php DomainV4 lists with limit and skip, creates by multipart, shows, verifies with an empty multipart PUT, and updates tracking by multipart', async () => {
    // src/Api/DomainV4.php: index GET /v4/domains?limit=100&skip=0; create POST /v4/domains (name, spam_action,
    // wildcard/force_dkim_authority 'true'|'false', web_scheme, dkim_key_size, use_automatic_sender_security);
    // show GET /v4/domains/{d}; verify PUT /v4/domains/{d}/verify with []; tracking GET /v3/domains/{d}/tracking;
    // updateClickTracking / updateUnsubscribeTracking PUT multipart to /v3/domains/{d}/tracking/{kind}.
    expectPhpHydratable(await api().get('/v4/domains?limit=100&skip=0').set('Authorization', AUTH).set('User-Agent', PHP_UA));
    const create = await api().post('/v4/domains').set('Authorization', AUTH).set('Content-Type', PHP_MULTIPART).send(
      multipart(PHP_BOUNDARY, [
        phpPart('name', 'php.example.com'),
        phpPart('spam_action', 'tag'),
        phpPart('wildcard', 'true'),
        phpPart('force_dkim_authority', 'false'),
        phpPart('web_scheme', 'http'),
        phpPart('dkim_key_size', '1024'),
        phpPart('use_automatic_sender_security', 'false'),
      ]),
    );
    expectPhpHydratable(create);
    expect(create.body.domain).toMatchObject({ name: 'php.example.com', spam_action: 'tag', wildcard: true });
    expectPhpHydratable(await api().get('/v4/domains/php.example.com').set('Authorization', AUTH));
    const verify = await api().put('/v4/domains/php.example.com/verify').set('Authorization', AUTH).set('Content-Type', PHP_MULTIPART).send(PHP_EMPTY);
    expectPhpHydratable(verify);
    expect(verify.body.domain.state).toBe('active');
    expectPhpHydratable(await api().get('/v3/domains/php.example.com/tracking').set('Authorization', AUTH));
    const click = await api().put('/v3/domains/php.example.com/tracking/click').set('Authorization', AUTH).set('Content-Type', PHP_MULTIPART).send(multipart(PHP_BOUNDARY, [phpPart('active', 'htmlonly')]));
    expectPhpHydratable(click);
    const unsub = await api().put('/v3/domains/php.example.com/tracking/unsubscribe').set('Authorization', AUTH).set('Content-Type', PHP_MULTIPART).send(
      multipart(PHP_BOUNDARY, [phpPart('active', 'true'), phpPart('html_footer', '<p>bye</p>'), phpPart('text_footer', 'bye')]),
    );
    expectPhpHydratable(unsub);
    expect(unsub.body.unsubscribe).toMatchObject({ active: true, html_footer: '<p>bye</p>', text_footer: 'bye' });
  });

  it('mailgun-php regenerates the signing key with an empty multipart POST and reads it back with a GET', async () => {
    // src/Api/AccountManagement.php: createHttpSigningKey = httpPost('/v5/accounts/http_signing_key', []);
    // getHttpSigningKey = httpGet(same path); HttpSigningKeyResponse.
    const post = await api().post('/v5/accounts/http_signing_key').set('Authorization', AUTH).set('User-Agent', PHP_UA).set('Content-Type', PHP_MULTIPART).send(PHP_EMPTY);
    expectPhpHydratable(post);
    expect(post.body).toEqual({ message: 'regenerated HTTP signing key for account', http_signing_key: expect.stringMatching(/^key-[0-9a-f]{32}$/) });
    const get = await api().get('/v5/accounts/http_signing_key').set('Authorization', AUTH).set('User-Agent', PHP_UA);
    expectPhpHydratable(get);
    expect(get.body.http_signing_key).toBe(post.body.http_signing_key);
  });
});

// =====================================================================================================

describe('mailgun-python (requests: dicts urlencoded, files multipart; the caller reads .json())', () => {
  it('mailgun-python posts a dict message urlencoded (list values repeated, a Python bool as False) and gets JSON', async () => {
    // mailgun/examples/messages_examples.py: data {from, to, cc, subject, html, o:tag: [..], o:tracking: False};
    // mailgun/client.py: requests.post(url, data=…) encodes lists as repeated keys and False as "False".
    const res = await sendForm(
      `from=${encodeURIComponent(`Python <py@${DOMAIN}>`)}&to=alice%40example.com&cc=carol%40example.com&subject=Hello+Vasyl+Bodaj&html=%3Cp%3EHi%3C%2Fp%3E&o%3Atag=September+newsletter&o%3Atag=newsletters&o%3Atracking=False`,
    ).set('User-agent', PY_UA);
    expect(res.status).toBe(200); // tests/integration/tests.py (live API): status_code == 200
    expect(JSON.parse(res.text)).toMatchObject({ message: 'Queued. Thank you.' });
    const m = mock.messages.get(res.body.id as string);
    expect(m?.cc).toEqual(['carol@example.com']);
    expect(m?.tags).toEqual(['September newsletter', 'newsletters']);
  });

  it('mailgun-python posts a message with files as multipart: data parts first, (name, bytes) file parts with a filename and no Content-Type', async () => {
    // mailgun/examples/messages_examples.py: files = [("attachment", (name, bytes)), …]
    const body = multipart(PY_BOUNDARY, [
      pyField('from', `py@${DOMAIN}`),
      pyField('to', 'alice@example.com'),
      pyField('subject', 'Files'),
      pyField('html', '<b>hi</b>'),
      pyFile('attachment', 'test1.txt', 'Test File 1 Bytes'),
      pyFile('attachment', 'test2.txt', 'Test File 2 Bytes'),
    ]);
    const res = await api().post(`/v3/${DOMAIN}/messages`).set('Authorization', AUTH).set('User-agent', PY_UA).set('Content-Type', PY_MULTIPART).send(body);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).message).toBe('Queued. Thank you.');
    expect(mock.messages.get(res.body.id as string)?.attachments.map((a) => [a.filename, a.size])).toEqual([
      ['test1.txt', 17],
      ['test2.txt', 17],
    ]);
  });

  it('mailgun-python posts a MIME message with data fields and files={"message": bytes}, whose part is named message with filename message', async () => {
    // mailgun/examples/messages_examples.py: client.mimemessage.create(data={from, to, cc, subject}, files={"message": bytes});
    // mailgun/routes.py: mimemessage → v3 messages.mime; requests names a bare-bytes file after its key.
    const body = multipart(PY_BOUNDARY, [
      pyField('from', `py@${DOMAIN}`),
      pyField('to', 'alice@example.com'),
      pyField('cc', 'carol@example.com'),
      pyField('subject', 'Hello HELLO'),
      pyFile('message', 'message', MIME),
    ]);
    const res = await api().post(`/v3/${DOMAIN}/messages.mime`).set('Authorization', AUTH).set('User-agent', PY_UA).set('Content-Type', PY_MULTIPART).send(body);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).message).toBe('Queued. Thank you.');
  });

  it('mailgun-python lists events with its example filters (RFC 2822 begin with -0000, pretty=yes, "rejected OR failed") and gets JSON with items', async () => {
    await sendSimple('user@example.com');
    // mailgun/examples/events_examples.py: filters {begin: "Tue, 24 Nov 2020 09:00:00 -0000", ascending, limit, pretty, recipient};
    // {event: "rejected OR failed"}; tests/integration/tests.py: "items" in req.json() and status 200.
    const byRecipient = await api().get(`/v3/${DOMAIN}/events?begin=Tue%2C+24+Nov+2020+09%3A00%3A00+-0000&ascending=yes&limit=10&pretty=yes&recipient=user%40example.com`).set('Authorization', AUTH).set('User-agent', PY_UA);
    expect(byRecipient.status).toBe(200);
    expect(JSON.parse(byRecipient.text).items.map((e: { event: string }) => e.event)).toEqual(['accepted', 'delivered']);
    const failed = await api().get(`/v3/${DOMAIN}/events?event=rejected+OR+failed`).set('Authorization', AUTH);
    expect(failed.status).toBe(200);
    expect(JSON.parse(failed.text).items).toEqual([]);
  });

  it('mailgun-python streams bounces by merging the query of paging.next into its filters and re-GETting /v3/{domain}/bounces until a page has no items', async () => {
    for (const a of ['p1@example.com', 'p2@example.com', 'p3@example.com']) {
      // tests/integration/tests.py: bounces.create(data={address, code: 550, error}) → 200 and "address" in json
      const add = await api().post(`/v3/${DOMAIN}/bounces`).set('Authorization', AUTH).type('form').send(`address=${encodeURIComponent(a)}&code=550&error=Test+error`);
      expect(add.status).toBe(200);
      expect(add.body.address).toBe(a);
    }
    // mailgun/endpoints.py: Endpoint.stream() GETs the endpoint with filters, yields items, stops when there is no
    // paging.next or no items, else merges parse_qs(urlparse(next).query) into the filters (blank values dropped,
    // ints kept ints) and GETs the same endpoint again.
    let filters = new Map<string, string>([['limit', '2']]);
    const seen: string[] = [];
    for (let page = 0; page < 10; page++) {
      const res = await api().get(`/v3/${DOMAIN}/bounces?${new URLSearchParams([...filters]).toString()}`).set('Authorization', AUTH).set('User-agent', PY_UA);
      expect(res.status).toBe(200);
      const data = JSON.parse(res.text) as { items: Array<{ address: string }>; paging?: { next?: string } };
      seen.push(...data.items.map((b) => b.address));
      if (!data.paging?.next || data.items.length === 0) break;
      filters = new Map(filters);
      for (const [k, v] of new URLSearchParams(new URL(data.paging.next).search)) if (v !== '') filters.set(k, v);
    }
    expect(seen).toEqual(['p1@example.com', 'p2@example.com', 'p3@example.com']);
  });

  it('mailgun-python suppressions: raw addresses in paths, extra tag fields ignored, allowlist "value", every answer JSON with the key its tests read', async () => {
    // mailgun/handlers/suppressions_handler.py: url = base + domain + "/bounces|unsubscribes|complaints|whitelists" + "/" + raw address
    // tests/integration/tests.py (live API) reads: unsubscribes/complaints/whitelists create → "message";
    // get single → "address" (whitelists: "value"); delete → "message"; list → "items".
    const form = (path: string, fields: string) => api().post(`/v3/${DOMAIN}/${path}`).set('Authorization', AUTH).set('User-agent', PY_UA).type('form').send(fields);
    const get = (path: string) => api().get(`/v3/${DOMAIN}/${path}`).set('Authorization', AUTH);
    expect((await form('unsubscribes', 'address=test%40gmail.com&tag=unsub_test_tag')).body).toHaveProperty('message');
    expect((await get('unsubscribes/test@gmail.com')).body).toHaveProperty('address', 'test@gmail.com');
    expect((await form('complaints', 'address=test%40gmail.com&tag=compl_test_tag')).body).toHaveProperty('message');
    expect((await get('complaints/test@gmail.com')).body).toHaveProperty('address');
    expect((await form('whitelists', 'address=test%40gmail.com&tag=whitel_test')).body).toHaveProperty('message');
    expect((await get('whitelists/test@gmail.com')).body).toHaveProperty('value', 'test@gmail.com');
    expect((await get('complaints')).body).toHaveProperty('items');
    // newer SDK: headers={"Content-type": "application/json"} sends one object, compact JSON (mailgun/endpoints.py _prepare_payload)
    const json = await api().post(`/v3/${DOMAIN}/bounces`).set('Authorization', AUTH).set('Content-Type', 'application/json').send('{"address":"test121@i.ua","code":"550","error":"Test error2312"}');
    expect(json.status).toBe(200);
    expect(json.body).toHaveProperty('message');
    for (const path of ['whitelists/test@gmail.com', 'unsubscribes/test@gmail.com', 'complaints/test@gmail.com', 'bounces']) {
      const res = await api().delete(`/v3/${DOMAIN}/${path}`).set('Authorization', AUTH);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toHaveProperty('message');
    }
  });

  it('mailgun-python domains: domainlist on v4, create and update on v4, tracking on v3 with a stray skip_verification, delete routed to v3', async () => {
    // mailgun/handlers/domains_handler.py: domainlist → /v4/domains; create → /v4/domains; put → /v4/domains/{d};
    // delete → base.replace('/v4/', '/v3/') (the delete API is v3 only); mailgun/client.py: tracking is a v3 endpoint.
    // tests/integration/tests.py (live API) asserts the texts below.
    expect((await api().get('/v4/domains').set('Authorization', AUTH).set('User-agent', PY_UA)).body).toHaveProperty('items');
    const create = await api().post('/v4/domains').set('Authorization', AUTH).type('form').send('name=mailgun.wrapper.k3j5h2l1m0');
    expect(create.status).toBe(200);
    expect(create.body.message).toContain('Domain DNS records have been created');
    const put = await api().put('/v4/domains/mailgun.wrapper.k3j5h2l1m0').set('Authorization', AUTH).type('form').send('spam_action=disabled');
    expect(put.status).toBe(200);
    expect(put.body.message).toBe('Domain has been updated');
    const open = await api().put(`/v3/domains/${DOMAIN}/tracking/open`).set('Authorization', AUTH).type('form').send('active=yes&skip_verification=false');
    expect(open.status).toBe(200);
    expect(open.body).toHaveProperty('message');
    const unsub = await api().put(`/v3/domains/${DOMAIN}/tracking/unsubscribe`).set('Authorization', AUTH).type('form').send(
      `active=yes&html_footer=${encodeURIComponent('\n<br>\n<p><a href="%unsubscribe_url%">UnSuBsCrIbE</a></p>\n')}&text_footer=${encodeURIComponent('\n\nTo unsubscribe here click: <%unsubscribe_url%>\n\n')}`,
    );
    expect(unsub.status).toBe(200);
    const del = await api().delete('/v3/domains/mailgun.wrapper.k3j5h2l1m0').set('Authorization', AUTH);
    expect(del.status).toBe(200);
    expect(del.body.message).toBe('Domain will be deleted in the background');
  });

  it('mailgun-python routes domain webhooks with a comma-joined event_types to v4 and deletes by a url filter', async () => {
    // README.md: "Payload-Based Routing": data {"event_types": "clicked,opened,delivered", "url": …} triggers v4;
    // a `url` filter on delete does too (reference §2.4).
    const hook = 'https://my-server.com/webhook';
    const post = await api().post(`/v4/domains/${DOMAIN}/webhooks`).set('Authorization', AUTH).set('User-agent', PY_UA).type('form').send(`event_types=clicked%2Copened%2Cdelivered&url=${encodeURIComponent(hook)}`);
    expect(post.status).toBe(200);
    expect(JSON.parse(post.text).webhooks).toMatchObject({ clicked: { urls: [hook] }, opened: { urls: [hook] }, delivered: { urls: [hook] } });
    const del = await api().delete(`/v4/domains/${DOMAIN}/webhooks?url=${encodeURIComponent(hook)}`).set('Authorization', AUTH).set('User-agent', PY_UA);
    expect(del.status).toBe(200);
    expect(JSON.parse(del.text).webhooks.clicked).toBeUndefined();
  });

  it('mailgun-python\'s README account-webhook example (v3 fields id and url) gets a 400 whose body .json() can read', async () => {
    // README.md: client.account_webhooks.create(data={"id": "clicked", "url": [...]}); mailgun/routes.py: account_webhooks → v1 webhooks
    const res = await api().post('/v1/webhooks').set('Authorization', AUTH).set('User-agent', PY_UA).type('form').send('id=clicked&url=https%3A%2F%2Fmy-server.com%2Fwebhook');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ message: "Missing parameter 'event_types'" });
  });
});

// =====================================================================================================

describe('mailgun-java (Feign + feign-form multipart, Jackson with unknown properties ignored)', () => {
  it('mailgun-java sends a message as Feign multipart (charset before boundary, text/plain field parts, a binary file part) and reads MessageResponse', async () => {
    // src/main/java/com/mailgun/api/v3/MailgunMessagesApi.java: POST /{domain}/messages, multipart, Accept: application/json;
    // src/main/java/com/mailgun/model/message/Message.java: from, to (Set), subject, text, html, attachment (File),
    // o:tag, o:tracking, h:Reply-To, recipient-variables.
    const body = multipart(JAVA_BOUNDARY, [
      javaField('from', `Java <java@${DOMAIN}>`),
      javaField('to', 'alice@example.com'),
      javaField('subject', 'Hello'),
      javaField('text', 'Text body'),
      javaField('html', '<p>HTML body</p>'),
      javaField('o:tag', 'java'),
      javaField('o:tracking', 'yes'),
      javaField('h:Reply-To', 'reply@example.com'),
      javaFile('attachment', 'report.pdf', 'application/pdf', '%PDF-1.4 java'),
    ]);
    const res = await api().post(`/v3/${DOMAIN}/messages`).set('Authorization', AUTH).set('Accept', 'application/json').set('Content-Type', JAVA_MULTIPART).send(body);
    expect(res.status).toBe(200);
    // src/main/java/com/mailgun/model/message/MessageResponse.java: id, message
    expect(res.body).toEqual({ id: expect.any(String), message: 'Queued. Thank you.' });
    const m = mock.messages.get(res.body.id as string);
    expect(m?.text).toBe('Text body');
    expect(m?.headers['Reply-To']).toBe('reply@example.com');
    expect(m?.attachments.map((a) => [a.filename, a.contentType])).toEqual([['report.pdf', 'application/pdf']]);
  });

  it('mailgun-java sends a MIME message as a message file part beside to parts', async () => {
    // src/main/java/com/mailgun/model/message/MailgunMimeMessage.java: to (Set<String>), message (File) or
    // messageFormData (form field "message"); MailgunMessagesApi.java: POST /{domain}/messages.mime.
    const body = multipart(JAVA_BOUNDARY, [javaField('to', 'alice@example.com'), javaField('o:testmode', 'yes'), javaFile('message', 'mime.eml', 'message/rfc822', MIME)]);
    const res = await api().post(`/v3/${DOMAIN}/messages.mime`).set('Authorization', AUTH).set('Accept', 'application/json').set('Content-Type', JAVA_MULTIPART).send(body);
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Queued. Thank you.');
    expect(mock.messages.get(res.body.id as string)?.testMode).toBe(true);
  });

  it('mailgun-java pages events by the page id, the last segment of paging.next, through GET /v3/{domain}/events/{pageId}', async () => {
    for (const to of ['a@example.com', 'b@example.com']) await sendSimple(to);
    // src/main/java/com/mailgun/api/v3/MailgunEventsApi.java: getEvents(domain, pageId) = GET /{domain}/events/{pageId};
    // model/events/EventsResponse.java {items, paging}; model/Paging.java {first, last, next, previous, total}.
    let res = await api().get(`/v3/${DOMAIN}/events?limit=3`).set('Authorization', AUTH).set('Accept', 'application/json');
    let count = 0;
    for (let page = 0; page < 10 && res.body.items.length > 0; page++) {
      count += res.body.items.length;
      const pageId = (res.body.paging.next as string).split('/').at(-1)!;
      res = await api().get(`/v3/${DOMAIN}/events/${pageId}`).set('Authorization', AUTH).set('Accept', 'application/json');
      expect(res.status).toBe(200);
    }
    expect(count).toBe(4);
  });

  it('mailgun-java adds a bounce with an RFC 1123 single-digit-day created_at and reads items whose created_at fits EEE, d MMM yyyy HH:mm:ss z', async () => {
    // model/suppression/bounces/BouncesRequest.java: address, code, error, created_at (DateTimeUtil.toString =
    // DateTimeFormatter.RFC_1123_DATE_TIME: "Tue, 3 Mar 2026 11:05:30 GMT"); MailgunSuppressionBouncesApi.java: multipart POST.
    const add = await api().post(`/v3/${DOMAIN}/bounces`).set('Authorization', AUTH).set('Accept', 'application/json').set('Content-Type', JAVA_MULTIPART).send(
      multipart(JAVA_BOUNDARY, [javaField('address', 'java@example.com'), javaField('code', '554'), javaField('error', 'Rejected'), javaField('created_at', 'Tue, 3 Mar 2026 11:05:30 GMT')]),
    );
    expect(add.status).toBe(200);
    // model/suppression/SuppressionResponse.java: message, address
    expect(add.body).toMatchObject({ message: 'Address has been added to the bounces table', address: 'java@example.com' });
    // MailgunSuppressionBouncesApi.java: getBounces(domain, limit) = GET /{domain}/bounces?limit={limit};
    // model/suppression/bounces/BouncesItem.java: code String, created_at @JsonFormat("EEE, d MMM yyyy HH:mm:ss z", locale en)
    const list = await api().get(`/v3/${DOMAIN}/bounces?limit=10`).set('Authorization', AUTH).set('Accept', 'application/json');
    expect(list.body.items).toEqual([{ address: 'java@example.com', code: '554', error: 'Rejected', created_at: 'Tue, 03 Mar 2026 11:05:30 UTC' }]);
    expect(list.body.items[0].created_at).toMatch(RFC1123);
  });

  it('mailgun-java reads v4 domains into its Jackson models: enums spam_action, state and web_scheme, RFC 1123 created_at, string priorities', async () => {
    // src/main/java/com/mailgun/api/v4/MailgunDomainsApi.java: GET /domains, POST /domains (multipart), GET /domains/{name},
    // PUT /domains/{name}/verify; model/domains/Domain.java: SpamAction, DomainState, WebScheme enums, created_at
    // @JsonFormat("EEE, d MMM yyyy HH:mm:ss z"); ReceivingDnsRecords.java: priority String; DomainListResponse: total_count.
    const create = await api().post('/v4/domains').set('Authorization', AUTH).set('Accept', 'application/json').set('Content-Type', JAVA_MULTIPART).send(
      multipart(JAVA_BOUNDARY, [javaField('name', 'java.example.com'), javaField('spam_action', 'block'), javaField('web_scheme', 'https')]),
    );
    expect(create.status).toBe(200);
    const list = await api().get('/v4/domains').set('Authorization', AUTH).set('Accept', 'application/json');
    expect(Number.isInteger(list.body.total_count)).toBe(true);
    for (const d of list.body.items as Array<Record<string, unknown>>) {
      expect(['disabled', 'block', 'tag']).toContain(d.spam_action);
      expect(['active', 'unverified', 'disabled']).toContain(d.state);
      expect(['http', 'https']).toContain(d.web_scheme);
      expect(d.created_at).toMatch(RFC1123);
      expect(typeof d.is_disabled).toBe('boolean');
    }
    const one = await api().get('/v4/domains/java.example.com').set('Authorization', AUTH).set('Accept', 'application/json');
    for (const r of one.body.receiving_dns_records as Array<{ priority: unknown }>) expect(typeof r.priority).toBe('string');
    const verify = await api().put('/v4/domains/java.example.com/verify').set('Authorization', AUTH).set('Accept', 'application/json');
    expect(verify.status).toBe(200);
    expect(verify.body.domain.state).toBe('active');
    // MailgunDomainsApi.java (v4) says deletion goes through v3: DELETE /v3/domains/{name}
    expect((await api().delete('/v3/domains/java.example.com').set('Authorization', AUTH)).status).toBe(200);
  });

  it('mailgun-java v4 webhooks: urlencoded create with repeated event_types, and a DELETE whose single url value is comma-joined', async () => {
    // src/main/java/com/mailgun/api/v4/MailgunWebhooksApi.java: POST/PUT /domains/{domain}/webhooks
    // application/x-www-form-urlencoded (model/webhooks/DomainWebhooksV4Request.java: url, event_types Set);
    // DELETE /domains/{domain}/webhooks?url={url} with "comma-separated webhook URL(s)";
    // model/webhooks/Webhooks.java: typed names only (accepted…unsubscribed), unknown (legacy) names ignored.
    const base = `/v4/domains/${DOMAIN}/webhooks`;
    const [a, b] = ['https://j.example/a', 'https://j.example/b'];
    for (const url of [a, b]) {
      const res = await api().post(base).set('Authorization', AUTH).set('Accept', 'application/json').set('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8').send(`url=${encodeURIComponent(url)}&event_types=delivered&event_types=opened`);
      expect(res.status).toBe(200);
    }
    const del = await api().delete(`${base}?url=${encodeURIComponent(`${a},${b}`)}`).set('Authorization', AUTH).set('Accept', 'application/json');
    expect(del.status).toBe(200);
    expect(del.body.webhooks.delivered).toBeUndefined();
    expect(del.body.webhooks.opened).toBeUndefined();
  });

  it('mailgun-java v1 account webhooks: multipart create reads webhook_id; PUT and DELETE answer 204 with no body (Feign returns null); bulk delete by comma-joined webhook_ids', async () => {
    // src/main/java/com/mailgun/api/v1/MailgunAccountWebhooksApi.java: POST /webhooks and PUT /webhooks/{webhook_id}
    // multipart (model/webhooks/AccountWebhookRequest.java: description, event_types Set, url); GET /webhooks and
    // /webhooks/{id} (model/webhooks/AccountWebhook.java: webhook_id, description, url, event_types, created_at String);
    // DELETE /webhooks/{id} and DELETE /webhooks?webhook_ids=a,b (AccountWebhooksDeleteQuery: comma-separated) are void.
    const create = (url: string) =>
      api().post('/v1/webhooks').set('Authorization', AUTH).set('Accept', 'application/json').set('Content-Type', JAVA_MULTIPART).send(
        multipart(JAVA_BOUNDARY, [javaField('description', 'java hook'), javaField('event_types', 'delivered'), javaField('event_types', 'permanent_fail'), javaField('url', url)]),
      );
    const first = await create('https://j.example/1');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ webhook_id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    const second = await create('https://j.example/2');
    const list = await api().get('/v1/webhooks').set('Authorization', AUTH).set('Accept', 'application/json');
    expect(list.body.webhooks).toEqual([
      { webhook_id: first.body.webhook_id, description: 'java hook', url: 'https://j.example/1', event_types: ['delivered', 'permanent_fail'], created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/) },
      expect.objectContaining({ webhook_id: second.body.webhook_id }),
    ]);
    const put = await api().put(`/v1/webhooks/${first.body.webhook_id}`).set('Authorization', AUTH).set('Accept', 'application/json').set('Content-Type', JAVA_MULTIPART).send(
      multipart(JAVA_BOUNDARY, [javaField('event_types', 'clicked'), javaField('url', 'https://j.example/1b')]),
    );
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    const bulk = await api().delete(`/v1/webhooks?webhook_ids=${first.body.webhook_id},${second.body.webhook_id}`).set('Authorization', AUTH).set('Accept', 'application/json');
    expect(bulk.status).toBe(204);
    expect(bulk.text).toBe('');
    expect((await api().get('/v1/webhooks').set('Authorization', AUTH)).body.webhooks).toEqual([]);
  });

  it('mailgun-java gets and regenerates the signing key into HttpSigningKeyResponse {message, http_signing_key}', async () => {
    // src/main/java/com/mailgun/api/v5/MailgunAccountManagementApi.java: GET/POST /accounts/http_signing_key (no body);
    // model/accountmanagement/HttpSigningKeyResponse.java: message, http_signing_key.
    const get = await api().get('/v5/accounts/http_signing_key').set('Authorization', AUTH).set('Accept', 'application/json');
    expect(get.status).toBe(200);
    expect(typeof get.body.http_signing_key).toBe('string');
    const post = await api().post('/v5/accounts/http_signing_key').set('Authorization', AUTH).set('Accept', 'application/json');
    expect(post.status).toBe(200);
    expect(post.body).toEqual({ message: 'regenerated HTTP signing key for account', http_signing_key: expect.stringMatching(/^key-/) });
    expect(post.body.http_signing_key).not.toBe(get.body.http_signing_key);
  });
});

// =====================================================================================================

/** A JSON type a field must have for the typed decoders (null always decodes). */
type Kind = 'string' | 'int' | 'number' | 'bool' | 'strings' | 'object' | 'array';

// mailgun-go events/events.go + events/objects.go (decoded with jsoniter into typed structs: a type
// mismatch fails the whole page) and mailgun-java src/main/java/com/mailgun/model/events/*.java (Jackson).
const EVENT_FIELDS: Record<string, Kind> = {
  event: 'string',
  id: 'string',
  timestamp: 'number',
  'log-level': 'string',
  recipient: 'string',
  'recipient-domain': 'string',
  method: 'string',
  'originating-ip': 'string',
  severity: 'string',
  reason: 'string',
  url: 'string',
  ip: 'string',
  tags: 'strings',
  campaigns: 'array',
  'user-variables': 'object',
  envelope: 'object',
  'envelope.sender': 'string',
  'envelope.targets': 'string',
  'envelope.transport': 'string',
  'envelope.sending-ip': 'string',
  'envelope.mail-from': 'string',
  'envelope.sending-host': 'string',
  flags: 'object',
  'flags.is-authenticated': 'bool',
  'flags.is-big': 'bool',
  'flags.is-system-test': 'bool',
  'flags.is-test-mode': 'bool',
  'flags.is-delayed-bounce': 'bool',
  'flags.is-routed': 'bool',
  'delivery-status': 'object',
  'delivery-status.code': 'int',
  'delivery-status.attempt-no': 'int',
  'delivery-status.retry-seconds': 'int',
  'delivery-status.session-seconds': 'number',
  'delivery-status.description': 'string',
  'delivery-status.message': 'string',
  'delivery-status.mx-host': 'string',
  'delivery-status.tls': 'bool',
  'delivery-status.utf8': 'bool',
  'delivery-status.certificate-verified': 'bool',
  message: 'object',
  'message.headers': 'object',
  'message.headers.to': 'string',
  'message.headers.from': 'string',
  'message.headers.subject': 'string',
  'message.headers.message-id': 'string',
  'message.recipients': 'strings',
  'message.size': 'int',
  'message.attachments': 'array',
  storage: 'object',
  'storage.key': 'string',
  'storage.url': 'string',
  'client-info': 'object',
  'client-info.client-name': 'string',
  'client-info.client-os': 'string',
  'client-info.client-type': 'string',
  'client-info.device-type': 'string',
  'client-info.user-agent': 'string',
  'client-info.bot': 'string',
  geolocation: 'object',
  'geolocation.city': 'string',
  'geolocation.country': 'string',
  'geolocation.region': 'string',
};

/** events/parse.go: EventNames, the `event` values ParseEvent knows (any other fails the page). */
const GO_EVENT_NAMES = ['accepted', 'clicked', 'complained', 'delivered', 'failed', 'opened', 'rejected', 'stored', 'unsubscribed', 'list_member_uploaded', 'list_member_upload_error', 'list_uploaded'];

function kindOf(v: unknown): Kind | 'null' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? 'strings' : 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'number';
  if (typeof v === 'string') return 'string';
  return 'object';
}

function typeErrors(event: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [path, want] of Object.entries(EVENT_FIELDS)) {
    const value = path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), event);
    if (value === undefined) continue;
    const got = kindOf(value);
    const ok = got === 'null' || got === want || (want === 'number' && got === 'int') || (want === 'array' && got === 'strings');
    if (!ok) problems.push(`${String(event.event)}: ${path} is ${got}, not ${want}`);
  }
  return problems;
}

describe('every SDK that decodes events into types', () => {
  it('mailgun-go, mailgun-java and mailgun-php can decode every kind of event the Events API lists (types, Go event names, Java severities, PHP required keys)', async () => {
    await api().post(`/v3/${DOMAIN}/bounces`).set('Authorization', AUTH).type('form').send('address=bounced%40example.com');
    const body = multipart(GO_BOUNDARY, [
      goField('from', `Typed <typed@${DOMAIN}>`),
      goField('subject', 'Typed'),
      goField('text', 'Hi'),
      goField('to', 'alice@gmail.com'),
      goField('to', 'bob@example.com'),
      goField('to', 'bounced@example.com'),
      goField('o:tag', 'typed'),
      goField('v:order', '7'),
      goField('h:X-Mailgun-Variables', '{"nested":{"a":[1,2]}}'),
      goFile('attachment', 'a.txt', 'hello'),
    ]);
    const sent = await api().post(`/v3/${DOMAIN}/messages`).set('Authorization', AUTH).set('Content-Type', GO_MULTIPART).send(body);
    expect(sent.status).toBe(200);
    const messageId = sent.body.id as string;
    await sendSimple('testmode@example.com', '&o%3Atestmode=yes');
    for (const event of ['opened', 'unsubscribed', 'complained'] as const) await mock.events.emit({ messageId, event, recipient: 'alice@gmail.com' });
    await mock.events.emit({ messageId, event: 'clicked', recipient: 'alice@gmail.com', url: 'https://example.com/x' });
    await mock.events.emit({ messageId, event: 'failed', recipient: 'bob@example.com', severity: 'temporary' });
    await mock.events.emit({ messageId, event: 'failed', recipient: 'bob@example.com', severity: 'permanent', code: 550 });

    const res = await api().get(`/v3/${DOMAIN}/events?limit=300`).set('Authorization', AUTH);
    expect(res.status).toBe(200);
    const items = res.body.items as Array<Record<string, unknown>>;
    expect(new Set(items.map((e) => e.event))).toEqual(new Set(['accepted', 'delivered', 'failed', 'opened', 'clicked', 'unsubscribed', 'complained']));
    expect(items.flatMap(typeErrors)).toEqual([]);
    for (const e of items) {
      expect(GO_EVENT_NAMES).toContain(e.event);
      // src/main/java/com/mailgun/enums/Severity.java: only "temporary" and "permanent" deserialize
      if (e.severity !== undefined) expect(['temporary', 'permanent']).toContain(e.severity);
      // events/objects.go: Campaign {id, name} objects; model/events/EventItem.java: List<String> campaigns —
      // only an empty list decodes in both.
      if (e.campaigns !== undefined) expect(e.campaigns).toEqual([]);
      // events/objects.go: Attachment {filename, content-type string, size int}
      const attachments = (e.message as { attachments?: unknown[] } | undefined)?.attachments ?? [];
      for (const a of attachments) expect(a).toEqual({ filename: expect.any(String), 'content-type': expect.any(String), size: expect.any(Number) });
      // mailgun-php src/Model/Event/Event.php: create() reads $data['event'], ['id'], ['timestamp'] unguarded
      for (const key of ['event', 'id', 'timestamp']) expect(e).toHaveProperty(key);
    }
  });
});

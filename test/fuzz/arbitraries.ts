// Arbitraries for random HTTP requests against the mock: a method, a path filled from one of the
// app's route templates (or a fully random one), a query string, hostile headers and a body of any
// of the shapes the mock reads (urlencoded, multipart, JSON) or does not (random bytes).
// Values that could make the mock post somewhere (webhook URLs) only ever name 127.0.0.1.
import fc from 'fast-check';
import { fillTemplate, templateParams, type RouteTemplate } from './routes.js';

/** Which listener a request goes to: the US or EU port of the main mock, or a mock with an account per key. */
export type Target = 'us' | 'eu' | 'perKey';

/** One generated request; fast-check prints it as the counterexample, so it is kept plain and readable. */
export interface FuzzRequest {
  target: Target;
  /** The template it was filled from, or `(random)`. */
  route: string;
  method: string;
  /** Path and query as sent; `{{messageId}}`-style placeholders are replaced by the run's own records. */
  path: string;
  headers: Record<string, string>;
  /** The body bytes as a latin-1 string (one char per byte), before `compress`. */
  body?: string;
  /** Compress the body this way before sending (whatever Content-Encoding says). */
  compress?: 'gzip' | 'deflate' | 'br';
  chunked?: boolean;
  noHost?: boolean;
}

/** What the arbitraries need to know about the run. */
export interface FuzzSetup {
  routes: RouteTemplate[];
  /** Base of URLs that answer 200 (a local receiver): `http://127.0.0.1:<port>`. */
  hookBase: string;
  /** A valid events page token for samples.mailgun.org. */
  pageToken: string;
}

/** Hosts the mock must refuse (403): they are none of localhost, an IP, Mailgun's hosts or host.docker.internal. */
export const EVIL_HOSTS = ['evil.example', 'evil.example:8465', 'api.mailgun.net.evil.example', 'mailgun.net', 'localhost.evil.example', '127.0.0.1.nip.io'];
/** Origins of pages of other sites (refused while any key is accepted, and always on the control plane). */
export const EVIL_ORIGINS = ['null', 'https://evil.example', 'http://evil.example:8465', 'not a url'];

export const FIXTURE_DOMAINS = ['samples.mailgun.org', 'eu.example.com', 'fuzz.example.com'];
export const API_KEYS = ['key-3ax6xnjp29jd6fds4gc373sgvjxteol0', 'key-b', 'c8f0d1e2a3b4c5d6e7f8091a2b3c4d5e-1a2b3c4d-5e6f7a8b'];

const CURRENT_NAMES = ['accepted', 'clicked', 'complained', 'delivered', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed'];
const LEGACY_NAMES = ['bounce', 'deliver', 'drop', 'spam', 'unsubscribe', 'click', 'open'];

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const pct = (bytes: Uint8Array) => [...bytes].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');

/** A printable-ASCII string (what header values and most fields are made of). */
const ascii = (maxLength = 24) => fc.string({ maxLength });
/** Header-safe text with latin-1 bytes (node:http sends 0x20–0x7e and 0x80–0xff as they are). */
const latin1Text = (maxLength = 24) => fc.string({ unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)), ...Array.from({ length: 128 }, (_, i) => String.fromCharCode(0x80 + i))), maxLength });
/** Any Unicode text (whole code points only, so encodeURIComponent never throws). */
const unicode = (maxLength = 16) => fc.string({ unit: 'grapheme', maxLength });

/** Characters node:http sends raw in a path (0x21–0xff, minus the ones that end a segment). */
const RAW_PATH_CHARS = [...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '/' && c !== '?'), '\u00e9', '\u00ff', '\u0080'];

/** Path segments that have broken routers, decoders and object look-ups. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'toString', 'prototype', 'valueOf', '%', '%00', '%ZZ', '%E0%A4%A', '%C3%28', '%2e%2e', '..', '.', '%2F', 'a%2Fb', '%5C', '%20', '+', '%2B', '%F0%9F%92%A9', '%FF', '%C0%AF', '%25', '%u0041', ';', 'a;b=c', '*', "'", '"', '%3Cscript%3E', '!$&()*+,;=', '%0D%0ASet-Cookie:%20x', '%23', '#frag', 'a?b', '\u00e9', 'x'.repeat(64), '0', '-1', '1e309', 'NaN', 'null', 'undefined') },
  { weight: 2, arbitrary: unicode(12).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 12 }).map(pct) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...RAW_PATH_CHARS), minLength: 1, maxLength: 16 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 8000 }).map((n) => 'a'.repeat(n)) },
  // Over Node's 16 KiB header limit: the HTTP parser answers 431 before the app sees it.
  { weight: 1, arbitrary: fc.oneof({ weight: 1, arbitrary: fc.constant('d'.repeat(17_000)) }, { weight: 4, arbitrary: fc.constant('d'.repeat(1000)) }) },
);

/** A segment as a client would send it: mostly a real one, sometimes hostile. */
function segment(real: fc.Arbitrary<string>, profile: Profile): fc.Arbitrary<string> {
  return fc.oneof({ weight: profile === 'hostile' ? 8 : 40, arbitrary: real }, { weight: 1, arbitrary: hostileSegment });
}

function pageTokenArb(setup: FuzzSetup): fc.Arbitrary<string> {
  // Near-valid tokens: the right keys with values at and beyond their limits, base64url-encoded.
  const bound = fc.oneof(fc.constant(null), fc.double({ noNaN: true }), fc.integer(), fc.constantFrom(0, -1, 1e300, -1e300, 1700000000, 253402300800));
  const filters = fc.array(
    fc.tuple(fc.constantFrom('event', 'list', 'attachment', 'from', 'message-id', 'subject', 'to', 'size', 'recipient', 'recipients', 'tags', 'severity', 'bogus'), fc.oneof(ascii(20), fc.constantFrom('delivered OR failed', 'NOT accepted', '>1000 <2000', '(', '"a b"', 'a AND (b OR', '>', '<-1', ''))),
    { maxLength: 3 },
  );
  const position = fc.oneof(fc.constant(['l']), fc.constant(['a']), fc.constant(['b']), fc.tuple(fc.constantFrom('a', 'b', 'x'), fc.oneof(fc.double(), fc.integer()), fc.integer(), fc.constantFrom(0, 1, 2)), fc.jsonValue({ maxDepth: 1 }));
  const token = fc
    .record(
      {
        v: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 0 })),
        d: fc.constantFrom(...FIXTURE_DOMAINS, 'SAMPLES.MAILGUN.ORG', 'nope.example.com'),
        a: fc.constantFrom(0, 1, 2),
        b: bound,
        e: bound,
        l: fc.oneof(fc.integer({ min: -1, max: 400 }), fc.constantFrom(1, 100, 300, 1e9)),
        f: filters,
        p: position,
      },
      { requiredKeys: ['v', 'd', 'a', 'l', 'f', 'p'] },
    )
    .map((j) => Buffer.from(JSON.stringify(j), 'utf8').toString('base64url'));
  return fc.oneof({ weight: 1, arbitrary: fc.constant(setup.pageToken) }, { weight: 3, arbitrary: token }, { weight: 1, arbitrary: fc.base64String({ maxLength: 40 }) });
}

/** The value of one path parameter, by its name in the template. */
function paramArb(name: string, setup: FuzzSetup, profile: Profile): fc.Arbitrary<string> {
  switch (name) {
    case 'domain':
      return segment(fc.oneof({ weight: profile === 'hostile' ? 4 : 12, arbitrary: fc.constant('samples.mailgun.org') }, { weight: 3, arbitrary: fc.constantFrom(...FIXTURE_DOMAINS, 'SAMPLES.MAILGUN.ORG', 'Samples.Mailgun.Org.', 'nope.example.com', 'new.example.com') }), profile);
    case 'name':
      return segment(fc.constantFrom(...CURRENT_NAMES, ...LEGACY_NAMES, 'Delivered', 'foo', 'failed'), profile);
    case 'address':
      return segment(fc.constantFrom('alice@example.com', 'ALICE@EXAMPLE.COM', 'bounced@example.com', 'unsub@example.com', 'spam@example.com', 'example.org', 'alice%40example.com', '@', 'a@b', 'example.com', '%22q%22%40x.y'), profile);
    case 'webhook_id':
      return segment(fc.oneof(fc.stringMatching(/^[0-9a-f]{24}$/), fc.constantFrom('0123456789abcdef01234567', '0123456789ABCDEF01234567', 'xyz')), profile);
    case 'key':
      return segment(fc.constantFrom('{{storageKey}}', 'nope', 'AgEFA1aa'), profile);
    case 'token':
      return segment(pageTokenArb(setup), profile);
    case 'index':
      return segment(fc.constantFrom('0', '1', '9999', '-1', '00', '1.5', '0x1'), profile);
    case 'id':
      return segment(fc.constantFrom('{{messageId}}', '{{deliveryId}}', '{{faultId}}', 'nope', '0'), profile);
    default:
      if (name.startsWith('*')) {
        // A wildcard: one to three segments (the dashboard's files, or anything after an OPTIONS).
        return fc.array(segment(fc.constantFrom('index.html', 'js', 'style.css', 'app.js', 'js/app.js', '..', 'config', 'v3', 'domains'), profile), { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
      }
      return segment(ascii(12).map(encodeURIComponent), profile);
  }
}

export const QUERY_KEYS = [
  'limit', 'skip', 'page', 'begin', 'end', 'ascending', 'url', 'event_types', 'webhook_ids', 'all', 'tag', 'address', 'term', 'event', 'recipient', 'state', 'status',
  'after', 'method', 'route', 'domain', 'webhook', 'path', 'client', 'light', 'download', 'part', 'q', 'id', 'message', 'severity', 'sort', 'search', 'authority', 'h:with_dns',
  'h:extended', 'pretty', 'to', 'from', 'subject', 'tags', 'size', 'account', '__proto__[polluted]', '__proto__', 'constructor[prototype][polluted]', 'a[]', 'a[0]', '',
];
export const QUERY_VALUES = ['-1', 'NaN', '0', '1', '100', '301', '1001', '1e309', '99999999999999999999', 'Infinity', '1.5', 'yes', 'no', 'true', 'false', 'all', 'next', 'previous', 'last', 'first', 'name:desc', 'bogus',
  'Thu, 13 Oct 2011 18:02:00 +0000', '1700000000', 'garbage date', 'delivered OR failed', '>1000 <2000', '(', 'amp', 'none', 'dashboard', 'pending', '200', 'a,b', ',', '', '%', '%ZZ', '%00', '%E0%A4%A'];

function queryArb(setup: FuzzSetup): fc.Arbitrary<string> {
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: ascii(10) });
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...QUERY_VALUES) },
    { weight: 1, arbitrary: fc.constantFrom(`${setup.hookBase}/q`, 'http://127.0.0.1:1/x') },
    { weight: 2, arbitrary: unicode(12) },
  );
  // Encoded as a client would, or raw (a stray % or & is the point).
  const pair = fc.tuple(key, value, fc.boolean()).map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).replace(/[^\x21-\x7e\x80-\xff]/gu, encodeURIComponent));
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: fc.array(pair, { minLength: 1, maxLength: 6 }).map((p) => '?' + p.join('&')) },
    { weight: 1, arbitrary: fc.constantFrom('?', '?&&=', '?=', '?%', '?a=%ZZ&a=1&a=2', '??', '?limit=1&limit=-1', '?a[]=1&a[]=2') },
  );
}

/** Path and method from one of the app's templates, or a random path. */
function routeArb(setup: FuzzSetup, routes: RouteTemplate[], profile: Profile): fc.Arbitrary<{ route: string; method: string; path: string }> {
  const templated = fc.constantFrom(...routes).chain((route) => {
    const names = templateParams(route.path);
    const params = fc.tuple(...names.map((n) => paramArb(n, setup, profile))).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]!])));
    const method = fc.oneof(
      { weight: profile === 'hostile' ? 10 : 60, arbitrary: fc.constantFrom(...route.methods) },
      { weight: 1, arbitrary: fc.constant('HEAD') },
      { weight: 3, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') },
      // Methods Node's parser knows but the app does not route, and ones it does not know at all (a 400 from Node).
      { weight: 1, arbitrary: fc.constantFrom('TRACE', 'PROPFIND', 'PURGE', 'LOCK', 'SEARCH', 'MKCOL', 'COPY', 'QUERY', 'FOO', 'get', 'M-SEARCH') },
    );
    return fc.record({ route: fc.constant(route.path), method, path: params.map((v) => fillTemplate(route.path, v)) });
  });
  const random = fc.record({
    route: fc.constant('(random)'),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
    path: fc.oneof(
      fc.array(fc.oneof(hostileSegment, fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5', 'V3', 'domains', 'webhooks', '__mock', '__mockery', 'ui', '', 'messages', 'events')), { maxLength: 6 }).map((s) => '/' + s.join('/')),
      fc.constantFrom('/', '//', '/./', '/%2e/', '/v3/domains//webhooks', '/__mock/', '/__mock//health', '/__MOCK/health', '/V3/domains/samples.mailgun.org/webhooks', '*'),
    ),
  });
  return profile === 'hostile' ? fc.oneof({ weight: 12, arbitrary: templated }, { weight: 1, arbitrary: random }) : templated;
}

// ---------------------------------------------------------------------------------------------
// Headers

function authorizationArb(): fc.Arbitrary<string | undefined> {
  const key = fc.constantFrom(...API_KEYS);
  return fc.oneof(
    { weight: 30, arbitrary: key.map((k) => `Basic ${b64(`api:${k}`)}`) },
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: key.map((k) => `basic ${b64(`api:${k}`)}`) },
    { weight: 1, arbitrary: key.map((k) => `Basic    ${b64(`someone:${k}`)}   `) },
    { weight: 1, arbitrary: fc.constantFrom(`Basic ${b64('api:')}`, `Basic ${b64('api')}`, `Basic ${b64(':')}`, 'Basic !!!', 'Basic ', 'Basic', 'Bearer key-x', 'Digest username="api"', `Basic ${b64('api:key')}==garbage`, 'Basic %%%', `Basic ${b64('api:key-\u00e9\u0000')}`) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => `Basic ${Buffer.from(b).toString('base64')}`) },
    { weight: 1, arbitrary: fc.oneof(ascii(30), latin1Text(30), latin1Text(30).map((t) => `Basic ${t}`)) },
    // Huge, under and over Node's 16 KiB header limit.
    { weight: 1, arbitrary: fc.constantFrom(`Basic ${b64('api:' + 'k'.repeat(9000))}`, `Basic ${b64('api:' + 'k'.repeat(13000))}`) },
  );
}

function hostArb(): fc.Arbitrary<{ host?: string; noHost?: boolean }> {
  return fc.oneof(
    { weight: 40, arbitrary: fc.constant({}) },
    { weight: 4, arbitrary: fc.constantFrom('localhost', 'localhost:8465', '127.0.0.1', 'LOCALHOST.', 'foo.localhost', '[::1]:8465', '::1', '10.0.0.1', 'host.docker.internal', 'api.mailgun.net', 'api.eu.mailgun.net', 'API.EU.MAILGUN.NET:443', '').map((host) => ({ host })) },
    { weight: 2, arbitrary: fc.constantFrom(...EVIL_HOSTS).map((host) => ({ host })) },
    { weight: 1, arbitrary: fc.constant({ noHost: true }) },
    { weight: 1, arbitrary: latin1Text(20).map((host) => ({ host })) },
  );
}

function extraHeadersArb(): fc.Arbitrary<Record<string, string>> {
  const optional = <T>(weightNone: number, arb: fc.Arbitrary<T>) => fc.oneof({ weight: weightNone, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
  return fc
    .record({
      origin: optional(16, fc.constantFrom('http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:3000', ...EVIL_ORIGINS)),
      'sec-fetch-site': optional(20, fc.constantFrom('cross-site', 'same-origin', 'same-site', 'none')),
      'sec-fetch-mode': optional(12, fc.constantFrom('navigate', 'cors', 'no-cors')),
      'x-mailgun-mock-client': optional(8, fc.constantFrom('dashboard', 'other', '')),
      'x-mailgun-mock-account': optional(10, fc.constantFrom(API_KEYS[0]!, 'key-b', '', 'nobody')),
      accept: optional(6, fc.constantFrom('*/*', 'application/json', 'text/html', 'text/event-stream', 'message/rfc822')),
      'accept-encoding': optional(8, fc.constantFrom('gzip', 'br', 'identity;q=0', '*')),
      extra: optional(4, fc.tuple(fc.constantFrom('x-forwarded-for', 'x-forwarded-host', 'forwarded', 'x-http-method-override', 'cookie', 'range', 'if-none-match', 'x-requested-with', 'user-agent', 'referer', 'x-mailgun-mock-client'), fc.oneof(ascii(40), latin1Text(20)))),
    })
    .map(({ extra, ...rest }) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
      if (extra) out[extra[0]] = extra[1];
      return out;
    });
}

// ---------------------------------------------------------------------------------------------
// Bodies

interface BodyParts {
  contentType?: string;
  contentEncoding?: string;
  body?: string;
  compress?: 'gzip' | 'deflate' | 'br';
  chunked?: boolean;
}

const FIELD_NAMES = [
  'url', 'id', 'urls', 'event_types', 'to', 'from', 'subject', 'text', 'html', 'amp-html', 'cc', 'bcc', 'template', 't:variables', 'o:deliverytime', 'o:tag', 'o:testmode', 'o:tracking',
  'o:tracking-clicks', 'o:tracking-opens', 'h:X-Test', 'h:X-Mailgun-Variables', 'h:Ünïcode', 'v:x', 'v:mailgun-mock-outcome', 'recipient-variables', 'message', 'attachment', 'inline',
  'name', 'spam_action', 'wildcard', 'web_scheme', 'web_prefix', 'smtp_password', 'dkim_key_size', 'force_dkim_authority', 'active', 'place_at_the_top', 'html_footer', 'text_footer',
  'address', 'code', 'error', 'tag', 'tags', 'domain', 'reason', 'created_at', 'description', 'webhook_ids', 'all', '__proto__', 'constructor', '__proto__[polluted]', 'toString',
];

function fieldValueArb(setup: FuzzSetup): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(
      `${setup.hookBase}/a`, `${setup.hookBase}/b`, `${setup.hookBase}/c`, `${setup.hookBase}/d`, 'http://127.0.0.1:1/dead', 'not a url', 'ftp://127.0.0.1/x', 'javascript:alert(1)', 'http://', ` ${setup.hookBase}/a`,
      'delivered', 'opened', 'clicked', 'open', 'click', 'deliver', 'bogus', 'Delivered', 'delivered,opened', 'delivered, delivered', ',', '__proto__',
      'alice@example.com', 'Alice <alice@example.com>', '"Q, R" <q@example.com>', 'bounced@example.com', 'bad@', '@example.com', 'a@b, c@d; e@f', 'Group: a@b.c, d@e.f;', 'samples.mailgun.org',
      'eu.example.com', 'new.example.com', 'Hi', 'Hello', '<p>hi <img src="cid:logo.png"></p>', 'Thu, 13 Oct 2011 18:02:00 +0000', 'Mon, 01 Jan 2100 00:00:00 +0000', 'garbage date', '1700000000',
      '{"a":1}', '{"alice@example.com":{"first":"A"}}', '{broken', '[]', 'null', '"str"', 'yes', 'no', 'true', 'false', 'htmlonly', 'block', 'disabled', 'tag', 'http', 'https', 'email', '1024', '2048', '4096',
      '-1', 'NaN', '1e309', '550', '0', '', '%ZZ', '*', 'permanent_fail', 'temporary_fail', 'unsubscribed', 'complained',
    ) },
    { weight: 2, arbitrary: unicode(24) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => 'v'.repeat(n)) },
  );
}

/** One form field or file part. */
interface Part {
  name: string;
  value: string;
  filename?: string;
  type?: string;
  /** More of the part's head: Content-Disposition parameters (`; filename*=…`) and header lines. */
  extra?: string;
}

/** Part-head oddities: RFC 5987 names, charsets busboy must decode, transfer encodings, broken parameters. */
const PART_EXTRAS = [
  "; filename*=UTF-8''%E2%82%AC%20rates.txt", "; name*=UTF-8''%C3%BC", "; filename*=x-nope''abc", "; filename*=UTF-8''%ZZ", '; filename=', '; name', ';;;', '; filename="a\\"b"',
  '\r\nContent-Transfer-Encoding: base64', '\r\nContent-Transfer-Encoding: quoted-printable', '\r\nContent-Type: text/plain; charset=x-nope', '\r\nContent-Type: text/plain; charset=utf-16le',
  '\r\nContent-Type: text/plain; charset=iso-8859-1', '\r\nX-Junk: \u00e9\u00ff', '\r\nContent-Disposition: form-data; name="second"',
];

function genericPartArb(setup: FuzzSetup): fc.Arbitrary<Part> {
  return fc.record(
    {
      name: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: unicode(10) }),
      value: fc.oneof({ weight: 6, arbitrary: fieldValueArb(setup) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')) }),
      filename: fc.option(fc.constantFrom('a.txt', 'logo.png', 'message.eml', '../../etc/passwd', 'ü.txt', '', 'a"b.txt'), { nil: undefined, freq: 6 }),
      type: fc.option(fc.constantFrom('text/plain', 'image/png', 'message/rfc822', 'text/html; charset=utf-8', 'garbage', 'application/octet-stream'), { nil: undefined, freq: 4 }),
      extra: fc.option(fc.constantFrom(...PART_EXTRAS), { nil: undefined, freq: 5 }),
    },
    { requiredKeys: ['name', 'value'] },
  );
}

const MIME = 'From: App <app@samples.mailgun.org>\r\nTo: b@example.com\r\nSubject: Hi\r\nX-Mailgun-Tag: news\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\nContent-Type: text/plain\r\n\r\nHello\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>Hello</p>\r\n--alt--\r\n';

/**
 * Fields close to what an SDK sends to this route: the right names, mostly valid values, so that
 * requests get past the first checks into the handlers. Undefined for routes that read no fields.
 */
function semanticPartsArb(setup: FuzzSetup, route: string, method: string): fc.Arbitrary<Part[]> | undefined {
  const hook = fc.constantFrom(`${setup.hookBase}/a`, `${setup.hookBase}/b`, `${setup.hookBase}/c`, `${setup.hookBase}/d`, 'http://127.0.0.1:1/refused');
  const badUrl = fc.constantFrom('not a url', 'ftp://127.0.0.1/x', '', ' http://127.0.0.1:1/x', 'http://');
  const url = fc.oneof({ weight: 6, arbitrary: hook }, { weight: 1, arbitrary: badUrl });
  const names = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...CURRENT_NAMES) }, { weight: 2, arbitrary: fc.constantFrom(...LEGACY_NAMES) }, { weight: 1, arbitrary: fc.constantFrom('bogus', 'Delivered', '', '__proto__') });
  const eventTypes = fc.oneof(
    { weight: 4, arbitrary: fc.uniqueArray(fc.constantFrom(...CURRENT_NAMES), { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...CURRENT_NAMES), { minLength: 1, maxLength: 3 }).map((n) => [n.join(',')]) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom('delivered', 'delivered', 'open', 'bogus', '', ' opened ', ','), { minLength: 1, maxLength: 3 }) },
  );
  const address = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('alice@example.com', 'Alice <alice@example.com>', 'bob@example.net', 'bounced@example.com', 'unsub@example.com', 'spam@example.com', 'carol@example.org', '"Q, R" <q@example.com>') },
    { weight: 1, arbitrary: fc.constantFrom('bad@', 'x', '') },
  );
  /** Mostly `good`, sometimes one of `bad`. */
  const usually = (good: fc.Arbitrary<string>, ...bad: string[]) => fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
  const rep = (name: string, values: fc.Arbitrary<string[]>): fc.Arbitrary<Part[]> => values.map((vs) => vs.map((value) => ({ name, value })));
  const one = (name: string, value: fc.Arbitrary<string>): fc.Arbitrary<Part[]> => value.map((v) => [{ name, value: v }]);
  const maybe = (name: string, value: fc.Arbitrary<string>): fc.Arbitrary<Part[]> => fc.option(value, { nil: undefined, freq: 2 }).map((v) => (v === undefined ? [] : [{ name, value: v }]));
  const file = (p: Part): fc.Arbitrary<Part[]> => fc.boolean().map((b) => (b ? [p] : []));
  const all = (...groups: Array<fc.Arbitrary<Part[]>>): fc.Arbitrary<Part[]> => fc.tuple(...groups).map((g) => g.flat());
  const bool = fc.constantFrom('yes', 'no', 'true', 'false', 'maybe');
  const types = (v: string[]) => v.map((value) => ({ name: 'event_types', value }));

  if (/^\/v[23]\/domains\/:domain\/webhooks$/.test(route) && method === 'POST') return all(one('id', names), rep('url', fc.array(url, { minLength: 0, maxLength: 4 })));
  if (/^\/v[23]\/domains\/:domain\/webhooks\/:name(\/test)?$/.test(route)) return all(rep('url', fc.array(url, { minLength: 0, maxLength: 4 })), maybe('id', names));
  if (route === '/v3/:domain/messages') {
    return all(
      one('from', usually(fc.constantFrom('App <app@samples.mailgun.org>', 'app@samples.mailgun.org'), 'bad', '')),
      rep('to', fc.array(address, { minLength: 1, maxLength: 3 })),
      one('subject', usually(fc.constantFrom('Hello', 'Hi %recipient.first%'), '')),
      one('text', usually(fc.constant('Hello %recipient.first%'), '')),
      maybe('html', fc.constantFrom('<p>Hello <img src="cid:logo.png"></p>', '<a href="https://example.com/x">x</a>')),
      maybe('cc', address),
      maybe('bcc', address),
      rep('o:tag', fc.array(fc.constantFrom('news', 'alerts', 'x'.repeat(200)), { maxLength: 4 })),
      maybe('o:testmode', bool),
      maybe('o:tracking', bool),
      maybe('o:tracking-clicks', fc.constantFrom('yes', 'no', 'htmlonly')),
      maybe('o:deliverytime', usually(fc.constantFrom('Mon, 01 Jan 2100 00:00:00 +0000', 'Thu, 13 Oct 2011 18:02:00 +0000', 'Fri, 31 Dec 9999 23:59:59 +0000'), 'tomorrow')),
      maybe('h:X-Test', fc.constantFrom('1', 'ü')),
      maybe('h:X-Mailgun-Variables', usually(fc.constant('{"a":1,"b":{"c":[1,2]}}'), '{broken', '[]')),
      maybe('v:order', fc.constantFrom('42', '{"nested":true}')),
      maybe('v:mailgun-mock-outcome', fc.constantFrom('delivered', 'permanent_fail', 'temporary_fail', 'opened', 'clicked', 'unsubscribed', 'complained', 'bogus')),
      maybe('recipient-variables', usually(fc.constant('{"alice@example.com":{"first":"Alice"}}'), '{broken', '[]', '"x"')),
      fc.nat(9).map((n) => (n === 0 ? [{ name: 'template', value: 'welcome' }] : [])),
      file({ name: 'attachment', value: 'file body', filename: 'a.txt', type: 'text/plain' }),
      file({ name: 'inline', value: '\x89PNG', filename: 'logo.png', type: 'image/png' }),
    );
  }
  if (route === '/v3/:domain/messages.mime') {
    return all(
      rep('to', fc.array(address, { minLength: 0, maxLength: 2 })),
      fc.constantFrom<Part[]>([{ name: 'message', value: MIME, filename: 'message.mime', type: 'message/rfc822' }], [{ name: 'message', value: MIME }], [{ name: 'message', value: '' }], [{ name: 'message', value: 'not mime at all' }], []),
      maybe('o:tag', fc.constant('news')),
    );
  }
  if (/^\/v[34]\/domains$/.test(route) && method === 'POST') {
    return all(
      one('name', fc.constantFrom('new.example.com', 'NEW.example.com', 'samples.mailgun.org', 'bad name', '-x.example.com', 'a'.repeat(300))),
      maybe('spam_action', fc.constantFrom('disabled', 'block', 'tag', 'maybe')),
      maybe('wildcard', bool),
      maybe('web_scheme', fc.constantFrom('http', 'https', 'ftp')),
      maybe('web_prefix', fc.constantFrom('email', 'a.b', '')),
      maybe('dkim_key_size', fc.constantFrom('1024', '2048', '4096', 'x')),
      maybe('force_dkim_authority', bool),
      maybe('smtp_password', fc.constant('secret')),
    );
  }
  if (route === '/v4/domains/:domain' && method === 'PUT') {
    return all(maybe('spam_action', fc.constantFrom('disabled', 'block', 'tag', 'maybe')), maybe('wildcard', bool), maybe('web_scheme', fc.constantFrom('http', 'https', 'ftp')), maybe('web_prefix', fc.constantFrom('email', 'a.b')), maybe('message_ttl', fc.constantFrom('60', '-1')));
  }
  if (route.startsWith('/v3/domains/:domain/tracking/')) {
    return all(maybe('active', fc.constantFrom('yes', 'no', 'true', 'false', 'htmlonly', 'maybe')), maybe('place_at_the_top', bool), maybe('html_footer', fc.constant('<p>bye</p>')), maybe('text_footer', fc.constant('bye')));
  }
  if (/^\/v3\/:domain\/(bounces|unsubscribes|complaints|whitelists)(\/:address)?$/.test(route) && method !== 'GET') {
    return all(
      maybe('address', address),
      maybe('code', fc.constantFrom('550', '421', 'x', '99999')),
      maybe('error', fc.constantFrom('No such user', '')),
      maybe('tag', fc.constantFrom('news', '*', '')),
      maybe('tags', fc.constantFrom('a,b', 'news')),
      maybe('created_at', fc.constantFrom('Thu, 13 Oct 2011 18:02:00 +0000', 'yesterday')),
      maybe('domain', fc.constantFrom('example.org', 'bad domain')),
      maybe('reason', fc.constant('partner')),
    );
  }
  if (route === '/v4/domains/:domain/webhooks') return all(one('url', url), eventTypes.map(types));
  if (route === '/v1/webhooks' && method === 'DELETE') return all(maybe('webhook_ids', fc.constantFrom('0123456789abcdef01234567', 'x', '', 'a,,b')), maybe('all', fc.constantFrom('true', 'T', '1', 'no')));
  if (/^\/v1\/webhooks(\/:webhook_id)?$/.test(route)) return all(one('url', url), eventTypes.map(types), maybe('description', fc.constantFrom('mine', '')));
  return undefined;
}

/** JSON bodies close to what each control-plane route takes. */
function semanticJsonArb(route: string): fc.Arbitrary<unknown> | undefined {
  const routeIds = fc.constantFrom('webhooks.list', 'webhooks.create', 'webhooks.*', 'messages.send', '*', 'bogus.route', 'events.list', 'domains.get');
  switch (route) {
    case '/__mock/faults': {
      const rule = fc.record(
        {
          route: routeIds,
          method: fc.constantFrom('GET', 'POST', 'get', 'BREW'),
          domain: fc.constantFrom('samples.mailgun.org', 'never.example'),
          webhook: fc.constantFrom('delivered', 'open'),
          preset: fc.constantFrom('rate-limited', 'server-error', 'bad-gateway', 'unavailable', 'gateway-timeout', 'unauthorized', 'not-found', 'bad-request', 'bogus'),
          status: fc.constantFrom(400, 404, 429, 500, 503, 599, 200, 600, 399.5),
          message: fc.constantFrom('boom', ''),
          body: fc.oneof(fc.constant('text body'), fc.dictionary(ascii(5), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
          headers: fc.dictionary(fc.constantFrom('X-A', 'Retry-After', 'bad name', ''), fc.constantFrom('1', 'a\r\nb', ''), { maxKeys: 2 }),
          delayMs: fc.constantFrom(0, 1, 5, -1),
          drop: fc.boolean(),
          times: fc.constantFrom(1, 2, 0, -1, 1.5),
          probability: fc.constantFrom(0, 0.5, 1, 2),
        },
        { requiredKeys: [] },
      );
      return fc.oneof(rule, fc.array(rule, { maxLength: 3 }), fc.constantFrom({ spec: 'preset=server-error,route=webhooks.list' }, { spec: 'status=503,p=0.5' }, { spec: 'bogus=1' }, { spec: 'drop' }, { spec: '' }));
    }
    case '/__mock/outcomes': {
      const rule = fc.record(
        {
          recipient: fc.constantFrom('*@example.com', 'alice@example.com', '*', ''),
          domain: fc.constantFrom('samples.mailgun.org', 'nope.example.com'),
          tag: fc.constantFrom('news', ''),
          outcome: fc.constantFrom('delivered', 'permanent_fail', 'temporary_fail', 'complained', 'opened', 'clicked', 'unsubscribed', 'bogus'),
          code: fc.constantFrom(550, 452, 99, 1000, '550'),
          message: fc.constantFrom('No', ''),
          description: fc.constant('desc'),
          url: fc.constantFrom('https://example.com/x', 'not a url'),
          times: fc.constantFrom(1, 0, -1),
          recoverAfter: fc.constantFrom(1, 2, 0, -1),
        },
        { requiredKeys: ['outcome'] },
      );
      return fc.oneof(rule, fc.array(rule, { maxLength: 3 }));
    }
    case '/__mock/events':
      return fc.record(
        {
          message: fc.constantFrom('{{messageId}}', '<{{messageId}}>', 'nope', ''),
          event: fc.constantFrom('opened', 'clicked', 'unsubscribed', 'complained', 'failed', 'delivered', 'accepted', 'bogus'),
          recipient: fc.constantFrom('alice@example.com', 'nobody@example.com', ''),
          url: fc.constantFrom('https://example.com/x', ''),
          severity: fc.constantFrom('permanent', 'temporary', 'bogus'),
          code: fc.constantFrom(550, 99, 1000, 'x'),
          reason: fc.constantFrom('bounce', 'old', ''),
          description: fc.constant('desc'),
        },
        { requiredKeys: ['message', 'event'] },
      );
    case '/__mock/clock/advance':
      return fc.record({ ms: fc.oneof(fc.constantFrom<unknown>(0, 1, 600_000, 8 * 3600_000, 31_622_400_000, 31_622_400_001, -1, 1e308, '60000', null), fc.double({ noNaN: true })) }, { requiredKeys: [] });
    default:
      return undefined;
  }
}

interface FormStyle {
  multipart: boolean;
  boundary: string;
  style: 'plain' | 'quoted' | 'uppercase' | 'missing' | 'empty' | 'other';
  ending: 'close' | 'none' | 'cut' | 'garbage';
  cutAt: number;
  urlStyle: number;
}

const URLENCODED_TYPES = [
  'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded; charset=UTF-8', 'application/x-www-form-urlencoded; charset=latin1',
  'application/x-www-form-urlencoded; charset=iso-8859-1', 'application/x-www-form-urlencoded; charset=utf-16le', 'application/x-www-form-urlencoded; charset=x-no-such-charset',
  'application/x-www-form-urlencoded; charset="utf-8"', 'application/x-www-form-urlencoded; charset=', 'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded;;;', 'application/x-www-form-urlencoded; boundary=x',
];

/** Parts as a form body: urlencoded (files become plain fields) or multipart, with content-type variants. */
function encodeForm(parts: Part[], how: FormStyle): BodyParts {
  if (!how.multipart) {
    const body = Buffer.from(new URLSearchParams(parts.map((p): [string, string] => [p.name, p.value])).toString(), 'utf8').toString('latin1');
    const contentType = how.urlStyle < 20 ? 'application/x-www-form-urlencoded' : URLENCODED_TYPES[how.urlStyle % URLENCODED_TYPES.length]!;
    return { contentType, body };
  }
  const b = how.boundary;
  let body = parts
    .map((p) => {
      const disp = `Content-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}${p.extra ?? ''}`;
      return `--${b}\r\n${disp}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n${Buffer.from(p.value, 'utf8').toString('latin1')}\r\n`;
    })
    .join('');
  if (how.ending === 'close') body += `--${b}--\r\n`;
  if (how.ending === 'garbage') body += '\u0000\u0001garbage';
  if (how.ending === 'cut' && body.length > 0) body = body.slice(0, how.cutAt % body.length);
  const contentType = {
    plain: `multipart/form-data; boundary=${b}`,
    quoted: `multipart/form-data; boundary="${b}"`,
    missing: 'multipart/form-data',
    empty: 'multipart/form-data; boundary=',
    other: 'multipart/form-data; boundary=not-the-one',
    uppercase: `MULTIPART/FORM-DATA; BOUNDARY=${b}`,
  }[how.style];
  return { contentType, body };
}

function formArb(parts: fc.Arbitrary<Part[]>, profile: Profile): fc.Arbitrary<BodyParts> {
  const clean: fc.Arbitrary<FormStyle> = fc.record({
    multipart: fc.boolean(),
    boundary: fc.constantFrom('abc', '----WebKitFormBoundary7MA4YWxkTrZu0gW', '--------------------------123456789012345678901234'),
    style: fc.constantFrom('plain' as const, 'plain' as const, 'quoted' as const),
    ending: fc.constant('close' as const),
    cutAt: fc.constant(0),
    urlStyle: fc.constant(0),
  });
  if (profile === 'wellFormed') return fc.tuple(parts, clean).map(([p, h]) => encodeForm(p, h));
  const how: fc.Arbitrary<FormStyle> = fc.record({
    multipart: fc.boolean(),
    boundary: fc.oneof(fc.constantFrom('abc', 'X-BOUNDARY', '----WebKitFormBoundary7MA4YWxkTrZu0gW', 'a b', 'quoted"b'), fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'.split('')), minLength: 1, maxLength: 30 })),
    style: fc.oneof({ weight: 12, arbitrary: fc.constant('plain' as const) }, { weight: 3, arbitrary: fc.constantFrom('quoted' as const, 'uppercase' as const) }, { weight: 2, arbitrary: fc.constantFrom('missing' as const, 'empty' as const, 'other' as const) }),
    ending: fc.oneof({ weight: 12, arbitrary: fc.constant('close' as const) }, { weight: 3, arbitrary: fc.constantFrom('none' as const, 'cut' as const, 'garbage' as const) }),
    cutAt: fc.nat(),
    urlStyle: fc.nat(30),
  });
  return fc.tuple(parts, how).map(([p, h]) => encodeForm(p, h));
}

/** A semantic body for the route, sometimes with a field dropped, repeated, or junk added. */
function semanticBodyArb(setup: FuzzSetup, route: string, method: string, profile: Profile): fc.Arbitrary<BodyParts> | undefined {
  const json = semanticJsonArb(route);
  if (json) {
    return fc.tuple(json, fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain')).map(([v, contentType]) => ({ contentType, body: Buffer.from(JSON.stringify(v) ?? '', 'utf8').toString('latin1') }));
  }
  const parts = semanticPartsArb(setup, route, method);
  if (!parts) return undefined;
  const mutated = fc.tuple(parts, fc.array(genericPartArb(setup), { maxLength: 2 }), fc.nat(7), fc.nat()).map(([p, junk, mode, i]) => {
    if (mode === 0 && p.length > 0) return p.filter((_, k) => k !== i % p.length);
    if (mode === 1) return [...p, ...junk];
    if (mode === 2 && p.length > 0) return [...p, p[i % p.length]!];
    return p;
  });
  return formArb(mutated, profile);
}

/** A generic form: random field names and values. */
function genericFormArb(setup: FuzzSetup): fc.Arbitrary<BodyParts> {
  return formArb(fc.array(genericPartArb(setup), { maxLength: 10 }), 'hostile');
}

/** Raw urlencoded text: stray %, &, = and bytes that are not UTF-8. */
function rawUrlencodedArb(): fc.Arbitrary<BodyParts> {
  const body = fc.oneof(
    fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.oneof(fc.constantFrom('%', '%ZZ', '%E0%A4%A', '%C3%28', '%00', '%FF', '+', '=', '&&', ''), fc.uint8Array({ maxLength: 8 }).map(latin1))), { maxLength: 6 }).map((p) => p.map(([k, v]) => `${k}=${v}`).join('&')),
    fc.uint8Array({ maxLength: 200 }).map(latin1),
  );
  return fc.record({ contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'), body });
}

const CONTROL_KEYS = ['route', 'method', 'domain', 'webhook', 'preset', 'status', 'drop', 'message', 'body', 'headers', 'delayMs', 'times', 'probability', 'id', 'spec', 'ms', 'event', 'recipient',
  'url', 'severity', 'code', 'reason', 'description', 'outcome', 'tag', 'recoverAfter', '__proto__', 'constructor'];

function jsonArb(setup: FuzzSetup): fc.Arbitrary<BodyParts> {
  const scalar = fc.oneof(
    fc.constantFrom(-1, 0, 1, 0.5, 200, 404, 429, 500, 599, 600, 1e9, 1e308, 31_622_400_001, null, true, false),
    fc.constantFrom('webhooks.*', 'webhooks.create', 'messages.send', 'server-error', 'rate-limited', 'not-found', 'unauthorized', 'GET', 'POST', 'opened', 'clicked', 'failed', 'delivered',
      'permanent_fail', 'temporary_fail', 'unsubscribed', 'complained', 'permanent', 'temporary', '*@example.com', 'alice@example.com', 'samples.mailgun.org', '{{messageId}}', `${setup.hookBase}/j`,
      'status=503', 'drop', 'preset=server-error,route=webhooks.list', 'status=500,p=0.5', 'delay=5', ''),
    ascii(16),
  );
  const value = fc.oneof({ weight: 5, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.dictionary(ascii(6), scalar, { maxKeys: 3 }) });
  const object = fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...CONTROL_KEYS) }, { weight: 1, arbitrary: ascii(8) }), value, { maxKeys: 6 });
  const suppressionRecords = fc.array(fc.record({ address: fc.constantFrom('alice@example.com', 'x@y.z', 'bad', ''), code: fc.constantFrom('550', 550, 'x'), error: ascii(8), tag: fc.constantFrom('*', 'news'), created_at: fc.constantFrom('Thu, 13 Oct 2011 18:02:00 +0000', 'nope') }, { requiredKeys: ['address'] }), { maxLength: 4 });
  const text = fc.oneof(
    { weight: 4, arbitrary: object.map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.array(object, { maxLength: 3 }).map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: suppressionRecords.map((r) => JSON.stringify(r)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.tuple(object.map((o) => JSON.stringify(o)), fc.nat()).map(([s, n]) => s.slice(0, n % (s.length + 1))) },
    { weight: 1, arbitrary: fc.integer({ min: 30, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '"x"', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"a":1,"a":2}', '\ufeff{}', '{"ms":1e400}') },
  );
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=x-nope', 'application/vnd.api+json', 'APPLICATION/JSON', 'application/json;');
  return fc.record({ contentType, body: text.map((t) => Buffer.from(t, 'utf8').toString('latin1')) });
}

function otherBodyArb(): fc.Arbitrary<BodyParts> {
  const contentType = fc.option(
    fc.oneof(
      fc.constantFrom('text/plain', 'text/plain; charset=utf-8', 'application/octet-stream', 'garbage', ';;;', '', 'multipart/mixed; boundary=x', 'message/rfc822', '*/*', 'application/x-www-form-urlencoded, application/json', 'multipart/form-data; boundary=\u00e9\u00ff', 'multipart/form-data; boundary=abc; charset=x-nope', 'application/x-www-form-urlencoded; charset=\u00e9'),
      latin1Text(30),
    ),
    { nil: undefined },
  );
  return fc.record({ contentType, body: fc.oneof(fc.uint8Array({ maxLength: 300 }).map(latin1), ascii(100)) }, { requiredKeys: ['body'] });
}

function bodyArb(setup: FuzzSetup, route: string, method: string, profile: Profile): fc.Arbitrary<BodyParts> {
  const semantic = semanticBodyArb(setup, route, method, profile);
  const shape = fc.oneof(
    { weight: 4, arbitrary: fc.constant<BodyParts>({}) },
    ...(semantic ? [{ weight: profile === 'hostile' ? 12 : 60, arbitrary: semantic }] : []),
    { weight: 5, arbitrary: genericFormArb(setup) },
    { weight: 1, arbitrary: rawUrlencodedArb() },
    { weight: 3, arbitrary: jsonArb(setup) },
    { weight: 2, arbitrary: otherBodyArb() },
  );
  const encoding = fc.oneof(
    { weight: profile === 'hostile' ? 10 : 60, arbitrary: fc.constant<Pick<BodyParts, 'contentEncoding' | 'compress'>>({}) },
    { weight: 3, arbitrary: fc.constantFrom<'gzip' | 'deflate' | 'br'>('gzip', 'deflate', 'br').map((e) => ({ contentEncoding: e, compress: e })) },
    // Declared but not done, or done but not declared, or named oddly.
    { weight: 2, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'IDENTITY', 'x-squash', 'gzip, deflate', 'gzip, gzip', '').map((e) => ({ contentEncoding: e })) },
    { weight: 1, arbitrary: fc.constant<Pick<BodyParts, 'contentEncoding' | 'compress'>>({ compress: 'gzip' }) },
  );
  return fc.tuple(shape, encoding, fc.boolean(), fc.nat(20)).map(([s, e, chunked, n]) => {
    if (s.body === undefined) return s.contentType === undefined ? {} : { contentType: s.contentType };
    return { ...s, ...e, ...(chunked && n === 0 ? { chunked: true } : {}) };
  });
}

/** Long strings as their start, their length and what they are made of, so a counterexample stays readable. */
function shorten(s: string, max = 240): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max)}…(${s.length} chars in all, ending ${JSON.stringify(s.slice(-40))})`;
}

/** Gives a generated request a compact printout for fast-check's failure report (bodies and paths shortened). */
export function printable(req: FuzzRequest): FuzzRequest {
  Object.defineProperty(req, fc.toStringMethod, {
    enumerable: false,
    value: () => {
      const shown: Record<string, unknown> = { ...req, path: shorten(req.path) };
      if (req.body !== undefined) shown.body = shorten(req.body);
      shown.headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, shorten(v)]));
      return JSON.stringify(shown);
    },
  });
  return req;
}

/**
 * How hostile requests are: `hostile` mixes every kind of garbage into paths, headers and bodies;
 * `wellFormed` sends what an SDK would (a valid key, real names, near-valid fields) so that most
 * requests get deep into the handlers and change state.
 */
export type Profile = 'hostile' | 'wellFormed';

const VALID_AUTH = fc.constantFrom(...API_KEYS).map((k) => `Basic ${b64(`api:${k}`)}`);

/** A whole request against any route of `routes`. */
export function requestArb(setup: FuzzSetup, routes: RouteTemplate[] = setup.routes, profile: Profile = 'hostile'): fc.Arbitrary<FuzzRequest> {
  const hostile = profile === 'hostile';
  return routeArb(setup, routes, profile)
    .chain((where) =>
      fc.record({
        target: fc.oneof({ weight: 6, arbitrary: fc.constant<Target>('us') }, { weight: hostile ? 2 : 1, arbitrary: fc.constant<Target>('eu') }, { weight: hostile ? 2 : 1, arbitrary: fc.constant<Target>('perKey') }),
        where: fc.constant(where),
        query: hostile ? queryArb(setup) : fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryArb(setup) }),
        authorization: hostile ? authorizationArb() : VALID_AUTH,
        host: hostile ? hostArb() : fc.constant<{ host?: string; noHost?: boolean }>({}),
        extra: hostile ? extraHeadersArb() : fc.constant<Record<string, string>>({}),
        body: bodyArb(setup, where.route, where.method, profile),
      }),
    )
    .map(({ target, where, query, authorization, host, extra, body }) => {
      const headers: Record<string, string> = { ...extra };
      if (host.host !== undefined) headers.host = host.host;
      if (authorization !== undefined) headers.authorization = authorization;
      if (body.contentType !== undefined) headers['content-type'] = body.contentType;
      if (body.contentEncoding !== undefined) headers['content-encoding'] = body.contentEncoding;
      const req: FuzzRequest = { target, route: where.route, method: where.method, path: where.path + query, headers };
      if (body.body !== undefined) req.body = body.body;
      if (body.compress) req.compress = body.compress;
      if (body.chunked) req.chunked = true;
      if (host.noHost) req.noHost = true;
      return printable(req);
    });
}

/**
 * A request whose body is over the mock's body limit (`limit` bytes): a form body to a random API
 * route (the body parser refuses it before anything else), or a JSON batch to a suppressions list
 * (the one API route that reads JSON, with the same limit).
 */
export function oversizedRequestArb(setup: FuzzSetup, limit: number): fc.Arbitrary<FuzzRequest> {
  const auth = `Basic ${b64(`api:${API_KEYS[0]}`)}`;
  const form = fc
    .record({
      where: routeArb(setup, setup.routes.filter((r) => !r.control), 'hostile'),
      kind: fc.constantFrom('urlencoded', 'multipart'),
      size: fc.integer({ min: limit + 1, max: limit + 16 * 1024 }),
      authorization: fc.option(fc.constant(auth), { nil: undefined }),
      chunked: fc.boolean(),
    })
    .map(({ where, kind, size, authorization, chunked }) => {
      const headers: Record<string, string> = {};
      if (authorization) headers.authorization = authorization;
      let body: string;
      if (kind === 'urlencoded') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = `id=opened&url=${encodeURIComponent(`${setup.hookBase}/`)}${'a'.repeat(size)}`;
      } else {
        headers['content-type'] = 'multipart/form-data; boundary=big';
        body = `--big\r\nContent-Disposition: form-data; name="text"\r\n\r\n${'a'.repeat(size)}\r\n--big--\r\n`;
      }
      return printable({ target: 'us' as const, route: where.route, method: where.method, path: where.path, headers, body, ...(chunked ? { chunked: true } : {}) });
    });
  const json = fc
    .record({ list: fc.constantFrom('bounces', 'unsubscribes', 'complaints'), count: fc.integer({ min: Math.ceil(limit / 30), max: Math.ceil(limit / 20) }), chunked: fc.boolean() })
    .map(({ list, count, chunked }) => {
      const body = JSON.stringify(Array.from({ length: count }, (_, i) => ({ address: `user${i}@example.com` })));
      const req: FuzzRequest = { target: 'us', route: `/v3/:domain/${list}`, method: 'POST', path: `/v3/samples.mailgun.org/${list}`, headers: { authorization: auth, 'content-type': 'application/json' }, body };
      return printable(chunked ? { ...req, chunked: true } : req);
    });
  return fc.oneof({ weight: 3, arbitrary: form }, { weight: 1, arbitrary: json });
}

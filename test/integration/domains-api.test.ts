// The Domains API as Mailgun answers it (shapes recorded by mailgun-ruby against the real API in
// 2025): list, get, create, update, verify, delete and the tracking settings, on /v4 and /v3, in
// both regions (the Host header picks one), with every error row. The clock is frozen so dates
// and ids are exact.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createClock, type MailgunMock } from '../../src/index.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const FROZEN = Date.parse('2025-02-24T22:44:03Z');
const EU_HOST = 'api.eu.mailgun.net';
const EU_DOMAIN = 'eu.samples.mailgun.org';
const NEW = 'integration-test.domain.invalid';
const HTML_FOOTER = '\n<br>\n<p><a href="%unsubscribe_url%">unsubscribe</a></p>\n';
const TEXT_FOOTER = '\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n';

let mock: MailgunMock;

beforeAll(async () => {
  mock = await createTestMock({
    clock: createClock({ frozenAt: FROZEN }),
    fixtures: { domains: [{ name: DOMAIN, createdAt: '2013-10-25T00:00:00Z' }, { name: EU_DOMAIN, region: 'eu', createdAt: '2020-01-01T00:00:00Z' }] },
  });
});
afterEach(() => mock.reset());
afterAll(() => mock.stop());

type Method = 'get' | 'post' | 'put' | 'delete';

/** A Mailgun API call: authorised, urlencoded fields, the EU host when `eu`. */
function call(method: Method, path: string, fields?: Record<string, string>, eu = false): request.Test {
  const r = request(mock.app)[method](path).set('Authorization', basic());
  if (eu) r.set('Host', EU_HOST);
  return fields ? r.type('form').send(fields) : r;
}

/** The answer's JSON after checking it is compact JSON + `\n` with Mailgun's content type. */
function json(res: request.Response): any {
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.text).toBe(JSON.stringify(res.body) + '\n');
  return res.body;
}

/** The fixture domain exactly as `GET /v4/domains` lists it. */
const SAMPLES = {
  created_at: 'Fri, 25 Oct 2013 00:00:00 GMT',
  id: expect.stringMatching(/^5269b480[0-9a-f]{16}$/),
  is_disabled: false,
  name: DOMAIN,
  require_tls: false,
  skip_verification: false,
  smtp_login: `postmaster@${DOMAIN}`,
  spam_action: 'disabled',
  state: 'active',
  type: 'custom',
  use_automatic_sender_security: false,
  web_prefix: 'email',
  web_scheme: 'http',
  wildcard: false,
};

/** The DNS records of a domain (`valid` once verified; the DKIM record is active only then). */
function records(name: string, valid: 'valid' | 'unknown', region: 'us' | 'eu' = 'us', prefix = 'email') {
  const mx = region === 'us' ? 'mailgun.org' : 'eu.mailgun.org';
  return {
    receiving_dns_records: ['mxa', 'mxb'].map((h) => ({ is_active: true, cached: [], priority: '10', record_type: 'MX', valid, value: `${h}.${mx}` })),
    sending_dns_records: [
      { is_active: valid === 'valid', cached: [], name: `smtp._domainkey.${name}`, record_type: 'TXT', valid, value: expect.stringMatching(/^k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ[A-Za-z0-9+/]{172}IDAQAB$/) },
      { is_active: true, cached: [], name, record_type: 'TXT', valid, value: 'v=spf1 include:mailgun.org ~all' },
      { is_active: true, cached: [], name: `${prefix}.${name}`, record_type: 'CNAME', valid, value: mx },
    ],
  };
}

it('lists the region’s domains as {total_count, items} with Mailgun’s domain fields, on /v4 and /v3', async () => {
  for (const version of ['v4', 'v3']) {
    const res = await call('get', `/${version}/domains`);
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ total_count: 1, items: [SAMPLES] });
    expect(Object.keys(res.body)).toEqual(['total_count', 'items']);
  }
});

it('gets a domain with the DNS records to set, valid for a verified domain', async () => {
  const res = await call('get', `/v4/domains/${DOMAIN}`);
  expect(res.status).toBe(200);
  expect(json(res)).toEqual({ domain: SAMPLES, ...records(DOMAIN, 'valid') });
  expect(Object.keys(res.body)).toEqual(['domain', 'receiving_dns_records', 'sending_dns_records']);
  expect((await call('get', `/v3/domains/${DOMAIN}`)).body).toEqual(res.body);
});

it('leaves the records out with h:with_dns=false and adds dkim_host and mailfrom_host with h:extended=true', async () => {
  const res = await call('get', `/v4/domains/${DOMAIN}?h:with_dns=false&h:extended=true`);
  expect(json(res)).toEqual({ domain: { ...SAMPLES, dkim_host: DOMAIN, mailfrom_host: DOMAIN }, receiving_dns_records: null, sending_dns_records: null });
});

it('creates an unverified custom domain and answers its DNS records, keys in Mailgun’s order', async () => {
  const res = await call('post', '/v4/domains', { name: NEW, smtp_password: 'super_secret', spam_action: 'tag', wildcard: 'false' });
  expect(res.status).toBe(200);
  expect(json(res)).toEqual({
    message: 'Domain DNS records have been created',
    domain: { ...SAMPLES, created_at: 'Mon, 24 Feb 2025 22:44:03 GMT', id: expect.stringMatching(/^67bcf633[0-9a-f]{16}$/), name: NEW, smtp_login: `postmaster@${NEW}`, spam_action: 'tag', state: 'unverified' },
    ...records(NEW, 'unknown'),
  });
  expect(Object.keys(res.body)).toEqual(['message', 'domain', 'receiving_dns_records', 'sending_dns_records']);
  expect(Object.keys(res.body.domain)).toEqual(Object.keys(SAMPLES));
  expect(res.body.domain).not.toHaveProperty('smtp_password');
  expect(mock.store.state.domains.find((d) => d.name === NEW)).toMatchObject({ region: 'us', smtpPassword: 'super_secret', state: 'unverified' });
});

it('creates from a multipart body too, lower-cases the name and keeps web_scheme, web_prefix and wildcard', async () => {
  const res = await request(mock.app).post('/v3/domains').set('Authorization', basic())
    .field('name', 'Mail.Example.COM').field('web_scheme', 'https').field('web_prefix', 'track').field('wildcard', 'true');
  expect(res.status).toBe(200);
  expect(res.body.domain).toMatchObject({ name: 'mail.example.com', web_scheme: 'https', web_prefix: 'track', wildcard: true });
  expect(res.body.sending_dns_records[2]).toMatchObject({ name: 'track.mail.example.com', record_type: 'CNAME' });
});

it('lists a new domain first: with no sort, newest first', async () => {
  await call('post', '/v4/domains', { name: NEW });
  const res = await call('get', '/v4/domains');
  expect(res.body.total_count).toBe(2);
  expect(res.body.items.map((d: { name: string }) => d.name)).toEqual([NEW, DOMAIN]);
});

it('starts a new domain with tracking off and empty webhooks and suppression lists', async () => {
  await call('post', '/v4/domains', { name: NEW });
  const res = await call('get', `/v3/domains/${NEW}/tracking`);
  expect(res.status).toBe(200);
  expect(json(res)).toEqual({
    tracking: { open: { active: false, place_at_the_top: false }, click: { active: false }, unsubscribe: { active: false, html_footer: HTML_FOOTER, text_footer: TEXT_FOOTER }, web_scheme: 'http' },
  });
  expect(Object.keys(res.body.tracking)).toEqual(['open', 'click', 'unsubscribe', 'web_scheme']);
  expect((await call('get', `/v3/domains/${NEW}/webhooks`)).body).toEqual({ webhooks: {} });
  expect(mock.store.state.domains.find((d) => d.name === NEW)).toMatchObject({ bounces: [], unsubscribes: [], complaints: [], allowlist: [] });
});

it('answers a fixture domain’s tracking as on', async () => {
  const res = await call('get', `/v3/domains/${DOMAIN}/tracking`);
  expect(res.body.tracking).toMatchObject({ open: { active: true }, click: { active: true }, unsubscribe: { active: true } });
});

it('updates spam_action, web_scheme and wildcard and answers the domain with its records', async () => {
  await call('post', '/v4/domains', { name: NEW, spam_action: 'tag' });
  const res = await call('put', `/v4/domains/${NEW}`, { spam_action: 'block', web_scheme: 'https', wildcard: 'true' });
  expect(res.status).toBe(200);
  expect(json(res)).toMatchObject({ message: 'Domain has been updated', domain: { name: NEW, spam_action: 'block', web_scheme: 'https', wildcard: true, state: 'unverified' }, ...records(NEW, 'unknown') });
  expect(Object.keys(res.body)).toEqual(['message', 'domain', 'receiving_dns_records', 'sending_dns_records']);
  expect((await call('get', `/v3/domains/${NEW}/tracking`)).body.tracking.web_scheme).toBe('https');
});

it.each(['v4', 'v3'])('verify (%s) makes an unverified domain active and its records valid, without looking at DNS', async (version) => {
  await call('post', '/v4/domains', { name: NEW });
  const res = await call('put', `/${version}/domains/${NEW}/verify`);
  expect(res.status).toBe(200);
  expect(json(res)).toMatchObject({ message: 'Domain DNS records have been updated', domain: { name: NEW, state: 'active', is_disabled: false }, ...records(NEW, 'valid') });
  expect((await call('get', '/v4/domains?state=active')).body.items.map((d: { name: string }) => d.name)).toContain(NEW);
});

it('verify leaves a disabled domain disabled', async () => {
  await mock.store.mutate((s) => void (s.domains.find((d) => d.name === DOMAIN)!.state = 'disabled'));
  const res = await call('put', `/v4/domains/${DOMAIN}/verify`);
  expect(res.body.domain).toMatchObject({ state: 'disabled', is_disabled: true });
});

it('deletes a domain with its webhooks, suppressions, messages and events; the name can be created again, empty', async () => {
  await call('post', `/v3/domains/${DOMAIN}/webhooks`, { id: 'delivered', url: 'https://example.com/hook' });
  const sent = await call('post', `/v3/${DOMAIN}/messages`, { from: `me@${DOMAIN}`, to: 'alice@example.com', subject: 'Hi', text: 'Hello' });
  expect(sent.status).toBe(200);
  expect(mock.messages.list({ domain: DOMAIN })).toHaveLength(1);
  expect(mock.events.list({ domain: DOMAIN }).length).toBeGreaterThan(0);
  const res = await call('delete', `/v3/domains/${DOMAIN}`);
  expect(res.status).toBe(200);
  expect(json(res)).toEqual({ message: 'Domain will be deleted in the background' });
  expect((await call('get', `/v4/domains/${DOMAIN}`)).status).toBe(404);
  expect((await call('get', '/v4/domains')).body).toEqual({ total_count: 0, items: [] });
  expect(mock.messages.list({ domain: DOMAIN })).toEqual([]);
  expect(mock.events.list({ domain: DOMAIN })).toEqual([]);
  expect((await call('post', '/v4/domains', { name: DOMAIN })).status).toBe(200);
  expect((await call('get', `/v3/domains/${DOMAIN}/webhooks`)).body).toEqual({ webhooks: {} });
  expect((await call('get', `/v3/${DOMAIN}/events`)).body.items).toEqual([]);
});

it.each([
  ['open', { active: 'yes' }, { open: { active: true, place_at_the_top: false } }],
  ['open', { active: 'true', place_at_the_top: 'yes' }, { open: { active: true, place_at_the_top: true } }],
  ['open', { active: 'no' }, { open: { active: false, place_at_the_top: false } }],
  ['click', { active: 'yes' }, { click: { active: true } }],
  ['click', { active: 'htmlonly' }, { click: { active: 'htmlonly' } }],
  ['click', { active: 'false' }, { click: { active: false } }],
  ['unsubscribe', { active: 'true' }, { unsubscribe: { active: true, html_footer: HTML_FOOTER, text_footer: TEXT_FOOTER } }],
  ['unsubscribe', { active: 'true', html_footer: '<a href="%unsubscribe_url%">bye</a>', text_footer: 'bye: %unsubscribe_url%' }, { unsubscribe: { active: true, html_footer: '<a href="%unsubscribe_url%">bye</a>', text_footer: 'bye: %unsubscribe_url%' } }],
])('PUT tracking/%s %j answers %j', async (kind, fields, answer) => {
  await call('post', '/v4/domains', { name: NEW });
  const res = await call('put', `/v3/domains/${NEW}/tracking/${kind}`, fields);
  expect(res.status).toBe(200);
  expect(json(res)).toEqual({ message: 'Domain tracking settings have been updated', ...answer });
  const active = (Object.values(answer)[0] as { active: boolean | string }).active;
  expect((await call('get', `/v3/domains/${NEW}/tracking`)).body.tracking[kind].active).toBe(active !== false);
});

it('keeps a tracking setting when `active` is not given', async () => {
  const res = await call('put', `/v3/domains/${DOMAIN}/tracking/unsubscribe`, { text_footer: 'bye' });
  expect(res.body.unsubscribe).toMatchObject({ active: true, text_footer: 'bye' });
});

it.each([
  ['limit=1', [NEW]],
  ['limit=1&skip=1', [DOMAIN]],
  ['skip=5', []],
  ['state=unverified', [NEW]],
  ['state=active', [DOMAIN]],
  ['sort=name', [NEW, DOMAIN]],
  ['sort=name:desc', [DOMAIN, NEW]],
  ['sort=name:%20desc', [DOMAIN, NEW]],
  ['search=samples', [DOMAIN]],
  [`authority=${DOMAIN}`, [DOMAIN]],
  [`authority=${DOMAIN}&state=unverified`, [NEW]],
])('lists with %s', async (query, names) => {
  await call('post', '/v4/domains', { name: NEW });
  const res = await call('get', `/v4/domains?${query}`);
  expect(res.status).toBe(200);
  expect(res.body.items.map((d: { name: string }) => d.name)).toEqual(names);
  expect(res.body.total_count).toBe(/limit|skip/.test(query) ? 2 : names.length);
});

it('keeps each domain in its region: the EU host lists and serves only EU domains, with EU DNS hosts', async () => {
  expect((await call('get', '/v4/domains', undefined, true)).body.items.map((d: { name: string }) => d.name)).toEqual([EU_DOMAIN]);
  const eu = await call('get', `/v4/domains/${EU_DOMAIN}`, undefined, true);
  expect(eu.status).toBe(200);
  expect(eu.body).toEqual({ domain: expect.objectContaining({ name: EU_DOMAIN }), ...records(EU_DOMAIN, 'valid', 'eu') });
  expect(json(await call('get', `/v4/domains/${EU_DOMAIN}`))).toEqual({ message: 'Domain not found' });
  expect((await call('get', `/v4/domains/${DOMAIN}`, undefined, true)).status).toBe(404);
});

it('creates a domain through the EU host as an EU domain, and a name taken in one region is taken in both', async () => {
  const res = await call('post', '/v4/domains', { name: NEW }, true);
  expect(res.status).toBe(200);
  expect(res.body.receiving_dns_records[0].value).toBe('mxa.eu.mailgun.org');
  expect(mock.store.state.domains.find((d) => d.name === NEW)?.region).toBe('eu');
  expect((await call('get', '/v4/domains')).body.total_count).toBe(1);
  expect((await call('put', `/v3/domains/${NEW}/tracking/open`, { active: 'yes' })).status).toBe(404);
  const again = await call('post', '/v4/domains', { name: NEW });
  expect(again.status).toBe(400);
  expect(json(again)).toEqual({ message: 'This domain name is already taken' });
  expect((await call('delete', `/v3/domains/${NEW}`, undefined, true)).status).toBe(200);
});

const NOPE = 'nope.example.com';
const notFound = { message: 'Domain not found' };
const invalid = (field: string, value: string, allowed: string) => ({ message: `Invalid parameter '${field}': '${value}' is not one of ${allowed}` });

it.each<[string, Method, string, Record<string, string> | undefined, number, unknown]>([
  ['get of an unknown domain', 'get', `/v4/domains/${NOPE}`, undefined, 404, notFound],
  ['get (v3) of an unknown domain', 'get', `/v3/domains/${NOPE}`, undefined, 404, notFound],
  ['update of an unknown domain', 'put', `/v4/domains/${NOPE}`, { spam_action: 'tag' }, 404, notFound],
  ['verify of an unknown domain', 'put', `/v4/domains/${NOPE}/verify`, undefined, 404, notFound],
  ['delete of an unknown domain', 'delete', `/v3/domains/${NOPE}`, undefined, 404, notFound],
  ['tracking of an unknown domain', 'get', `/v3/domains/${NOPE}/tracking`, undefined, 404, notFound],
  ['tracking update of an unknown domain', 'put', `/v3/domains/${NOPE}/tracking/open`, { active: 'yes' }, 404, notFound],
  ['create without a name', 'post', '/v4/domains', { spam_action: 'tag' }, 400, { message: "Missing parameter 'name'" }],
  ['create with a blank name', 'post', '/v4/domains', { name: '  ' }, 400, { message: "Missing parameter 'name'" }],
  ['create with a name that is not a host name', 'post', '/v4/domains', { name: 'not a domain' }, 400, { message: "'not a domain' is not a valid domain name" }],
  ['create with a one-label name', 'post', '/v4/domains', { name: 'localhost' }, 400, { message: "'localhost' is not a valid domain name" }],
  ['create with a label starting with a hyphen', 'post', '/v4/domains', { name: '-a.example.com' }, 400, { message: "'-a.example.com' is not a valid domain name" }],
  ['create of a name that exists', 'post', '/v4/domains', { name: DOMAIN }, 400, { message: 'This domain name is already taken' }],
  ['create of a name that exists, in capitals', 'post', '/v3/domains', { name: DOMAIN.toUpperCase() }, 400, { message: 'This domain name is already taken' }],
  ['create with a bad spam_action', 'post', '/v4/domains', { name: NEW, spam_action: 'maybe' }, 400, invalid('spam_action', 'maybe', 'disabled, block, tag')],
  ['create with a bad wildcard', 'post', '/v4/domains', { name: NEW, wildcard: 'perhaps' }, 400, invalid('wildcard', 'perhaps', 'true, false')],
  ['create with a bad web_scheme', 'post', '/v4/domains', { name: NEW, web_scheme: 'ftp' }, 400, invalid('web_scheme', 'ftp', 'http, https')],
  ['create with a bad dkim_key_size', 'post', '/v4/domains', { name: NEW, dkim_key_size: '512' }, 400, invalid('dkim_key_size', '512', '1024, 2048')],
  ['create with a bad web_prefix', 'post', '/v4/domains', { name: NEW, web_prefix: 'a.b' }, 400, { message: "Invalid parameter 'web_prefix': 'a.b' is not a valid DNS label" }],
  ['update with a bad spam_action', 'put', `/v4/domains/${DOMAIN}`, { spam_action: 'maybe' }, 400, invalid('spam_action', 'maybe', 'disabled, block, tag')],
  ['list with limit 0', 'get', '/v4/domains?limit=0', undefined, 400, { message: "Invalid parameter 'limit': '0' is not a whole number from 1 to 1000" }],
  ['list with limit 1001', 'get', '/v4/domains?limit=1001', undefined, 400, { message: "Invalid parameter 'limit': '1001' is not a whole number from 1 to 1000" }],
  ['list with a negative skip', 'get', '/v4/domains?skip=-1', undefined, 400, { message: `Invalid parameter 'skip': '-1' is not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}` }],
  ['list with an unknown state', 'get', '/v4/domains?state=gone', undefined, 400, invalid('state', 'gone', 'active, unverified, disabled')],
  ['list with an unknown sort', 'get', '/v4/domains?sort=age', undefined, 400, invalid('sort', 'age', 'name, name:asc, name:desc')],
  ['open tracking with a bad active', 'put', `/v3/domains/${DOMAIN}/tracking/open`, { active: 'maybe' }, 400, invalid('active', 'maybe', 'yes, no, true, false')],
  ['open tracking with htmlonly', 'put', `/v3/domains/${DOMAIN}/tracking/open`, { active: 'htmlonly' }, 400, invalid('active', 'htmlonly', 'yes, no, true, false')],
  ['click tracking with a bad active', 'put', `/v3/domains/${DOMAIN}/tracking/click`, { active: 'maybe' }, 400, invalid('active', 'maybe', 'yes, no, true, false, htmlonly')],
])('%s: %s %s → %i', async (_case, method, path, fields, status, body) => {
  const before = JSON.stringify(mock.store.state.domains);
  const res = await call(method, path, fields);
  expect(res.status).toBe(status);
  expect(json(res)).toEqual(body);
  expect(JSON.stringify(mock.store.state.domains)).toBe(before);
});

it.each([
  ['an unknown tracking kind', 'put', `/v3/domains/${DOMAIN}/tracking/bounce`],
  ['update on /v3', 'put', `/v3/domains/${DOMAIN}`],
  ['delete on /v4', 'delete', `/v4/domains/${DOMAIN}`],
] as const)('%s is an unknown route: 404 page not found', async (_case, method, path) => {
  const res = await call(method, path);
  expect(res.status).toBe(404);
  expect(res.text).toBe('404 page not found\n');
});

it('reads prototype-named fields and query parameters as plain data', async () => {
  const res = await request(mock.app).post('/v4/domains').set('Authorization', basic()).type('form').send(`__proto__=x&constructor=y&name=${NEW}`);
  expect(res.status).toBe(200);
  expect((await call('get', '/v4/domains?__proto__=1&toString=2&hasOwnProperty=3')).body.total_count).toBe(2);
});

it('asks for authorization like every Mailgun route', async () => {
  const res = await request(mock.app).get('/v4/domains');
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ message: 'Need authorization header' });
});

it('a domain created through the API sends only once verified', async () => {
  const name = 'fresh.example.com';
  expect((await call('post', '/v4/domains', { name })).status).toBe(200);
  const refused = await call('post', `/v3/${name}/messages`, { from: `a@${name}`, to: 'b@example.com', subject: 'Hi', text: 'x' });
  expect(refused.status).toBe(403);
  expect(refused.body).toEqual({ message: `Domain ${name} is not allowed to send: The domain is unverified and requires DNS configuration. Log in to your control panel to view required DNS records.` });
  expect((await call('put', `/v4/domains/${name}/verify`)).status).toBe(200);
  const sent = await call('post', `/v3/${name}/messages`, { from: `a@${name}`, to: 'b@example.com', subject: 'Hi', text: 'x' });
  expect(sent.status).toBe(200);
  expect(sent.body.message).toBe('Queued. Thank you.');
});

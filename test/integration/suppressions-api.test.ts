// The Suppressions API as Mailgun answers it: bounces, unsubscribes, complaints and the allowlist
// (`whitelists`) — list with paging (links in the form recorded from Mailgun), get, add one (form)
// or a batch (JSON), remove, clear — every error row, hostile bodies, regions, and the lists
// driving sends (605/606/607). The clock is frozen so `created_at` is exact.
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClock, type MailgunMock } from '../../src/index.js';
import { isAllowlisted } from '../../src/services/suppressions.js';
import type { DomainRecord } from '../../src/store/types.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const EU_DOMAIN = 'eu.example.com';
const EU_HOST = 'api.eu.mailgun.net';
const NOW = Date.parse('2026-01-02T03:04:05Z');
const NOW_WIRE = 'Fri, 02 Jan 2026 03:04:05 UTC';
const TYPES = ['bounces', 'unsubscribes', 'complaints', 'whitelists'] as const;

let mock: MailgunMock;
const api = () => request(mock.app);
const auth = { Authorization: basic() };

beforeAll(async () => {
  mock = await createTestMock({ clock: createClock({ frozenAt: NOW }), fixtures: { domains: [{ name: DOMAIN }, { name: EU_DOMAIN, region: 'eu' }] } });
});
afterAll(() => mock.stop());
afterEach(() => mock.reset());

const path = (type: string, rest = '', domain = DOMAIN) => `/v3/${domain}/${type}${rest}`;
const get = (url: string) => api().get(url).set(auth);
const del = (url: string) => api().delete(url).set(auth);
const postForm = (url: string, fields: Record<string, string>) => api().post(url).set(auth).type('form').send(fields);
const postJson = (url: string, body: string) => api().post(url).set(auth).set('Content-Type', 'application/json').send(body);

/** A JSON answer as Mailgun writes it: compact, one newline, its content type. */
function expectJson(res: request.Response, status: number, body: unknown): void {
  expect({ status: res.status, text: res.text }).toEqual({ status, text: JSON.stringify(body) + '\n' });
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
}

describe('adding, reading and removing one record of each list', () => {
  const cases: Array<{ type: string; fields: Record<string, string>; added: object; item: object; removed: object; missing: string; cleared: string }> = [
    {
      type: 'bounces',
      fields: { address: 'Bob@Example.com', code: '554', error: 'Mailbox gone', created_at: 'Thu, 13 Oct 2011 18:02:00 UTC' },
      added: { message: 'Address has been added to the bounces table', address: 'bob@example.com' },
      item: { address: 'bob@example.com', code: '554', error: 'Mailbox gone', created_at: 'Thu, 13 Oct 2011 18:02:00 UTC' },
      removed: { address: 'bob@example.com', message: 'Bounced address has been removed' },
      missing: 'Address not found in bounces table',
      cleared: 'Bounced addresses for this domain have been removed',
    },
    {
      type: 'unsubscribes',
      fields: { address: 'bob@example.com', tag: 'newsletter' },
      added: { address: 'bob@example.com', message: 'Address has been added to the unsubscribes table' },
      item: { address: 'bob@example.com', tags: ['newsletter'], created_at: NOW_WIRE },
      removed: { address: 'bob@example.com', message: 'Unsubscribe event has been removed' },
      missing: 'Address not found in unsubscribers table',
      cleared: 'Unsubscribe addresses for this domain have been removed',
    },
    {
      type: 'complaints',
      fields: { address: 'bob@example.com', created_at: 'Fri, 21 Oct 2011 11:02:55 -0000' },
      added: { address: 'bob@example.com', message: 'Address has been added to the complaints table' },
      item: { address: 'bob@example.com', created_at: 'Fri, 21 Oct 2011 11:02:55 UTC' },
      removed: { address: 'bob@example.com', message: 'Spam complaint has been removed' },
      missing: 'No spam complaints found for this address',
      cleared: 'Complaint addresses for this domain have been removed',
    },
    {
      type: 'whitelists',
      fields: { domain: 'Example.com', reason: 'our test inboxes' },
      added: { message: 'Address/Domain has been added to the allowlists table', type: 'domain', value: 'example.com' },
      item: { type: 'domain', value: 'example.com', createdAt: NOW_WIRE, reason: 'our test inboxes' },
      removed: { message: 'Allowlist address/domain has been removed', value: 'example.com' },
      missing: 'Address/Domain not found in allowlist table',
      cleared: 'Allowlist addresses/domains for this domain have been removed',
    },
  ];

  it.each(cases)('$type: add answers Mailgun’s text, get and list show the record, delete removes it', async (c) => {
    const key = c.type === 'whitelists' ? 'example.com' : 'bob@example.com';
    expectJson(await postForm(path(c.type), c.fields), 200, c.added);
    expectJson(await get(path(c.type, `/${encodeURIComponent(key.toUpperCase())}`)), 200, c.item);
    const list = await get(path(c.type));
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([c.item]);
    expectJson(await del(path(c.type, `/${encodeURIComponent(key)}`)), 200, c.removed);
    expectJson(await get(path(c.type, `/${encodeURIComponent(key)}`)), 404, { message: c.missing });
    expectJson(await del(path(c.type, `/${encodeURIComponent(key)}`)), 404, { message: c.missing });
  });

  it.each(cases)('$type: clearing the list empties it', async (c) => {
    await postForm(path(c.type), c.fields);
    expectJson(await del(path(c.type)), 200, { message: c.cleared });
    expect((await get(path(c.type))).body.items).toEqual([]);
  });

  it('the allowlist takes an address too, and address wins over domain', async () => {
    expectJson(await postForm(path('whitelists'), { address: 'Alice@Example.org', domain: 'example.net' }), 200, {
      message: 'Address/Domain has been added to the allowlists table',
      type: 'address',
      value: 'alice@example.org',
    });
    expectJson(await get(path('whitelists', '/alice@example.org')), 200, { type: 'address', value: 'alice@example.org', createdAt: NOW_WIRE, reason: '' });
  });

  it('a multipart form is read like a urlencoded one (mailgun.js sends multipart)', async () => {
    const res = await api().post(path('bounces')).set(auth).field('address', 'multi@example.com').field('code', '550');
    expectJson(res, 200, { message: 'Address has been added to the bounces table', address: 'multi@example.com' });
  });

  it('a bounce without code, error or created_at gets 550, an empty error and now', async () => {
    await postForm(path('bounces'), { address: 'plain@example.com' });
    expectJson(await get(path('bounces', '/plain@example.com')), 200, { address: 'plain@example.com', code: '550', error: '', created_at: NOW_WIRE });
  });

  it('adding a listed address again replaces its bounce record', async () => {
    await postForm(path('bounces'), { address: 'again@example.com', code: '550', error: 'first' });
    await postForm(path('bounces'), { address: 'again@example.com', code: '552', error: 'second' });
    const res = await get(path('bounces'));
    expect(res.body.items).toEqual([{ address: 'again@example.com', code: '552', error: 'second', created_at: NOW_WIRE }]);
  });
});

describe('unsubscribes and their tags', () => {
  it('an unsubscribe without a tag is from everything (*)', async () => {
    await postForm(path('unsubscribes'), { address: 'all@example.com' });
    expect((await get(path('unsubscribes', '/all@example.com'))).body.tags).toEqual(['*']);
  });

  it('a second tag for the same address is added to its tags', async () => {
    await postForm(path('unsubscribes'), { address: 'tags@example.com', tag: 'news' });
    await postForm(path('unsubscribes'), { address: 'tags@example.com', tag: 'promo' });
    expect((await get(path('unsubscribes', '/tags@example.com'))).body.tags).toEqual(['news', 'promo']);
  });

  it('DELETE with ?tag= removes that tag alone, and the record with its last tag', async () => {
    await postJson(path('unsubscribes'), JSON.stringify([{ address: 'tags@example.com', tags: ['news', 'promo'] }]));
    expectJson(await del(path('unsubscribes', '/tags@example.com?tag=news')), 200, { address: 'tags@example.com', message: 'Unsubscribe event has been removed' });
    expect((await get(path('unsubscribes', '/tags@example.com'))).body.tags).toEqual(['promo']);
    expectJson(await del(path('unsubscribes', '/tags@example.com?tag=news')), 404, { message: 'Unsubscribe event for this tag does not exist' });
    await del(path('unsubscribes', '/tags@example.com?tag=promo'));
    expect((await get(path('unsubscribes', '/tags@example.com'))).status).toBe(404);
  });

  it('the tag to remove may come as a form field, as the Java SDK sends it', async () => {
    await postJson(path('unsubscribes'), JSON.stringify([{ address: 'java@example.com', tags: ['a', 'b'] }]));
    expect((await del(path('unsubscribes', '/java@example.com')).field('tag', 'a')).status).toBe(200);
    expect((await get(path('unsubscribes', '/java@example.com'))).body.tags).toEqual(['b']);
  });
});

describe('route ids', () => {
  it.each([
    ['suppressions.list', () => get(path('bounces'))],
    ['suppressions.get', () => get(path('complaints', '/a@example.com'))],
    ['suppressions.create', () => postForm(path('unsubscribes'), { address: 'a@example.com' })],
    ['suppressions.delete', () => del(path('whitelists', '/example.com'))],
    ['suppressions.clear', () => del(path('bounces'))],
  ])('%s can be forced to fail', async (route, call) => {
    mock.faults.add({ route, status: 503, message: 'forced' });
    expectJson(await call(), 503, { message: 'forced' });
  });
});

describe('batches (a JSON array)', () => {
  it.each([
    ['bounces', '4 addresses have been added to the bounces table'],
    ['unsubscribes', '4 addresses have been added to the unsubscribes table'],
    ['complaints', '4 complaint addresses have been added to the complaints table'],
  ])('%s: four records answer "%s"', async (type, message) => {
    const body = ['d@example.com', 'c@example.com', 'b@example.com', 'a@example.com'].map((address) => ({ address, code: 500, error: 'batch', tag: 'x' }));
    expectJson(await postJson(path(type), JSON.stringify(body)), 200, { message });
    expect((await get(path(type))).body.items.map((i: { address: string }) => i.address)).toEqual(['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']);
  });

  it('batch fields have the single add’s defaults; a numeric code is kept as a string', async () => {
    const body = [{ address: 'x@example.com', code: 421, created_at: 'Thu, 13 Oct 2011 18:02:00 UTC' }, { address: 'y@example.com' }];
    await postJson(path('bounces'), JSON.stringify(body));
    expect((await get(path('bounces'))).body.items).toEqual([
      { address: 'x@example.com', code: '421', error: '', created_at: 'Thu, 13 Oct 2011 18:02:00 UTC' },
      { address: 'y@example.com', code: '550', error: '', created_at: NOW_WIRE },
    ]);
  });

  it('unsubscribe batches take `tags` (an array) or `tag`', async () => {
    await postJson(path('unsubscribes'), JSON.stringify([{ address: 'a@example.com', tags: ['one', 'two'] }, { address: 'b@example.com', tag: 'three' }, { address: 'c@example.com' }]));
    expect((await get(path('unsubscribes'))).body.items.map((i: { tags: string[] }) => i.tags)).toEqual([['one', 'two'], ['three'], ['*']]);
  });

  it('a batch of 1000 is accepted, 1001 is refused and stores nothing', async () => {
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ address: `user${i}@example.com` })));
    expectJson(await postJson(path('bounces'), batch(1000)), 200, { message: '1000 addresses have been added to the bounces table' });
    await del(path('bounces'));
    expectJson(await postJson(path('bounces'), batch(1001)), 400, { message: 'Batch size should be less than 1000' });
    expect((await get(path('bounces'))).body.items).toEqual([]);
  });

  it('one bad record refuses the whole batch', async () => {
    const res = await postJson(path('complaints'), JSON.stringify([{ address: 'fine@example.com' }, { address: 'not an address' }]));
    expectJson(res, 400, { message: 'Invalid format for parameter address: not an address' });
    expect((await get(path('complaints'))).body.items).toEqual([]);
  });

  it('the allowlist takes no JSON batch: its fields are missing', async () => {
    expectJson(await postJson(path('whitelists'), JSON.stringify([{ address: 'a@example.com' }])), 400, { message: 'Missing mandatory parameter: address/domain' });
  });
});

describe('paging', () => {
  const seed = (n: number) => postJson(path('bounces'), JSON.stringify(Array.from({ length: n }, (_, i) => ({ address: `u${String(i).padStart(2, '0')}@example.com` }))));
  const addresses = (res: request.Response) => res.body.items.map((i: { address: string }) => i.address);
  /** The path and query of an absolute paging link. */
  const rel = (url: string) => url.replace(/^http:\/\/[^/]+/, '');

  it('links are absolute, built from the request, in the query form Mailgun uses', async () => {
    await seed(5);
    // Any name the mock accepts (see --allowed-hosts): *.localhost always is.
    const res = await get(path('bounces', '?limit=2')).set('Host', 'mock.localhost:8465');
    expect(res.body.paging).toEqual({
      first: `http://mock.localhost:8465/v3/${DOMAIN}/bounces?limit=2&term=`,
      last: `http://mock.localhost:8465/v3/${DOMAIN}/bounces?page=last&limit=2&term=`,
      next: `http://mock.localhost:8465/v3/${DOMAIN}/bounces?page=next&address=u01%40example.com&limit=2&term=`,
      previous: `http://mock.localhost:8465/v3/${DOMAIN}/bounces?page=previous&address=u00%40example.com&limit=2&term=`,
    });
    expect(Object.keys(res.body.paging)).toEqual(['first', 'last', 'next', 'previous']);
  });

  it('following next walks the list in alphabetical order; previous walks back from the divider it carries', async () => {
    await seed(5);
    let res = await get(path('bounces', '?limit=2'));
    const seen: string[][] = [addresses(res)];
    for (;;) {
      res = await get(rel(res.body.paging.next));
      if (res.body.items.length === 0) break;
      seen.push(addresses(res));
    }
    expect(seen).toEqual([['u00@example.com', 'u01@example.com'], ['u02@example.com', 'u03@example.com'], ['u04@example.com']]);
    // The empty page past the end leads back to the last page (nothing skipped), then back page by page.
    expect(res.body.paging.previous).toMatch(/page=last&/);
    res = await get(rel(res.body.paging.previous));
    expect(addresses(res)).toEqual(['u03@example.com', 'u04@example.com']);
    res = await get(rel(res.body.paging.previous));
    expect(addresses(res)).toEqual(['u01@example.com', 'u02@example.com']);
    res = await get(rel(res.body.paging.previous));
    expect(addresses(res)).toEqual(['u00@example.com']);
    res = await get(rel(res.body.paging.previous));
    expect(addresses(res)).toEqual([]);
  });

  it('page=last is the final page; the default limit is 100, and above 1000 reads as 1000', async () => {
    await seed(5);
    expect(addresses(await get(path('bounces', '?page=last&limit=2')))).toEqual(['u03@example.com', 'u04@example.com']);
    expect((await get(path('bounces'))).body.paging.first).toMatch(/\?limit=100&term=$/);
    expect((await get(path('bounces', '?limit=5000'))).body.paging.first).toMatch(/\?limit=1000&term=$/);
  });

  it('term keeps addresses that start with it', async () => {
    await postJson(path('bounces'), JSON.stringify([{ address: 'alice@example.com' }, { address: 'bob@example.com' }, { address: 'alan@example.com' }]));
    const res = await get(path('bounces', '?term=AL'));
    expect(addresses(res)).toEqual(['alan@example.com', 'alice@example.com']);
    expect(res.body.paging.next).toMatch(/&term=al$/);
  });

  it('an empty list still has all four links', async () => {
    const res = await get(path('complaints'));
    expect(res.body.items).toEqual([]);
    expect(res.body.paging.next).toBe(`${res.body.paging.first.replace(/\?.*$/, '')}?page=next&address=&limit=100&term=`);
  });
});

describe('errors', () => {
  it.each([
    ['bounces without address', 'bounces', {}, 'Missing mandatory parameter: address'],
    ['unsubscribes without address', 'unsubscribes', { tag: 'x' }, 'Missing mandatory parameter: address'],
    ['an invalid address', 'complaints', { address: 'nobody' }, 'Invalid format for parameter address: nobody'],
    ['an address without a domain', 'bounces', { address: 'nobody@' }, 'Invalid format for parameter address: nobody@'],
    ['a created_at that is not RFC 2822', 'bounces', { address: 'a@example.com', created_at: '2026-01-01' }, 'Invalid format for parameter created_at: 2026-01-01'],
    ['the allowlist without address or domain', 'whitelists', { reason: 'x' }, 'Missing mandatory parameter: address/domain'],
    ['the allowlist with an invalid domain', 'whitelists', { domain: 'not a domain' }, 'Invalid format for parameter domain: not a domain'],
  ])('%s: 400', async (_name, type, fields, message) => {
    expectJson(await postForm(path(type), fields as Record<string, string>), 400, { message });
  });

  it.each([
    ['limit=abc', 'Invalid format for parameter limit: abc'],
    ['limit=-1', 'Invalid format for parameter limit: -1'],
    ['page=sideways', 'Invalid format for parameter page: sideways'],
  ])('listing with %s: 400', async (query, message) => {
    expectJson(await get(path('bounces', `?${query}`)), 400, { message });
  });

  it.each([
    ['malformed JSON', '[{"address":', 'Malformed request body'],
    ['a JSON string', '"a@example.com"', 'Malformed request body'],
    ['a record that is not an object', '["a@example.com"]', 'Invalid JSON: every record must be an object'],
    ['an address that is not a string', '[{"address":42}]', 'Invalid format for parameter address: 42'],
    ['tags that are not an array', '[{"address":"a@example.com","tags":"x"}]', 'Invalid format for parameter tags: x'],
    ['an empty JSON body', '', 'Missing mandatory parameter: address'],
    ['a __proto__ record', '[{"__proto__":{"address":"a@example.com"}}]', 'Missing mandatory parameter: address'],
  ])('a batch with %s: 400, never a 500', async (_name, body, message) => {
    expectJson(await postJson(path('unsubscribes'), body), 400, { message });
  });

  it('a huge value is not echoed whole in the error', async () => {
    const res = await postForm(path('bounces'), { address: 'x'.repeat(100_000) });
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(400);
  });

  it.each(TYPES)('%s on an unknown domain: 404 Domain not found', async (type) => {
    expectJson(await get(path(type, '', 'nope.example.com')), 404, { message: 'Domain not found' });
    expectJson(await postForm(path(type, '', 'nope.example.com'), { address: 'a@example.com' }), 404, { message: 'Domain not found' });
  });

  it('a domain of the other region is not found; its own region serves it', async () => {
    expectJson(await get(path('bounces', '', EU_DOMAIN)), 404, { message: 'Domain not found' });
    const eu = await get(path('bounces', '', EU_DOMAIN)).set('Host', EU_HOST);
    expect(eu.status).toBe(200);
    expect(eu.body.paging.first).toBe(`http://${EU_HOST}/v3/${EU_DOMAIN}/bounces?limit=100&term=`);
  });

  it('an unknown list type is the plain 404 page; messages and events routes are untouched', async () => {
    const res = await get(path('blocklists'));
    expect({ status: res.status, text: res.text }).toEqual({ status: 404, text: '404 page not found\n' });
    expect((await get(`/v3/${DOMAIN}/events`)).status).toBe(200);
  });

  it('no Authorization header: 401', async () => {
    expect((await api().get(path('bounces'))).status).toBe(401);
  });
});

describe('the lists drive sends', () => {
  const send = (to: string, tag?: string) =>
    api()
      .post(`/v3/${DOMAIN}/messages`)
      .set(auth)
      .type('form')
      .send({ from: 'me@samples.mailgun.org', to, subject: 'Hi', text: 'Hi', ...(tag ? { 'o:tag': tag } : {}) });
  const outcome = (to: string) => mock.events.list({ recipient: to }).find((e) => e.event !== 'accepted');

  it.each([
    ['bounces', 605, 'suppress-bounce'],
    ['unsubscribes', 606, 'suppress-unsubscribe'],
    ['complaints', 607, 'suppress-complaint'],
  ])('an address added to %s fails with %s; removed, it is delivered', async (type, code, reason) => {
    await postForm(path(type), { address: 'listed@example.com' });
    expect((await send('listed@example.com')).status).toBe(200);
    expect(outcome('listed@example.com')).toMatchObject({ event: 'failed', severity: 'permanent', reason, 'delivery-status': { code } });
    expect((await del(path(type, '/listed@example.com'))).status).toBe(200);
    await send('listed@example.com');
    const outcomes = mock.events.list({ recipient: 'listed@example.com' }).filter((e) => e.event !== 'accepted');
    expect(outcomes.map((e) => e.event)).toEqual(['failed', 'delivered']);
  });

  it('an unsubscribe from one tag fails only messages with that tag', async () => {
    await postForm(path('unsubscribes'), { address: 'tagged@example.com', tag: 'news' });
    await send('tagged@example.com', 'other');
    expect(outcome('tagged@example.com')).toMatchObject({ event: 'delivered' });
    await mock.reset();
    await postForm(path('unsubscribes'), { address: 'tagged@example.com', tag: 'news' });
    await send('tagged@example.com', 'news');
    expect(outcome('tagged@example.com')).toMatchObject({ event: 'failed', 'delivery-status': { code: 606 } });
  });
});

describe('isAllowlisted', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const address = (value: string) => ({ value, type: 'address' as const, reason: '', createdAt: at });
  const domainEntry = (value: string) => ({ value, type: 'domain' as const, reason: '', createdAt: at });
  it.each([
    ['an allowlisted address, any case', 'A@X.com', true, [address('a@x.com')]],
    ['another address', 'b@x.com', false, [address('a@x.com')]],
    ['an address of an allowlisted domain', 'anyone@X.COM', true, [domainEntry('x.com')]],
    ['an address of its subdomain', 'anyone@mail.x.com', false, [domainEntry('x.com')]],
    ['an empty allowlist', 'a@x.com', false, []],
  ])('%s (%s): %s', (_name, recipient, expected, allowlist) => {
    expect(isAllowlisted({ allowlist } as unknown as DomainRecord, recipient)).toBe(expected);
  });
});

describe('the allowlist and automatic bounces', () => {
  it('keeps an allowlisted address off the bounces list when a send to it bounces, the failed event still recorded', async () => {
    const m = await createTestMock({ fixtures: { domains: [{ name: 'allow.example.com', allowlist: [{ value: 'keep@example.com' }, { value: 'trusted.example.org' }] }] } });
    m.outcomes.add({ outcome: 'permanent_fail' });
    for (const to of ['keep@example.com', 'x@trusted.example.org', 'gone@example.com']) {
      const res = await request(m.app).post('/v3/allow.example.com/messages').set('Authorization', basic()).type('form').send({ from: 'a@allow.example.com', to, subject: 'Hi', text: 'x' });
      expect(res.status).toBe(200);
    }
    expect(m.events.list({ event: 'failed' }).map((e) => e.recipient)).toEqual(['keep@example.com', 'x@trusted.example.org', 'gone@example.com']);
    expect(m.store.state.domains[0]!.bounces.map((b) => b.address)).toEqual(['gone@example.com']);
    await m.stop();
  });
});

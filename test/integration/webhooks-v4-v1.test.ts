// The v4 domain webhooks (one URL, many event types) and the v1 account-level webhooks, as Mailgun
// answers them (reference §2.4, §2.5, §3, §4): every endpoint, every error row, both the repeated
// and the comma-joined list forms the SDKs send, the US/EU split, and v4 writes read back via v3.
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClock, type MailgunMock } from '../../src/index.js';
import { basic, createTestMock } from '../helpers.js';

const US = 'us.example.com';
const US2 = 'us-two.example.com';
const EU = 'eu.example.com';
const EU_HOST = 'api.eu.mailgun.net';
const FROZEN = Date.parse('2026-02-16T19:06:01.250Z');
const A = 'https://a.example.com/hooks';
const B = 'https://b.example.com/hooks';
const C = 'https://c.example.com/hooks';
const D = 'https://d.example.com/hooks';

let mock: MailgunMock;
beforeAll(async () => {
  mock = await createTestMock({
    clock: createClock({ frozenAt: FROZEN }),
    fixtures: {
      domains: [
        { name: US, webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C] } } },
        { name: US2 },
        { name: EU, region: 'eu' },
      ],
    },
  });
});
afterEach(() => mock.reset());

/** A urlencoded body with repeated names. */
function form(fields: FieldList): string {
  return new URLSearchParams(fields.map(([n, v]): [string, string] => [n, v])).toString();
}

/** A multipart body built by hand, one part per value (repeated names repeated). */
function multipart(boundary: string, fields: Array<[string, string]>): string {
  return fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
}

type Method = 'get' | 'post' | 'put' | 'delete';
type FieldList = ReadonlyArray<readonly [string, string]>;

/** An authenticated request, urlencoded fields when given, to the US host unless `host` says otherwise. */
function call(method: Method, path: string, fields?: FieldList, host?: string) {
  let r = request(mock.app)[method](path).set('Authorization', basic());
  if (host) r = r.set('Host', host);
  if (fields) r = r.type('form').send(form(fields));
  return r;
}

const v4 = (domain = US) => `/v4/domains/${domain}/webhooks`;
const v3List = (domain = US, host?: string) => call('get', `/v3/domains/${domain}/webhooks`, undefined, host);

/** Exactly Mailgun's JSON: compact, one newline, its content type. */
function expectJson(res: request.Response, status: number, body: unknown): void {
  expect({ status: res.status, text: res.text }).toEqual({ status, text: JSON.stringify(body) + '\n' });
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
}

/** Creates an account webhook; answers its id. */
async function createAccountHook(url: string, types: string[], host?: string, description?: string): Promise<string> {
  const fields: Array<[string, string]> = [['url', url], ...types.map((t): [string, string] => ['event_types', t])];
  if (description !== undefined) fields.push(['description', description]);
  const res = await call('post', '/v1/webhooks', fields, host);
  expect(res.status).toBe(200);
  return (res.body as { webhook_id: string }).webhook_id;
}

const listAccount = async (host?: string, query = '') => (await call('get', `/v1/webhooks${query}`, undefined, host)).body as { webhooks: Array<Record<string, unknown>> };

// ---------------------------------------------------------------------------------------------

describe('v4 POST /v4/domains/{domain}/webhooks', () => {
  it('adds one URL to each repeated event_types value and answers the whole map in the v3 list shape', async () => {
    const res = await call('post', v4(), [['url', A], ['event_types', 'delivered'], ['event_types', 'opened'], ['event_types', 'clicked']]);
    expectJson(res, 200, { webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C, A] }, delivered: { urls: [A] }, opened: { urls: [A] } } });
  });

  it('reads comma-joined event_types (the Python SDK) the same as repeated ones', async () => {
    const joined = await call('post', v4(US2), [['url', A], ['event_types', 'clicked,opened,delivered']]);
    expectJson(joined, 200, { webhooks: { clicked: { urls: [A] }, opened: { urls: [A] }, delivered: { urls: [A] } } });
  });

  it('accepts both forms mixed, multipart bodies, and a name sent twice as one association', async () => {
    const res = await request(mock.app)
      .post(v4(US2))
      .set('Authorization', basic())
      .set('Content-Type', 'multipart/form-data; boundary="xyz"')
      .send(multipart('xyz', [['url', A], ['event_types', 'accepted, temporary_fail'], ['event_types', 'accepted']]));
    expectJson(res, 200, { webhooks: { accepted: { urls: [A] }, temporary_fail: { urls: [A] } } });
  });

  it('is visible through the v3 list and get: v4 and v3 share the same webhooks', async () => {
    await call('post', v4(), [['url', A], ['event_types', 'delivered,clicked']]).expect(200);
    expectJson(await v3List(), 200, { webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C, A] }, delivered: { urls: [A] } } });
    expectJson(await call('get', `/v3/domains/${US}/webhooks/delivered`), 200, { webhook: { urls: [A] } });
  });

  it('a name set through v4 can be updated and deleted through v3', async () => {
    await call('post', v4(US2), [['url', A], ['event_types', 'delivered']]).expect(200);
    await call('put', `/v3/domains/${US2}/webhooks/delivered`, [['url', B]]).expect(200);
    await call('delete', `/v3/domains/${US2}/webhooks/delivered`).expect(200);
    expectJson(await v3List(US2), 200, { webhooks: {} });
  });

  it('posting a URL a name already has changes nothing', async () => {
    await call('post', v4(), [['url', C], ['event_types', 'clicked']]).expect(200);
    expectJson(await v3List(), 200, { webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C] } } });
  });

  it('the third URL of a name fits; a fourth is refused and nothing of that request is kept', async () => {
    await call('post', v4(), [['url', A], ['event_types', 'clicked']]).expect(200);
    await call('post', v4(), [['url', B], ['event_types', 'clicked']]).expect(200);
    const res = await call('post', v4(), [['url', D], ['event_types', 'delivered,clicked']]);
    expectJson(res, 400, { Reason: 'unable to add more than 3 urls for event type clicked' });
    expectJson(await v3List(), 200, { webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C, A, B] } } });
  });
});

describe('v4 PUT /v4/domains/{domain}/webhooks', () => {
  it("replaces the URL's event types: added where listed, removed elsewhere, emptied names unset", async () => {
    await call('post', v4(US2), [['url', A], ['event_types', 'delivered,opened']]).expect(200);
    await call('post', v4(US2), [['url', B], ['event_types', 'opened']]).expect(200);
    const res = await call('put', v4(US2), [['url', A], ['event_types', 'opened'], ['event_types', 'complained']]);
    expectJson(res, 200, { webhooks: { opened: { urls: [A, B] }, complained: { urls: [A] } } });
  });

  it('takes comma-joined event_types, and leaves legacy names alone', async () => {
    await call('post', v4(), [['url', 'https://legacy.example.com/open'], ['event_types', 'opened']]).expect(200);
    const res = await call('put', v4(), [['url', 'https://legacy.example.com/open'], ['event_types', 'delivered,permanent_fail']]);
    expectJson(res, 200, { webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C] }, delivered: { urls: ['https://legacy.example.com/open'] }, permanent_fail: { urls: ['https://legacy.example.com/open'] } } });
  });

  it('on a URL nothing has yet, adds it (an upsert)', async () => {
    expectJson(await call('put', v4(US2), [['url', A], ['event_types', 'accepted']]), 200, { webhooks: { accepted: { urls: [A] } } });
  });

  it('keeps the 3-URL limit, counting a URL the name already has as no new room', async () => {
    await call('post', v4(US2), [['url', A], ['event_types', 'delivered']]).expect(200);
    await call('post', v4(US2), [['url', B], ['event_types', 'delivered']]).expect(200);
    await call('post', v4(US2), [['url', C], ['event_types', 'delivered']]).expect(200);
    await call('put', v4(US2), [['url', A], ['event_types', 'delivered,opened']]).expect(200);
    const res = await call('put', v4(US2), [['url', D], ['event_types', 'delivered']]);
    expectJson(res, 400, { Reason: 'unable to add more than 3 urls for event type delivered' });
  });
});

describe('v4 DELETE /v4/domains/{domain}/webhooks?url=', () => {
  const seedTwo = async () => {
    await call('post', v4(US2), [['url', A], ['event_types', 'delivered,opened']]).expect(200);
    await call('post', v4(US2), [['url', B], ['event_types', 'opened']]).expect(200);
    await call('post', v4(US2), [['url', C], ['event_types', 'opened']]).expect(200);
  };

  it('removes the URL from every event type and answers the whole map', async () => {
    await seedTwo();
    expectJson(await call('delete', `${v4(US2)}?url=${encodeURIComponent(A)}`), 200, { webhooks: { opened: { urls: [B, C] } } });
  });

  it.each([
    ['repeated (?url=a&url=b, as documented)', `?url=${encodeURIComponent(A)}&url=${encodeURIComponent(B)}`],
    ['comma-joined (?url=a,b, as mailgun-java sends)', `?url=${encodeURIComponent(`${A},${B}`)}`],
  ])('removes several URLs given %s', async (_form, query) => {
    await seedTwo();
    expectJson(await call('delete', v4(US2) + query), 200, { webhooks: { opened: { urls: [C] } } });
  });

  it('removes a registered URL that itself contains a comma as one URL', async () => {
    const odd = 'https://a.example.com/hooks?ids=1,2';
    await call('post', v4(US2), [['url', odd], ['event_types', 'delivered']]).expect(200);
    expectJson(await call('delete', `${v4(US2)}?url=${encodeURIComponent(odd)}`), 200, { webhooks: {} });
  });

  it('reads url from a form body too (PHP sends DELETE with a body)', async () => {
    await seedTwo();
    expectJson(await call('delete', v4(US2), [['url', B]]), 200, { webhooks: { delivered: { urls: [A] }, opened: { urls: [A, C] } } });
  });

  it('a URL that is not registered is no error: the map comes back unchanged', async () => {
    expectJson(await call('delete', `${v4()}?url=${encodeURIComponent(D)}`), 200, { webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C] } } });
  });
});

describe('v4 errors', () => {
  const NOT_FOUND = { message: 'Domain not found' };
  it.each([
    ['POST', 'unknown domain', 'post', v4('nope.example.com'), [['url', A], ['event_types', 'delivered']], 404, NOT_FOUND],
    ['PUT', 'unknown domain', 'put', v4('nope.example.com'), [['url', A], ['event_types', 'delivered']], 404, NOT_FOUND],
    ['DELETE', 'unknown domain', 'delete', `${v4('nope.example.com')}?url=x`, undefined, 404, NOT_FOUND],
    ['POST', 'an EU domain asked on the US host', 'post', v4(EU), [['url', A], ['event_types', 'delivered']], 404, NOT_FOUND],
    ['POST', 'no url', 'post', v4(), [['event_types', 'delivered']], 400, { Reason: "Missing parameter 'url'" }],
    ['PUT', 'an empty url', 'put', v4(), [['url', ''], ['event_types', 'delivered']], 400, { Reason: "Missing parameter 'url'" }],
    ['POST', 'a url that is not http(s)', 'post', v4(), [['url', 'ftp://x.example.com/'], ['event_types', 'delivered']], 400, { Reason: 'ftp://x.example.com/ is not a valid url' }],
    ['PUT', 'a relative url', 'put', v4(), [['url', '/hooks'], ['event_types', 'delivered']], 400, { Reason: '/hooks is not a valid url' }],
    ['POST', 'no event_types', 'post', v4(), [['url', A]], 400, { Reason: "Missing parameter 'event_types'" }],
    ['PUT', 'only commas in event_types', 'put', v4(), [['url', A], ['event_types', ', ,']], 400, { Reason: "Missing parameter 'event_types'" }],
    ['POST', 'an unknown event type', 'post', v4(), [['url', A], ['event_types', 'delivered,bogus']], 400, { Reason: "event_type 'bogus' is invalid" }],
    ['POST', 'a legacy name', 'post', v4(), [['url', A], ['event_types', 'deliver']], 400, { Reason: "event_type 'deliver' is invalid" }],
    ['PUT', 'a legacy name', 'put', v4(), [['url', A], ['event_types', 'open']], 400, { Reason: "event_type 'open' is invalid" }],
    ['POST', 'a name in another case', 'post', v4(), [['url', A], ['event_types', 'Delivered']], 400, { Reason: "event_type 'Delivered' is invalid" }],
    ['DELETE', 'no url', 'delete', v4(), undefined, 400, { Reason: "Missing parameter 'url'" }],
    ['DELETE', 'only commas in url', 'delete', `${v4()}?url=,`, undefined, 400, { Reason: "Missing parameter 'url'" }],
  ] as const)('%s with %s: %i', async (_m, _case, method, path, fields, status, body) => {
    expectJson(await call(method, path, fields), status, body);
  });

  it('a refused request changes nothing', async () => {
    await call('post', v4(), [['url', A], ['event_types', 'delivered,bogus']]).expect(400);
    expectJson(await v3List(), 200, { webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C] } } });
  });

  it('works for an EU domain on the EU host', async () => {
    const res = await call('post', v4(EU), [['url', A], ['event_types', 'delivered']], EU_HOST);
    expectJson(res, 200, { webhooks: { delivered: { urls: [A] } } });
    expectJson(await v3List(EU, EU_HOST), 200, { webhooks: { delivered: { urls: [A] } } });
  });
});

// ---------------------------------------------------------------------------------------------

describe('v1 account webhooks: create, list, get', () => {
  it('POST /v1/webhooks answers {"webhook_id":"<24 hex>"} and GET lists it with every field', async () => {
    const res = await call('post', '/v1/webhooks', [['url', A], ['event_types', 'delivered'], ['event_types', 'permanent_fail'], ['description', 'all failures']]);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^\{"webhook_id":"[0-9a-f]{24}"\}\n$/);
    const id = (res.body as { webhook_id: string }).webhook_id;
    // ObjectId-shaped: the first 8 hex digits are the creation time in seconds.
    expect(parseInt(id.slice(0, 8), 16)).toBe(Math.floor(FROZEN / 1000));
    const one = { webhook_id: id, description: 'all failures', url: A, event_types: ['delivered', 'permanent_fail'], created_at: '2026-02-16T19:06:01Z' };
    expectJson(await call('get', '/v1/webhooks'), 200, { webhooks: [one] });
    expectJson(await call('get', `/v1/webhooks/${id}`), 200, one);
    expectJson(await call('get', `/v1/webhooks/${id.toUpperCase()}`), 200, one);
  });

  it('lists nothing as {"webhooks":[]}', async () => {
    expectJson(await call('get', '/v1/webhooks'), 200, { webhooks: [] });
  });

  it('takes comma-joined event_types, a multipart body (mailgun-java), and no description as ""', async () => {
    const res = await request(mock.app)
      .post('/v1/webhooks')
      .set('Authorization', basic())
      .set('Content-Type', 'multipart/form-data; boundary=b0undary')
      .send(multipart('b0undary', [['url', B], ['event_types', 'accepted,clicked'], ['event_types', 'opened']]));
    expect(res.status).toBe(200);
    expect((await listAccount()).webhooks).toEqual([expect.objectContaining({ url: B, description: '', event_types: ['accepted', 'clicked', 'opened'] })]);
  });

  it('filters the list by webhook_ids, comma-joined or repeated; unknown ids just match nothing', async () => {
    const a = await createAccountHook(A, ['delivered']);
    const b = await createAccountHook(B, ['opened']);
    const c = await createAccountHook(C, ['clicked']);
    const ids = async (q: string) => (await listAccount(undefined, q)).webhooks.map((w) => w.webhook_id);
    expect(await ids(`?webhook_ids=${a},${c}`)).toEqual([a, c]);
    expect(await ids(`?webhook_ids=${c}&webhook_ids=${b}`)).toEqual([b, c]);
    expect(await ids('?webhook_ids=0123456789abcdef01234567')).toEqual([]);
    expect(await ids('')).toEqual([a, b, c]);
  });

  it('the same URL may serve several account webhooks; unique URLs per event type are what is limited', async () => {
    await createAccountHook(A, ['delivered']);
    await createAccountHook(B, ['delivered']);
    await createAccountHook(C, ['delivered']);
    await createAccountHook(A, ['delivered', 'opened']);
    const res = await call('post', '/v1/webhooks', [['url', D], ['event_types', 'opened,delivered']]);
    expectJson(res, 409, { Description: 'unable to add more than 3 urls for event type delivered' });
    expect((await listAccount()).webhooks).toHaveLength(4);
  });
});

describe('v1 account webhooks: update and delete', () => {
  it('PUT /v1/webhooks/{id} replaces url, event types and description: 204, no body; id and created_at stay', async () => {
    const id = await createAccountHook(A, ['delivered'], undefined, 'old');
    mock.clock.advance(60_000);
    const res = await call('put', `/v1/webhooks/${id}`, [['url', B], ['event_types', 'opened,clicked']]);
    expect({ status: res.status, text: res.text, type: res.headers['content-type'] }).toEqual({ status: 204, text: '', type: undefined });
    expectJson(await call('get', `/v1/webhooks/${id}`), 200, { webhook_id: id, description: '', url: B, event_types: ['opened', 'clicked'], created_at: '2026-02-16T19:06:01Z' });
  });

  it('PUT does not count the webhook being replaced against the 3-URL limit', async () => {
    await createAccountHook(A, ['delivered']);
    await createAccountHook(B, ['delivered']);
    const id = await createAccountHook(C, ['delivered']);
    expect((await call('put', `/v1/webhooks/${id}`, [['url', D], ['event_types', 'delivered']])).status).toBe(204);
  });

  it('DELETE /v1/webhooks/{id}: 204, no body; then it is gone', async () => {
    const id = await createAccountHook(A, ['delivered']);
    const res = await call('delete', `/v1/webhooks/${id}`);
    expect({ status: res.status, text: res.text }).toEqual({ status: 204, text: '' });
    expectJson(await call('get', `/v1/webhooks/${id}`), 404, { Description: 'webhook not found' });
  });

  it.each([
    ['webhook_ids=a,b in the query', (a: string, b: string) => `?webhook_ids=${a},${b}`, undefined],
    ['repeated webhook_ids', (a: string, b: string) => `?webhook_ids=${a}&webhook_ids=${b}`, undefined],
    ['webhook_ids and all=true: only the ids go', (a: string, b: string) => `?webhook_ids=${a},${b}&all=true`, undefined],
    ['webhook_ids in a form body', () => '', (a: string, b: string) => [['webhook_ids', `${a},${b}`]] as Array<[string, string]>],
  ])('DELETE /v1/webhooks with %s: 204, those two deleted', async (_case, query, body) => {
    const a = await createAccountHook(A, ['delivered']);
    const b = await createAccountHook(B, ['delivered']);
    const keep = await createAccountHook(C, ['delivered']);
    const res = await call('delete', `/v1/webhooks${query(a, b)}`, body?.(a, b));
    expect({ status: res.status, text: res.text }).toEqual({ status: 204, text: '' });
    expect((await listAccount()).webhooks.map((w) => w.webhook_id)).toEqual([keep]);
  });

  it.each(['all=true', 'all=1', 'all=True'])('DELETE /v1/webhooks?%s deletes every one of the region', async (q) => {
    await createAccountHook(A, ['delivered']);
    await createAccountHook(B, ['opened']);
    expect((await call('delete', `/v1/webhooks?${q}`)).status).toBe(204);
    expectJson(await call('get', '/v1/webhooks'), 200, { webhooks: [] });
  });

  it('reset() forgets account webhooks', async () => {
    await createAccountHook(A, ['delivered']);
    await mock.reset();
    expectJson(await call('get', '/v1/webhooks'), 200, { webhooks: [] });
  });
});

describe('v1 errors', () => {
  const ID = '0123456789abcdef01234567';
  const E16 = { message: 'Invalid parameter: webhook_ids malformed webhook_ids parameter: empty values not allowed' };
  const ok = [['url', A], ['event_types', 'delivered']] as const;
  it.each([
    ['POST', 'no url', 'post', '/v1/webhooks', [['event_types', 'delivered']], 400, { message: "Missing parameter 'url'" }],
    ['POST', 'a url that is not http(s)', 'post', '/v1/webhooks', [['url', 'mailto:x@example.com'], ['event_types', 'delivered']], 400, { message: 'mailto:x@example.com is not a valid url' }],
    ['POST', 'no event_types', 'post', '/v1/webhooks', [['url', A]], 400, { message: "Missing parameter 'event_types'" }],
    ['POST', 'an invalid event type', 'post', '/v1/webhooks', [['url', A], ['event_types', 'invalid_type']], 404, { Description: "event_type 'invalid_type' is invalid" }],
    ['POST', 'a legacy name', 'post', '/v1/webhooks', [['url', A], ['event_types', 'delivered,bounce']], 404, { Description: "event_type 'bounce' is invalid" }],
    ['POST', 'a repeated duplicate', 'post', '/v1/webhooks', [['url', A], ['event_types', 'accepted'], ['event_types', 'accepted']], 400, { Field: 'event_types', Value: "duplicate event types: 'accepted'" }],
    ['POST', 'comma-joined duplicates', 'post', '/v1/webhooks', [['url', A], ['event_types', 'opened,accepted,opened,accepted']], 400, { Field: 'event_types', Value: "duplicate event types: 'opened', 'accepted'" }],
    ['GET', 'an unknown id', 'get', `/v1/webhooks/${ID}`, undefined, 404, { Description: 'webhook not found' }],
    ['GET', 'a malformed id', 'get', '/v1/webhooks/not-an-id', undefined, 404, { Description: 'webhook not found' }],
    ['GET', 'webhook_ids with an empty value', 'get', `/v1/webhooks?webhook_ids=${ID},`, undefined, 400, E16],
    ['GET', 'a malformed id in webhook_ids', 'get', '/v1/webhooks?webhook_ids=xyz', undefined, 400, { message: "Invalid parameter: webhook_ids malformed webhook_ids parameter: 'xyz' is not a valid id" }],
    ['PUT', 'a malformed id', 'put', '/v1/webhooks/xyz', ok, 400, { Field: 'webhook_id', Value: 'is not valid' }],
    ['PUT', 'an unknown id', 'put', `/v1/webhooks/${ID}`, ok, 404, { Description: 'webhook not found' }],
    ['DELETE', 'a malformed id', 'delete', '/v1/webhooks/xyz', undefined, 400, { Field: 'webhook_id', Value: 'is not valid' }],
    ['DELETE', 'an unknown id', 'delete', `/v1/webhooks/${ID}`, undefined, 404, { Description: `webhook_id not found: ${ID}` }],
    ['DELETE all', 'webhook_ids=a,,b', 'delete', `/v1/webhooks?webhook_ids=${ID},,${ID}`, undefined, 400, E16],
    ['DELETE all', 'an empty webhook_ids, even with all=true', 'delete', '/v1/webhooks?webhook_ids=&all=true', undefined, 400, E16],
    ['DELETE all', 'neither webhook_ids nor all', 'delete', '/v1/webhooks', undefined, 400, { message: "Invalid parameter: one of 'webhook_ids' or 'all=true' is required" }],
    ['DELETE all', 'all=false', 'delete', '/v1/webhooks?all=false', undefined, 400, { message: "Invalid parameter: one of 'webhook_ids' or 'all=true' is required" }],
    ['DELETE all', 'all=true with none set', 'delete', '/v1/webhooks?all=true', undefined, 404, { Description: 'no webhooks found for account' }],
    ['DELETE all', 'ids that match none', 'delete', `/v1/webhooks?webhook_ids=${ID}`, undefined, 404, { Description: 'no webhooks found for account' }],
  ] as const)('%s with %s: %i', async (_m, _case, method, path, fields, status, body) => {
    expectJson(await call(method, path, fields), status, body);
  });

  it.each([
    ['an invalid event type', [['url', B], ['event_types', 'nope']], 404, { Description: "event_type 'nope' is invalid" }],
    ['duplicates', [['url', B], ['event_types', 'opened,opened']], 400, { Field: 'event_types', Value: "duplicate event types: 'opened'" }],
    ['no url', [['event_types', 'opened']], 400, { message: "Missing parameter 'url'" }],
  ] as const)('PUT with %s answers as POST does, and changes nothing', async (_case, fields, status, body) => {
    const id = await createAccountHook(A, ['delivered']);
    expectJson(await call('put', `/v1/webhooks/${id}`, fields), status, body);
    expect((await listAccount()).webhooks).toEqual([expect.objectContaining({ url: A, event_types: ['delivered'] })]);
  });

  it('PUT that would give an event type a fourth URL: 409', async () => {
    await createAccountHook(A, ['opened']);
    await createAccountHook(B, ['opened']);
    await createAccountHook(C, ['opened']);
    const id = await createAccountHook(D, ['delivered']);
    expectJson(await call('put', `/v1/webhooks/${id}`, [['url', D], ['event_types', 'delivered,opened']]), 409, { Description: 'unable to add more than 3 urls for event type opened' });
  });
});

describe('v1 account webhooks are per region (US and EU are configured separately)', () => {
  it('a webhook created on the EU host is listed there and not on the US host', async () => {
    const eu = await createAccountHook(A, ['delivered'], EU_HOST);
    const us = await createAccountHook(B, ['delivered']);
    expect((await listAccount(EU_HOST)).webhooks.map((w) => w.webhook_id)).toEqual([eu]);
    expect((await listAccount()).webhooks.map((w) => w.webhook_id)).toEqual([us]);
    expect((await listAccount(undefined, `?webhook_ids=${eu}`)).webhooks).toEqual([]);
  });

  it.each([
    ['GET', 'get', (id: string) => `/v1/webhooks/${id}`, undefined, 404, { Description: 'webhook not found' }],
    ['PUT', 'put', (id: string) => `/v1/webhooks/${id}`, [['url', B], ['event_types', 'opened']], 404, { Description: 'webhook not found' }],
    ['DELETE', 'delete', (id: string) => `/v1/webhooks/${id}`, undefined, 404, null],
    ['DELETE all=true', 'delete', () => '/v1/webhooks?all=true', undefined, 404, { Description: 'no webhooks found for account' }],
    ['DELETE webhook_ids', 'delete', (id: string) => `/v1/webhooks?webhook_ids=${id}`, undefined, 404, { Description: 'no webhooks found for account' }],
  ] as const)('an EU webhook cannot be reached from the US host: %s is a 404 and it survives', async (_case, method, path, fields, status, body) => {
    const eu = await createAccountHook(A, ['delivered'], EU_HOST);
    const res = await call(method, path(eu), fields);
    expectJson(res, status, body ?? { Description: `webhook_id not found: ${eu}` });
    expect((await listAccount(EU_HOST)).webhooks).toEqual([expect.objectContaining({ webhook_id: eu, url: A, event_types: ['delivered'] })]);
  });

  it('the 3-URL limit counts each region on its own', async () => {
    for (const url of [A, B, C]) await createAccountHook(url, ['delivered']);
    expect((await call('post', '/v1/webhooks', [['url', D], ['event_types', 'delivered']], EU_HOST)).status).toBe(200);
    expect((await call('post', '/v1/webhooks', [['url', D], ['event_types', 'delivered']])).status).toBe(409);
  });
});

describe('hostile inputs never get a 5xx', () => {
  const long = `https://x.example.com/${'a'.repeat(5000)}`;
  const cases: Array<[Method, string, Array<[string, string]> | undefined]> = [
    ['post', v4(), [['url', A], ['event_types', '__proto__']]],
    ['post', v4(), [['url', A], ['event_types', 'constructor,toString']]],
    ['post', v4(), [['url', long], ['event_types', 'delivered']]],
    ['post', v4(), [['url', 'https://x.example.com/\u0000'], ['event_types', 'delivered']]],
    ['post', v4(), [['url', A], ['event_types', ','.repeat(10_000)]]],
    ['post', v4(), [['url', A], ['event_types', Array(2000).fill('delivered').join(',')]]],
    ['put', v4(), [['url', 'http://[::1'], ['event_types', 'opened']]],
    ['delete', `${v4()}?url=%ZZ&url=%E0%A4%A`, undefined],
    ['delete', `${v4()}?url=${','.repeat(5000)}`, undefined],
    ['post', '/v4/domains/%ZZ/webhooks', [['url', A], ['event_types', 'delivered']]],
    ['post', '/v4/domains/__proto__/webhooks', [['url', A], ['event_types', 'delivered']]],
    ['post', '/v1/webhooks', [['url', A], ['event_types', '__proto__'], ['description', '\u0000\ud800']]],
    ['post', '/v1/webhooks', [['url', A], ['event_types', 'hasOwnProperty,hasOwnProperty']]],
    ['post', '/v1/webhooks', [['url', A], ['event_types', 'delivered'], ['description', 'x'.repeat(100_000)]]],
    ['get', '/v1/webhooks/__proto__', undefined],
    ['get', '/v1/webhooks/%ZZ', undefined],
    ['get', `/v1/webhooks?webhook_ids=${'0'.repeat(24)},${','.repeat(3000)}`, undefined],
    ['get', '/v1/webhooks?webhook_ids=constructor', undefined],
    ['put', '/v1/webhooks/..%2F..%2Fv3', [['url', A], ['event_types', 'delivered']]],
    ['put', '/v1/webhooks/0123456789ABCDEF01234567', [['url', A], ['event_types', 'delivered']]],
    ['delete', '/v1/webhooks?all=%00&webhook_ids=%ZZ', undefined],
    ['delete', '/v1/webhooks/%00', undefined],
  ];
  it.each(cases)('%s %s', async (method, path, fields) => {
    const res = await call(method, path, fields);
    expect(res.status).toBeLessThan(500);
  });

  it('JSON bodies are not read: their fields are missing', async () => {
    const res = await request(mock.app).post('/v1/webhooks').set('Authorization', basic()).send({ url: A, event_types: ['delivered'] });
    expectJson(res, 400, { message: "Missing parameter 'url'" });
  });

  it('the mock still lists and serves the seed afterwards', async () => {
    expectJson(await v3List(), 200, { webhooks: { open: { url: 'https://legacy.example.com/open' }, clicked: { urls: [C] } } });
  });
});

describe('auth and the rate limit apply as on the v3 webhook routes', () => {
  it.each([
    ['POST', 'post', v4()],
    ['GET', 'get', '/v1/webhooks'],
    ['DELETE', 'delete', '/v1/webhooks?all=true'],
  ] as const)('%s without an Authorization header: 401 Need authorization header', async (_m, method, path) => {
    const res = await request(mock.app)[method](path);
    expect({ status: res.status, text: res.text }).toEqual({ status: 401, text: '{"message":"Need authorization header"}\n' });
  });

  it('v1 and v4 calls count against the webhook API limit', async () => {
    const limited = await createTestMock({ rateLimit: 2, fixtures: { domains: [{ name: US }] } });
    const statuses = [];
    statuses.push((await request(limited.app).get('/v1/webhooks').set('Authorization', basic())).status);
    statuses.push((await request(limited.app).post(v4()).set('Authorization', basic()).type('form').send(form([['url', A], ['event_types', 'opened']]))).status);
    statuses.push((await request(limited.app).get('/v1/webhooks').set('Authorization', basic())).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('the journal names each request by its route id', async () => {
    const id = await createAccountHook(A, ['delivered']);
    await call('get', `/v1/webhooks/${id}`);
    await call('put', v4(), [['url', A], ['event_types', 'opened']]);
    expect(mock.journal.list().map((e) => e.routeId)).toEqual(['accountWebhooks.create', 'accountWebhooks.get', 'webhooks.v4.update']);
  });
});

// Fixtures: the default seed, a user's own file, and bad files refused with the file and field named.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailgunMock, DEFAULT_FIXTURES_PATH, FixtureError, loadFixtures, type FixtureData } from '../../src/index.js';
import { basic } from '../helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailgun-mock-fixtures-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let count = 0;
/** Writes `content` (an object as JSON, a string as is) to a new fixtures file and returns its path. */
async function fixtureFile(content: unknown): Promise<string> {
  const path = join(dir, `fixtures-${++count}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** The FixtureError that loading this file gives (fails the test when it loads). */
async function refusal(path: string): Promise<FixtureError> {
  const err = await loadFixtures(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FixtureError);
  return err as FixtureError;
}

describe('the default fixtures', () => {
  it('load: the seed domain with open and click, in that order, and no keys', async () => {
    const seed = await loadFixtures();
    expect(seed.source).toBe(DEFAULT_FIXTURES_PATH);
    expect(seed.apiKeys).toEqual([]);
    expect(seed.state).toEqual({
      domains: [
        {
          name: 'samples.mailgun.org',
          region: 'us',
          createdAt: '2013-10-25T00:00:00.000Z',
          webhooks: [
            { name: 'open', urls: ['http://postbin.heroku.com/860bcd65'], legacy: true },
            { name: 'click', urls: ['http://postbin.heroku.com/860bcd65'], legacy: true },
          ],
          tracking: { open: true, click: true, unsubscribe: true }, bounces: [], unsubscribes: [], complaints: [], allowlist: [],
        },
      ],
      signingKey: '',
      messages: [],
      events: [],
      nextSeq: 1,
        accountWebhooks: [],
    });
  });
});

describe('a user fixture file', () => {
  const fixtures: FixtureData = {
    apiKeys: ['key-mine'],
    signingKey: 'my-signing-key',
    domains: [
      { name: 'Mail.Example.com', region: 'eu', webhooks: { delivered: { urls: ['https://a.example.com/mg', 'https://b.example.com/mg'] }, bounce: { url: 'http://c.example.com' } } },
      { name: 'empty.example.com' },
    ],
  };

  it('loads, with names lower-cased and defaults filled in', async () => {
    const path = await fixtureFile(fixtures);
    const seed = await loadFixtures(path);
    expect(seed).toEqual({
      source: path,
      apiKeys: ['key-mine'],
      signingKey: 'my-signing-key',
      outcomes: [],
      state: {
        signingKey: 'my-signing-key',
        messages: [],
        events: [],
        nextSeq: 1,
        accountWebhooks: [],
        domains: [
          {
            name: 'mail.example.com',
            region: 'eu',
            createdAt: '2026-01-01T00:00:00.000Z',
            webhooks: [
              { name: 'delivered', urls: ['https://a.example.com/mg', 'https://b.example.com/mg'], legacy: false },
              { name: 'bounce', urls: ['http://c.example.com'], legacy: true },
            ],
            tracking: { open: true, click: true, unsubscribe: true }, bounces: [], unsubscribes: [], complaints: [], allowlist: [],
          },
          { name: 'empty.example.com', region: 'us', createdAt: '2026-01-01T00:00:00.000Z', webhooks: [], tracking: { open: true, click: true, unsubscribe: true }, bounces: [], unsubscribes: [], complaints: [], allowlist: [] },
        ],
      },
    });
  });

  it('seeds a mock, with its keys and webhooks', async () => {
    const mock = await createMailgunMock({ fixtures: await fixtureFile(fixtures) });
    expect(mock.authMode).toBe('keys');
    expect(mock.signingKey).toBe('my-signing-key');
    // mail.example.com lives in the EU region: it answers on the EU host (and is not found on the US one).
    expect((await request(mock.app).get('/v3/domains/mail.example.com/webhooks').set('Authorization', basic('key-mine'))).status).toBe(404);
    const res = await request(mock.app).get('/v3/domains/mail.example.com/webhooks').set('Host', 'api.eu.mailgun.net').set('Authorization', basic('key-mine'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ webhooks: { delivered: { urls: ['https://a.example.com/mg', 'https://b.example.com/mg'] }, bounce: { url: 'http://c.example.com' } } });
    expect((await request(mock.app).get('/v3/domains/samples.mailgun.org/webhooks').set('Authorization', basic('key-mine'))).status).toBe(404);
    await mock.stop();
  });

  it('can be given as data instead of a path', async () => {
    const seed = await loadFixtures({ domains: [{ name: 'inline.example.com' }] });
    expect(seed.source).toBe('(inline)');
    expect(seed.state.domains.map((d) => d.name)).toEqual(['inline.example.com']);
  });

  it('may hold no domains at all', async () => {
    expect((await loadFixtures(await fixtureFile({ domains: [] }))).state).toEqual({ domains: [], signingKey: '', messages: [], events: [], nextSeq: 1, accountWebhooks: [] });
  });
});

describe('bad fixtures are refused with the file and the field named', () => {
  const domain = (webhooks: unknown) => ({ domains: [{ name: 'example.com', webhooks }] });

  it.each([
    // case                                 content                                                                      field and reason
    ['an unknown top-level key', { domains: [], users: [] }, /field \(root\) must NOT have additional properties 'users'/],
    ['no domains', { apiKeys: ['k'] }, /field \(root\) must have required property 'domains'/],
    ['an unknown key on a domain', { domains: [{ name: 'example.com', owner: 'me' }] }, /field \/domains\/0 must NOT have additional properties 'owner'/],
    ['an unknown webhook name', domain({ delivred: { urls: ['http://a.example.com'] } }), /field \/domains\/0\/webhooks must be equal to one of the allowed values \('delivred'\)/],
    ['4 urls', domain({ delivered: { urls: ['http://a.com', 'http://b.com', 'http://c.com', 'http://d.com'] } }), /field \/domains\/0\/webhooks\/delivered\/urls must NOT have more than 3 items/],
    ['no urls', domain({ delivered: { urls: [] } }), /field \/domains\/0\/webhooks\/delivered\/urls must NOT have fewer than 1 items/],
    ['both url and urls', domain({ delivered: { url: 'http://a.com', urls: ['http://b.com'] } }), /field \/domains\/0\/webhooks\/delivered must match exactly one schema/],
    ['a legacy name with 2 urls', domain({ open: { urls: ['http://a.example.com', 'http://b.example.com'] } }), /field \/domains\/0\/webhooks\/open is a legacy webhook and takes a single url/],
    ['an invalid URL', domain({ clicked: { urls: ['http://ok.example.com', 'not a url'] } }), /field \/domains\/0\/webhooks\/clicked\/urls\/1 is not a valid http\(s\) URL/],
    ['a URL that is not http(s)', domain({ open: { url: 'ftp://files.example.com' } }), /field \/domains\/0\/webhooks\/open\/url is not a valid http\(s\) URL/],
    ['a duplicate domain (case-insensitive)', { domains: [{ name: 'example.com' }, { name: 'Example.COM' }] }, /field \/domains\/1\/name repeats domain 'Example.COM'/],
    ['an invalid domain name', { domains: [{ name: 'not a domain' }] }, /field \/domains\/0\/name must match pattern/],
    ['an unknown region', { domains: [{ name: 'example.com', region: 'asia' }] }, /field \/domains\/0\/region must be equal to one of the allowed values/],
    ['a createdAt that is not a date', { domains: [{ name: 'example.com', createdAt: 'yesterday' }] }, /field \/domains\/0\/createdAt is not a date-time/],
    ['an empty API key', { apiKeys: [''], domains: [] }, /field \/apiKeys\/0 must NOT have fewer than 1 characters/],
    ['not an object', '[]', /field \(root\) must be object/],
    ['not JSON', '{"domains": [', /is not valid JSON/],
  ])('%s', async (_case, content, reason) => {
    const path = await fixtureFile(content);
    const err = await refusal(path);
    expect(err.message).toContain(`fixtures file ${path}`);
    expect(err.message).toMatch(reason);
  });

  it('a missing file', async () => {
    const path = join(dir, 'no-such-file.json');
    const err = await refusal(path);
    expect(err.message).toBe(`fixtures file ${path} cannot be read: ENOENT`);
  });

  it('inline data is named "(inline)"', async () => {
    await expect(loadFixtures({ domains: [{ name: 'a.com' }, { name: 'a.com' }] })).rejects.toThrow("fixtures file (inline): field /domains/1/name repeats domain 'a.com'");
  });

  it('stops a mock from being created', async () => {
    const path = await fixtureFile({ domains: [], users: [] });
    await expect(createMailgunMock({ fixtures: path })).rejects.toThrow(FixtureError);
  });
});

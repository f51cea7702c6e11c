// One contract for both storage backends (memory, and the lowdb JSON file), then what only the file
// does: start from the seed when missing, survive a restart, refuse a file it cannot use, write atomically.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailgunMock, DataFileError, type MockState, type Store } from '../../src/index.js';
import { readDataFile } from '../../src/store/file.js';
import { openFileStore } from '../../src/store/file.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { basic, DOMAIN } from '../helpers.js';

function makeSeed(): MockState {
  return {
    domains: [
      {
        name: DOMAIN,
        region: 'us',
        createdAt: '2013-10-25T00:00:00.000Z',
        webhooks: [{ name: 'open', urls: ['http://postbin.heroku.com/860bcd65'], legacy: true }],
        tracking: { open: true, click: true, unsubscribe: true },
        bounces: [],
        unsubscribes: [],
        complaints: [],
        allowlist: [],
      },
    ],
    signingKey: 'key-store-contract',
    messages: [],
    events: [],
    nextSeq: 1,
    accountWebhooks: [],
  };
}

/** What the data file holds right now. */
async function onDisk(path: string): Promise<{ format: string; version: number; state: MockState }> {
  // The snapshot's header, and the state a restart would see (the snapshot with its write-ahead log applied).
  const raw = JSON.parse(await readFile(path, 'utf8'));
  return { format: raw.format, version: raw.version, state: (await readDataFile(path)) as never };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailgun-mock-store-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let fileCount = 0;
/** A fresh path in the temp dir, one per test. */
const freshPath = () => join(dir, `data-${++fileCount}.json`);

interface Backend {
  name: 'memory' | 'file';
  open(seed: MockState): Promise<Store>;
  /** The state a restarted reader would see: the file on disk, or (memory) the store itself. */
  durable(store: Store): Promise<MockState>;
}

const paths = new WeakMap<Store, string>();
const backends: Backend[] = [
  { name: 'memory', open: async (seed) => createMemoryStore(seed), durable: async (store) => store.state },
  {
    name: 'file',
    open: async (seed) => {
      const path = freshPath();
      const store = await openFileStore(path, seed);
      paths.set(store, path);
      return store;
    },
    durable: async (store) => (await onDisk(paths.get(store)!)).state,
  },
];

describe.each(backends)('the $name store', (backend) => {
  let seed: MockState;
  let store: Store;
  beforeEach(async () => {
    seed = makeSeed();
    store = await backend.open(seed);
  });
  afterEach(() => store.close());

  it('says which backend it is', () => {
    expect(store.kind).toBe(backend.name);
  });

  it('starts from the seed', async () => {
    expect(store.state).toEqual(makeSeed());
    expect(await backend.durable(store)).toEqual(makeSeed());
  });

  it('holds a deep copy of the seed: changes never reach the seed', async () => {
    expect(store.state).not.toBe(seed);
    await store.mutate((s) => {
      s.domains[0]!.webhooks[0]!.urls.push('http://changed.example.com');
      s.domains[0]!.name = 'changed.example.com';
    });
    expect(seed).toEqual(makeSeed());
  });

  it('applies a change at once and resolves with its result', async () => {
    const pending = store.mutate((s) => {
      s.domains.push({ name: 'new.example.com', region: 'eu', createdAt: '2026-01-01T00:00:00.000Z', webhooks: [], tracking: { open: false, click: false, unsubscribe: false }, bounces: [], unsubscribes: [], complaints: [], allowlist: [] });
      return s.domains.length;
    });
    // Applied synchronously: a request answered right after sees it.
    expect(store.state.domains).toHaveLength(2);
    expect(await pending).toBe(2);
    expect((await backend.durable(store)).domains.map((d) => d.name)).toEqual([DOMAIN, 'new.example.com']);
  });

  it('rejects with the error a change throws', async () => {
    await expect(
      store.mutate(() => {
        throw new Error('no such webhook');
      }),
    ).rejects.toThrow('no such webhook');
  });

  it('applies many changes made in one tick, each durable once its promise resolves', async () => {
    const urls = Array.from({ length: 100 }, (_, i) => `http://example.com/${i}`);
    const results = await Promise.all(
      urls.map((url) =>
        store.mutate((s) => {
          s.domains[0]!.webhooks[0]!.urls.push(url);
          return url;
        }),
      ),
    );
    expect(results).toEqual(urls);
    const expected = ['http://postbin.heroku.com/860bcd65', ...urls];
    expect(store.state.domains[0]!.webhooks[0]!.urls).toEqual(expected);
    expect((await backend.durable(store)).domains[0]!.webhooks[0]!.urls).toEqual(expected);
  });

  it('applies changes made across ticks in order', async () => {
    for (let i = 0; i < 5; i++) await store.mutate((s) => s.domains[0]!.webhooks[0]!.urls.push(`http://example.com/${i}`));
    expect((await backend.durable(store)).domains[0]!.webhooks[0]!.urls).toHaveLength(6);
  });

  it('reset restores the seed, durably', async () => {
    await store.mutate((s) => {
      s.domains = [];
    });
    await store.reset();
    expect(store.state).toEqual(makeSeed());
    expect(await backend.durable(store)).toEqual(makeSeed());
  });

  it('reset gives a fresh copy each time', async () => {
    await store.reset();
    await store.mutate((s) => s.domains[0]!.webhooks.pop());
    await store.reset();
    expect(store.state.domains[0]!.webhooks).toHaveLength(1);
  });

  it('flush waits for everything so far, and close can follow', async () => {
    void store.mutate((s) => s.domains[0]!.webhooks.pop());
    await store.flush();
    expect((await backend.durable(store)).domains[0]!.webhooks).toEqual([]);
    await store.close();
  });
});

describe('the file store only', () => {
  it('starts from the seed when the file is missing, and writes it', async () => {
    const path = freshPath();
    const store = await openFileStore(path, makeSeed());
    expect(await onDisk(path)).toEqual({ format: 'mailgun-mock', version: 1, state: makeSeed() });
    await store.close();
  });

  it('keeps its state across a restart (close, then open the same file)', async () => {
    const path = freshPath();
    const first = await openFileStore(path, makeSeed());
    await first.mutate((s) => s.domains[0]!.webhooks.push({ name: 'delivered', urls: ['http://a.example.com', 'http://b.example.com'], legacy: false }));
    await first.close();

    const second = await openFileStore(path, makeSeed());
    expect(second.state.domains[0]!.webhooks.map((h) => h.name)).toEqual(['open', 'delivered']);
    // Reset still goes back to the seed it was given, not to what the file held.
    await second.reset();
    expect(second.state).toEqual(makeSeed());
    await second.close();
  });

  it.each([
    // what the file holds                                                      why it is refused
    ['{"format": "mailgun-mock", ', /is not valid JSON/],
    ['', /is not valid JSON/],
    ['{"hello": "world"}', /is not a mailgun-mock data file/],
    ['[1, 2, 3]', /is not a mailgun-mock data file/],
    ['null', /is not a mailgun-mock data file/],
    ['0', /is not a mailgun-mock data file/],
    ['false', /is not a mailgun-mock data file/],
    ['""', /is not a mailgun-mock data file/],
    ['{"format": "mailgun-mock", "version": 2, "state": {"domains": []}}', /is not a mailgun-mock data file/],
    ['{"format": "mailgun-mock", "version": 1, "state": {}}', /field \/state\/domains must be an array/],
  ])('refuses a file holding %j, naming it and leaving it byte for byte untouched', async (content, reason) => {
    const path = freshPath();
    await writeFile(path, content);
    const err = await openFileStore(path, makeSeed()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).toContain('not changed');
    expect((err as Error).message).not.toContain('\n');
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('says in one line when a multi-line file is not JSON', async () => {
    const path = freshPath();
    await writeFile(path, 'not json\nat all\n');
    await expect(openFileStore(path, makeSeed())).rejects.toThrow(/^data file .* is not valid JSON \([^\n]*\); fix or remove it \(it was not changed\)$/);
  });

  it('refuses a data file it cannot write, naming the file', async () => {
    const path = join(dir, 'no-such-folder', 'deeper', 'data.json');
    await expect(openFileStore(path, makeSeed())).rejects.toThrow(new DataFileError(`data file ${path} cannot be written (ENOENT); check the folder exists and is writable`));
  });

  it('writes atomically: no temp file is left behind', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 'data.json');
    const store = await openFileStore(path, makeSeed());
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.mutate((s) => s.domains[0]!.webhooks[0]!.urls.push(`http://example.com/${round}-${i}`))));
    }
    await store.close();
    expect(await readdir(sub)).toEqual(['data.json']);
    expect((await onDisk(path)).state.domains[0]!.webhooks[0]!.urls).toHaveLength(101);
  });

  it('refuses changes once closed', async () => {
    const store = await openFileStore(freshPath(), makeSeed());
    await store.close();
    await expect(store.mutate(() => undefined)).rejects.toThrow('store is closed');
  });
});

describe('a mock with a data file', () => {
  const auth = { Authorization: basic() };
  const LIST = `/v3/domains/${DOMAIN}/webhooks`;

  it('keeps a webhook created through the API across a restart', async () => {
    const dataFile = freshPath();
    const first = await createMailgunMock({ dataFile });
    expect((await request(first.app).get('/__mock/health')).body.storage).toBe('file');
    await request(first.app).post(LIST).set(auth).type('form').send({ id: 'delivered', url: 'http://example.com/hook' }).expect(200);
    await first.stop();

    const second = await createMailgunMock({ dataFile });
    const res = await request(second.app).get(`${LIST}/delivered`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ webhook: { urls: ['http://example.com/hook'] } });
    await second.stop();
  });

  it('writes the seed back to the file on reset()', async () => {
    const dataFile = freshPath();
    const mock = await createMailgunMock({ dataFile });
    const seedOnDisk = await onDisk(dataFile);
    await request(mock.app).delete(`${LIST}/open`).set(auth).expect(200);
    expect((await onDisk(dataFile)).state).not.toEqual(seedOnDisk.state);
    await mock.reset();
    expect(await onDisk(dataFile)).toEqual(seedOnDisk);
    await mock.stop();
  });

  it('refuses to start on a file that is not its own, leaving the file alone', async () => {
    const dataFile = freshPath();
    await writeFile(dataFile, '{"users": []}');
    await expect(createMailgunMock({ dataFile })).rejects.toThrow(DataFileError);
    expect(await readFile(dataFile, 'utf8')).toBe('{"users": []}');
  });
});

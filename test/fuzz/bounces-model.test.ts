// Model-based test of the bounces suppression list: random sequences of single adds (form), batch
// adds (JSON, all or nothing), gets, deletes and clears on two domains (and one that does not exist),
// each answered exactly as the model predicts, with the list (alphabetical, as documented) equal to
// the model after every command.
import { Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startMailgunMock, type FixtureData, type MailgunMock } from '../../src/index.js';
import { BUDGET_LABEL, fuzzParams, runsFor, timeoutFor } from './budget.js';
import { sendRaw, type RawResponse } from './raw-http.js';
import { ModelCommand } from './command.js';

interface Bounce {
  address: string;
  code: string;
  error: string;
  /** The wire date when the command set one; undefined for "now" (only its format is checked). */
  createdAt?: string;
}
type Model = Map<string, Bounce[]>;
interface Real {
  port: number;
  agent: Agent;
}

const FIXTURES: FixtureData = {
  domains: [{ name: 'samples.mailgun.org', bounces: [{ address: 'seed@example.com', code: '421', error: 'Mailbox full', createdAt: '2020-01-02T03:04:05.000Z' }] }, { name: 'x.example.com' }],
};
const initialModel = (): Model =>
  new Map([
    ['samples.mailgun.org', [{ address: 'seed@example.com', code: '421', error: 'Mailbox full', createdAt: 'Thu, 02 Jan 2020 03:04:05 UTC' }]],
    ['x.example.com', []],
  ]);

/** Addresses as sent, with whether they are valid mail addresses (they are stored trimmed and lower-cased). */
const ADDRESSES: Array<[string, boolean]> = [
  ['alice@example.com', true],
  ['ALICE@Example.com', true],
  [' bob@example.com ', true],
  ['carol@example.org', true],
  ['d.e+f@sub.example.net', true],
  ['seed@example.com', true],
  ['bad', false],
  ['@example.com', false],
];
const VALID = new Map(ADDRESSES);
/** Dates as sent: the wire form Mailgun answers for a valid RFC 2822 date, or null for one it refuses. */
const DATES: Array<[string, string | null]> = [
  ['Thu, 13 Oct 2011 18:02:00 +0000', 'Thu, 13 Oct 2011 18:02:00 UTC'],
  ['Mon, 01 Jan 2024 12:00:00 +0100', 'Mon, 01 Jan 2024 11:00:00 UTC'],
  ['yesterday', null],
];
const WIRE_DATE = new Map(DATES);
const RFC1123_UTC = /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d UTC$/;

interface Input {
  address?: string;
  code?: string | number;
  error?: string;
  created_at?: string;
}

interface Expected {
  status: number;
  body: unknown;
}
const fail = (status: number, message: string): Expected => ({ status, body: { message } });

/** One record as the mock reads it: address (present, valid), then created_at, then code and error. */
function readRecord(input: Input): Bounce | Expected {
  if (input.address === undefined || input.address === '') return fail(400, 'Missing mandatory parameter: address');
  if (!VALID.get(input.address)) return fail(400, `Invalid format for parameter address: ${input.address}`);
  let createdAt: string | undefined;
  if (input.created_at !== undefined && input.created_at !== '') {
    const wire = WIRE_DATE.get(input.created_at);
    if (!wire) return fail(400, `Invalid format for parameter created_at: ${input.created_at}`);
    createdAt = wire;
  }
  const code = input.code === undefined || input.code === '' ? '550' : String(input.code);
  return { address: input.address.trim().toLowerCase(), code, error: input.error || '', ...(createdAt ? { createdAt } : {}) };
}

function add(list: Bounce[], b: Bounce): void {
  const at = list.findIndex((x) => x.address === b.address);
  if (at === -1) list.push(b);
  else list[at] = b;
}

const AUTH = 'Basic ' + Buffer.from('api:key-model').toString('base64');
async function call(real: Real, method: string, path: string, body?: { type: string; text: string }): Promise<RawResponse> {
  const headers: Record<string, string> = { authorization: AUTH };
  if (body) headers['content-type'] = body.type;
  return sendRaw(real.port, { method, path, headers, ...(body ? { body: Buffer.from(body.text) } : {}) }, 10_000, real.agent);
}

function same(what: string, res: RawResponse, expected: Expected): void {
  const text = res.body.toString();
  const want = JSON.stringify(expected.body) + '\n';
  if (res.status !== expected.status || text !== want) throw new Error(`${what}: the mock answered ${res.status} ${JSON.stringify(text)}; the model expects ${expected.status} ${JSON.stringify(want)}`);
}

async function checkLists(model: Model, real: Real, when: string): Promise<void> {
  for (const [domain, list] of model) {
    const res = await call(real, 'GET', `/v3/${domain}/bounces?limit=1000`);
    if (res.status !== 200) throw new Error(`${when}: the list of ${domain} answered ${res.status} ${res.body.toString()}`);
    const items = (JSON.parse(res.body.toString()) as { items: Array<Record<string, string>> }).items;
    const want = [...list].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const got = items.map(({ address, code, error, created_at }) => ({ address, code, error, created_at }));
    const ok = got.length === want.length && got.every((g, i) => {
      const w = want[i]!;
      return g.address === w.address && g.code === w.code && g.error === w.error && (w.createdAt === undefined ? RFC1123_UTC.test(g.created_at ?? '') : g.created_at === w.createdAt);
    });
    if (!ok) throw new Error(`${when}: the bounces of ${domain} are ${JSON.stringify(got)}; the model has ${JSON.stringify(want)}`);
  }
}

type Cmd = fc.AsyncCommand<Model, Real, false>;
abstract class Base extends ModelCommand<Model, Real> {}

const domainNotFound = fail(404, 'Domain not found');

class AddOne extends Base {
  constructor(readonly domain: string, readonly input: Input) {
    super();
  }
  async run(model: Model, real: Real) {
    const fields = Object.entries(this.input).map(([k, v]): [string, string] => [k, String(v)]);
    const res = await call(real, 'POST', `/v3/${this.domain}/bounces`, { type: 'application/x-www-form-urlencoded', text: new URLSearchParams(fields).toString() });
    const list = model.get(this.domain);
    let expected: Expected;
    if (!list) expected = domainNotFound;
    else {
      const r = readRecord({ ...this.input, ...(this.input.code === undefined ? {} : { code: String(this.input.code) }) });
      if ('status' in r) expected = r;
      else {
        add(list, r);
        expected = { status: 200, body: { message: 'Address has been added to the bounces table', address: r.address } };
      }
    }
    same(this.toString(), res, expected);
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `POST /v3/${this.domain}/bounces (form) ${JSON.stringify(this.input)}`;
  }
}

class AddBatch extends Base {
  constructor(readonly domain: string, readonly inputs: Input[]) {
    super();
  }
  async run(model: Model, real: Real) {
    const res = await call(real, 'POST', `/v3/${this.domain}/bounces`, { type: 'application/json', text: JSON.stringify(this.inputs) });
    const list = model.get(this.domain);
    let expected: Expected;
    if (!list) expected = domainNotFound;
    else {
      const read = this.inputs.map(readRecord);
      const bad = read.find((r): r is Expected => 'status' in r);
      if (bad) expected = bad;
      else {
        for (const r of read as Bounce[]) add(list, r);
        expected = { status: 200, body: { message: `${read.length} addresses have been added to the bounces table` } };
      }
    }
    same(this.toString(), res, expected);
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `POST /v3/${this.domain}/bounces (JSON) ${JSON.stringify(this.inputs)}`;
  }
}

class GetOrDelete extends Base {
  constructor(readonly method: 'GET' | 'DELETE', readonly domain: string, readonly address: string) {
    super();
  }
  async run(model: Model, real: Real) {
    const res = await call(real, this.method, `/v3/${this.domain}/bounces/${encodeURIComponent(this.address)}`);
    const list = model.get(this.domain);
    const key = this.address.trim().toLowerCase();
    const at = list ? list.findIndex((b) => b.address === key) : -1;
    if (!list) same(this.toString(), res, domainNotFound);
    else if (at === -1) same(this.toString(), res, fail(404, 'Address not found in bounces table'));
    else if (this.method === 'DELETE') {
      list.splice(at, 1);
      same(this.toString(), res, { status: 200, body: { address: key, message: 'Bounced address has been removed' } });
    } else {
      const b = list[at]!;
      const got = res.status === 200 ? (JSON.parse(res.body.toString()) as Record<string, string>) : undefined;
      const keysOk = got && JSON.stringify(Object.keys(got)) === JSON.stringify(['address', 'code', 'error', 'created_at']);
      const dateOk = got && (b.createdAt === undefined ? RFC1123_UTC.test(got.created_at ?? '') : got.created_at === b.createdAt);
      if (!got || !keysOk || !dateOk || got.address !== b.address || got.code !== b.code || got.error !== b.error) throw new Error(`${this}: the mock answered ${res.status} ${res.body.toString()}; the model has ${JSON.stringify(b)}`);
    }
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `${this.method} /v3/${this.domain}/bounces/${this.address}`;
  }
}

class Clear extends Base {
  constructor(readonly domain: string) {
    super();
  }
  async run(model: Model, real: Real) {
    const res = await call(real, 'DELETE', `/v3/${this.domain}/bounces`);
    const list = model.get(this.domain);
    if (list) list.length = 0;
    same(this.toString(), res, list ? { status: 200, body: { message: 'Bounced addresses for this domain have been removed' } } : domainNotFound);
    await checkLists(model, real, `after ${this}`);
  }
  toString() {
    return `DELETE /v3/${this.domain}/bounces`;
  }
}

const domainArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('samples.mailgun.org', 'x.example.com') }, { weight: 1, arbitrary: fc.constant('nope.example.com') });
const addressArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...ADDRESSES.filter(([, v]) => v).map(([a]) => a)) }, { weight: 1, arbitrary: fc.constantFrom(...ADDRESSES.filter(([, v]) => !v).map(([a]) => a), '') });
const inputArb: fc.Arbitrary<Input> = fc.record(
  {
    address: addressArb,
    code: fc.constantFrom<string | number>('550', '421', 554, ''),
    error: fc.constantFrom('No such user', ''),
    created_at: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...DATES.filter(([, w]) => w).map(([d]) => d)) }, { weight: 1, arbitrary: fc.constant('yesterday') }),
  },
  { requiredKeys: [] },
);
// Form fields are strings: a numeric code goes out as its digits.
const formInputArb = inputArb.map((i) => (typeof i.code === 'number' ? { ...i, code: String(i.code) } : i));

const addOne = fc.tuple(domainArb, formInputArb).map(([d, i]) => new AddOne(d, i));
const getOrDelete = fc.tuple(fc.constantFrom<'GET' | 'DELETE'>('GET', 'DELETE'), domainArb, addressArb.filter((a) => a.trim() !== '')).map(([m, d, a]) => new GetOrDelete(m, d, a));
// fc.commands picks among these evenly: listing one twice makes it twice as frequent (a clear is one in six).
const commands: Array<fc.Arbitrary<Cmd>> = [addOne, addOne, getOrDelete, getOrDelete, fc.tuple(domainArb, fc.array(inputArb, { maxLength: 4 })).map(([d, i]) => new AddBatch(d, i)), domainArb.map((d) => new Clear(d))];

let mock: MailgunMock;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
beforeAll(async () => {
  mock = await startMailgunMock({ port: 0, logLevel: 'silent', rateLimit: 0, fixtures: FIXTURES });
});
afterAll(async () => {
  agent.destroy();
  await mock?.stop();
});

describe(`bounces list against a model (${BUDGET_LABEL})`, () => {
  const runs = runsFor(0.1, 10);
  it(`adds, batch adds, gets, deletes and clears answer as the model says (${runs} sequences of up to 30)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: 'max' }), async (cmds) => {
        await mock.reset();
        const model = initialModel();
        const real: Real = { port: mock.port, agent };
        await checkLists(model, real, 'at the start');
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      }),
      fuzzParams(runs),
    );
  }, timeoutFor(runs, 300));
});

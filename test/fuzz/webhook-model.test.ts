// Model-based test of the webhook APIs: random sequences of v3 (and v2 alias) create/update/delete/
// get, v4 create/update/delete and v1 account-webhook create/update/delete/delete-many, each
// answered exactly as the model predicts, with the v3 lists of every domain and the v1 list equal
// to the model after every command. Once against a mock in memory, once against a data file that
// is closed and opened again mid-sequence and at the end. See webhook-model.ts for the model.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startMailgunMock, type MailgunMock, type MailgunMockOptions } from '../../src/index.js';
import { BUDGET_LABEL, fuzzParams, runsFor, timeoutFor } from './budget.js';
import { sendRaw } from './raw-http.js';
import { checkLists, initialModel, listView, MODEL_FIXTURES, webhookCommands, type Hook, type Real } from './webhook-model.js';

const OPTIONS: MailgunMockOptions = { port: 0, logLevel: 'silent', rateLimit: 0, fixtures: MODEL_FIXTURES };
/** Commands per sequence: enough to fill names to their 3 URLs and collide. */
const MAX_COMMANDS = 30;

/** Every mock started here, so that afterAll stops whatever a failed run left running. */
const running = new Set<MailgunMock>();
async function start(options: MailgunMockOptions): Promise<MailgunMock> {
  const mock = await startMailgunMock(options);
  running.add(mock);
  return mock;
}
async function stop(mock: MailgunMock): Promise<void> {
  running.delete(mock);
  await mock.stop();
}

let memory: MailgunMock;
let dir: string;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  memory = await start(OPTIONS);
  dir = await mkdtemp(join(tmpdir(), 'mailgun-mock-model-'));
});

afterAll(async () => {
  agent.destroy();
  await Promise.all([...running].map(stop));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`webhook APIs against a model (${BUDGET_LABEL})`, () => {
  const memoryRuns = runsFor(0.25, 10);
  it(`in memory: every answer and every list as the model says (${memoryRuns} sequences of up to ${MAX_COMMANDS})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(webhookCommands(false), { maxCommands: MAX_COMMANDS, size: 'max' }), async (cmds) => {
        await memory.reset();
        const model = initialModel();
        const real: Real = { port: memory.port, agent };
        await checkLists(model, real, 'at the start');
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      }),
      fuzzParams(memoryRuns),
    );
  }, timeoutFor(memoryRuns, MAX_COMMANDS * 10));

  const fileRuns = runsFor(0.05, 4);
  it(`on a data file, reopened mid-sequence and at the end (${fileRuns} sequences of up to ${MAX_COMMANDS})`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(webhookCommands(true), { maxCommands: MAX_COMMANDS, size: 'max' }), async (cmds) => {
        const options = { ...OPTIONS, dataFile: join(dir, `run-${n++}.json`) };
        let mock = await start(options);
        const real: Real = {
          port: mock.port,
          agent,
          reopen: async () => {
            await stop(mock);
            mock = await start(options);
            real.port = mock.port;
          },
        };
        try {
          const model = initialModel();
          await checkLists(model, real, 'at the start');
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          await real.reopen!();
          await checkLists(model, real, 'after the sequence, once the data file was opened again');
        } finally {
          await stop(mock);
        }
      }),
      fuzzParams(fileRuns),
    );
  }, timeoutFor(fileRuns, MAX_COMMANDS * 40));

  const concurrentRuns = runsFor(0.1, 10);
  it(`concurrent creates: one wins per name, the rest are refused, and the list (also after reopening the data file) holds the winners (${concurrentRuns} runs)`, async () => {
    const AUTH = 'Basic ' + Buffer.from('api:key-model').toString('base64');
    const URL_POOL = ['http://127.0.0.1:1/a', 'http://127.0.0.1:1/b', 'https://127.0.0.1:1/c', 'http://127.0.0.1:1/d'];
    const create = fc.record({ name: fc.constantFrom('delivered', 'opened', 'clicked', 'open', 'deliver'), urls: fc.uniqueArray(fc.constantFrom(...URL_POOL), { minLength: 1, maxLength: 3 }) }).map((c) => (['open', 'deliver'].includes(c.name) ? { ...c, urls: c.urls.slice(0, 1) } : c));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(create, { minLength: 2, maxLength: 12 }), fc.boolean(), async (creates, onFile) => {
        const options = onFile ? { ...OPTIONS, dataFile: join(dir, `concurrent-${n++}.json`) } : OPTIONS;
        let mock = onFile ? await start(options) : memory;
        if (!onFile) await memory.reset();
        try {
          // Every request on its own connection, all in flight at once.
          const answers = await Promise.all(
            creates.map((c) =>
              sendRaw(mock.port, {
                method: 'POST',
                path: '/v3/domains/x.example.com/webhooks',
                headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
                body: Buffer.from(new URLSearchParams([['id', c.name], ...c.urls.map((u): [string, string] => ['url', u])]).toString()),
              }),
            ),
          );
          const winners = new Map<string, Hook>();
          answers.forEach((res, i) => {
            const c = creates[i]!;
            const text = res.body.toString();
            if (res.status === 200) {
              if (winners.has(c.name)) throw new Error(`two creates of ${c.name} both succeeded`);
              const legacy = ['open', 'deliver'].includes(c.name);
              winners.set(c.name, { name: c.name, urls: c.urls, legacy });
            } else if (res.status !== 400 || text !== '{"message":"Webhook already exists"}\n') {
              throw new Error(`create #${i} of ${c.name}: ${res.status} ${text}`);
            }
          });
          const names = [...new Set(creates.map((c) => c.name))];
          if (winners.size !== names.length) throw new Error(`${names.length} names were created but ${winners.size} creates succeeded`);
          const check = async (when: string) => {
            const res = await sendRaw(mock.port, { method: 'GET', path: '/v3/domains/x.example.com/webhooks', headers: { authorization: AUTH } });
            const got = (JSON.parse(res.body.toString()) as { webhooks: Record<string, unknown> }).webhooks;
            // The order is the order the creates were applied in, which the client cannot know: compare as sets.
            const want = listView([...winners.values()]);
            const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
            if (sorted(got) !== sorted(want)) throw new Error(`${when}: the list is ${JSON.stringify(got)}; the winners were ${JSON.stringify(want)}`);
          };
          await check('after the creates');
          if (onFile) {
            await stop(mock);
            mock = await start(options);
            await check('after opening the data file again');
          }
        } finally {
          if (onFile) await stop(mock);
        }
      }),
      fuzzParams(concurrentRuns),
    );
  }, timeoutFor(concurrentRuns, 200));
});

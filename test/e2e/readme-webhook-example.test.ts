import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import Mailgun from 'mailgun.js';
import FormData from 'form-data';
import { startMailgunMock, verifyWebhook, type MailgunMock } from '../../src/index.js';

// Your webhook handler: a bare node:http one here; an Express or Fastify route works the same.
const received: Array<{ event: string; recipient: string }> = [];
let failures = 0; // how many posts to answer with a 500
const handler = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const payload = JSON.parse(body);
    if (!verifyWebhook(payload, { signingKey: mock.signingKey }).ok) return res.writeHead(406).end();
    if (failures > 0) {
      failures--;
      return res.writeHead(500).end();
    }
    received.push({ event: payload['event-data'].event, recipient: payload['event-data'].recipient });
    res.writeHead(200).end('ok');
  });
});

let mock: MailgunMock;
let hooks: string;
const mg = () => new Mailgun(FormData).client({ username: 'api', key: 'key-test', url: mock.url });
beforeAll(async () => {
  mock = await startMailgunMock({ port: 0 });
  await new Promise<void>((resolve) => handler.listen(0, '127.0.0.1', resolve));
  hooks = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/hooks`;
});
beforeEach(async () => {
  await mg().webhooks.create('samples.mailgun.org', 'delivered', hooks, false);
  await mg().webhooks.create('samples.mailgun.org', 'permanent_fail', hooks, false);
});
afterEach(() => mock.reset()); // fixtures, outcome rules, messages, events and deliveries start afresh
afterAll(async () => {
  await mock.stop();
  handler.close();
});

it('gets a signed delivered event for a send', async () => {
  await mg().messages.create('samples.mailgun.org', { from: 'app@samples.mailgun.org', to: 'alice@example.com', subject: 'Hi', text: 'Hello' });
  await mock.waitForDelivery({ recipient: 'alice@example.com', state: 'delivered' });
  expect(received).toContainEqual({ event: 'delivered', recipient: 'alice@example.com' });
});

it('gets a failed event when a recipient bounces', async () => {
  mock.outcomes.add({ recipient: '*@bounce.test', outcome: 'permanent_fail' });
  await mg().messages.create('samples.mailgun.org', { from: 'app@samples.mailgun.org', to: 'bob@bounce.test', subject: 'Hi', text: 'Hello' });
  await mock.waitForDelivery({ webhook: 'permanent_fail', state: 'delivered' });
  expect(received).toContainEqual({ event: 'failed', recipient: 'bob@bounce.test' });
});

it('sees Mailgun retry after the handler failed, without waiting 10 minutes', async () => {
  failures = 1;
  await mg().messages.create('samples.mailgun.org', { from: 'app@samples.mailgun.org', to: 'carol@example.com', subject: 'Hi', text: 'Hello' });
  const first = await mock.waitForDelivery({ recipient: 'carol@example.com', state: 'retrying' });
  expect(first.attempts[0]?.status).toBe(500);
  await mock.advanceClock(10 * 60_000); // Mailgun retries 10 minutes later; the retry runs before this resolves
  const done = await mock.waitForDelivery({ recipient: 'carol@example.com', state: 'delivered' });
  expect(done.attempts.map((a) => a.status)).toEqual([500, 200]);
});

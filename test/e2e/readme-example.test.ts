import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import Mailgun from 'mailgun.js';
import FormData from 'form-data';
import { startMailgunMock, type MailgunMock } from '../../src/index.js';

let mock: MailgunMock;
beforeAll(async () => {
  mock = await startMailgunMock({ port: 0 }); // a free port; many mocks can run in one process
});
afterEach(() => mock.reset());                // back to the fixtures and boot-time faults, journal emptied
afterAll(() => mock.stop());

it('registers the delivered webhook', async () => {
  const mg = new Mailgun(FormData).client({ username: 'api', key: 'key-test', url: mock.url });
  await mg.webhooks.create('samples.mailgun.org', 'delivered', 'https://example.com/hooks', false);
  const [call] = mock.journal.list({ routeId: 'webhooks.create' });
  expect(call?.fields).toEqual({ id: 'delivered', url: 'https://example.com/hooks' });
});

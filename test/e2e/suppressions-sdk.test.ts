// The Suppressions API through mailgun.js, unmodified, against a started mock: list, get, create
// (one record: JSON for bounces and complaints, a form for unsubscribes and the allowlist; several:
// JSON), destroy and destroyAll for every list type, paging through pages with the links mailgun.js
// parses, and a bounce added through the SDK failing the next send with 605 until it is removed.
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { rejection } from '../helpers.js';
import type { Interfaces } from 'mailgun.js/definitions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClock, startMailgunMock, type MailgunMock } from '../../src/index.js';

const DOMAIN = 'samples.mailgun.org';
const FROZEN = Date.parse('2026-03-04T05:06:07Z');

type IBounce = Interfaces.IBounce;
type IComplaint = Interfaces.IComplaint;
type IUnsubscribe = Interfaces.IUnsubscribe;
type IWhiteList = Interfaces.IWhiteList;


let mock: MailgunMock;
let mg: ReturnType<InstanceType<typeof Mailgun>['client']>;

beforeAll(async () => {
  mock = await startMailgunMock({ logLevel: 'silent', clock: createClock({ frozenAt: FROZEN }), fixtures: { domains: [{ name: DOMAIN }] } });
  mg = new Mailgun(FormData).client({ username: 'api', key: 'key-test', url: mock.url });
});
afterAll(() => mock.stop());
beforeEach(() => mock.reset());


describe('one record of each list through mailgun.js', () => {
  it('bounces: create (a JSON array of one), get, list, destroy', async () => {
    const created = await mg.suppressions.create(DOMAIN, 'bounces', { address: 'Bounced+1@Example.com', code: 554, error: 'No such mailbox' });
    expect(created).toEqual({ message: '1 addresses have been added to the bounces table', type: '', value: '', status: 200 });

    const bounce = (await mg.suppressions.get(DOMAIN, 'bounces', 'bounced+1@example.com')) as IBounce;
    expect(bounce).toMatchObject({ type: 'bounces', address: 'bounced+1@example.com', code: 554, error: 'No such mailbox' });
    expect(bounce.created_at).toEqual(new Date(FROZEN));

    const list = await mg.suppressions.list(DOMAIN, 'bounces');
    expect(list.items).toHaveLength(1);
    expect(list.status).toBe(200);

    expect(await mg.suppressions.destroy(DOMAIN, 'bounces', 'bounced+1@example.com')).toEqual({
      message: 'Bounced address has been removed',
      value: '',
      address: 'bounced+1@example.com',
      status: 200,
    });
    const missing = await rejection(mg.suppressions.get(DOMAIN, 'bounces', 'bounced+1@example.com'));
    expect(missing).toMatchObject({ status: 404, details: 'Address not found in bounces table' });
  });

  it('unsubscribes: create with a tag (a form), get shows the tags', async () => {
    const created = await mg.suppressions.create(DOMAIN, 'unsubscribes', { address: 'gone@example.com', tag: 'newsletter', created_at: 'Thu, 13 Oct 2011 18:02:00 UTC' });
    expect(created).toMatchObject({ message: 'Address has been added to the unsubscribes table', status: 200 });
    const unsub = (await mg.suppressions.get(DOMAIN, 'unsubscribes', 'gone@example.com')) as IUnsubscribe;
    expect(unsub).toMatchObject({ type: 'unsubscribes', address: 'gone@example.com', tags: ['newsletter'] });
    expect(unsub.created_at).toEqual(new Date('2011-10-13T18:02:00Z'));
    expect(await mg.suppressions.destroy(DOMAIN, 'unsubscribes', 'gone@example.com')).toMatchObject({ message: 'Unsubscribe event has been removed', address: 'gone@example.com' });
  });

  it('complaints: create, get, destroy', async () => {
    await mg.suppressions.create(DOMAIN, 'complaints', { address: 'angry@example.com' });
    const complaint = (await mg.suppressions.get(DOMAIN, 'complaints', 'angry@example.com')) as IComplaint;
    expect(complaint).toMatchObject({ type: 'complaints', address: 'angry@example.com', created_at: new Date(FROZEN) });
    expect(await mg.suppressions.destroy(DOMAIN, 'complaints', 'angry@example.com')).toMatchObject({ message: 'Spam complaint has been removed' });
    expect(await rejection(mg.suppressions.get(DOMAIN, 'complaints', 'angry@example.com'))).toMatchObject({ status: 404, details: 'No spam complaints found for this address' });
  });

  it('whitelists: create a domain and an address (forms), get, list, destroy', async () => {
    expect(await mg.suppressions.create(DOMAIN, 'whitelists', { domain: 'example.org', reason: 'test inboxes' } as never)).toEqual({
      message: 'Address/Domain has been added to the allowlists table',
      type: 'domain',
      value: 'example.org',
      status: 200,
    });
    await mg.suppressions.create(DOMAIN, 'whitelists', { address: 'qa@example.net' });
    const entry = (await mg.suppressions.get(DOMAIN, 'whitelists', 'example.org')) as IWhiteList;
    expect(entry).toMatchObject({ type: 'whitelists', value: 'example.org', reason: 'test inboxes', createdAt: new Date(FROZEN) });
    const list = await mg.suppressions.list(DOMAIN, 'whitelists');
    expect(list.items.map((i) => (i as IWhiteList).value)).toEqual(['example.org', 'qa@example.net']);
    expect(await mg.suppressions.destroy(DOMAIN, 'whitelists', 'example.org')).toMatchObject({ message: 'Allowlist address/domain has been removed', value: 'example.org' });
  });

  it.each([
    ['bounces', 'Bounced addresses for this domain have been removed'],
    ['unsubscribes', 'Unsubscribe addresses for this domain have been removed'],
    ['complaints', 'Complaint addresses for this domain have been removed'],
    ['whitelists', 'Allowlist addresses/domains for this domain have been removed'],
  ] as const)('%s: destroyAll empties the list', async (type, message) => {
    await mg.suppressions.create(DOMAIN, type, { address: 'someone@example.com' });
    expect(await mg.suppressions.destroyAll(DOMAIN, type)).toEqual({ message, status: 200 });
    expect((await mg.suppressions.list(DOMAIN, type)).items).toEqual([]);
  });

  it('an invalid address is a 400 mailgun.js surfaces', async () => {
    expect(await rejection(mg.suppressions.create(DOMAIN, 'complaints', { address: 'nobody' }))).toMatchObject({ status: 400, details: 'Invalid format for parameter address: nobody' });
  });
});

describe('batches and paging through mailgun.js', () => {
  const addresses = Array.from({ length: 7 }, (_, i) => `user${i}@example.com`);

  it.each([
    ['bounces', '7 addresses have been added to the bounces table'],
    ['unsubscribes', '7 addresses have been added to the unsubscribes table'],
    ['complaints', '7 complaint addresses have been added to the complaints table'],
  ] as const)('%s: several records go as one JSON batch', async (type, message) => {
    const data = addresses.map((address) => (type === 'unsubscribes' ? { address, tags: ['news'] } : { address }));
    expect(await mg.suppressions.create(DOMAIN, type, data)).toMatchObject({ message, status: 200 });
    expect((await mg.suppressions.list(DOMAIN, type)).items).toHaveLength(7);
  });

  it('pages.next / pages.previous lead through the list, limit kept', async () => {
    await mg.suppressions.create(DOMAIN, 'bounces', [...addresses].reverse().map((address) => ({ address })));
    const seen: string[] = [];
    let page = await mg.suppressions.list(DOMAIN, 'bounces', { limit: 3 });
    while (page.items.length > 0) {
      seen.push(...page.items.map((i) => (i as IBounce).address));
      expect(page.pages.next!.iteratorPosition).toBe((page.items.at(-1) as IBounce).address);
      page = await mg.suppressions.list(DOMAIN, 'bounces', { page: page.pages.next!.page, limit: 3 });
    }
    expect(seen).toEqual(addresses);

    const last = await mg.suppressions.list(DOMAIN, 'bounces', { page: page.pages.last!.page, limit: 3 });
    expect(last.items.map((i) => (i as IBounce).address)).toEqual(['user4@example.com', 'user5@example.com', 'user6@example.com']);
    const back = await mg.suppressions.list(DOMAIN, 'bounces', { page: last.pages.previous!.page, limit: 3 });
    expect(back.items.map((i) => (i as IBounce).address)).toEqual(['user1@example.com', 'user2@example.com', 'user3@example.com']);
    expect(back.pages.first!.url).toBe(`${mock.url}/v3/${DOMAIN}/bounces?limit=3&term=`);
  });
});

describe('the Suppressions API drives sends', () => {
  const send = (to: string) => mg.messages.create(DOMAIN, { from: 'me@samples.mailgun.org', to, subject: 'Hi', text: 'Hi' });

  it('a bounce added through the SDK fails the next send with 605; destroyed, the next is delivered', async () => {
    await mg.suppressions.create(DOMAIN, 'bounces', { address: 'bounced@example.com' });
    const first = await send('bounced@example.com');
    const failed = await mock.waitForEvent({ recipient: 'bounced@example.com', event: 'failed' }, { timeoutMs: 5000 });
    expect(failed).toMatchObject({ severity: 'permanent', reason: 'suppress-bounce', 'delivery-status': { code: 605 } });
    expect(failed.message).toMatchObject({ headers: { 'message-id': first.id!.replace(/^<|>$/g, '') } });

    await mg.suppressions.destroy(DOMAIN, 'bounces', 'bounced@example.com');
    const second = await send('bounced@example.com');
    const delivered = await mock.waitForEvent({ recipient: 'bounced@example.com', event: 'delivered' }, { timeoutMs: 5000 });
    expect(delivered.message).toMatchObject({ headers: { 'message-id': second.id!.replace(/^<|>$/g, '') } });
    expect(mock.events.list({ recipient: 'bounced@example.com' }).map((e) => e.event)).toEqual(['accepted', 'failed', 'accepted', 'delivered']);
  });

  it('an unsubscribe and a complaint added through the SDK fail sends with 606 and 607', async () => {
    await mg.suppressions.create(DOMAIN, 'unsubscribes', { address: 'unsub@example.com' });
    await mg.suppressions.create(DOMAIN, 'complaints', { address: 'spam@example.com' });
    await send('unsub@example.com');
    await send('spam@example.com');
    expect(mock.events.list({ event: 'failed' }).map((e) => [e.recipient, (e['delivery-status'] as { code: number }).code])).toEqual([
      ['unsub@example.com', 606],
      ['spam@example.com', 607],
    ]);
  });
});

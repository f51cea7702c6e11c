// The Domains API through mailgun.js, unmodified, against a started mock: list, get, create, update,
// verify and destroy domains, and the tracking settings, in the US region (mock.url) and the EU one
// (mock.euUrl), with Mailgun's errors surfacing as mailgun.js errors.
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { rejection } from '../helpers.js';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createClock, startMailgunMock, type MailgunMock } from '../../src/index.js';

const DOMAIN = 'samples.mailgun.org';
const EU_DOMAIN = 'eu.samples.mailgun.org';
const FROZEN = Date.parse('2025-02-24T22:44:03Z');

type Client = ReturnType<InstanceType<typeof Mailgun>['client']>;


let mock: MailgunMock;
let us: Client;
let eu: Client;

beforeAll(async () => {
  mock = await startMailgunMock({
    logLevel: 'silent',
    clock: createClock({ frozenAt: FROZEN }),
    fixtures: { domains: [{ name: DOMAIN, createdAt: '2013-10-25T00:00:00Z' }, { name: EU_DOMAIN, region: 'eu', createdAt: '2020-01-01T00:00:00Z' }] },
  });
  const mailgun = new Mailgun(FormData);
  us = mailgun.client({ username: 'api', key: 'key-test', url: mock.url });
  eu = mailgun.client({ username: 'api', key: 'key-test', url: mock.euUrl });
});
afterEach(() => mock.reset());
afterAll(() => mock.stop());


it('lists the region’s domains as Domain objects with dates', async () => {
  const [domain, ...rest] = await us.domains.list();
  expect(rest).toEqual([]);
  expect(domain).toMatchObject({ name: DOMAIN, state: 'active', type: 'custom', smtp_login: `postmaster@${DOMAIN}`, spam_action: 'disabled', wildcard: false, is_disabled: false, web_prefix: 'email', web_scheme: 'http' });
  expect(domain!.created_at).toEqual(new Date('2013-10-25T00:00:00Z'));
  expect(domain!.id).toMatch(/^[0-9a-f]{24}$/);
  expect((await eu.domains.list()).map((d) => d.name)).toEqual([EU_DOMAIN]);
});

it('creates a domain with its settings: unverified, with the DNS records to set', async () => {
  const created = await us.domains.create({ name: 'new.example.com', spam_action: 'tag', wildcard: true, web_scheme: 'https', smtp_password: 'super_secret', dkim_key_size: 2048, force_dkim_authority: false });
  expect(created).toMatchObject({ name: 'new.example.com', state: 'unverified', spam_action: 'tag', wildcard: true, web_scheme: 'https', created_at: new Date(FROZEN) });
  expect(created.receiving_dns_records?.map((r) => r.value)).toEqual(['mxa.mailgun.org', 'mxb.mailgun.org']);
  expect(created.sending_dns_records?.map((r) => [r.record_type, r.name, r.valid])).toEqual([
    ['TXT', 'smtp._domainkey.new.example.com', 'unknown'],
    ['TXT', 'new.example.com', 'unknown'],
    ['CNAME', 'email.new.example.com', 'unknown'],
  ]);
  expect((await us.domains.list({ state: 'unverified' })).map((d) => d.name)).toEqual(['new.example.com']);
});

it('gets a domain, with or without its DNS records', async () => {
  const full = await us.domains.get(DOMAIN);
  expect(full.receiving_dns_records).toHaveLength(2);
  expect(full.sending_dns_records?.every((r) => r.valid === 'valid')).toBe(true);
  const bare = await us.domains.get(DOMAIN, { extended: true, with_dns: false });
  expect(bare).toMatchObject({ name: DOMAIN, receiving_dns_records: null, sending_dns_records: null, dkim_host: DOMAIN, mailfrom_host: DOMAIN });
});

it('updates a domain and answers it', async () => {
  await us.domains.create({ name: 'new.example.com' });
  const updated = await us.domains.update('new.example.com', { spam_action: 'block', wildcard: true, web_scheme: 'https', web_prefix: 'track' });
  expect(updated).toMatchObject({ spam_action: 'block', wildcard: true, web_scheme: 'https', web_prefix: 'track' });
  expect(updated.sending_dns_records?.[2]?.name).toBe('track.new.example.com');
});

it('verifies a domain: it becomes active without any DNS being looked up', async () => {
  await us.domains.create({ name: 'new.example.com' });
  const verified = await us.domains.verify('new.example.com');
  expect(verified.state).toBe('active');
  expect(verified.receiving_dns_records?.every((r) => r.valid === 'valid')).toBe(true);
  expect((await us.domains.get('new.example.com')).state).toBe('active');
});

it('destroys a domain', async () => {
  await us.domains.create({ name: 'new.example.com' });
  expect(await us.domains.destroy('new.example.com')).toEqual({ message: 'Domain will be deleted in the background' });
  expect((await us.domains.list()).map((d) => d.name)).toEqual([DOMAIN]);
});

it('reads and changes the tracking settings', async () => {
  await us.domains.create({ name: 'new.example.com' });
  expect(await us.domains.domainTracking.getTracking('new.example.com')).toMatchObject({ open: { active: false }, click: { active: false }, unsubscribe: { active: false } });
  expect(await us.domains.domainTracking.updateTracking('new.example.com', 'open', { active: true, place_at_the_top: true })).toEqual({ message: 'Domain tracking settings have been updated', open: { active: true, place_at_the_top: true } });
  expect(await us.domains.domainTracking.updateTracking('new.example.com', 'click', { active: 'htmlonly' })).toEqual({ message: 'Domain tracking settings have been updated', click: { active: 'htmlonly' } });
  const unsubscribe = await us.domains.domainTracking.updateTracking('new.example.com', 'unsubscribe', { active: true, text_footer: 'bye %unsubscribe_url%' });
  expect(unsubscribe).toMatchObject({ unsubscribe: { active: true, text_footer: 'bye %unsubscribe_url%' } });
  expect(await us.domains.domainTracking.getTracking('new.example.com')).toMatchObject({ open: { active: true }, click: { active: true }, unsubscribe: { active: true } });
});

it('creates through the EU URL an EU domain, which the US URL does not find', async () => {
  const created = await eu.domains.create({ name: 'new.example.com' });
  expect(created.receiving_dns_records?.map((r) => r.value)).toEqual(['mxa.eu.mailgun.org', 'mxb.eu.mailgun.org']);
  expect((await eu.domains.list()).map((d) => d.name)).toEqual(['new.example.com', EU_DOMAIN]);
  expect(await rejection(us.domains.get('new.example.com'))).toMatchObject({ status: 404, details: 'Domain not found' });
  expect(await rejection(us.domains.create({ name: 'new.example.com' }))).toMatchObject({ status: 400, details: 'This domain name is already taken' });
  expect(await eu.domains.destroy('new.example.com')).toEqual({ message: 'Domain will be deleted in the background' });
});

it('surfaces Mailgun’s errors as mailgun.js errors', async () => {
  expect(await rejection(us.domains.get('nope.example.com'))).toMatchObject({ type: 'MailgunAPIError', status: 404, details: 'Domain not found' });
  expect(await rejection(us.domains.destroy('nope.example.com'))).toMatchObject({ status: 404, details: 'Domain not found' });
  expect(await rejection(us.domains.create({ name: DOMAIN }))).toMatchObject({ status: 400, details: 'This domain name is already taken' });
  expect(await rejection(us.domains.create({ name: 'not a domain' }))).toMatchObject({ status: 400, details: "'not a domain' is not a valid domain name" });
  expect(await rejection(us.domains.domainTracking.updateTracking(DOMAIN, 'open', { active: 'maybe' as 'yes' }))).toMatchObject({ status: 400 });
});

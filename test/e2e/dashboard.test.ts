// The dashboard at /__mock/ui, driven in a real headless Chromium (Debian's package, through
// playwright-core: no browser download). Each test opens a fresh browser context on a mock whose
// clock only moves when told, acts as a user would (clicks, forms, confirms) and checks what the
// page shows and, where the page changed something, the mock's own state through its APIs.
// No sleeps: every wait is for a selector, a network answer or a poll, bounded by WAIT.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import type { MailgunMessageData } from 'mailgun.js/definitions';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClock, startMailgunMock, type MailgunMock } from '../../src/index.js';
import { basic, rejection } from '../helpers.js';
import { expectedSignature, startReceiver, type Receiver } from '../receiver.js';

const DOMAIN = 'samples.mailgun.org';
const KEY = 'any-key';
const FROZEN = Date.parse('2026-11-26T12:00:00Z');
/** The longest any single wait in this file may take. */
const WAIT = 10_000;
const SHOTS = fileURLToPath(new URL('../../test-results/dashboard/', import.meta.url));
const BUILT_UI = fileURLToPath(new URL('../../dist/ui/index.html', import.meta.url));

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
if (!haveChromium && !process.env.CI) {
  console.warn(`dashboard.test.ts: skipped, no Chromium at ${executablePath}. Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`);
}
/** In CI a missing browser fails the suite (in beforeAll); on a workstation it skips it. */
const suite = haveChromium || process.env.CI ? describe : describe.skip;

type Client = ReturnType<InstanceType<typeof Mailgun>['client']>;

/**
 * The browser globals read inside page.evaluate. The project's tsconfig has no DOM lib, so the
 * callbacks cast globalThis to this; the cast is erased before the function is sent to the page.
 */
interface BrowserGlobals {
  __marker?: number;
  origin: string;
  document: { title: string; body: { dataset: Record<string, string | undefined> } };
}

/** A local server that records every request it gets: what a script in a message would call home to. */
interface Canary {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

async function startCanary(): Promise<Canary> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A 1×1 PNG, for an inline image. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

const bareId = (id: string | undefined) => (id ?? '').replace(/^<|>$/g, '');

/** A mailgun.js send with the usual fields, `extra` on top; resolves with the bare Message-Id. */
async function send(mg: Client, extra: Partial<MailgunMessageData> = {}): Promise<string> {
  const res = await mg.messages.create(DOMAIN, { from: `Shop <shop@${DOMAIN}>`, to: 'alice@example.com', subject: 'Hello', text: 'Hi there', ...extra } as MailgunMessageData);
  return bareId(res.id);
}

/** A call to the Mailgun API with Basic auth; resolves with the status and the JSON body. */
async function api(base: string, path: string, init: RequestInit = {}, key = KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path, { ...init, headers: { Authorization: basic(key), ...(init.headers as Record<string, string> | undefined) } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Sends a multipart message with files straight over HTTP (as an SDK's multipart send); resolves with its bare Message-Id. */
async function sendForm(base: string, fields: Record<string, string>, files: Array<{ field: 'attachment' | 'inline'; name: string; content: Buffer | string; type: string }> = [], key = KEY): Promise<string> {
  const form = new globalThis.FormData();
  for (const [k, v] of Object.entries({ from: `Shop <shop@${DOMAIN}>`, to: 'alice@example.com', ...fields })) form.append(k, v);
  for (const f of files) form.append(f.field, new Blob([f.content], { type: f.type }), f.name);
  const sent = await api(base, `/v3/${DOMAIN}/messages`, { method: 'POST', body: form }, key);
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  return bareId(sent.body.id as string);
}

/** A control-plane call (no key). */
async function admin(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/__mock${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const items = <T = Record<string, unknown>>(r: { body: Record<string, unknown> }) => r.body.items as T[];

/** The trimmed text of the first element the locator matches now, or null when none does (for expect.poll). */
const textOf = (l: Locator) => async (): Promise<string | null> => ((await l.count()) > 0 ? (await l.first().innerText()).trim() : null);
/** The trimmed texts of every element the locator matches now (for expect.poll). */
const textsOf = (l: Locator) => async (): Promise<string[]> => (await l.allInnerTexts()).map((t) => t.trim());
/** expect.poll on `fn`, every 50 ms for at most WAIT (a failure shows the last value). */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: WAIT, interval: 50 });

/** The page-reload probe: set before acting; still there afterwards means the page updated in place. */
const setMarker = (page: Page) => page.evaluate(() => void ((globalThis as unknown as BrowserGlobals).__marker = 1));
const markerKept = (page: Page) => page.evaluate(() => (globalThis as unknown as BrowserGlobals).__marker === 1);

/** Resolves once the header's live indicator says the event stream is connected. */
const live = (page: Page) => page.getByTestId('live-status').filter({ hasText: /^live$/ }).waitFor({ timeout: WAIT });

/** Accepts (or dismisses) the next window.confirm and resolves with its message. */
function answerConfirm(page: Page, accept: boolean): Promise<string> {
  return new Promise((resolve) => {
    page.once('dialog', (d) => {
      const message = d.message();
      void (accept ? d.accept() : d.dismiss()).then(() => resolve(message));
    });
  });
}

/** A full-page screenshot in test-results/dashboard/ (the passing toast hidden: it would cover the page). */
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true, style: '#toast { display: none !important; }' });

const messageRows = (page: Page) => page.locator('[data-testid=message-list] tr[data-message-id]');
const deliveryRow = (page: Page, table: string) => page.locator(`[data-testid=${table}] tr[data-delivery-id]`);
const field = (row: Locator, name: string) => row.locator(`[data-field=${name}]`);

// -------------------------------------------------------------------------------------------------

suite('the dashboard in a real Chromium', () => {
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`No Chromium at ${executablePath}: .ci/run installs Debian's chromium (apt-get install chromium); or set CHROMIUM_PATH.`);
    if (!existsSync(BUILT_UI)) throw new Error('The dashboard is not built (dist/ui): run npm run build first.');
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
    const errors = pageErrors;
    pageErrors = [];
    // An uncaught exception in the dashboard's own scripts fails the test that caused it.
    expect(errors).toEqual([]);
  });

  /** A fresh context and page on `base`/__mock/ui/`hash`, with the live stream connected. */
  async function open(base: string, hash = '#/messages'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(context);
    context.setDefaultTimeout(WAIT);
    context.setDefaultNavigationTimeout(WAIT);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/__mock/ui/${hash}`);
    await live(page);
    return page;
  }

  describe('on a mock with one account', () => {
    let mock: MailgunMock;
    let receiver: Receiver;
    let canary: Canary;
    let mg: Client;

    beforeAll(async () => {
      receiver = await startReceiver();
      canary = await startCanary();
      mock = await startMailgunMock({ port: 0, euPort: 0, host: '127.0.0.1', logLevel: 'silent', clock: createClock({ frozenAt: FROZEN }) });
      mg = new Mailgun(FormData).client({ username: 'api', key: KEY, url: mock.url });
    });
    afterAll(async () => {
      await mock?.stop();
      await receiver?.close();
      await canary?.close();
    });
    /**
     * The control for a "nothing ran" check: the same HTML set into a plain page (no sandbox, no CSP)
     * does run, and its script calls the canary at `path`. So the probes are live, not vacuous.
     */
    async function runsUnsandboxed(page: Page, html: string, path: string): Promise<void> {
      const plain = await page.context().newPage();
      await plain.setContent(html);
      await poll(async () => canary.hits).toContain(`GET ${path}`);
      expect(await plain.evaluate(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.ran)).not.toBe('no');
      await plain.close();
    }

    beforeEach(async () => {
      // reset() cancels retries and ends attempts in flight: nothing of the last test arrives later.
      await mock.reset();
      receiver.posts.length = 0;
      receiver.answer = () => ({ status: 200, body: 'ok' });
      canary.hits.length = 0;
    });

    it('shows a sent message live, its failing webhook delivery, and the retry that the +10 min button runs', async () => {
      receiver.answer = (_post, n) => (n === 1 ? { status: 500, body: 'handler broke' } : { status: 200, body: 'ok' });
      await mg.webhooks.create(DOMAIN, 'delivered', `${receiver.url}/delivered`, false);

      const page = await open(mock.url, '#/messages');
      await poll(textOf(page.getByTestId('message-list'))).toMatch(/No messages yet/);
      await setMarker(page);

      const id = await send(mg, {
        subject: 'Your order #42',
        text: 'Hello Alice, your order has shipped.',
        html: '<h1>Your order</h1><p>Order <b>42</b> has shipped.</p>',
      });
      const row = page.locator(`[data-testid=message-list] tr[data-message-id="${id}"]`);
      await row.waitFor();
      expect(await markerKept(page)).toBe(true);
      await expect(textOf(row)()).resolves.toContain('Your order #42');
      await shot(page, 'messages');

      await row.getByTestId('message-link').click();
      await poll(textOf(page.getByTestId('message-subject'))).toBe('Your order #42');
      const facts = await page.getByTestId('message-facts').innerText();
      expect(facts).toContain(`<${id}>`);
      expect(facts).toContain(`Shop <shop@${DOMAIN}>`);
      expect(facts).toContain('alice@example.com');
      expect(await page.getByTestId('message-text').innerText()).toBe('Hello Alice, your order has shipped.');
      const frame = page.getByTestId('message-html');
      expect(await frame.getAttribute('sandbox')).toBe('');
      expect(await frame.getAttribute('src')).toBe(`/__mock/messages/${encodeURIComponent(id)}/html`);
      await poll(textOf(page.frameLocator('[data-testid=message-html]').locator('h1'))).toBe('Your order');

      const delivery = deliveryRow(page, 'message-deliveries');
      await delivery.and(page.locator('[data-state=retrying]')).waitFor();
      expect(await delivery.count()).toBe(1);
      expect(await field(delivery, 'state').innerText()).toBe('retrying');
      expect(await field(delivery, 'status').innerText()).toBe('500');
      expect(await field(delivery, 'attempts').innerText()).toBe('1');
      expect(await field(delivery, 'next-retry').innerText()).toMatch(/\(in 10 min\)$/);
      const deliveryId = await delivery.getAttribute('data-delivery-id');
      await shot(page, 'message');

      const clockBefore = Date.parse((await page.getByTestId('clock-now').innerText()).replace(' ', 'T'));
      await page.getByTestId('clock-advance-10m').click();
      const delivered = page.locator(`[data-testid=message-deliveries] tr[data-delivery-id="${deliveryId}"][data-state=delivered]`);
      await delivered.waitFor();
      expect(await field(delivered, 'status').innerText()).toBe('200');
      expect(await field(delivered, 'attempts').innerText()).toBe('2');
      expect(await field(delivered, 'next-retry').innerText()).toBe('—');
      await poll(async () => Date.parse((await page.getByTestId('clock-now').innerText()).replace(' ', 'T')) - clockBefore).toBe(10 * 60_000);
      expect(await markerKept(page)).toBe(true);
      expect(receiver.posts.map((p) => p.path)).toEqual(['/delivered', '/delivered']);
      await shot(page, 'message-delivered');

      await delivered.getByTestId('delivery-link').click();
      const attempts = page.locator('[data-testid=delivery-attempts] tr[data-attempt]');
      await poll(() => attempts.count()).toBe(2);
      expect(await attempts.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual(['500', '200']);
      expect(await page.locator('[data-testid=delivery-attempts] tr[data-attempt="1"] pre.excerpt').innerText()).toBe('handler broke');
      expect(await page.locator('[data-testid=delivery-attempts] tr[data-attempt="2"] pre.excerpt').innerText()).toBe('ok');
      expect(await page.getByTestId('delivery-state').innerText()).toBe('delivered');

      const body = JSON.parse(await page.getByTestId('delivery-request').innerText()) as {
        signature: { timestamp: string; token: string; signature: string };
        'event-data': { event: string; recipient: string; message: { headers: Record<string, string> } };
      };
      expect(body.signature.signature).toBe(expectedSignature(mock.signingKey, body.signature.timestamp, body.signature.token));
      expect(body.signature).toEqual(receiver.posts[1]!.json!.signature);
      expect(body['event-data']).toMatchObject({ event: 'delivered', recipient: 'alice@example.com' });
      expect(body['event-data'].message.headers['message-id']).toBe(id);
      await shot(page, 'delivery');
    }, 60_000);

    it("shows a message's HTML in a sandbox where none of its script runs and nothing is fetched", async () => {
      const html = [
        '<!doctype html><html><head><title>inner</title></head><body data-ran="no">',
        '<h1>Probe</h1>',
        `<a id="js" href="javascript:document.body.dataset.ran='link';parent.document.title='pwned'" style="display:block;padding:20px">javascript: link</a>`,
        '<a id="after" href="#after">a plain link</a>',
        `<script>document.body.dataset.ran='script';parent.document.title='pwned';fetch('${canary.url}/pwned')</script>`,
        `<img src=x onerror="document.body.dataset.ran='onerror';parent.document.title='pwned';new Image().src='${canary.url}/onerror'">`,
        `<iframe srcdoc="<body data-ran=no><script>document.body.dataset.ran='srcdoc';parent.parent.document.title='pwned';fetch('${canary.url}/srcdoc')</script></body>"></iframe>`,
        `<img src="${canary.url}/pixel.gif" alt="tracking pixel">`,
        '</body></html>',
      ].join('\n');
      const subject = `<img src=x onerror="document.title='pwned'"> <b>Script probe</b>`;
      const id = await send(mg, { subject, html });

      const page = await open(mock.url, `#/messages/${encodeURIComponent(id)}`);
      const title = await page.title();
      expect(title).toMatch(/^mailgun-mock .* \(US\)$/);
      const iframe = page.getByTestId('message-html');
      expect(await iframe.getAttribute('sandbox')).toBe('');
      // The subject is markup-looking text, and shown as text.
      await poll(textOf(page.getByTestId('message-subject'))).toBe(subject);
      expect(await page.getByTestId('message-subject').locator('img, b').count()).toBe(0);
      const frame = (await (await iframe.elementHandle())!.contentFrame())!;
      await frame.waitForLoadState('load');
      expect(frame.url()).toBe(`${mock.url}/__mock/messages/${encodeURIComponent(id)}/html`);
      // The nested frame is served as an inert element: no frame, no connection to its host.
      expect(frame.childFrames()).toEqual([]);
      expect(await page.frameLocator('[data-testid=message-html]').locator('x-blocked-iframe').count()).toBe(1);

      // Playwright's own evaluation reaches into the sandboxed frame: its body says no script ran.
      expect(await frame.evaluate(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.ran)).toBe('no');

      // A click on the javascript: link runs nothing, and a plain link does not navigate the frame
      // (links open as popups, which the sandbox blocks).
      const inside = page.frameLocator('[data-testid=message-html]');
      await inside.locator('#js').click();
      await inside.locator('#after').click();
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
      expect(frame.url()).toBe(`${mock.url}/__mock/messages/${encodeURIComponent(id)}/html`);
      expect(await frame.evaluate(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.ran)).toBe('no');

      expect(await page.title()).toBe(title);
      expect(canary.hits).toEqual([]);
      await shot(page, 'html-sandbox');
      await runsUnsandboxed(page, html, '/pwned');

      const content = await fetch(`${mock.url}/__mock/messages/${encodeURIComponent(id)}/html`);
      expect(content.status).toBe(200);
      expect(content.headers.get('content-security-policy')).toMatch(/^sandbox(;|$)/);
      expect(content.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(content.headers.get('x-content-type-options')).toBe('nosniff');

      const ui = await fetch(`${mock.url}/__mock/ui/`);
      const csp = ui.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      expect(directives.get('script-src')).toEqual([expect.stringMatching(/^'nonce-[A-Za-z0-9+/]{22}=='$/)]);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    });

    it('opens an HTML attachment as an inert file: its script does not run on the mock origin', async () => {
      const evil = [
        '<!doctype html><html><head><title>evil.html</title></head><body data-ran="no">',
        `<script>document.body.dataset.ran='script';document.title='pwned';location.hash='ran';fetch('${canary.url}/attachment')</script>`,
        `<img src=x onerror="document.body.dataset.ran='onerror';document.title='pwned';new Image().src='${canary.url}/onerror'">`,
        '</body></html>',
      ].join('\n');
      const id = await sendForm(mock.url, { subject: 'With a file', text: 'See the file.' }, [{ field: 'attachment', name: 'evil.html', content: evil, type: 'text/html' }]);

      const page = await open(mock.url, `#/messages/${encodeURIComponent(id)}`);
      const link = page.locator('[data-testid=message-attachments] a', { hasText: 'evil.html' });
      await link.waitFor();
      expect(await link.getAttribute('download')).toBe('evil.html');
      expect(await link.getAttribute('rel')).toContain('noopener');
      const href = (await link.getAttribute('href'))!;
      expect(href).toBe(`/__mock/messages/${encodeURIComponent(id)}/attachments/0`);

      const response = (await page.goto(new URL(href, page.url()).href))!;
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toMatch(/^text\/html/);
      expect(response.headers()['content-security-policy']).toMatch(/^sandbox(;|$)/);
      // The file got an opaque origin (no access to the mock's storage or its API as the page) and ran nothing.
      expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).origin)).toBe('null');
      expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.ran)).toBe('no');
      expect(await page.title()).toBe('evil.html');
      expect(new URL(page.url()).hash).toBe('');
      expect(canary.hits).toEqual([]);
      await shot(page, 'attachment');
      await runsUnsandboxed(page, evil, '/attachment');
    });

    it("shows a message's inline (cid:) image inside the sandboxed HTML", async () => {
      const id = await sendForm(mock.url, { subject: 'With a logo', html: '<p>Logo: <img id="logo" src="cid:logo.png" alt="logo"></p>' }, [{ field: 'inline', name: 'logo.png', content: PIXEL, type: 'image/png' }]);

      const page = await open(mock.url, `#/messages/${encodeURIComponent(id)}`);
      const frame = (await (await page.getByTestId('message-html').elementHandle())!.contentFrame())!;
      await frame.waitForLoadState('load');
      const logo = frame.locator('#logo');
      // Inlined as a data: URL: the frame makes no request to the mock (its policy allows data: images only).
      expect(await logo.getAttribute('src')).toBe(`data:image/png;base64,${PIXEL.toString('base64')}`);
      expect(await logo.evaluate((img: { complete: boolean; naturalWidth: number }) => [img.complete, img.naturalWidth])).toEqual([true, 1]);
      expect(await page.locator('[data-testid=message-attachments] tr').filter({ hasText: 'logo.png' }).innerText()).toContain('inline');
    });

    it('lists domains, adds one, and adds, edits and deletes a webhook through the Mailgun API', async () => {
      const NEW = 'mg.dashboard.test';
      const hooks = `/v3/domains/${DOMAIN}/webhooks`;
      const page = await open(mock.url, '#/domains');
      const sample = page.locator(`[data-testid=domain-list] tr[data-domain="${DOMAIN}"]`);
      await sample.waitFor();

      await page.locator('[data-testid=domain-form] input[name=name]').fill(NEW);
      await page.locator('[data-testid=domain-form] button[type=submit]').click();
      const added = page.locator(`[data-testid=domain-list] tr[data-domain="${NEW}"]`);
      await added.waitFor();
      expect(await added.locator('.badge').innerText()).toBe('unverified');
      const created = await api(mock.url, `/v4/domains/${NEW}`);
      expect(created.status).toBe(200);
      expect((created.body.domain as { state: string }).state).toBe('unverified');
      await shot(page, 'domains');

      await sample.getByRole('link', { name: DOMAIN }).click();
      await page.getByTestId('domain-facts').waitFor();
      const first = `${receiver.url}/one`;
      const second = `${receiver.url}/two`;
      await page.getByTestId('webhook-name').selectOption('delivered');
      await page.getByTestId('webhook-urls').fill(first);
      await page.getByTestId('webhook-submit').click();
      const row = page.locator('[data-testid=webhook-list] tr[data-webhook=delivered]');
      const urls = row.locator('code.url');
      await poll(textsOf(urls)).toEqual([first]);
      expect((await api(mock.url, `${hooks}/delivered`)).body).toMatchObject({ webhook: { urls: [first] } });

      await row.locator('[data-action=edit]').click();
      expect(await page.getByTestId('webhook-urls').inputValue()).toBe(first);
      expect(await page.getByTestId('webhook-submit').innerText()).toBe('Save delivered');
      expect(await page.getByTestId('webhook-name').isDisabled()).toBe(true);
      await page.getByTestId('webhook-urls').fill(`${first}\n${second}`);
      await page.getByTestId('webhook-submit').click();
      await poll(textsOf(urls)).toEqual([first, second]);
      expect((await api(mock.url, `${hooks}/delivered`)).body).toMatchObject({ webhook: { urls: [first, second] } });
      expect(await page.getByTestId('webhook-submit').innerText()).toBe('Add webhook');
      await shot(page, 'domain');

      const confirmed = answerConfirm(page, true);
      await row.locator('[data-action=delete]').click();
      expect(await confirmed).toBe(`Delete the delivered webhook of ${DOMAIN}?`);
      await row.waitFor({ state: 'detached' });
      const after = await api(mock.url, hooks);
      expect(Object.keys(after.body.webhooks as object)).not.toContain('delivered');
      expect((await api(mock.url, `${hooks}/delivered`)).status).toBe(404);

      // The page did all of that through the Mailgun API, as an SDK would: its writes are in the
      // journal, marked as the dashboard's; its reads are not journalled (not the test's business).
      const journal = items<{ routeId: string; status: number; client: string | null; method: string }>(await admin(mock.url, 'GET', '/requests?status=200'));
      const routes = journal.map((e) => e.routeId);
      for (const r of ['domains.create', 'webhooks.create', 'webhooks.update', 'webhooks.delete']) expect(routes).toContain(r);
      expect(journal.filter((e) => e.client === 'dashboard').map((e) => e.method).sort()).toEqual(['DELETE', 'POST', 'POST', 'PUT']);
      expect(journal.some((e) => e.method === 'GET' && e.client === 'dashboard')).toBe(false);
    });

    it('filters the events timeline by event type and by recipient', async () => {
      expect((await admin(mock.url, 'POST', '/outcomes', { recipient: 'bounce@example.com', outcome: 'permanent_fail' })).status).toBe(200);
      await send(mg, { to: 'alice@example.com', subject: 'Welcome' });
      await send(mg, { to: 'bounce@example.com', subject: 'Bounce me' });

      const page = await open(mock.url, '#/events');
      const rows = page.locator('[data-testid=event-list] tr[data-event]');
      const events = () => rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-event')} ${tr.children[2]?.textContent}`));
      await poll(events).toHaveLength(4);
      expect((await events()).sort()).toEqual(['accepted alice@example.com', 'accepted bounce@example.com', 'delivered alice@example.com', 'failed bounce@example.com']);

      const filters = page.getByTestId('event-filters');
      await filters.locator('select[name=event]').selectOption('failed');
      await poll(events).toEqual(['failed bounce@example.com']);
      expect(page.url()).toMatch(/#\/events\?event=failed$/);
      expect(await rows.first().locator('summary').innerText()).toContain('permanent');
      await shot(page, 'events-failed');

      await filters.locator('select[name=event]').selectOption('');
      await filters.locator('input[name=recipient]').fill('bounce@example.com');
      await poll(events).toEqual(['failed bounce@example.com', 'accepted bounce@example.com']);
      expect(page.url()).toMatch(/#\/events\?recipient=bounce%40example\.com$/);
      const fromApi = items<{ event: string }>(await admin(mock.url, 'GET', '/events?recipient=bounce@example.com'));
      expect(fromApi.map((e) => e.event).reverse()).toEqual(['failed', 'accepted']);
    });

    it('adds a fault, counts its hit, removes it, and adds and clears outcome rules', async () => {
      const page = await open(mock.url, '#/rules');
      await page.getByTestId('fault-list').waitFor();
      await page.getByTestId('fault-input').fill('route=messages.send,status=500,times=1');
      await page.locator('[data-testid=fault-form] button[type=submit]').click();
      const fault = page.locator('[data-testid=fault-list] tr[data-rule-id]');
      await fault.waitFor();
      const cells = () => fault.locator('td').allInnerTexts();
      const [faultId, rule, hits, left] = await cells();
      expect(rule).toContain('"route":"messages.send"');
      expect(rule).toContain('"status":500');
      expect([hits, left]).toEqual(['0', '1']);
      expect(items<{ id: string }>(await admin(mock.url, 'GET', '/faults')).map((f) => f.id)).toEqual([faultId]);

      expect((await rejection(send(mg, { subject: 'Faulted' }))).status).toBe(500);
      await poll(async () => (await cells()).slice(2, 4)).toEqual(['1', '0']);
      await page.reload();
      await live(page);
      await poll(async () => (await cells()).slice(2, 4)).toEqual(['1', '0']);
      await shot(page, 'rules');

      await fault.locator('[data-action=remove]').click();
      await fault.waitFor({ state: 'detached' });
      await poll(textOf(page.getByTestId('fault-list'))).toMatch(/^No faults/);
      expect(items(await admin(mock.url, 'GET', '/faults'))).toEqual([]);
      expect(await send(mg, { subject: 'Not faulted' })).not.toBe('');

      const outcomes = page.locator('[data-testid=outcome-list] tr[data-rule-id]');
      await page.getByTestId('outcome-input').fill('recipient=*@bounce.test');
      await page.locator('[data-testid=outcome-form] button[type=submit]').click();
      await poll(textOf(page.getByTestId('toast'))).toMatch(/^An outcome rule is JSON/);
      expect(await page.getByTestId('toast').getAttribute('class')).toContain('error');
      for (const rule of ['{"recipient": "*@bounce.test", "outcome": "permanent_fail"}', '{"recipient": "slow@example.com", "outcome": "temporary_fail"}']) {
        const before = await outcomes.count();
        await page.getByTestId('outcome-input').fill(rule);
        await page.locator('[data-testid=outcome-form] button[type=submit]').click();
        await poll(() => outcomes.count()).toBe(before + 1);
      }
      expect(items<{ recipient: string; outcome: string }>(await admin(mock.url, 'GET', '/outcomes')).map((r) => `${r.recipient} ${r.outcome}`)).toEqual([
        '*@bounce.test permanent_fail',
        'slow@example.com temporary_fail',
      ]);
      await page.getByTestId('outcome-clear').click();
      await poll(() => outcomes.count()).toBe(0);
      await poll(textOf(page.getByTestId('outcome-list'))).toMatch(/^No outcome rules/);
      expect(items(await admin(mock.url, 'GET', '/outcomes'))).toEqual([]);
    });

    it('lists API requests in the journal as they happen and filters them by route id', async () => {
      const page = await open(mock.url, '#/requests');
      await poll(textOf(page.getByTestId('request-list'))).toMatch(/No requests yet/);
      await setMarker(page);

      await send(mg, { subject: 'Journaled' });
      await mg.webhooks.list(DOMAIN, {});
      const rows = page.locator('[data-testid=request-list] tr[data-seq]');
      const routes = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-route')));
      await poll(routes).toEqual(['webhooks.list', 'messages.send']);
      expect(await markerKept(page)).toBe(true);
      const sendRow = page.locator('[data-testid=request-list] tr[data-route="messages.send"]');
      expect(await sendRow.innerText()).toContain(`/v3/${DOMAIN}/messages`);
      expect(await sendRow.locator('.badge').innerText()).toBe('200');

      await page.getByTestId('request-filters').locator('input[name=route]').fill('messages.send');
      await poll(routes).toEqual(['messages.send']);
      expect(page.url()).toMatch(/#\/requests\?route=messages\.send$/);
      await send(mg, { subject: 'Journaled again' });
      await poll(routes).toEqual(['messages.send', 'messages.send']);
      expect(await markerKept(page)).toBe(true);
      await shot(page, 'requests');
    });

    it('searches messages by subject text, and keeps the search in the address', async () => {
      await send(mg, { subject: 'Invoice 1001', text: 'Your invoice' });
      await send(mg, { subject: 'Password reset', text: 'Click here' });
      const page = await open(mock.url, '#/messages');
      const subjects = textsOf(messageRows(page).getByTestId('message-link'));
      await poll(subjects).toEqual(['Password reset', 'Invoice 1001']);

      const search = page.getByTestId('message-filters').locator('input[name=q]');
      await search.fill('invoice');
      await poll(subjects).toEqual(['Invoice 1001']);
      expect(page.url()).toMatch(/#\/messages\?q=invoice$/);

      await page.reload();
      await live(page);
      expect(await search.inputValue()).toBe('invoice');
      await poll(subjects).toEqual(['Invoice 1001']);

      await search.fill('');
      await poll(subjects).toEqual(['Password reset', 'Invoice 1001']);
    });

    it('shows the answer to the latest search, even when an earlier one answers last', async () => {
      await send(mg, { subject: 'Invoice 1001', text: 'Your invoice' });
      await send(mg, { subject: 'Password reset', text: 'Click here' });
      const page = await open(mock.url, '#/messages');
      const subjects = textsOf(messageRows(page).getByTestId('message-link'));
      await poll(subjects).toEqual(['Password reset', 'Invoice 1001']);

      // The answer to q=invoice is held back until the search has already changed to q=password.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await page.route(/\/__mock\/messages\?q=invoice&/, async (route) => {
        await held;
        await route.continue();
      });
      const invoiceAnswer = page.waitForResponse(/\/__mock\/messages\?q=invoice&/);
      const search = page.getByTestId('message-filters').locator('input[name=q]');
      const invoiceAsked = page.waitForRequest(/\/__mock\/messages\?q=invoice&/);
      await search.fill('invoice');
      await invoiceAsked;
      await search.fill('password');
      await poll(async () => page.url()).toMatch(/#\/messages\?q=password$/);
      release();
      await (await invoiceAnswer).finished();
      // Let the page handle that answer (a few turns of its event loop) before looking.
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
      // Whatever order the answers came in, the list ends on what the box says.
      await poll(subjects).toEqual(['Password reset']);
      await page.unroute(/\/__mock\/messages\?q=invoice&/);
    });

    it('resets the mock from the header button once confirmed, and the message list and page notice live', async () => {
      const id = await send(mg, { subject: 'Before the reset' });
      const detail = await open(mock.url, `#/messages/${encodeURIComponent(id)}`);
      await poll(textOf(detail.getByTestId('message-subject'))).toBe('Before the reset');
      const page = await open(mock.url, '#/messages');
      await poll(() => messageRows(page).count()).toBe(1);
      await setMarker(page);

      const dismissed = answerConfirm(page, false);
      await page.getByTestId('reset').click();
      expect(await dismissed).toMatch(/^Reset the mock\?/);
      expect((await admin(mock.url, 'GET', '/messages')).body.total).toBe(1);
      expect(await messageRows(page).count()).toBe(1);

      const accepted = answerConfirm(page, true);
      await page.getByTestId('reset').click();
      await accepted;
      await poll(textOf(page.getByTestId('message-list'))).toMatch(/^No messages yet/);
      await poll(textOf(page.getByTestId('toast'))).toBe('Mock has been reset');
      expect(await markerKept(page)).toBe(true);
      expect((await admin(mock.url, 'GET', '/messages')).body.total).toBe(0);
      // A page open on the message, in another tab, says it is gone.
      await poll(textOf(detail.getByTestId('message-missing'))).toMatch(/^Message not found/);
      expect(await detail.getByTestId('message-subject').count()).toBe(0);
    });

    it('resends a delivery from the deliveries list and from its own page, one more signed attempt each', async () => {
      await mg.webhooks.create(DOMAIN, 'delivered', `${receiver.url}/delivered`, false);
      await send(mg, { subject: 'Resend me' });
      await receiver.waitFor(1, '/delivered', WAIT);

      const page = await open(mock.url, '#/deliveries');
      const row = deliveryRow(page, 'delivery-list');
      await poll(textOf(field(row, 'attempts'))).toBe('1');
      expect(await row.getAttribute('data-state')).toBe('delivered');

      await row.locator('[data-action=resend]').click();
      await receiver.waitFor(2, '/delivered', WAIT);
      await poll(textOf(field(row, 'attempts'))).toBe('2');
      await poll(textOf(page.getByTestId('toast'))).toBe('Attempt 2: HTTP 200');

      await row.getByTestId('delivery-link').click();
      const attempts = page.locator('[data-testid=delivery-attempts] tr[data-attempt]');
      await poll(() => attempts.count()).toBe(2);
      await page.getByTestId('delivery-resend').click();
      await receiver.waitFor(3, '/delivered', WAIT);
      await poll(() => attempts.count()).toBe(3);
      expect(receiver.posts).toHaveLength(3);
      const tokens = receiver.posts.map((p) => p.json!.signature.token);
      expect(new Set(tokens).size).toBe(3);
    });

    it("prints a delivery's last attempt as a curl command that replays it byte for byte", async () => {
      await mg.webhooks.create(DOMAIN, 'delivered', `${receiver.url}/delivered`, false);
      await send(mg, { subject: "Replay 'quoted' $HOME `x`" });
      const [first] = await receiver.waitFor(1, '/delivered', WAIT);
      const page = await open(mock.url, '#/deliveries');
      await deliveryRow(page, 'delivery-list').getByTestId('delivery-link').click();
      const command = (await page.getByTestId('delivery-curl').textContent())!;
      expect(command).toContain(`${receiver.url}/delivered`);
      await promisify(execFile)('bash', ['-c', command], { timeout: WAIT });
      const [, replayed] = await receiver.waitFor(2, '/delivered', WAIT);
      expect(replayed!.raw.equals(first!.raw)).toBe(true);
      expect(replayed!.contentType).toBe(first!.contentType);
    });

    it('previews message HTML at phone, tablet and desktop widths', async () => {
      const id = await send(mg, { subject: 'Widths', html: '<p>wide</p>' });
      const page = await open(mock.url, `#/messages/${encodeURIComponent(id)}`);
      const frame = page.getByTestId('message-html');
      const width = async () => (await frame.boundingBox())!.width;
      const desktop = await width();
      await page.locator('[data-width=phone]').click();
      await poll(width).toBe(375);
      await page.locator('[data-width=tablet]').click();
      await poll(width).toBe(768);
      await page.locator('[data-width=desktop]').click();
      await poll(width).toBe(desktop);
      expect(await page.locator('[data-width=desktop]').getAttribute('aria-pressed')).toBe('true');
    });

    it("lists a domain's suppressions and removes one through the Mailgun API", async () => {
      await admin(mock.url, 'POST', '/outcomes', { recipient: 'gone@example.com', outcome: 'permanent_fail' });
      await send(mg, { subject: 'Bounce me', to: 'gone@example.com' });
      await poll(async () => items(await api(mock.url, `/v3/${DOMAIN}/bounces`)).length).toBe(1);
      const page = await open(mock.url, `#/domains/${DOMAIN}`);
      const bounce = page.locator('[data-testid=suppression-list-bounces] tr[data-address="gone@example.com"]');
      await bounce.waitFor();
      expect(await bounce.innerText()).toContain('550');
      await bounce.locator('[data-action=remove]').click();
      await bounce.waitFor({ state: 'detached' });
      expect(items(await api(mock.url, `/v3/${DOMAIN}/bounces`))).toEqual([]);
      await shot(page, 'domain-suppressions');
    });

    it('serves the dashboard at /__mock/ui and /__mock/ui/, and on the EU listener as the EU region', async () => {
      for (const path of ['/__mock/ui', '/__mock/ui/']) {
        const res = await fetch(mock.url + path);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await res.text()).toContain('data-testid="live-status"');
      }
      const script = await fetch(`${mock.url}/__mock/ui/js/main.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/javascript/);

      const us = await open(mock.url, '');
      expect(await us.locator('.brand').innerText()).toBe('mailgun-mock · US');
      expect(await us.title()).toMatch(/\(US\)$/);
      expect(await us.locator('nav a.active').getAttribute('data-nav')).toBe('messages');

      const context = contexts.at(-1)!;
      const bare = await context.newPage();
      bare.on('pageerror', (e) => pageErrors.push(e.message));
      await bare.goto(`${mock.url}/__mock/ui`);
      await live(bare);
      expect(await bare.locator('.brand').innerText()).toBe('mailgun-mock · US');

      // The EU listener: its own brand and title, and the domains of its region (samples.mailgun.org is a US domain).
      const eu = await open(mock.euUrl, '#/domains');
      expect(await eu.locator('.brand').innerText()).toBe('mailgun-mock · EU');
      expect(await eu.title()).toMatch(/\(EU\)$/);
      await poll(textOf(eu.getByTestId('domain-list'))).toBe('No domains in this region.');
      await us.goto(`${mock.url}/__mock/ui/#/domains`);
      await us.locator(`[data-testid=domain-list] tr[data-domain="${DOMAIN}"]`).waitFor();
      await shot(eu, 'eu');
    });

    it("makes no Mailgun API request when a message's HTML points images at API paths (armed faults stay armed)", async () => {
      await admin(mock.url, 'POST', '/faults', { route: 'events.list', status: 503, times: 1 });
      const html = `<img src="/v3/${DOMAIN}/events"><img src="/v4/domains"><div style="background:url(/v3/domains/${DOMAIN}/webhooks)">x</div>`;
      const id = await send(mg, { subject: 'API paths', html });
      const before = items(await admin(mock.url, 'GET', '/requests')).length;
      const page = await open(mock.url, `#/messages/${encodeURIComponent(id)}`);
      const frame = (await (await page.getByTestId('message-html').elementHandle())!.contentFrame())!;
      await frame.waitForLoadState('load');
      // The frame's own requests would be journalled as they are answered: let the page settle first.
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
      expect(items(await admin(mock.url, 'GET', '/requests')).length).toBe(before);
      expect(items<{ hits: number }>(await admin(mock.url, 'GET', '/faults')).map((f) => f.hits)).toEqual([0]);
    });

    it('links a messages.mime send to its raw MIME, and an API send to none', async () => {
      const mime = ['From: shop@samples.mailgun.org', 'To: alice@example.com', 'Subject: Raw MIME', 'MIME-Version: 1.0', 'Content-Type: text/plain', '', 'Hello from MIME', ''].join('\r\n');
      const form = new globalThis.FormData();
      form.append('to', 'alice@example.com');
      form.append('message', new Blob([mime], { type: 'message/rfc822' }), 'message.mime');
      const sent = await api(mock.url, `/v3/${DOMAIN}/messages.mime`, { method: 'POST', body: form });
      expect(sent.status).toBe(200);
      const page = await open(mock.url, `#/messages/${encodeURIComponent(bareId(sent.body.id as string))}`);
      const raw = page.getByTestId('message-raw');
      await raw.waitFor();
      const text = await (await fetch(new URL((await raw.getAttribute('href'))!, mock.url))).text();
      expect(text).toBe(mime);
      expect(await page.getByTestId('message-eml').getAttribute('href')).toMatch(/\/raw\?download=1$/);

      const other = await send(mg, { subject: 'API send' });
      await page.goto(`${mock.url}/__mock/ui/#/messages/${encodeURIComponent(other)}`);
      await poll(textOf(page.getByTestId('message-subject'))).toBe('API send');
      expect(await page.getByTestId('message-raw').count()).toBe(0);
    });

    it('shows the AMP part in its own sandboxed frame, and each part\'s source as text', async () => {
      const id = await sendForm(mock.url, { subject: 'AMP', text: 'plain', 'amp-html': '<!doctype html><html ⚡4email><body><h1>AMP body</h1></body></html>' });
      const page = await open(mock.url, `#/messages/${encodeURIComponent(id)}`);
      const amp = page.getByTestId('message-amp');
      expect(await amp.getAttribute('sandbox')).toBe('');
      await poll(textOf(page.frameLocator('[data-testid=message-amp]').locator('h1'))).toBe('AMP body');
      expect(await page.getByTestId('message-html').count()).toBe(0);
      expect(await page.getByTestId('message-amp-source').textContent()).toContain('<h1>AMP body</h1>');
    });

    it('keeps an opened event open while new events arrive live', async () => {
      await send(mg, { subject: 'First', to: 'first@example.com' });
      const page = await open(mock.url, '#/events');
      const row = page.locator('[data-testid=event-list] tr[data-event=delivered]').filter({ hasText: 'first@example.com' });
      await row.locator('summary').click();
      expect(await row.locator('details').getAttribute('open')).toBe('');
      await send(mg, { subject: 'Second', to: 'second@example.com' });
      await poll(() => page.locator('[data-testid=event-list] tr').filter({ hasText: 'second@example.com' }).count()).toBe(2);
      expect(await row.locator('details').getAttribute('open')).toBe('');
    });

    it('takes a bare status as a fault spec, and survives page names that are not pages', async () => {
      const page = await open(mock.url, '#/rules');
      await page.getByTestId('fault-list').waitFor();
      await page.getByTestId('fault-input').fill('503');
      await page.locator('[data-testid=fault-form] button[type=submit]').click();
      await poll(async () => items<{ status?: number }>(await admin(mock.url, 'GET', '/faults')).map((f) => f.status)).toEqual([503]);
      for (const hash of ['#/constructor', '#/__proto__', '#/toString', '#/messages/%E0%A4', '#/messages/%']) {
        await page.goto(`${mock.url}/__mock/ui/${hash}`);
        await page.locator('section[data-page]').waitFor();
      }
      // afterEach fails the test on any uncaught error in the page.
    });

    it('lists account webhooks live and deletes one; switches a domain\'s tracking through the API', async () => {
      const page = await open(mock.url, '#/domains');
      await page.getByTestId('account-webhook-list').waitFor();
      const created = await api(mock.url, '/v1/webhooks', { method: 'POST', body: new URLSearchParams({ url: `${receiver.url}/account`, event_types: 'delivered,opened', description: 'from the test' }) });
      expect(created.status).toBe(200);
      const row = page.locator(`[data-testid=account-webhook-list] tr[data-webhook-id="${created.body.webhook_id as string}"]`);
      await row.waitFor();
      expect(await row.innerText()).toContain('delivered, opened');
      const confirmed = answerConfirm(page, true);
      await row.locator('[data-action=delete]').click();
      await confirmed;
      await row.waitFor({ state: 'detached' });
      expect((await api(mock.url, '/v1/webhooks')).body.webhooks).toEqual([]);

      await page.goto(`${mock.url}/__mock/ui/#/domains/${DOMAIN}`);
      const open_ = page.locator('[data-tracking=open]');
      await open_.waitFor();
      expect(await open_.isChecked()).toBe(true);
      await open_.uncheck();
      await poll(async () => ((await api(mock.url, `/v3/domains/${DOMAIN}/tracking`)).body.tracking as { open: { active: boolean } }).open.active).toBe(false);
      await page.reload();
      await live(page);
      await page.locator('[data-tracking=open]').waitFor();
      expect(await page.locator('[data-tracking=open]').isChecked()).toBe(false);
    });

    it("follows rules armed by the test live, and clears faults, outcome rules and the journal from its buttons", async () => {
      const page = await open(mock.url, '#/rules');
      await page.getByTestId('fault-list').waitFor();
      await setMarker(page);
      await admin(mock.url, 'POST', '/faults', { route: 'webhooks.create', status: 503 });
      await admin(mock.url, 'POST', '/outcomes', { recipient: '*@gone.test', outcome: 'permanent_fail' });
      await page.locator('[data-testid=fault-list] tr[data-rule-id]').waitFor();
      await page.locator('[data-testid=outcome-list] tr[data-rule-id]').waitFor();
      expect(await markerKept(page)).toBe(true);
      await page.getByTestId('fault-clear').click();
      await poll(textOf(page.getByTestId('fault-list'))).toMatch(/^No faults/);
      expect(items(await admin(mock.url, 'GET', '/faults'))).toEqual([]);
      await page.getByTestId('outcome-clear').click();
      await poll(textOf(page.getByTestId('outcome-list'))).toMatch(/^No outcome rules/);

      await send(mg, { subject: 'For the journal' });
      await page.goto(`${mock.url}/__mock/ui/#/requests`);
      await page.locator('[data-testid=request-list] tr[data-seq]').first().waitFor();
      await page.getByTestId('request-clear').click();
      await poll(textOf(page.getByTestId('request-list'))).toBe('No requests yet.');
      expect(items(await admin(mock.url, 'GET', '/requests'))).toEqual([]);
      // A clear made elsewhere shows too.
      await send(mg, { subject: 'Again' });
      await page.locator('[data-testid=request-list] tr[data-seq]').first().waitFor();
      await admin(mock.url, 'DELETE', '/requests');
      await poll(textOf(page.getByTestId('request-list'))).toBe('No requests yet.');
    });

    it('verifies and deletes a domain, and shows a domain page that was opened before the domain existed', async () => {
      const NAME = 'mg.later.test';
      const page = await open(mock.url, `#/domains/${NAME}`);
      await page.getByTestId('domain-missing').waitFor();
      expect((await api(mock.url, '/v4/domains', { method: 'POST', body: new URLSearchParams({ name: NAME }) })).status).toBe(200);
      // Created elsewhere: the open page becomes the domain's page, form and all.
      await page.getByTestId('domain-verify').waitFor();
      await page.getByTestId('webhook-form').waitFor();
      await page.getByTestId('domain-verify').click();
      await poll(async () => ((await api(mock.url, `/v4/domains/${NAME}`)).body.domain as { state: string }).state).toBe('active');
      await poll(() => page.getByTestId('domain-verify').count()).toBe(0);
      const confirmed = answerConfirm(page, true);
      await page.getByTestId('domain-delete').click();
      expect(await confirmed).toBe(`Delete ${NAME} and its webhooks?`);
      await poll(async () => page.url()).toMatch(/#\/domains$/);
      expect((await api(mock.url, `/v4/domains/${NAME}`)).status).toBe(404);
    });

    it('advances the clock by the minutes typed, makes an event happen to a message, tests a webhook, and filters deliveries', async () => {
      // The fixtures' legacy open and click webhooks point at the internet: tests talk to 127.0.0.1 only.
      for (const name of ['open', 'click']) expect((await api(mock.url, `/v3/domains/${DOMAIN}/webhooks/${name}`, { method: 'DELETE' })).status).toBe(200);
      await mg.webhooks.create(DOMAIN, 'opened', `${receiver.url}/opened`, false);
      const id = await send(mg, { subject: 'Open me' });
      const page = await open(mock.url, `#/messages/${encodeURIComponent(id)}`);
      await page.getByTestId('message-emit').waitFor();
      await page.locator('[data-testid=message-emit] [data-event=opened]').click();
      await page.locator('[data-testid=message-events] tr[data-event=opened]').waitFor();
      await receiver.waitFor(1, '/opened', WAIT);
      await deliveryRow(page, 'message-deliveries').filter({ hasText: 'opened' }).waitFor();

      const before = (await admin(mock.url, 'GET', '/clock')).body.advancedMs as number;
      await page.locator('[data-testid=clock-form] input[name=minutes]').fill('90');
      await page.locator('[data-testid=clock-form] button[type=submit]').click();
      await poll(async () => (await admin(mock.url, 'GET', '/clock')).body.advancedMs).toBe(before + 90 * 60_000);
      await poll(textOf(page.getByTestId('toast'))).toMatch(/^Clock advanced 1 h 30 min/);

      await page.goto(`${mock.url}/__mock/ui/#/domains/${DOMAIN}`);
      const row = page.locator('[data-testid=webhook-list] tr[data-webhook=opened]');
      await row.locator('[data-action=test]').click();
      await poll(textOf(page.getByTestId('toast'))).toMatch(new RegExp(`^Test event to ${receiver.url}/opened: 200`));

      await page.goto(`${mock.url}/__mock/ui/#/deliveries`);
      await deliveryRow(page, 'delivery-list').first().waitFor();
      await page.getByTestId('delivery-filters').locator('select[name=state]').selectOption('failed');
      await poll(textOf(page.getByTestId('delivery-list'))).toBe('No webhook deliveries yet.');
      await page.getByTestId('delivery-filters').locator('select[name=state]').selectOption('delivered');
      await poll(() => deliveryRow(page, 'delivery-list').count()).toBe(1);
      // A new delivery shows on this page live.
      await send(mg, { subject: 'Second', to: 'bob@example.com' });
      await mock.events.emit({ messageId: (await mock.waitForMessage({ subject: 'Second' })).id, event: 'opened' });
      await poll(() => deliveryRow(page, 'delivery-list').count()).toBe(2);
    });

    it("shows another client's webhook and bounce changes on the domain page live", async () => {
      const page = await open(mock.url, `#/domains/${DOMAIN}`);
      await page.locator('[data-testid=webhook-list] tr[data-webhook]').first().waitFor();
      await setMarker(page);
      await mg.webhooks.create(DOMAIN, 'delivered', `${receiver.url}/live`, false);
      await page.locator('[data-testid=webhook-list] tr[data-webhook=delivered]').waitFor();
      await api(mock.url, `/v3/${DOMAIN}/bounces`, { method: 'POST', body: new URLSearchParams({ address: 'live@example.com' }) });
      await page.locator('[data-testid=suppression-list-bounces] tr[data-address="live@example.com"]').waitFor();
      expect(await markerKept(page)).toBe(true);
    });

    it('keeps refreshing while the mock stays busy (a steady stream of requests does not starve the page)', async () => {
      const page = await open(mock.url, '#/requests');
      const rows = page.locator('[data-testid=request-list] tr[data-seq]');
      let sent = 0;
      let seenAt = -1;
      // 60 requests, one every 40 ms (faster than the 50 ms frames): rows must show before the burst ends.
      for (; sent < 60; sent++) {
        await api(mock.url, `/v3/domains/${DOMAIN}/webhooks`);
        if (seenAt === -1 && (await rows.count()) > 0) seenAt = sent;
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      expect(seenAt).toBeGreaterThanOrEqual(0);
      expect(seenAt).toBeLessThan(60);
      await poll(() => rows.count()).toBe(60);
    });

    it('refreshes what it shows when the stream comes back from a mock restarted on the same port', async () => {
      const first = await startMailgunMock({ port: 0, euPort: 0, host: '127.0.0.1', logLevel: 'silent' });
      const port = first.port;
      let second: MailgunMock | undefined;
      try {
        await send(new Mailgun(FormData).client({ username: 'api', key: KEY, url: first.url }), { subject: 'On the first mock' });
        const page = await open(first.url, '#/messages');
        const subjects = textsOf(messageRows(page).getByTestId('message-link'));
        await poll(subjects).toEqual(['On the first mock']);
        await first.stop();
        await page.getByTestId('live-status').filter({ hasText: /^(reconnecting|offline)$/ }).waitFor();
        second = await startMailgunMock({ port, euPort: 0, host: '127.0.0.1', logLevel: 'silent' });
        await live(page);
        await poll(textOf(page.getByTestId('message-list'))).toMatch(/^No messages yet/);
      } finally {
        await first.stop();
        await second?.stop();
      }
    });
  });

  describe('on a mock listening on IPv6 loopback', () => {
    let mock: MailgunMock;
    beforeAll(async () => {
      mock = await startMailgunMock({ port: 0, euPort: 0, host: '::1', logLevel: 'silent' });
    });
    afterAll(async () => {
      await mock?.stop();
    });

    it('loads and goes live at http://[::1]:port', async () => {
      expect(mock.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const page = await open(mock.url, '#/messages');
      await send(new Mailgun(FormData).client({ username: 'api', key: KEY, url: mock.url }), { subject: 'Over IPv6' });
      await poll(textsOf(messageRows(page).getByTestId('message-link'))).toEqual(['Over IPv6']);
    });
  });

  describe('on a mock that checks API keys', () => {
    let mock: MailgunMock;
    beforeAll(async () => {
      mock = await startMailgunMock({ port: 0, euPort: 0, host: '127.0.0.1', logLevel: 'silent', apiKeys: ['key-good'] });
    });
    afterAll(async () => {
      await mock?.stop();
    });

    it('asks for a key for the Mailgun API pages, shows the 401 of a wrong one, and recovers with the right one', async () => {
      const page = await open(mock.url, '#/domains');
      await page.getByTestId('key-needed').waitFor();
      await page.getByTestId('key-input').fill('key-wrong');
      await page.locator('[data-testid=key-form] button[type=submit]').click();
      // A 401 comes back as an answer (no browser login prompt holding the request).
      await poll(textOf(page.getByTestId('toast'))).toMatch(/^401/);
      await page.getByTestId('key-input').fill('key-good');
      await page.locator('[data-testid=key-form] button[type=submit]').click();
      await page.locator(`[data-testid=domain-list] tr[data-domain="${DOMAIN}"]`).waitFor();
    });
  });

  describe('on a mock with one account per API key', () => {
    const ALPHA = 'key-alpha';
    const BRAVO = 'key-bravo';
    let mock: MailgunMock;

    beforeAll(async () => {
      mock = await startMailgunMock({ port: 0, euPort: 0, host: '127.0.0.1', logLevel: 'silent', accountPerKey: true, clock: createClock({ frozenAt: FROZEN }) });
    });
    afterAll(async () => {
      await mock?.stop();
    });
    beforeEach(async () => {
      await mock.reset();
    });

    const client = (key: string) => new Mailgun(FormData).client({ username: 'api', key, url: mock.url });

    /** Types a key into the key bar; resolves once the list has been asked for that account and its stream is up. */
    async function useKey(page: Page, key: string): Promise<void> {
      const stream = page.waitForResponse((r) => r.url().endsWith(`/__mock/stream?account=${encodeURIComponent(key)}`), { timeout: WAIT });
      const list = page.waitForResponse((r) => r.url().includes('/__mock/messages?') && r.request().headers()['x-mailgun-mock-account'] === key, { timeout: WAIT });
      await page.getByTestId('key-input').fill(key);
      await page.locator('[data-testid=key-form] button[type=submit]').click();
      expect((await stream).status()).toBe(200);
      expect((await list).status()).toBe(200);
    }

    it("shows only the messages of the account whose key is entered in the key bar", async () => {
      await send(client(BRAVO), { subject: 'For bravo only' });

      const page = await open(mock.url, '#/messages');
      expect(await page.getByTestId('keybar').isVisible()).toBe(true);
      await useKey(page, ALPHA);
      await poll(textOf(page.getByTestId('message-list'))).toMatch(/^No messages yet/);
      await setMarker(page);

      const id = await send(client(ALPHA), { subject: 'For alpha', html: '<h1>Alpha only</h1>' });
      const subjects = textsOf(messageRows(page).getByTestId('message-link'));
      await poll(subjects).toEqual(['For alpha']);
      expect(await markerKept(page)).toBe(true);
      await shot(page, 'account-alpha');

      // The message page asks for that account too, and so do the frames and links it opens.
      await messageRows(page).getByTestId('message-link').click();
      await poll(textOf(page.getByTestId('message-subject'))).toBe('For alpha');
      expect(await page.getByTestId('message-html').getAttribute('src')).toBe(`/__mock/messages/${encodeURIComponent(id)}/html?account=${ALPHA}`);
      await poll(textOf(page.frameLocator('[data-testid=message-html]').locator('h1'))).toBe('Alpha only');

      await page.getByRole('link', { name: '← Messages' }).click();
      await useKey(page, BRAVO);
      await poll(subjects).toEqual(['For bravo only']);
      expect((await admin(mock.url, 'GET', '/messages')).body.total).toBe(0);
    });

    it("shows an inline (cid:) image of a key's message", async () => {
      const id = await sendForm(mock.url, { subject: 'Alpha logo', html: '<p><img id="logo" src="cid:logo.png" alt="logo"></p>' }, [{ field: 'inline', name: 'logo.png', content: PIXEL, type: 'image/png' }], ALPHA);

      const page = await open(mock.url, '#/messages');
      await useKey(page, ALPHA);
      await page.goto(`${mock.url}/__mock/ui/#/messages/${encodeURIComponent(id)}`);
      await poll(textOf(page.getByTestId('message-subject'))).toBe('Alpha logo');
      const frame = (await (await page.getByTestId('message-html').elementHandle())!.contentFrame())!;
      await frame.waitForLoadState('load');
      const logo = frame.locator('#logo');
      expect(await logo.getAttribute('src')).toBe(`data:image/png;base64,${PIXEL.toString('base64')}`);
      expect(await logo.evaluate((img: { complete: boolean; naturalWidth: number }) => [img.complete, img.naturalWidth])).toEqual([true, 1]);
    });
  });
});

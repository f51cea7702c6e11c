// The dashboard's server side, without a browser: the static files under /__mock/ui with their
// strict headers (and no way out of dist/ui), GET /__mock/ui/config, a message's HTML served
// sandboxed with its cid: images pointed at the stored inline files, attachments sandboxed too,
// the `q` search of GET /__mock/messages, and ?account= on the control plane with accountPerKey.
// Needs `npm run build` (the static files are served from dist/ui).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_HEADER, DEFAULT_SIGNING_KEY, type MailgunMock } from '../../src/index.js';
import { UI_DIR } from '../../src/routes/ui.js';
import { basic, createTestMock, DOMAIN } from '../helpers.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** A file planted in dist/ui for the dotfile test (removed afterwards). */
const DOTFILE = `${UI_DIR}.dashboard-test-secret`;
const SECRET = 'dotfile-canary-4f1c';

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

/** Sends a message as multipart (files ride along) and returns its bare Message-Id. */
/** What the frame is served: links open as (blocked) popups rather than navigating the frame. */
const FRAMED = '<base target="_blank">';

async function sendWith(
  app: MailgunMock['app'],
  fields: Record<string, string | string[]>,
  files: Array<{ field: 'attachment' | 'inline'; name: string; content: Buffer; type?: string }> = [],
  { key, domain = DOMAIN }: { key?: string; domain?: string } = {},
): Promise<string> {
  const req = request(app).post(`/v3/${domain}/messages`).set('Authorization', basic(key));
  const body: Record<string, string | string[]> = { from: 'Bob <bob@samples.mailgun.org>', to: 'alice@example.com', subject: 'Hello', ...fields };
  if (body.text === undefined && body.html === undefined && body['amp-html'] === undefined) body.text = 'Hi';
  for (const [name, value] of Object.entries(body)) {
    for (const v of [value].flat()) req.field(name, v);
  }
  for (const f of files) req.attach(f.field, f.content, f.type ? { filename: f.name, contentType: f.type } : f.name);
  const res = await req;
  expect(res.status, res.text).toBe(200);
  return (res.body.id as string).slice(1, -1);
}

describe('the dashboard and its message views', () => {
  let mock: MailgunMock;
  beforeAll(async () => {
    expect(existsSync(`${UI_DIR}index.html`), 'run `npm run build` first: the dashboard is served from dist/ui').toBe(true);
    // No webhooks in the seed: nothing is posted anywhere while these tests send.
    mock = await createTestMock({ fixtures: { domains: [{ name: DOMAIN }, { name: 'other.example.com' }] } });
    writeFileSync(DOTFILE, SECRET);
  });
  afterEach(() => mock.reset());
  afterAll(async () => {
    rmSync(DOTFILE, { force: true });
    await mock.stop();
  });

  const api = () => request(mock.app);
  const send = (fields: Record<string, string | string[]>, files: Parameters<typeof sendWith>[2] = [], domain = DOMAIN) => sendWith(mock.app, fields, files, { domain });

  it('serves index.html at /__mock/ui and /__mock/ui/ with a strict policy', async () => {
    const page = readFileSync(`${UI_DIR}index.html`, 'utf8');
    for (const path of ['/__mock/ui', '/__mock/ui/']) {
      const res = await api().get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(/^text\/html\b/);
      // The page as built, its script tag carrying this answer's nonce (a fresh one each time).
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(res.headers['content-security-policy'] as string)?.[1];
      expect(nonce, path).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(res.text, path).toBe(page.replace('__CSP_NONCE__', nonce!));
      const csp = directives(res.headers['content-security-policy']);
      // Only the script tag with this answer's nonce (and what it imports), not any file the mock serves.
      expect(csp.get('script-src'), path).toEqual([expect.stringMatching(/^'nonce-[A-Za-z0-9+/]{22}=='$/)]);
      expect(csp.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(csp.get('default-src'), path).toEqual(["'none'"]);
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
    }
  });

  it('gives each answer of the page a fresh nonce, and every other dashboard file no script source at all', async () => {
    const nonceOf = async () => directives((await api().get('/__mock/ui/')).headers['content-security-policy']).get('script-src');
    const [a, b] = [await nonceOf(), await nonceOf()];
    expect(a).not.toEqual(b);
    for (const file of ['/__mock/ui/js/main.js', '/__mock/ui/style.css', '/__mock/ui/config']) {
      expect(directives((await api().get(file)).headers['content-security-policy']).get('script-src'), file).toEqual(["'none'"]);
    }
  });

  it('serves the page with its nonce under every spelling of index.html', async () => {
    for (const path of ['/__mock/ui/index.html', '/__mock/ui/%69ndex.html', '/__mock/ui//index.html', '/__mock/ui/./index.html', '/__mock/ui/js/../index.html']) {
      const res = await api().get(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain('__CSP_NONCE__');
      expect(res.headers['content-security-policy'], path).toMatch(/script-src 'nonce-/);
    }
  });

  it('never allows inline or evaluated script on the dashboard', async () => {
    const csp = directives((await api().get('/__mock/ui/')).headers['content-security-policy']);
    for (const [name, values] of csp) {
      if (name === 'script-src' || name === 'default-src') {
        expect(values, name).not.toContain("'unsafe-inline'");
        expect(values, name).not.toContain("'unsafe-eval'");
      }
    }
  });

  it('serves the compiled script and the stylesheet with their types and the same headers', async () => {
    const js = await api().get('/__mock/ui/js/main.js').set('Host', 'localhost:8465');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript\b/);
    expect(js.text).toBe(readFileSync(`${UI_DIR}js/main.js`, 'utf8'));
    expect(js.headers['x-content-type-options']).toBe('nosniff');

    const css = await api().get('/__mock/ui/style.css').set('Host', 'localhost:8465');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css\b/);
    expect(css.text).toBe(readFileSync(`${UI_DIR}style.css`, 'utf8'));
    expect(css.headers['content-security-policy']).toBe(js.headers['content-security-policy']);
  });

  it('answers an unknown dashboard file with 404 JSON', async () => {
    for (const path of ['/__mock/ui/nope.js', '/__mock/ui/js/nope.js', '/__mock/ui/js/', '/__mock/ui/js']) {
      const res = await api().get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type'], path).toBe(JSON_TYPE);
      expect(res.body, path).toEqual({ message: expect.any(String) });
    }
  });

  it('never serves a file outside dist/ui, however the path is written', async () => {
    const pkg = readFileSync('package.json', 'utf8');
    const index = existsSync(`${UI_DIR}../index.js`) ? readFileSync(`${UI_DIR}../index.js`, 'utf8') : undefined;
    for (const path of [
      '/__mock/ui/../package.json',
      '/__mock/ui/../../package.json',
      '/__mock/ui/%2e%2e/package.json',
      '/__mock/ui/%2e%2e/%2e%2e/package.json',
      '/__mock/ui/%2E%2E/%2E%2E/package.json',
      '/__mock/ui/..%2f..%2fpackage.json',
      '/__mock/ui/..%5c..%5cpackage.json',
      '/__mock/ui/js/../../index.js',
      '/__mock/ui/js/%2e%2e/%2e%2e/index.js',
      '/__mock/ui/js%2f..%2f..%2findex.js',
      '/__mock/ui//etc/passwd',
      '/__mock/ui/%2fetc%2fpasswd',
      '/__mock/ui/%00',
      '/__mock/ui/%E0%A4%A',
    ]) {
      const res = await api().get(path);
      expect(res.status, path).not.toBe(200);
      expect(res.status, path).toBeLessThan(500);
      expect(res.text, path).not.toContain('"devDependencies"');
      if (index !== undefined) expect(res.text, path).not.toBe(index);
      expect(res.text, path).not.toBe(pkg);
      expect(res.text, path).not.toMatch(/root:.*:0:0:/);
      expect(res.headers['content-type'], path).toBe(JSON_TYPE);
    }
  });

  it('does not serve dotfiles in dist/ui', async () => {
    for (const path of ['/__mock/ui/.dashboard-test-secret', '/__mock/ui/%2edashboard-test-secret', '/__mock/ui/js/../.dashboard-test-secret']) {
      const res = await api().get(path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain(SECRET);
    }
  });

  it('GET /__mock/ui/config tells the dashboard about this mock', async () => {
    const res = await api().get('/__mock/ui/config');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_TYPE);
    expect(res.body).toEqual({
      version: mock.version,
      account: mock.id,
      authMode: 'any',
      accountPerKey: false,
      region: 'us',
      storage: 'memory',
    });
    // The signing key is not the dashboard's business (GET /v5/accounts/http_signing_key has it, with a key).
    expect(JSON.stringify(res.body)).not.toContain(DEFAULT_SIGNING_KEY);
  });

  it('GET /__mock/ui/config says eu when the request names the EU API host', async () => {
    const res = await api().get('/__mock/ui/config').set('Host', 'api.eu.mailgun.net');
    expect(res.status).toBe(200);
    expect(res.body.region).toBe('eu');
    expect((await api().get('/__mock/ui/config').set('Host', 'api.mailgun.net')).body.region).toBe('us');
  });

  it('GET /__mock/messages/{id}/html gives the HTML as sent, sandboxed', async () => {
    const html = '<html><body><h1>Hi Alice</h1><script>alert(1)</script><p>caf\u00e9</p></body></html>';
    const id = await send({ html, text: 'Hi Alice' });
    const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toBe(FRAMED + html);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toMatch(/^sandbox(;|$)/);
    expect(directives(csp).get('sandbox')).toEqual([]);
    expect(directives(csp).get('default-src')).toEqual(["'none'"]);
    expect(directives(csp).has('script-src')).toBe(false);
    expect(directives(csp).get('frame-ancestors')).toEqual(["'self'"]);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('GET /__mock/messages/{id}/html finds the message by its Message-Id with <>', async () => {
    const id = await send({ html: '<p>bracketed</p>' });
    const res = await api().get(`/__mock/messages/${encodeURIComponent(`<${id}>`)}/html`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(FRAMED + '<p>bracketed</p>');
  });

  it('GET /__mock/messages/{id}/html answers 404 JSON for an unknown message and for one without HTML', async () => {
    const unknown = await api().get('/__mock/messages/nope@samples.mailgun.org/html');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe(JSON_TYPE);
    expect(unknown.body).toEqual({ message: expect.any(String) });

    const textOnly = await send({ text: 'just text' });
    const none = await api().get(`/__mock/messages/${encodeURIComponent(textOnly)}/html`);
    expect(none.status).toBe(404);
    expect(none.headers['content-type']).toBe(JSON_TYPE);
    expect(none.body).toEqual({ message: expect.any(String) });
    expect(none.body.message).not.toBe(unknown.body.message);

    // No AMP part either.
    expect((await api().get(`/__mock/messages/${encodeURIComponent(textOnly)}/html?part=amp`)).status).toBe(404);
  });

  it('GET /__mock/messages/{id}/html?part=amp gives the AMP part', async () => {
    const amp = '<!doctype html><html \u26a14email><body>amp body</body></html>';
    const id = await send({ html: '<p>plain html</p>', 'amp-html': amp });
    const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/html?part=amp`);
    expect(res.status).toBe(200);
    // The base goes after the doctype, so the page keeps its standards mode.
    expect(res.text).toBe(amp.replace('<!doctype html>', `<!doctype html>${FRAMED}`));
    expect(res.headers['content-security-policy']).toMatch(/^sandbox(;|$)/);
    expect((await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`)).text).toBe(FRAMED + '<p>plain html</p>');

    const ampOnly = await send({ 'amp-html': amp, text: 'fallback' });
    expect((await api().get(`/__mock/messages/${encodeURIComponent(ampOnly)}/html`)).status).toBe(404);
    expect((await api().get(`/__mock/messages/${encodeURIComponent(ampOnly)}/html?part=amp`)).text).toBe(amp.replace('<!doctype html>', `<!doctype html>${FRAMED}`));
  });

  it('inlines cid: references to the stored inline file of that name as data: URLs', async () => {
    const png = Buffer.from('\u0089PNG\r\n\u001a\n fake logo', 'latin1');
    const html = [
      '<img src="cid:logo.png" alt="logo">',
      "<img src='CID:logo.png'>",
      '<div style="background: url(cid:logo.png)"></div>',
      '<img src="cid:missing.png">',
      '<p>write to cid:logo.png in text</p>',
    ].join('\n');
    const id = await send({ html }, [
      { field: 'attachment', name: 'report.txt', content: Buffer.from('a report'), type: 'text/plain' },
      { field: 'inline', name: 'logo.png', content: png, type: 'image/png' },
    ]);
    const stored = mock.messages.get(id)!;
    const index = stored.attachments.findIndex((a) => a.field === 'inline' && a.filename === 'logo.png');
    expect(index).toBe(1);
    // The frame needs no request to the mock: its policy allows data: images only.
    const url = `data:image/png;base64,${png.toString('base64')}`;

    const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(
      FRAMED +
      [
        `<img src="${url}" alt="logo">`,
        `<img src='${url}'>`,
        `<div style="background: url(${url})"></div>`,
        '<img src="cid:missing.png">',
        '<p>write to cid:logo.png in text</p>',
      ].join('\n'),
    );
    // The stored message keeps the HTML as sent.
    expect(stored.html).toBe(html);
    expect(directives(res.headers['content-security-policy']).get('img-src')).toEqual(['data:']);
    expect(directives(res.headers['content-security-policy']).get('base-uri')).toEqual(["'none'"]);
  });

  it('points cid: references at inline files only, not at attachments of that name', async () => {
    const html = '<img src="cid:logo.png">';
    const id = await send({ html }, [{ field: 'attachment', name: 'logo.png', content: Buffer.from('not inline'), type: 'image/png' }]);
    expect((await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`)).text).toBe(FRAMED + html);

    const other = await send({ html }, [{ field: 'inline', name: 'banner.png', content: Buffer.from('banner'), type: 'image/png' }]);
    expect((await api().get(`/__mock/messages/${encodeURIComponent(other)}/html`)).text).toBe(FRAMED + html);
  });

  it('inlines srcset candidates, escaped quotes and MIME parts named by Content-ID', async () => {
    const png = Buffer.from('png bytes');
    const data = `data:image/png;base64,${png.toString('base64')}`;
    const id = await send({ html: '<img srcset="cid:logo.png 1x, cid:logo.png 2x"><div style="background:url(&quot;cid:logo.png&quot;)"></div>' }, [{ field: 'inline', name: 'logo.png', content: png, type: 'image/png' }]);
    expect((await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`)).text).toBe(`${FRAMED}<img srcset="${data} 1x, ${data} 2x"><div style="background:url(&quot;${data}&quot;)"></div>`);

    // A MIME send (as nodemailer builds it): the part is named by its Content-ID, not its file name.
    const mime = [
      'From: shop@samples.mailgun.org', 'To: alice@example.com', 'Subject: MIME logo', 'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="b1"', '',
      '--b1', 'Content-Type: text/html; charset=utf-8', '', '<img src="cid:logo@shop">',
      '--b1', 'Content-Type: image/png; name="logo.png"', 'Content-Transfer-Encoding: base64', 'Content-ID: <logo@shop>', 'Content-Disposition: inline; filename="logo.png"', '',
      png.toString('base64'), '--b1--', '',
    ].join('\r\n');
    const sent = await api().post(`/v3/${DOMAIN}/messages.mime`).set('Authorization', basic()).field('to', 'alice@example.com').attach('message', Buffer.from(mime), 'message.mime');
    expect(sent.status, sent.text).toBe(200);
    const mimeId = (sent.body.id as string).replace(/^<|>$/g, '');
    expect((await api().get(`/__mock/messages/${encodeURIComponent(mimeId)}/html`)).text).toBe(`${FRAMED}<img src="${data}">`);
  });

  it('GET /__mock/messages/{id}/raw gives a messages.mime send as sent, as text or as an .eml file', async () => {
    const mime = ['From: shop@samples.mailgun.org', 'To: alice@example.com', 'Subject: Raw', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Hello <script>x</script> caf\u00e9', ''].join('\r\n');
    const sent = await api().post(`/v3/${DOMAIN}/messages.mime`).set('Authorization', basic()).field('to', 'alice@example.com').attach('message', Buffer.from(mime), 'message.mime');
    expect(sent.status, sent.text).toBe(200);
    const id = (sent.body.id as string).replace(/^<|>$/g, '');
    const text = await api().get(`/__mock/messages/${encodeURIComponent(id)}/raw`);
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.headers['content-security-policy']).toMatch(/^sandbox(;|$)/);
    expect(text.text).toBe(mime);
    const eml = await api()
      .get(`/__mock/messages/${encodeURIComponent(id)}/raw?download=1`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(eml.headers['content-type']).toBe('message/rfc822');
    expect(eml.headers['content-disposition']).toBe(`attachment; filename="${id}.eml"`);
    expect(Buffer.from(eml.body as Buffer).toString()).toBe(mime);

    const apiSend = await send({ text: 'not MIME' });
    const none = await api().get(`/__mock/messages/${encodeURIComponent(apiSend)}/raw`);
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ message: 'Only messages.mime sends keep a raw MIME message' });
    expect((await api().get('/__mock/messages/nope/raw')).status).toBe(404);
  });

  it('inlines images only up to a budget, leaving the rest as cid: (no giant answer)', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const id = await send({ html: Array.from({ length: 10 }, () => '<img src="cid:big.png">').join('') }, [{ field: 'inline', name: 'big.png', content: big, type: 'image/png' }]);
    const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`);
    expect(res.status).toBe(200);
    const inlined = res.text.split('data:image/png').length - 1;
    expect(inlined).toBeGreaterThan(0);
    expect(inlined).toBeLessThan(10);
    expect(res.text.split('cid:big.png').length - 1).toBe(10 - inlined);
    expect(res.text.length).toBeLessThan(9 * 1024 * 1024);
  });

  it('serves nested frames as inert elements and opens links as (blocked) popups, whatever target they name', async () => {
    const id = await send({ html: '<iframe src="http://tracker.example/x"></iframe><IFRAME/><frame src=y></frame><a href="/v3/x">link</a><a target="_self" href="/v4/domains">self</a><A HREF=/a TARGET=_parent>p</A><area target=\'_top\' href="/b"><p>iframe in text, target=_self in text</p>' });
    expect((await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`)).text).toBe(
      `${FRAMED}<x-blocked-iframe src="http://tracker.example/x"></x-blocked-iframe><x-blocked-IFRAME/><x-blocked-frame src=y></x-blocked-frame><a href="/v3/x">link</a><a href="/v4/domains">self</a><A HREF=/a>p</A><area href="/b"><p>iframe in text, target=_self in text</p>`,
    );
  });

  it('says how many matched besides the newest it lists', async () => {
    for (let i = 0; i < 5; i++) await send({ subject: `Count ${i}` });
    const res = await api().get('/__mock/messages?limit=2&light=1');
    expect(res.body).toMatchObject({ total: 2, matched: 5 });
    expect((res.body.items as Array<{ subject: string }>).map((m) => m.subject)).toEqual(['Count 3', 'Count 4']);
    expect((await api().get('/__mock/events?limit=3')).body).toMatchObject({ total: 3, matched: 10 });
    expect((await api().get('/__mock/requests?limit=1')).body).toMatchObject({ total: 1, matched: 5 });
  });

  it('rewrites an unquoted cid: attribute value too', async () => {
    const id = await send({ html: '<img src=cid:logo.png alt=x>' }, [{ field: 'inline', name: 'logo.png', content: Buffer.from('png bytes') }]);
    const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`);
    expect(res.text).toBe(`${FRAMED}<img src=data:image/png;base64,${Buffer.from('png bytes').toString('base64')} alt=x>`);
  });

  it('rewrites cid: for an inline file uploaded with just a filename', async () => {
    // .attach('inline', buffer, 'logo.png'): the type comes from the name.
    const id = await send({ html: '<img src="cid:logo.png">' }, [{ field: 'inline', name: 'logo.png', content: Buffer.from('png bytes') }]);
    const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/html`);
    expect(res.text).toBe(`${FRAMED}<img src="data:image/png;base64,${Buffer.from('png bytes').toString('base64')}">`);
  });

  it('serves attachments sandboxed and unsniffed, whatever their type', async () => {
    const evil = '<html><script>parent.document.title="pwned"</script></html>';
    const id = await send({ text: 'see attached' }, [
      { field: 'attachment', name: 'page.html', content: Buffer.from(evil), type: 'text/html' },
      { field: 'attachment', name: 'pic.svg', content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), type: 'image/svg+xml' },
    ]);
    for (const i of [0, 1]) {
      const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/attachments/${i}`).buffer(true);
      expect(res.status, `attachment ${i}`).toBe(200);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp, `attachment ${i}`).toMatch(/^sandbox(;|$)/);
      expect(directives(csp).get('default-src')).toEqual(["'none'"]);
      expect(res.headers['x-content-type-options'], `attachment ${i}`).toBe('nosniff');
    }
    expect((await api().get(`/__mock/messages/${encodeURIComponent(id)}/attachments/0`)).text).toBe(evil);
  });

  it("serves attachments sandboxed through Mailgun's storage API too (same origin as the dashboard)", async () => {
    const evil = '<html><script>fetch("/__mock/reset", {method: "POST"})</script></html>';
    const id = await send({ text: 'see attached' }, [{ field: 'attachment', name: 'page.html', content: Buffer.from(evil), type: 'text/html' }]);
    const stored = await api().get(`/v3/domains/${DOMAIN}/messages/${mock.messages.get(id)!.storageKey}`).set('Authorization', basic());
    expect(stored.status).toBe(200);
    const url = new URL((stored.body.attachments as Array<{ url: string }>)[0]!.url);
    const res = await api().get(url.pathname).set('Authorization', basic());
    expect(res.status).toBe(200);
    expect(res.text).toBe(evil);
    expect(res.headers['content-security-policy']).toMatch(/^sandbox(;|$)/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('lists messages without their text, HTML and AMP parts with light=1', async () => {
    await send({ subject: 'Light', text: 'the text', html: '<p>the html</p>' });
    const [full] = (await api().get('/__mock/messages')).body.items as Array<Record<string, unknown>>;
    expect(full).toMatchObject({ subject: 'Light', text: 'the text', html: '<p>the html</p>' });
    const [light] = (await api().get('/__mock/messages?light=1')).body.items as Array<Record<string, unknown>>;
    expect(light).toMatchObject({ subject: 'Light', hasText: true, hasHtml: true, hasAmpHtml: false });
    expect(light).not.toHaveProperty('text');
    expect(light).not.toHaveProperty('html');
  });

  it("leaves armed faults and the rate-limit budget to the app: the dashboard's own API calls skip them", async () => {
    const limited = await createTestMock({ rateLimit: 2 });
    try {
      const hooks = `/v3/domains/${DOMAIN}/webhooks`;
      limited.faults.add({ route: 'webhooks.list', status: 503, times: 1 });
      const dashboard = () => request(limited.app).get(hooks).set('Authorization', basic()).set('X-Mailgun-Mock-Client', 'dashboard');
      for (let i = 0; i < 5; i++) expect((await dashboard()).status).toBe(200);
      // The fault is still armed and the budget untouched: the app gets both.
      const app = () => request(limited.app).get(hooks).set('Authorization', basic());
      expect((await app()).status).toBe(503);
      expect((await app()).status).toBe(200);
      expect((await app()).status).toBe(200);
      expect((await app()).status).toBe(429);
      // The dashboard's reads are not journalled (they are not the test's business); its writes are.
      expect(limited.journal.list({ routeId: 'webhooks.list' })).toHaveLength(4);
      const write = await request(limited.app).post(`/v3/${DOMAIN}/bounces`).set('Authorization', basic()).set('X-Mailgun-Mock-Client', 'dashboard').type('form').send('address=x@example.com');
      expect(write.status).toBe(200);
      expect(limited.journal.list({ client: 'dashboard' }).map((e) => e.routeId)).toEqual(['suppressions.create']);
    } finally {
      await limited.stop();
    }
  });

  describe('GET /__mock/messages?q=', () => {
    /** Three messages that differ in every field the search reads. */
    async function sendThree(): Promise<[string, string, string]> {
      const one = await send({ from: 'Bob <bob@samples.mailgun.org>', to: 'alice@example.com', subject: 'Welcome aboard', text: 'Your account is ready', 'o:tag': 'onboarding' });
      const two = await send({ from: 'Carol <carol@samples.mailgun.org>', to: 'dave@example.com', cc: 'erin@example.com', subject: 'Invoice 42', text: 'Amount due: 10 EUR', 'o:tag': 'billing' });
      const three = await send({ from: 'ops@other.example.com', to: 'Frank@Example.com', subject: 'Weekly digest', html: '<p>zebra only in html</p>', 'o:tag': 'Digest' }, [], 'other.example.com');
      return [one, two, three];
    }
    const search = async (query: string): Promise<string[]> => {
      const res = await api().get(`/__mock/messages${query}`);
      expect(res.status, query).toBe(200);
      expect(res.body.total).toBe(res.body.items.length);
      return (res.body.items as Array<{ id: string }>).map((m) => m.id);
    };

    it('matches a word in the subject, From, recipients, tags and text, ignoring case', async () => {
      const [one, two, three] = await sendThree();
      const cases: Array<[string, string[]]> = [
        ['WELCOME', [one]], // subject
        ['carol', [two]], // From, display name
        ['bob@samples', [one]], // From, address
        ['erin@example.com', [two]], // a cc recipient
        ['frank', [three]], // a recipient, written in capitals when sent
        ['billing', [two]], // a tag
        ['digest', [three]], // a tag (and the subject)
        ['amount', [two]], // the text part
        ['example.com', [one, two, three]],
        ['zebra', []], // the HTML part is not searched
        ['nothing-like-this', []],
      ];
      for (const [q, want] of cases) expect(await search(`?q=${encodeURIComponent(q)}`), q).toEqual(want);
    });

    it('matches part of the Message-Id', async () => {
      const [, two] = await sendThree();
      const part = two.split('@')[0]!.slice(-10);
      expect(await search(`?q=${encodeURIComponent(part)}`)).toEqual([two]);
      expect(await search(`?q=${encodeURIComponent(two.toUpperCase())}`)).toEqual([two]);
      // As a send's answer gives it: with angle brackets.
      expect(await search(`?q=${encodeURIComponent(`<${two}>`)}`)).toEqual([two]);
    });

    it('needs every word to match, each anywhere', async () => {
      const [one, two] = await sendThree();
      expect(await search(`?q=${encodeURIComponent('welcome alice')}`)).toEqual([one]);
      expect(await search(`?q=${encodeURIComponent('  invoice   CAROL\tdue ')}`)).toEqual([two]);
      expect(await search(`?q=${encodeURIComponent('welcome carol')}`)).toEqual([]);
      expect(await search('?q=welcome+alice')).toEqual([one]);
    });

    it('matches everything when empty or blank', async () => {
      const all = await sendThree();
      expect(await search('?q=')).toEqual(all);
      expect(await search('?q=%20%20')).toEqual(all);
    });

    it('combines with the other filters', async () => {
      const [one, two, three] = await sendThree();
      expect(await search('?q=example.com&domain=samples.mailgun.org')).toEqual([one, two]);
      expect(await search('?q=example.com&tag=billing')).toEqual([two]);
      expect(await search('?q=example.com&limit=2')).toEqual([two, three]);
      expect(await search('?q=welcome&recipient=dave@example.com')).toEqual([]);
      expect(await search('?q=digest&from=ops')).toEqual([three]);
      expect(await search(`?q=example.com&id=${encodeURIComponent(two)}`)).toEqual([two]);
      expect(await search(`?q=welcome&id=${encodeURIComponent(`<${two}>`)}`)).toEqual([]);
    });

    it('is there programmatically as messages.list({ search })', async () => {
      const [one, two, three] = await sendThree();
      const ids = (search: string) => mock.messages.list({ search }).map((m) => m.id);
      expect(ids('Welcome ALICE')).toEqual([one]);
      expect(ids('billing')).toEqual([two]);
      expect(ids('')).toEqual([one, two, three]);
      expect(mock.messages.list({ search: 'example.com', domain: 'other.example.com' }).map((m) => m.id)).toEqual([three]);
      expect(mock.messages.latest({ search: 'example.com' })?.id).toBe(three);
    });
  });
});

describe('the dashboard with an account per key', () => {
  const A = 'key-alpha';
  const B = 'key-bravo';
  let mock: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock({ accountPerKey: true, apiKeys: [A, B], fixtures: { domains: [{ name: DOMAIN }] } });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.stop());

  const api = () => request(mock.app);
  const subjects = (res: request.Response) => (res.body.items as Array<{ subject: string }>).map((m) => m.subject);

  it('GET /__mock/messages?account= lists that key\'s messages, as the header does', async () => {
    await sendWith(mock.app, { subject: 'from alpha' }, [], { key: A });
    await sendWith(mock.app, { subject: 'from bravo' }, [], { key: B });

    const a = await api().get(`/__mock/messages?account=${A}`);
    expect(a.status).toBe(200);
    expect(subjects(a)).toEqual(['from alpha']);
    expect(subjects(await api().get(`/__mock/messages?account=${B}`))).toEqual(['from bravo']);
    expect(subjects(await api().get('/__mock/messages').set(ACCOUNT_HEADER, A))).toEqual(['from alpha']);
    // Other query parameters still apply.
    expect(subjects(await api().get(`/__mock/messages?q=alpha&account=${A}`))).toEqual(['from alpha']);
    expect(subjects(await api().get(`/__mock/messages?q=bravo&account=${A}`))).toEqual([]);
    // Neither: the main account, which no key sent through.
    expect(subjects(await api().get('/__mock/messages'))).toEqual([]);
  });

  it('GET /__mock/messages/{id}/html?account= finds the message in that key\'s account only', async () => {
    const id = await sendWith(mock.app, { html: '<p>alpha html</p>' }, [], { key: A });
    const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/html?account=${A}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(FRAMED + '<p>alpha html</p>');
    expect((await api().get(`/__mock/messages/${encodeURIComponent(id)}/html?account=${B}`)).status).toBe(404);
  });

  it("inlines cid: images from the key's own message", async () => {
    const id = await sendWith(mock.app, { html: '<img src="cid:logo.png">' }, [{ field: 'inline', name: 'logo.png', content: Buffer.from('alpha logo'), type: 'image/png' }], { key: A });
    const res = await api().get(`/__mock/messages/${encodeURIComponent(id)}/html?account=${A}`);
    expect(res.text).toBe(`${FRAMED}<img src="data:image/png;base64,${Buffer.from('alpha logo').toString('base64')}">`);
  });

  it('GET /__mock/ui/config?account= describes that key\'s account', async () => {
    const res = await api().get(`/__mock/ui/config?account=${A}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ account: (await mock.account(A)).id, authMode: 'keys', accountPerKey: true, region: 'us' });
    expect(res.body.account).not.toBe(mock.id);
    expect((await api().get('/__mock/ui/config')).body).toMatchObject({ account: mock.id, authMode: 'keys', accountPerKey: true });
  });

  it('answers 400 JSON for ?account= naming a key the mock does not accept', async () => {
    for (const path of ['/__mock/messages?account=key-unknown', '/__mock/stream?account=key-unknown', '/__mock/ui/config?account=key-unknown']) {
      const res = await api().get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers['content-type'], path).toBe(JSON_TYPE);
      expect(res.body, path).toEqual({ message: expect.stringContaining('not an accepted API key') });
    }
  });

  it('serves the dashboard itself with or without ?account=', async () => {
    for (const path of ['/__mock/ui/', `/__mock/ui/?account=${A}`]) {
      const res = await api().get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(/^text\/html\b/);
    }
  });
});

describe('who may ask: host names and pages of other sites', () => {
  let mock: MailgunMock;
  let keyed: MailgunMock;
  let perKey: MailgunMock;
  beforeAll(async () => {
    mock = await createTestMock();
    keyed = await createTestMock({ apiKeys: ['key-test'] });
    perKey = await createTestMock({ accountPerKey: true });
  });
  afterAll(async () => {
    await mock.stop();
    await keyed.stop();
    await perKey.stop();
  });

  const get = (app: MailgunMock['app'], path: string, headers: Record<string, string>) => {
    const req = request(app).get(path);
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return req;
  };
  const HOOKS = `/v3/domains/${DOMAIN}/webhooks`;

  it('answers requests naming localhost, an IP address, Mailgun\'s API hosts, host.docker.internal or the bound host', async () => {
    for (const host of ['127.0.0.1:8465', 'localhost:8465', 'LOCALHOST.:8465', '[::1]:8465', 'app.localhost:8465', 'api.mailgun.net', 'api.eu.mailgun.net', '192.168.1.20:8465', '[::ffff:127.0.0.1]:8465', 'host.docker.internal:8465']) {
      expect((await get(mock.app, '/__mock/messages', { Host: host })).status, host).toBe(200);
      expect((await get(mock.app, HOOKS, { Host: host, Authorization: basic() })).status, host).not.toBe(403);
    }
  });

  it('refuses any other host name on a loopback-bound mock, API and control plane alike (DNS rebinding)', async () => {
    // A rebinding page sends no Origin and no Sec-Fetch-* on a same-origin GET: only the Host tells.
    for (const path of ['/__mock/messages', '/__mock/ui/', '/__mock/stream', HOOKS]) {
      const res = await get(mock.app, path, { Host: 'evil.example:8465', Authorization: basic() });
      expect(res.status, path).toBe(403);
      expect(res.body.message, path).toBe('This mock answers requests for localhost, *.localhost, an IP address, api.mailgun.net, api.eu.mailgun.net, host.docker.internal, its --host or an allowed host (--allowed-hosts, or the allowedHosts option); this request named "evil.example:8465"');
    }
    // The refusal is in the journal like any answer.
    expect(mock.journal.list({ status: 403 }).map((e) => e.path)).toContain(HOOKS);
  });

  it('answers names given in allowedHosts (a Compose service name), and any name with allowedHosts all; a bind to all interfaces changes nothing', async () => {
    const named = await createTestMock({ host: '0.0.0.0', allowedHosts: ['mailgun-mock'] });
    const all = await createTestMock({ allowedHosts: 'all' });
    const docker = await createTestMock({ host: '0.0.0.0' });
    try {
      expect((await get(named.app, '/__mock/messages', { Host: 'mailgun-mock:8465' })).status).toBe(200);
      expect((await get(named.app, '/__mock/messages', { Host: 'other:8465' })).status).toBe(403);
      expect((await get(all.app, '/__mock/messages', { Host: 'mailgun-mock:8465' })).status).toBe(200);
      // Rebinding reaches a published Docker port on the developer's loopback as well.
      expect((await get(docker.app, '/__mock/messages', { Host: 'evil.example:8465' })).status).toBe(403);
      expect((await get(docker.app, '/__mock/messages', { Host: '172.17.0.2:8465' })).status).toBe(200);
    } finally {
      await Promise.all([named.stop(), all.stop(), docker.stop()]);
    }
  });

  it('refuses pages of other sites on the control plane, whatever the browser says or leaves out', async () => {
    const cases: Array<Record<string, string>> = [
      { 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { Origin: 'http://203.0.113.5' },
      { Origin: 'https://api.mailgun.net' },
      { Origin: 'not a url' },
    ];
    for (const headers of cases) {
      for (const path of ['/__mock/messages', '/__mock/ui/config', '/__mock/stream']) {
        const res = await get(mock.app, path, headers);
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.body, path).toEqual({ message: 'The control plane refuses requests from pages of other sites' });
      }
      expect((await request(mock.app).post('/__mock/reset').set(headers)).status, JSON.stringify(headers)).toBe(403);
    }
  });

  it("answers the developer's own pages: the same host, any loopback origin, plain link navigations", async () => {
    const ok: Array<Record<string, string>> = [
      { 'Sec-Fetch-Site': 'same-origin' },
      { Origin: 'http://127.0.0.1:8465', 'Sec-Fetch-Site': 'same-origin' },
      { Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'http://[::1]:5173' },
      { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' },
    ];
    for (const headers of ok) expect((await get(mock.app, '/__mock/ui/', { Host: '127.0.0.1:8465', ...headers })).status, JSON.stringify(headers)).toBe(200);
    // Only a link to the dashboard's page: a navigation (or frame) elsewhere in the control plane is refused.
    const elsewhere = { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'iframe', Origin: 'https://evil.example' };
    expect((await get(mock.app, '/__mock/messages', elsewhere)).status).toBe(403);
    // A navigation is a GET: a cross-site form POST is not let through.
    expect((await request(mock.app).post('/__mock/reset').set({ 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' })).status).toBe(403);
  });

  it("answers a loopback page's JSON preflight on the control plane", async () => {
    const res = await request(mock.app).options('/__mock/faults').set({ Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-headers']).toContain('Content-Type');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('refuses pages of other sites on the Mailgun API while any key is accepted, and answers them as Mailgun does with keys set', async () => {
    const cross = { Authorization: basic(), Origin: 'https://app.example', 'Sec-Fetch-Site': 'cross-site' };
    const refused = await get(mock.app, HOOKS, cross);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ message: 'Requests from pages of other sites are refused while any API key is accepted (configure API keys, --api-key or the apiKeys option, to allow them)' });
    expect((await get(mock.app, HOOKS, { ...cross, Origin: 'http://localhost:3000' })).status).toBe(200);

    const withKey = await get(keyed.app, HOOKS, { ...cross, Authorization: basic('key-test') });
    expect(withKey.status).toBe(200);
    expect(withKey.headers['access-control-allow-origin']).toBe('*');
  });

  it('refuses them in front of the accounts too (accountPerKey: /__mock/accounts and the reset of all)', async () => {
    for (const [method, path] of [['get', '/__mock/accounts'], ['post', '/__mock/reset'], ['get', '/__mock/messages']] as const) {
      expect((await request(perKey.app)[method](path).set('Origin', 'https://evil.example')).status, path).toBe(403);
      expect((await request(perKey.app)[method](path).set('Host', 'evil.example')).status, path).toBe(403);
    }
    expect((await request(perKey.app).get('/__mock/accounts')).status).toBe(200);
  });

  it('opens no account for a refused request or a browser navigation (accountPerKey)', async () => {
    const before = perKey.accounts().length;
    await request(perKey.app).get(HOOKS).set({ Authorization: basic('key-from-evil'), Origin: 'https://evil.example' });
    await request(perKey.app).get(HOOKS).set({ Authorization: basic('key-rebound'), Host: 'evil.example' });
    const nav = await request(perKey.app).get('/__mock/ui/?account=key-by-link').set({ 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'cross-site' });
    expect(nav.status).toBe(404);
    expect(nav.body.message).toMatch(/^No account for that key yet/);
    expect(perKey.accounts().length).toBe(before);
    // A program's request with the key opens it; a link may then show it.
    expect((await request(perKey.app).get(HOOKS).set('Authorization', basic('key-by-link'))).status).toBe(200);
    expect((await request(perKey.app).get('/__mock/ui/?account=key-by-link').set({ 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'cross-site' })).status).toBe(200);
  });

  it("gives the front app's own answers Mailgun's headers too (accountPerKey)", async () => {
    const res = await request(perKey.app).get('/__mock/accounts').set('Origin', 'http://localhost:3000');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

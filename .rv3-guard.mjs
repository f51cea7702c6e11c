import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { startMailgunMock } from '/work/main/dist/index.js';

const mock = await startMailgunMock({ port: 0, euPort: 0, logLevel: 'silent' });
const P = mock.port, EP = mock.euPort;
const auth = 'Basic ' + Buffer.from('api:key-x').toString('base64');
await fetch(`${mock.url}/v3/samples.mailgun.org/messages`, { method: 'POST', headers: { authorization: auth }, body: new URLSearchParams({ from: 'a@samples.mailgun.org', to: 'victim@example.com', subject: 'Your password reset link', text: 'https://app/reset?token=SECRET123' }) });

// "attacker"/"dev server" pages
const att = createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  res.writeHead(200, { 'content-type': 'text/html' });
  if (u.pathname === '/form') {
    const target = u.searchParams.get('t');
    return res.end(`<form id=f method=post action="${target}" enctype="text/plain"><input name=a value=b></form><script>f.submit()</script>`);
  }
  if (u.pathname === '/sandboxed') {
    const target = u.searchParams.get('t');
    const inner = `<form id=f method=post action='${target}' enctype='text/plain'><input name=a value=b></form><script>f.submit()<\/script>`;
    return res.end(`<iframe sandbox="allow-forms allow-scripts" srcdoc="${inner.replace(/"/g, '&quot;')}"></iframe>`);
  }
  res.end('<p>dev</p>');
});
await new Promise(r => att.listen(0, '127.0.0.1', r));
const A = att.address().port;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run','--disable-quic', '--host-resolver-rules=MAP evil.test 127.0.0.1, MAP mailgun-mock 127.0.0.1, MAP api.eu.mailgun.net 127.0.0.1, MAP api.mailgun.net 127.0.0.1'] });

async function dash(base, label) {
  const page = await browser.newPage();
  const errs = [];
  page.on('pageerror', e => errs.push(e.message));
  page.on('console', m => { if (m.type() === 'error') errs.push(m.text()); });
  const resp = await page.goto(`${base}/__mock/ui/`);
  let live = 'n/a';
  try { await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor({ timeout: 4000 }); live = 'live'; } catch { live = await page.getByTestId('live-status').textContent().catch(() => '?'); }
  const rows = await page.locator('[data-testid=message-list] tr[data-message-id]').count().catch(() => -1);
  // a write: clock advance
  await page.getByTestId('clock-advance-10m').click().catch(() => {});
  await page.waitForTimeout(500);
  const toast = await page.getByTestId('toast').textContent().catch(() => '');
  const title = await page.title();
  const body = resp.status() === 403 ? (await page.locator('body').textContent()).slice(0, 300) : '';
  console.log(`[${label}] status=${resp.status()} live=${live} rows=${rows} title=${JSON.stringify(title)} toast=${JSON.stringify(toast)} ${body ? 'body=' + body : ''} ${errs.length ? 'errors=' + errs.slice(0, 3).join(' | ') : ''}`);
  await page.close();
}

await dash(`http://127.0.0.1:${P}`, '127.0.0.1');
await dash(`http://localhost:${P}`, 'localhost');
await dash(`http://127.0.0.1:${EP}`, 'EU port');
await dash(`http://api.eu.mailgun.net:${P}`, 'api.eu.mailgun.net');
await dash(`http://mailgun-mock:${P}`, 'mailgun-mock (not --host)');
await dash(`http://evil.test:${P}`, 'evil.test (DNS rebinding)');

// DNS rebinding: attacker script running on http://evil.test:P (name now resolving to 127.0.0.1)
{
  const page = await browser.newPage();
  await page.goto(`http://evil.test:${P}/`);
  const r = await page.evaluate(async () => {
    const m = await fetch('/__mock/messages').then(async r => [r.status, (await r.text()).slice(0, 200)]);
    const reqs = await fetch('/__mock/requests').then(r => r.status);
    const post = await fetch('/__mock/reset', { method: 'POST' }).then(r => r.status);
    const es = await new Promise(res => { const s = new EventSource('/__mock/stream'); s.addEventListener('hello', () => { s.close(); res('hello received'); }); s.onerror = () => { s.close(); res('error'); }; });
    return { m, reqs, post, es };
  });
  console.log('[rebinding script on evil.test]', JSON.stringify(r));
  await page.close();
}

// cross-site form POSTs
async function formPost(attBase, path, target, label) {
  const before = (await fetch(`${mock.url}/__mock/clock`).then(r => r.json()));
  const n0 = (await fetch(`${mock.url}/__mock/messages`).then(r => r.json())).total;
  const page = await browser.newPage();
  let status = null;
  page.on('response', r => { if (r.url().includes('/__mock/reset')) status = r.status(); });
  await page.goto(`${attBase}${path}?t=${encodeURIComponent(target)}`);
  await page.waitForTimeout(1000);
  const n1 = (await fetch(`${mock.url}/__mock/messages`).then(r => r.json())).total;
  console.log(`[${label}] reset status=${status} messages before=${n0} after=${n1}`);
  await page.close();
  // re-send a message
  await fetch(`${mock.url}/v3/samples.mailgun.org/messages`, { method: 'POST', headers: { authorization: auth }, body: new URLSearchParams({ from: 'a@samples.mailgun.org', to: 'v@example.com', subject: 's', text: 't' }) });
}
await formPost(`http://localhost:${A}`, '/form', `http://127.0.0.1:${P}/__mock/reset`, 'localhost:A form -> 127.0.0.1 reset');
await formPost(`http://127.0.0.1:${A}`, '/form', `http://api.mailgun.net:${P}/__mock/reset`, 'IP-origin page form -> api.mailgun.net reset');
await formPost(`http://evil.test:${A}`, '/form', `http://api.mailgun.net:${P}/__mock/reset`, 'evil.test page form -> api.mailgun.net reset');
await formPost(`http://evil.test:${A}`, '/sandboxed', `http://api.mailgun.net:${P}/__mock/reset`, 'evil.test sandboxed frame (Origin null) -> api.mailgun.net reset');
await formPost(`http://evil.test:${A}`, '/sandboxed', `http://127.0.0.1:${P}/__mock/reset`, 'evil.test sandboxed frame (Origin null) -> 127.0.0.1 reset');

// same-site dev server page reading the control plane
{
  const page = await browser.newPage();
  for (const [from, to] of [[`http://localhost:${A}`, `http://localhost:${P}`], [`http://localhost:${A}`, `http://127.0.0.1:${P}`], [`http://127.0.0.1:${A}`, `http://127.0.0.1:${P}`]]) {
    await page.goto(`${from}/`);
    const r = await page.evaluate(async (to) => { try { const x = await fetch(`${to}/__mock/messages`); return x.status + ' ' + (await x.text()).slice(0, 120); } catch (e) { return 'threw ' + e.message; } }, to);
    console.log(`[dev page ${from} -> ${to}/__mock/messages]`, r);
  }
  // POST JSON from a same-site page (preflight)
  await page.goto(`http://localhost:${A}/`);
  const r2 = await page.evaluate(async (to) => { try { const x = await fetch(`${to}/__mock/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec: 'route=messages.send,status=500' }) }); return x.status + ' ' + (await x.text()).slice(0, 120); } catch (e) { return 'threw ' + e.message; } }, `http://localhost:${P}`);
  console.log('[dev page localhost:A POST JSON /__mock/faults on localhost:P]', r2);
  const r3 = await page.request.get(`http://127.0.0.1:${P}/__mock/messages`);
  console.log('[page.request GET]', r3.status());
  const r4 = await page.request.post(`http://127.0.0.1:${P}/__mock/clock/advance`, { data: { ms: 1000 } });
  console.log('[page.request POST]', r4.status());
  await page.close();
}
await browser.close(); await mock.stop(); att.close();

// Domains and their webhooks, read and changed through the Mailgun API itself (the v4 Domains API
// and the v3 webhooks API), with the dashboard's key: what works here works from an SDK.
import { mailgun, needsKey } from './api.js';
import { badge, facts, fill, h, link, table, toast } from './dom.js';
import { actionButton, refreshNow, type ViewFactory } from './view.js';

interface Domain {
  name: string;
  state: string;
  type: string;
  created_at: string;
  [k: string]: unknown;
}

const WEBHOOK_NAMES = ['accepted', 'clicked', 'complained', 'delivered', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed', 'bounce', 'deliver', 'drop', 'spam', 'unsubscribe', 'click', 'open'];

function keyNeeded(root: HTMLElement): boolean {
  if (!needsKey()) return false;
  fill(root, h('h1', {}, 'Domains & webhooks'), h('p', { class: 'empty', 'data-testid': 'key-needed' }, 'These pages use the Mailgun API: enter an API key this mock accepts (above).'));
  return true;
}

async function attempt(action: () => Promise<unknown>, done: string): Promise<boolean> {
  try {
    await action();
    toast(done);
    return true;
  } catch (err) {
    toast((err as Error).message, true);
    return false;
  }
}

interface AccountWebhook {
  webhook_id: string;
  url: string;
  event_types: string[];
  description: string;
  created_at: string;
}

export const domainList: ViewFactory = (root) => {
  const results = h('div');
  const accountHooks = h('div');
  const name = h('input', { name: 'name', placeholder: 'new domain, e.g. mg.example.com', required: true, size: 30 });
  const form = h('form', { class: 'inline', 'data-testid': 'domain-form' }, name, h('button', { type: 'submit' }, 'Add domain'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await attempt(() => mailgun('/v4/domains', { method: 'POST', form: { name: name.value.trim() } }), `Domain ${name.value.trim()} added (unverified: verify it to send)`)) {
      name.value = '';
      await refreshNow();
    }
  });
  let built = false;
  const view = {
    topics: ['reset', 'change'] as Array<'reset' | 'change'>,
    async refresh() {
      if (keyNeeded(root)) {
        built = false;
        return;
      }
      if (!built) {
        fill(root, h('h1', {}, 'Domains & webhooks'), h('p', { class: 'muted' }, 'Through the Mailgun API (GET/POST /v4/domains), in the region of the address this page was opened on.'), form, results,
          h('h2', {}, 'Account webhooks'), h('p', { class: 'muted' }, 'One URL for several events on every domain of this region (GET /v1/webhooks); deliveries to them show with the others.'), accountHooks);
        built = true;
      }
      const [{ items }, { webhooks: account }] = await Promise.all([
        mailgun<{ items: Domain[] }>('/v4/domains?limit=1000'),
        mailgun<{ webhooks: AccountWebhook[] }>('/v1/webhooks'),
      ]);
      fill(accountHooks, table('account-webhook-list', ['URL', 'Events', 'Description', 'Created', ''], account.map((w) => ({
        attrs: { 'data-webhook-id': w.webhook_id },
        cells: [h('code', { class: 'url' }, w.url), w.event_types.join(', '), w.description || '—', w.created_at,
          actionButton('Delete', { 'data-action': 'delete', class: 'danger' }, async () => {
            if (!window.confirm(`Delete the account webhook to ${w.url}?`)) return;
            if (await attempt(() => mailgun(`/v1/webhooks/${encodeURIComponent(w.webhook_id)}`, { method: 'DELETE' }), 'Account webhook deleted')) await refreshNow();
          })],
      })), 'No account webhooks in this region.'));
      fill(results, table('domain-list', ['Domain', 'State', 'Type', 'Created'], items.map((d) => ({
        attrs: { 'data-domain': d.name },
        cells: [link(`#/domains/${encodeURIComponent(d.name)}`, d.name), badge(d.state), d.type, d.created_at],
      })), 'No domains in this region.'));
    },
  };
  return view;
};

type WebhookMap = Record<string, { urls?: string[]; url?: string }>;

interface Suppression {
  address?: string;
  value?: string;
  code?: string | number;
  error?: string;
  tags?: string[];
  reason?: string;
  type?: string;
  created_at?: string;
  createdAt?: string;
}

const SUPPRESSIONS: Array<{ type: string; title: string; details(s: Suppression): string }> = [
  { type: 'bounces', title: 'Bounces', details: (s) => [s.code, s.error].filter((x) => x !== undefined && x !== '').join(' · ') },
  { type: 'unsubscribes', title: 'Unsubscribes', details: (s) => `tags: ${(s.tags ?? []).join(', ') || '*'}` },
  { type: 'complaints', title: 'Complaints', details: () => '' },
  { type: 'whitelists', title: 'Allowlist', details: (s) => [s.type, s.reason].filter(Boolean).join(' · ') },
];

export const domainDetail: ViewFactory = (root, _params, rest) => {
  const domain = rest[0] ?? '';
  const path = `/v3/domains/${encodeURIComponent(domain)}/webhooks`;
  const head = h('div');
  const hooks = h('div');
  let editing: string | null = null;

  const nameSelect = h('select', { name: 'id', 'aria-label': 'Webhook name', 'data-testid': 'webhook-name' }, ...WEBHOOK_NAMES.map((n) => h('option', { value: n }, n)));
  const urls = h('textarea', { name: 'urls', rows: 3, cols: 60, placeholder: 'https://example.com/hooks (one URL a line; up to 3)', 'data-testid': 'webhook-urls', required: true });
  const submit = h('button', { type: 'submit', 'data-testid': 'webhook-submit' }, 'Add webhook');
  const cancel = h('button', { type: 'button', hidden: true }, 'Cancel');
  const form = h('form', { class: 'stack', 'data-testid': 'webhook-form' }, h('label', {}, 'Name ', nameSelect), h('label', {}, 'URLs ', urls), h('div', { class: 'row' }, submit, cancel));
  const setEditing = (name: string | null, current: string[] = []) => {
    editing = name;
    nameSelect.disabled = name !== null;
    if (name !== null) nameSelect.value = name;
    urls.value = current.join('\n');
    submit.textContent = name === null ? 'Add webhook' : `Save ${name}`;
    cancel.hidden = name === null;
  };
  cancel.addEventListener('click', () => setEditing(null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const list = urls.value.split(/\s+/).map((u) => u.trim()).filter(Boolean);
    const ok = editing === null
      ? await attempt(() => mailgun(path, { method: 'POST', form: { id: nameSelect.value, url: list } }), `Webhook ${nameSelect.value} created`)
      : await attempt(() => mailgun(`${path}/${encodeURIComponent(editing!)}`, { method: 'PUT', form: { url: list } }), `Webhook ${editing} updated`);
    if (ok) {
      setEditing(null);
      await refreshNow();
    }
  });

  const suppressions = h('div');
  /** The page's parts: put back whenever they were replaced (a "not found" before the domain existed). */
  const skeleton = () => {
    if (head.isConnected) return;
    fill(root, head, h('h2', {}, 'Webhooks'), hooks, h('h3', {}, 'Add or edit a webhook'), form, h('h2', {}, 'Suppressions'),
      h('p', { class: 'muted' }, 'Sends to these addresses fail at once (bounces 605, unsubscribes 606, complaints 607); the allowlist keeps addresses off the bounces list. Through the Mailgun API (/v3/{domain}/bounces…).'), suppressions);
  };

  const view = {
    topics: ['reset', 'change'] as Array<'reset' | 'change'>,
    async refresh() {
      if (keyNeeded(root)) return;
      let d: Domain;
      try {
        d = (await mailgun<{ domain: Domain }>(`/v4/domains/${encodeURIComponent(domain)}`)).domain;
      } catch (err) {
        fill(root, h('p', {}, link('#/domains', '← Domains')), h('p', { class: 'empty', 'data-testid': 'domain-missing' }, (err as Error).message));
        return;
      }
      skeleton();
      fill(head,
        h('p', {}, link('#/domains', '← Domains')),
        h('h1', {}, d.name),
        facts('domain-facts', [['State', badge(d.state)], ['Type', d.type], ['Created', d.created_at], ['Spam action', String(d.spam_action ?? '—')], ['Wildcard', String(d.wildcard ?? '—')]]),
        h('div', { class: 'row' },
          d.state !== 'active' ? actionButton('Verify', { 'data-testid': 'domain-verify' }, async () => {
            if (await attempt(() => mailgun(`/v4/domains/${encodeURIComponent(domain)}/verify`, { method: 'PUT' }), `${domain} verified`)) await refreshNow();
          }) : null,
          actionButton('Delete domain', { class: 'danger', 'data-testid': 'domain-delete' }, async () => {
            if (!window.confirm(`Delete ${domain} and its webhooks?`)) return;
            if (await attempt(() => mailgun(`/v3/domains/${encodeURIComponent(domain)}`, { method: 'DELETE' }), `${domain} deleted`)) location.hash = '#/domains';
          }),
        ),
      );
      const { tracking } = await mailgun<{ tracking: Record<'open' | 'click' | 'unsubscribe', { active: boolean }> }>(`/v3/domains/${encodeURIComponent(domain)}/tracking`);
      head.appendChild(h('div', { class: 'row', 'data-testid': 'domain-tracking' }, h('span', { class: 'muted' }, 'Tracking (opens and clicks happen only when tracked):'),
        ...(['open', 'click', 'unsubscribe'] as const).map((kind) => {
          const box = h('input', { type: 'checkbox', name: kind, checked: tracking[kind].active, 'data-tracking': kind });
          box.addEventListener('change', async () => {
            box.disabled = true;
            const ok = await attempt(() => mailgun(`/v3/domains/${encodeURIComponent(domain)}/tracking/${kind}`, { method: 'PUT', form: { active: String(box.checked) } }), `${kind} tracking ${box.checked ? 'on' : 'off'}`);
            if (!ok) box.checked = !box.checked;
            box.disabled = false;
          });
          return h('label', {}, box, ` ${kind}`);
        })));
      const { webhooks } = await mailgun<{ webhooks: WebhookMap }>(path);
      const rows = Object.entries(webhooks).map(([name, w]) => {
        const list = w.urls ?? (w.url ? [w.url] : []);
        return {
          attrs: { 'data-webhook': name },
          cells: [
            h('b', {}, name),
            h('span', {}, ...list.map((u) => h('code', { class: 'url' }, u))),
            h('span', { class: 'row' },
              actionButton('Edit', { 'data-action': 'edit' }, async () => setEditing(name, list)),
              actionButton('Test', { 'data-action': 'test' }, async () => {
                try {
                  const r = await mailgun<{ code: number; message: string }>(`${path}/${encodeURIComponent(name)}/test`, { method: 'PUT', form: { url: list[0] ?? '' } });
                  toast(`Test event to ${list[0]}: ${r.code} ${r.message}`);
                } catch (err) {
                  toast((err as Error).message, true);
                }
              }),
              actionButton('Delete', { 'data-action': 'delete', class: 'danger' }, async () => {
                if (!window.confirm(`Delete the ${name} webhook of ${domain}?`)) return;
                if (await attempt(() => mailgun(`${path}/${encodeURIComponent(name)}`, { method: 'DELETE' }), `Webhook ${name} deleted`)) await refreshNow();
              }),
            ),
          ],
        };
      });
      fill(hooks, table('webhook-list', ['Name', 'URLs', ''], rows, 'No webhooks on this domain.'));
      const lists = await Promise.all(SUPPRESSIONS.map(async (kind) => ({ kind, items: (await mailgun<{ items: Suppression[] }>(`/v3/${encodeURIComponent(domain)}/${kind.type}?limit=1000`)).items })));
      fill(suppressions, ...lists.map(({ kind, items }) => h('div', { 'data-testid': `suppressions-${kind.type}` },
        h('h3', {}, `${kind.title} (${items.length})`),
        table(`suppression-list-${kind.type}`, ['Address', 'Details', 'Created', ''], items.map((item) => {
          const key = item.address ?? item.value ?? '';
          return {
            attrs: { 'data-address': key },
            cells: [key, kind.details(item), item.created_at ?? item.createdAt ?? '—',
              actionButton('Remove', { 'data-action': 'remove' }, async () => {
                if (await attempt(() => mailgun(`/v3/${encodeURIComponent(domain)}/${kind.type}/${encodeURIComponent(key)}`, { method: 'DELETE' }), `${key} removed from ${kind.title.toLowerCase()}`)) await refreshNow();
              })],
          };
        }), 'None.'))));
    },
  };
  return view;
};


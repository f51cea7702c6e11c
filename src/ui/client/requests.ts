// The request journal: every Mailgun API request the mock answered (not the control plane), with
// its fields, status, duration and the fault that answered it, if one did.
import { control } from './api.js';
import { badge, fill, h, keptDetails, pretty, shownOf, table, toast } from './dom.js';
import { actionButton, filterBar, refreshNow, type ViewFactory } from './view.js';

interface Entry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  routeId: string | null;
  domain: string | null;
  fields: Record<string, unknown>;
  files: Array<{ field: string; filename: string; contentType: string; size: number }>;
  status: number;
  durationMs: number;
  faultId: string | null;
  client: string | null;
}

export const requestList: ViewFactory = (root, params) => {
  const results = h('div', { class: 'results' });
  const filters = filterBar('request-filters', [
    { name: 'method', label: 'Method', options: ['GET', 'POST', 'PUT', 'DELETE'] },
    { name: 'route', label: 'Route id', placeholder: 'route id, e.g. messages.send' },
    { name: 'status', label: 'Status', size: 6 },
    { name: 'domain', label: 'Domain' },
    { name: 'client', label: 'Client', options: ['none', 'dashboard'], optionLabels: { none: 'apps (not the dashboard)', dashboard: 'the dashboard' } },
  ], params, () => void refreshNow());
  const clear = actionButton('Clear journal', { class: 'danger', 'data-testid': 'request-clear' }, async () => {
    try {
      await control('/requests', { method: 'DELETE' });
      await refreshNow();
    } catch (err) {
      toast((err as Error).message, true);
    }
  });
  fill(root, h('h1', {}, 'Requests'), h('p', { class: 'muted' }, 'Every Mailgun API request the mock answered, newest first (GET /__mock/requests).'), h('div', { class: 'row' }, filters.element, clear), results);
  const view = {
    topics: ['request', 'journal', 'reset'] as Array<'request' | 'journal' | 'reset'>,
    async refresh() {
      const q = filters.values();
      if (q.has('status') && !/^\d{1,3}$/.test(q.get('status')!)) q.delete('status');
      q.set('limit', '500');
      const { items, matched } = await control<{ items: Entry[]; matched: number }>(`/requests?${q}`);
      fill(results, shownOf(items.length, matched, 'request'), table('request-list', ['#', 'Time', 'Method', 'Path', 'Route', 'Status', 'ms', 'Fields'], [...items].reverse().map((e) => ({
        attrs: { 'data-seq': e.seq, 'data-route': e.routeId ?? '' },
        cells: [
          String(e.seq),
          e.time.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'),
          h('span', {}, e.method, e.client ? ' ' : '', e.client ? badge(e.client, 'tag') : ''),
          h('code', {}, e.path),
          e.routeId ?? '—',
          h('span', {}, badge(String(e.status), e.status >= 500 || e.status === 0 ? 'failed' : e.status >= 400 ? 'retrying' : 'delivered'), e.faultId ? ` fault ${e.faultId}` : ''),
          e.durationMs.toFixed(1),
          Object.keys(e.fields).length || e.files.length || Object.keys(e.query).length
            ? keptDetails(`request:${e.seq}`, ([Object.keys(e.query).length ? `${Object.keys(e.query).length} query` : '', Object.keys(e.fields).length ? `${Object.keys(e.fields).length} fields` : '', e.files.length ? `${e.files.length} files` : ''].filter(Boolean).join(', ')), h('pre', {}, pretty(JSON.stringify({ query: e.query, fields: e.fields, files: e.files }))))
            : '—',
        ],
      })), 'No requests yet.'));
    },
  };
  return view;
};

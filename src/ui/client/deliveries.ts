// Webhook deliveries: every event's POST to every URL, with each attempt's status, duration,
// signature and the handler's answer, the request body, and when the next retry is due.
import type { DeliveryRecord, DeliveryState } from '../../webhooks/delivery-record.js';
import { control } from './api.js';
import { badge, facts, fill, h, link, pretty, shownOf, span, table, time, toast } from './dom.js';
import { clockNow } from './clock.js';
import { actionButton, filterBar, refreshNow, type ViewFactory } from './view.js';

/** A delivery as the control plane answers it (the journal's record). */
export type Delivery = DeliveryRecord;

const STATES: DeliveryState[] = ['pending', 'retrying', 'delivered', 'rejected', 'failed', 'cancelled'];
export const DELIVERY_HEADERS = ['Created', 'Event', 'Webhook → URL', 'Recipient', 'State', 'Last status', 'Attempts', 'Next retry', ''];

/** "in 10 min" (or "due now") for a time on the mock clock. */
export function dueIn(at: number | null, now: number): string {
  if (at === null) return '—';
  return at <= now ? `${time(at)} (due now)` : `${time(at)} (in ${span(at - now)})`;
}

/** A shell word: single-quoted, with any `'` closed, escaped and reopened. */
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The last attempt as a curl command: the body through printf, so it is sent exactly (no added newline). */
export function curlOf(d: Delivery): string {
  return `printf '%s' ${quote(d.request.body)} |\n  curl -sS -X POST ${quote(d.url)} -H ${quote(`Content-Type: ${d.request.contentType}`)} --data-binary @-`;
}

async function resend(id: string): Promise<void> {
  try {
    const { delivery } = await control<{ delivery: Delivery }>(`/webhooks/deliveries/${encodeURIComponent(id)}/retry`, { method: 'POST' });
    const last = delivery.attempts.at(-1);
    toast(`Attempt ${last?.attempt ?? '?'}: ${last?.status ? `HTTP ${last.status}` : last?.error ?? 'no answer'}`);
  } catch (err) {
    toast((err as Error).message, true);
  }
}

function statusCell(d: Delivery): HTMLElement | string {
  const last = d.attempts.at(-1);
  if (!last) return '—';
  return h('span', { 'data-field': 'status', title: last.error ?? '' }, last.status === 0 ? `no answer${last.error ? ` (${last.error})` : ''}` : String(last.status));
}

export function deliveryRows(items: Delivery[], now: number, changed: () => void) {
  return [...items].reverse().map((d) => ({
    attrs: { 'data-delivery-id': d.id, 'data-state': d.state },
    cells: [
      link(`#/deliveries/${encodeURIComponent(d.id)}`, time(d.createdAt), { 'data-testid': 'delivery-link' }),
      d.event,
      h('span', {}, h('b', {}, d.webhook), ' → ', h('code', {}, d.url)),
      d.recipient ?? '—',
      h('span', { 'data-field': 'state' }, badge(d.state)),
      statusCell(d),
      h('span', { 'data-field': 'attempts' }, String(d.attempts.length)),
      h('span', { 'data-field': 'next-retry' }, dueIn(d.nextRetryAt, now)),
      actionButton('Resend now', { 'data-action': 'resend' }, async () => {
        await resend(d.id);
        changed();
      }),
    ],
  }));
}

export const deliveryList: ViewFactory = (root, params) => {
  const results = h('div', { class: 'results' });
  const filters = filterBar('delivery-filters', [
    { name: 'state', label: 'State', options: STATES },
    { name: 'webhook', label: 'Webhook' },
    { name: 'url', label: 'URL' },
    { name: 'recipient', label: 'Recipient' },
    { name: 'domain', label: 'Domain' },
  ], params, () => void refreshNow());
  fill(root, h('h1', {}, 'Webhook deliveries'), h('p', { class: 'muted' }, 'Each event POSTed to each registered URL, signed afresh per attempt. 200 ends it, 406 rejects it, anything else is retried on the mock clock.'), filters.element, results);
  const view = {
    topics: ['delivery', 'reset', 'clock'] as Array<'delivery' | 'reset' | 'clock'>,
    async refresh() {
      const q = filters.values();
      q.set('limit', '500');
      const { items, matched } = await control<{ items: Delivery[]; matched: number }>(`/webhooks/deliveries?${q}`);
      fill(results, shownOf(items.length, matched, 'delivery', 'deliveries'), table('delivery-list', DELIVERY_HEADERS, deliveryRows(items, clockNow(), () => void refreshNow()), 'No webhook deliveries yet.'));
    },
  };
  return view;
};

export const deliveryDetail: ViewFactory = (root, _params, rest) => {
  const id = rest[0] ?? '';
  const view = {
    topics: ['delivery', 'reset', 'clock'] as Array<'delivery' | 'reset' | 'clock'>,
    async refresh() {
      let d: Delivery;
      try {
        d = await control<Delivery>(`/webhooks/deliveries/${encodeURIComponent(id)}`);
      } catch (err) {
        fill(root, h('p', {}, link('#/deliveries', '← Webhook deliveries')), h('p', { class: 'empty', 'data-testid': 'delivery-missing' }, (err as Error).message));
        return;
      }
      const now = clockNow();
      const attempts = table('delivery-attempts', ['#', 'At (mock clock)', 'Status', 'Duration', 'Signature (timestamp, token, signature)', 'Response'], d.attempts.map((a) => ({
        attrs: { 'data-attempt': a.attempt, 'data-status': a.status },
        cells: [
          String(a.attempt),
          time(a.at),
          a.status === 0 ? badge(`no answer`, 'failed') : badge(String(a.status), a.status === 200 ? 'delivered' : a.status === 406 ? 'rejected' : 'retrying'),
          `${a.durationMs.toFixed(1)} ms`,
          h('code', { class: 'sig' }, `${a.signature.timestamp}\n${a.signature.token}\n${a.signature.signature}`),
          h('pre', { class: 'excerpt' }, a.error ? `(${a.error}) ${a.response}` : a.response || '(empty)'),
        ],
      })), 'No attempt yet.');
      fill(root,
        h('p', {}, link('#/deliveries', '← Webhook deliveries')),
        h('h1', {}, `${d.event} → ${d.url}`),
        h('div', { class: 'row' }, actionButton('Resend now', { 'data-testid': 'delivery-resend' }, async () => {
          await resend(d.id);
          await refreshNow();
        })),
        facts('delivery-detail', [
          ['State', h('span', { 'data-testid': 'delivery-state' }, badge(d.state))],
          ['Next retry', h('span', { 'data-testid': 'delivery-next-retry' }, dueIn(d.nextRetryAt, now))],
          ['Webhook', `${d.webhook} on ${d.domain}`],
          ['URL', h('code', {}, d.url)],
          ['Event', `${d.event} (${d.eventId})`],
          ['Message', d.messageId ? link(`#/messages/${encodeURIComponent(d.messageId)}`, `<${d.messageId}>`) : '—'],
          ['Recipient', d.recipient ?? '—'],
          ['Created', time(d.createdAt)],
        ]),
        h('h2', {}, `Attempts (${d.attempts.length})`),
        attempts,
        h('h2', {}, 'Request body'),
        h('p', { class: 'muted' }, `Content-Type: ${d.request.contentType} (as sent by the last attempt)`),
        h('pre', { 'data-testid': 'delivery-request' }, pretty(d.request.body)),
        h('h2', {}, 'Replay it yourself'),
        h('p', { class: 'muted' }, 'The last attempt as a curl command, byte for byte. It carries that attempt\'s signature: a handler that refuses a token it has seen will refuse it (Resend now signs afresh).'),
        h('pre', { 'data-testid': 'delivery-curl' }, curlOf(d)),
      );
    },
  };
  return view;
};

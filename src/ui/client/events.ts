// The events timeline: what the Events API lists, newest first, with filters.
import { control } from './api.js';
import { badge, fill, h, keptDetails, link, pretty, shownOf, table, time } from './dom.js';
import { filterBar, refreshNow, type ViewFactory } from './view.js';

const EVENTS = ['accepted', 'delivered', 'failed', 'opened', 'clicked', 'unsubscribed', 'complained'];
export const EVENT_HEADERS = ['Time', 'Event', 'Recipient', 'Details', 'Message'];

type EventData = Record<string, unknown>;

function details(e: EventData): string {
  const parts: string[] = [];
  if (typeof e.severity === 'string') parts.push(e.severity);
  if (typeof e.reason === 'string') parts.push(e.reason);
  const status = (e['delivery-status'] as Record<string, unknown> | undefined) ?? {};
  if (typeof status.code === 'number' && status.code !== 0) parts.push(String(status.code));
  if (typeof status.description === 'string' && status.description) parts.push(status.description);
  else if (typeof status.message === 'string' && status.message) parts.push(status.message);
  if (typeof e.url === 'string') parts.push(e.url);
  return parts.join(' · ');
}

export function eventRows(items: EventData[]) {
  return [...items].reverse().map((e) => {
    const headers = ((e.message as Record<string, unknown> | undefined)?.headers as Record<string, string> | undefined) ?? {};
    const mid = headers['message-id'];
    return {
      attrs: { 'data-event': String(e.event), 'data-event-id': String(e.id) },
      cells: [
        time(typeof e.timestamp === 'number' ? e.timestamp * 1000 : null),
        badge(String(e.event)),
        typeof e.recipient === 'string' ? e.recipient : '—',
        keptDetails(`event:${String(e.id)}`, details(e) || 'event data', h('pre', {}, pretty(JSON.stringify(e)))),
        mid ? link(`#/messages/${encodeURIComponent(mid)}`, 'open') : '—',
      ],
    };
  });
}

export const eventList: ViewFactory = (root, params) => {
  const results = h('div', { class: 'results' });
  const filters = filterBar('event-filters', [
    { name: 'event', label: 'Event', options: EVENTS },
    { name: 'recipient', label: 'Recipient' },
    { name: 'domain', label: 'Domain' },
    { name: 'severity', label: 'Severity', options: ['permanent', 'temporary'] },
    { name: 'message', label: 'Message-Id' },
  ], params, () => void refreshNow());
  fill(root, h('h1', {}, 'Events'), filters.element, results);
  const view = {
    topics: ['event', 'reset'] as Array<'event' | 'reset'>,
    async refresh() {
      const q = filters.values();
      q.set('limit', '500');
      const { items, matched } = await control<{ items: EventData[]; matched: number }>(`/events?${q}`);
      fill(results, shownOf(items.length, matched, 'event'), table('event-list', EVENT_HEADERS, eventRows(items), 'No events match.'));
    },
  };
  return view;
};

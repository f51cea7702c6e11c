// Messages: the list (search and filters, newest first) and one message (its headers, text, HTML in
// a sandboxed frame, attachments, events and the webhook deliveries of those events).
import type { MessageRecord, StoredFile } from '../../store/types.js';
import { accountQuery, control } from './api.js';
import { badge, facts, fill, h, link, pretty, shownOf, table, time, toast } from './dom.js';
import { deliveryRows, DELIVERY_HEADERS } from './deliveries.js';
import { eventRows, EVENT_HEADERS } from './events.js';
import { clockNow } from './clock.js';
import { actionButton, filterBar, refreshNow, type ViewFactory } from './view.js';

/** A message as GET /__mock/messages lists it: the stored record without file contents or raw MIME. */
export type MessageSummary = Omit<MessageRecord, 'mime' | 'attachments'> & { attachments: Array<Omit<StoredFile, 'content'>> };

const LIST_LIMIT = 500;

export const messageList: ViewFactory = (root, params) => {
  const results = h('div', { class: 'results' });
  const filters = filterBar('message-filters', [
    { name: 'q', label: 'Search', placeholder: 'Search subject, from, to, tag, text…', size: 36 },
    { name: 'domain', label: 'Domain' },
    { name: 'tag', label: 'Tag' },
  ], params, () => void refreshNow());
  fill(root, h('h1', {}, 'Messages'), filters.element, results);
  const view = {
    topics: ['message', 'reset'] as const,
    async refresh() {
      const q = filters.values();
      q.set('limit', String(LIST_LIMIT));
      q.set('light', '1');
      const { items, matched } = await control<{ items: MessageSummary[]; matched: number }>(`/messages?${q}`);
      const rows = [...items].reverse().map((m) => ({
        attrs: { 'data-message-id': m.id },
        cells: [
          time(m.acceptedAt),
          m.from,
          m.recipients.join(', '),
          link(`#/messages/${encodeURIComponent(m.id)}`, m.subject || '(no subject)', { 'data-testid': 'message-link' }),
          h('span', {}, ...m.tags.map((t) => badge(t, 'tag'))),
          m.attachments.length ? `📎 ${m.attachments.length}` : '',
        ],
      }));
      fill(results, shownOf(items.length, matched, 'message'),
        table('message-list', ['Accepted', 'From', 'To', 'Subject', 'Tags', ''], rows, 'No messages yet. Send one through the API and it appears here.'));
    },
  };
  return { ...view, topics: [...view.topics] };
};

/** A message part in a sandboxed frame (the server's policy sandboxes it too). */
const WIDTHS: Array<[string, string]> = [['Desktop', 'w-full'], ['Tablet', 'w-tablet'], ['Phone', 'w-phone']];

function htmlFrame(title: string, src: string, source: string, testid: string): HTMLElement[] {
  const frame = h('iframe', { src, sandbox: '', referrerpolicy: 'no-referrer', title: `Message ${title}`, class: 'mail-html w-full', 'data-testid': testid });
  const widths = h('span', { class: 'row', role: 'group', 'aria-label': 'Preview width' }, ...WIDTHS.map(([label, cls]) => {
    const b = h('button', { type: 'button', 'data-width': label.toLowerCase(), 'aria-pressed': cls === 'w-full' ? 'true' : 'false' }, label);
    b.addEventListener('click', () => {
      frame.className = `mail-html ${cls}`;
      for (const other of widths.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === b));
    });
    return b;
  }));
  return [
    h('h2', {}, title),
    h('div', { class: 'row' }, h('span', { class: 'muted' }, 'Shown in a sandboxed frame: scripts, forms, remote images and links are blocked (the source below has the links).'), widths),
    frame,
    h('details', {}, h('summary', {}, `${title} source`), h('pre', { 'data-testid': `${testid}-source` }, source)),
  ];
}

const EMITTABLE = ['opened', 'clicked', 'unsubscribed', 'complained', 'delivered', 'failed'] as const;

export const messageDetail: ViewFactory = (root, _params, rest) => {
  const id = rest[0] ?? '';
  const head = h('div');
  const events = h('div');
  const deliveries = h('div');
  let built = false;

  const build = (m: MessageSummary) => {
    const base = `/__mock/messages/${encodeURIComponent(m.id)}`;
    const emit = h('div', { class: 'row', 'data-testid': 'message-emit' }, h('span', { class: 'muted' }, 'Make it happen:'),
      ...EMITTABLE.map((event) => actionButton(event, { 'data-event': event }, async () => {
        try {
          await control('/events', { method: 'POST', json: { message: m.id, event } });
          toast(`${event}: event created`);
        } catch (err) {
          toast((err as Error).message, true);
        }
      })));
    const headerRows = [
      ...Object.entries(m.headers).map(([k, v]) => ({ cells: [k, v] })),
      ...Object.entries(m.variables).map(([k, v]) => ({ cells: [`v:${k}`, v] })),
      // Option names are kept as sent (`o:tag`, `t:version`).
      ...Object.entries(m.options).map(([k, v]) => ({ cells: [k, v.join(', ')] })),
    ];
    fill(head,
      h('p', {}, link('#/messages', '← Messages')),
      h('h1', { 'data-testid': 'message-subject' }, m.subject || '(no subject)'),
      facts('message-facts', [
        ['Message-Id', h('code', {}, `<${m.id}>`)],
        ['From', m.from],
        ['To', m.to.join(', ')],
        ...(m.cc.length ? [['Cc', m.cc.join(', ')] as [string, string]] : []),
        ...(m.bcc.length ? [['Bcc', m.bcc.join(', ')] as [string, string]] : []),
        ['Domain', m.domain],
        ['Accepted', time(m.acceptedAt)],
        ...(m.deliveryTime !== undefined ? [['Delivery time', time(m.deliveryTime)] as [string, string]] : []),
        ['Tags', m.tags.length ? h('span', {}, ...m.tags.map((t) => badge(t, 'tag'))) : '—'],
        ['Test mode', m.testMode ? 'yes (o:testmode)' : 'no'],
        ['Size', m.api === 'messages.mime'
          ? h('span', {}, `${m.size} bytes via ${m.api}: `, link(`${base}/raw${accountQuery()}`, 'raw MIME', { target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'message-raw' }), ' · ',
            link(`${base}/raw${accountQuery()}${accountQuery() ? '&' : '?'}download=1`, 'download .eml', { 'data-testid': 'message-eml' }))
          : `${m.size} bytes via ${m.api}`],
        ...(m.template ? [['Template', m.template] as [string, string]] : []),
      ]),
      emit,
      h('h2', {}, 'Headers, variables and options'),
      table('message-headers', ['Name', 'Value'], headerRows, 'No h:, v: or o: fields were sent.'),
      ...(m.html !== undefined ? htmlFrame('HTML', `${base}/html${accountQuery()}`, m.html, 'message-html') : []),
      ...(m.ampHtml !== undefined ? htmlFrame('AMP HTML', `${base}/html${accountQuery()}${accountQuery() ? '&' : '?'}part=amp`, m.ampHtml, 'message-amp') : []),
      h('h2', {}, 'Text'),
      m.text !== undefined ? h('pre', { class: 'mail-text', 'data-testid': 'message-text' }, m.text) : h('p', { class: 'empty', 'data-testid': 'message-text' }, 'No text part.'),
      h('h2', {}, 'Attachments'),
      table('message-attachments', ['File', 'Kind', 'Type', 'Size'], m.attachments.map((a, i) => ({
        cells: [link(`${base}/attachments/${i}${accountQuery()}`, a.filename, { target: '_blank', rel: 'noopener noreferrer', download: a.filename }), a.field, a.contentType, `${a.size} bytes`],
      })), 'No attachments.'),
      ...(Object.keys(m.recipientVariables).length ? [h('h2', {}, 'Recipient variables'), h('pre', {}, pretty(JSON.stringify(m.recipientVariables)))] : []),
    );
  };

  return {
    topics: ['event', 'delivery', 'reset', 'clock'],
    async refresh() {
      // Read every time: after a reset the message may be gone.
      // The list's light form (no file contents), read every time: after a reset the message may be gone.
      const found = await control<{ items: MessageSummary[] }>(`/messages?id=${encodeURIComponent(id)}&limit=1`);
      const m = found.items[0];
      if (!m) {
        built = false;
        fill(root, h('p', {}, link('#/messages', '← Messages')), h('p', { class: 'empty', 'data-testid': 'message-missing' }, 'Message not found (a reset or the retention limit removed it).'));
        return;
      }
      if (!built) {
        fill(root, head, h('h2', {}, 'Events'), events, h('h2', {}, 'Webhook deliveries'), deliveries);
        build(m);
        built = true;
      }
      const q = `message=${encodeURIComponent(id)}`;
      const [ev, dl] = await Promise.all([
        control<{ items: Array<Record<string, unknown>> }>(`/events?${q}`),
        control<{ items: Parameters<typeof deliveryRows>[0] }>(`/webhooks/deliveries?${q}`),
      ]);
      fill(events, table('message-events', EVENT_HEADERS, eventRows(ev.items), 'No events yet.'));
      fill(deliveries, table('message-deliveries', DELIVERY_HEADERS, deliveryRows(dl.items, clockNow(), () => void 0),
        'No webhook deliveries: no webhook URL is registered for these events (see Domains & webhooks).'));
    },
  };
};


// The dashboard's entry: reads the mock's config, wires the header (clock, reset, key, live
// status) and shows the page the URL's hash names, refreshing it when the stream announces
// something it shows.
import { chooseKey, chosenKey, control, currentConfig, loadConfig } from './api.js';
import { clearKeptDetails, fill, h, toast } from './dom.js';
import { advance, clockRuns, readClock, showClock } from './clock.js';
import { connectLive, onLive } from './live.js';
import { deliveryDetail, deliveryList } from './deliveries.js';
import { domainDetail, domainList } from './domains.js';
import { eventList } from './events.js';
import { messageDetail, messageList } from './messages.js';
import { requestList } from './requests.js';
import { rulesView } from './rules.js';
import { setRefresher, type View, type ViewFactory } from './view.js';

const ROUTES: Record<string, { list: ViewFactory; detail?: ViewFactory }> = {
  messages: { list: messageList, detail: messageDetail },
  events: { list: eventList },
  deliveries: { list: deliveryList, detail: deliveryDetail },
  domains: { list: domainList, detail: domainDetail },
  rules: { list: rulesView },
  requests: { list: requestList },
};

/** The control plane's longest single advance (a year of 366 days), in minutes. */
const MAX_ADVANCE_MINUTES = 366 * 24 * 60;

const $ = (testid: string) => document.querySelector<HTMLElement>(`[data-testid="${testid}"]`)!;
const main = document.getElementById('view')!;
let current: View | undefined;
let running: Promise<void> | undefined;
let queued: Promise<void> | undefined;

/**
 * Refreshes the current page. Refreshes never overlap: one asked for while another runs runs once
 * after it (however many were asked for), so a slow old answer never overwrites a newer one.
 */
function refresh(): Promise<void> {
  if (running) {
    queued ??= running.then(() => {
      queued = undefined;
      return run();
    });
    return queued;
  }
  return run();
}

function run(): Promise<void> {
  const view = current;
  if (!view) return Promise.resolve();
  running = view
    .refresh()
    .catch((err: Error) => toast(err.message, true))
    .finally(() => {
      running = undefined;
    });
  return running;
}

function show(): void {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const [named = 'messages', ...rest] = path.split('/').map(decode);
  // Own keys only: `#/constructor` is not a page.
  const page = Object.hasOwn(ROUTES, named) ? named : 'messages';
  const route = ROUTES[page]!;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('data-nav') === page);
  const root = h('section', { 'data-page': rest.length && route.detail ? `${page}-detail` : page });
  fill(main, root);
  const factory = rest.length && route.detail ? route.detail : route.list;
  current = factory(root, new URLSearchParams(query), rest);
  void refresh();
}

let liveTimer: number | undefined;
/** At most one refresh per 150 ms however busy the mock is (a throttle: a steady stream of frames must not postpone it forever). */
function liveRefresh(): void {
  liveTimer ??= window.setTimeout(() => {
    liveTimer = undefined;
    void refresh();
  }, 150);
}

function wireHeader(): void {
  const nowEl = $('clock-now');
  const pendingEl = $('clock-pending');
  const tick = () => showClock(nowEl, pendingEl);
  window.setInterval(tick, 1000);
  // A running clock moves every "next retry in …": pages that show such times are redrawn twice a minute.
  window.setInterval(() => {
    if (clockRuns() && current?.topics.includes('clock')) liveRefresh();
  }, 30_000);
  const moved = async () => {
    await readClock().catch(() => undefined);
    tick();
  };
  void moved();
  $('clock-advance-10m').addEventListener('click', () => void advance(600_000).then(moved));
  $('clock-advance-1h').addEventListener('click', () => void advance(3_600_000).then(moved));
  const clockForm = $('clock-form') as HTMLFormElement;
  clockForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const minutes = Number((clockForm.elements.namedItem('minutes') as HTMLInputElement).value);
    if (!(minutes > 0)) return toast('Enter the minutes to advance', true);
    if (minutes > MAX_ADVANCE_MINUTES) return toast(`At most ${MAX_ADVANCE_MINUTES} minutes (a year) at a time`, true);
    void advance(Math.round(minutes * 60_000)).then(moved);
  });
  $('reset').addEventListener('click', async () => {
    if (!window.confirm('Reset the mock? Messages, events, deliveries, rules and journals go back to the fixtures.')) return;
    try {
      await control('/reset', { method: 'POST' });
      toast('Mock has been reset');
      await moved();
    } catch (err) {
      toast((err as Error).message, true);
    }
  });
  onLive((topic) => {
    if (topic === 'reset') clearKeptDetails();
    if (topic === 'reconnect') return void reconnected();
    if (topic === 'clock' || topic === 'delivery' || topic === 'reset') void moved();
    if (current?.topics.includes(topic)) liveRefresh();
  });
  /** The stream came back: the mock may have restarted, perhaps with other options. */
  const reconnected = async () => {
    const before = JSON.stringify(currentConfig());
    try {
      if (JSON.stringify(await loadConfig()) !== before) return location.reload();
    } catch {
      // it went away again; the stream will say when it is back
      return;
    }
    clearKeptDetails();
    await moved();
    liveRefresh();
  };
}

function wireKey(): void {
  const c = currentConfig();
  const bar = $('keybar');
  if (c.authMode === 'any' && !c.accountPerKey) return;
  bar.hidden = false;
  const input = $('key-input') as HTMLInputElement;
  input.value = chosenKey() ?? '';
  $('key-note').textContent = c.accountPerKey
    ? 'Each API key is its own account here: the key picks whose messages, events and domains you see.'
    : 'The Mailgun API pages (domains, webhooks) need a key this mock accepts.';
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    chooseKey(input.value.trim() || null);
    connectLive($('live-status'));
    toast(input.value.trim() ? 'Key set' : 'Key cleared');
    show();
  });
}

setRefresher(refresh);

async function boot(): Promise<void> {
  try {
    const c = await loadConfig();
    document.title = `mailgun-mock ${c.version} (${c.region.toUpperCase()})`;
    document.querySelector('.brand')!.textContent = `mailgun-mock · ${c.region.toUpperCase()}`;
  } catch (err) {
    fill(main, h('p', { class: 'empty' }, `The mock did not answer: ${(err as Error).message}`));
    return;
  }
  wireKey();
  // The mock clock first: pages show times relative to it (a next retry "in 10 min").
  await readClock().catch(() => undefined);
  wireHeader();
  connectLive($('live-status'));
  window.addEventListener('hashchange', show);
  show();
}

void boot();

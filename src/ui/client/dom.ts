// Building DOM nodes from data. Everything that came from the mock goes in as text (textContent or
// attribute values), never as markup: a message's subject or a handler's answer cannot inject HTML.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** `h('a', { href: '#/x', class: 'y' }, 'text', child)`: an element; `on…` attributes become listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A table with a header row; `rows` are arrays of cells, each row element may carry attributes. */
export function table(testid: string, headers: string[], rows: Array<{ attrs?: Attrs; cells: Child[] }>, empty = 'Nothing yet.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty', 'data-testid': testid }, empty);
  return h(
    'table',
    { 'data-testid': testid },
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', r.attrs ?? {}, ...r.cells.map((c) => h('td', {}, c))))),
  );
}

/** A `dl` of label → value pairs (values as text or nodes). */
export function facts(testid: string, pairs: Array<[string, Child]>): HTMLElement {
  const dl = h('dl', { class: 'facts', 'data-testid': testid });
  for (const [k, v] of pairs) append(dl, [h('dt', {}, k), h('dd', {}, v ?? '—')]);
  return dl;
}

const openDetails = new Set<string>();

/** Forgets which details were open (after a reset, ids such as a request's seq start again). */
export function clearKeptDetails(): void {
  openDetails.clear();
}

/** A `details` element that stays open across refreshes (keyed by `key`, e.g. an event id). */
export function keptDetails(key: string, summary: Child, body: Child): HTMLDetailsElement {
  const d = h('details', { open: openDetails.has(key), 'data-key': key }, h('summary', {}, summary), body);
  d.addEventListener('toggle', () => (d.open ? openDetails.add(key) : openDetails.delete(key)));
  return d;
}

/** Epoch ms → `2026-11-26 21:05:03Z`. */
export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** A span of ms as `250 ms`, `10 min`, `2 h 5 min`. */
export function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 3_600_000 - 500) {
    // Round to the second first, so 59.999 min is "60 min", never "59 min 60 s".
    const total = Math.round(abs / 1000);
    const minutes = Math.floor(total / 60);
    const seconds = total % 60;
    return minutes === 0 ? `${seconds} s` : seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  }
  const totalMinutes = Math.round(abs / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}

/** Pretty JSON when the text is JSON, else the text as it is. */
export function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** "12 messages", or "the newest 500 of 1,040 messages" when a list was cut. */
export function shownOf(shown: number, matched: number, noun: string, nouns = `${noun}s`): HTMLElement {
  const plural = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? noun : nouns}`;
  return h('p', { class: 'muted', 'data-testid': 'list-count' }, shown < matched ? `the newest ${shown.toLocaleString('en')} of ${plural(matched)}` : plural(matched));
}

/** A small coloured label. */
export function badge(text: string, kind = text): HTMLElement {
  return h('span', { class: `badge b-${kind.replace(/[^a-z0-9_-]/gi, '')}` }, text);
}

export function link(href: string, text: Child, attrs: Attrs = {}): HTMLAnchorElement {
  return h('a', { href, ...attrs }, text);
}

let toastTimer: number | undefined;
/** A short note at the bottom of the page (errors stay longer). */
export function toast(message: string, error = false): void {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.className = error ? 'show error' : 'show';
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (el.className = ''), error ? 8000 : 3000);
}

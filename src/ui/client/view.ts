// What every page of the dashboard is: it builds itself once into `root`, says which live topics
// it shows, and refreshes its data in place (filters and focus survive a live update).
import type { Topic } from './live.js';
import { h } from './dom.js';

export interface View {
  topics: Topic[];
  refresh(): Promise<void>;
}

export type ViewFactory = (root: HTMLElement, params: URLSearchParams, rest: string[]) => View;

let refresher: () => Promise<void> = async () => undefined;

/** Set by main: the one queue every refresh goes through, so answers are shown in the order asked. */
export function setRefresher(fn: () => Promise<void>): void {
  refresher = fn;
}

/** Refreshes the current page (after the refresh under way, if any); resolves once it is shown. */
export function refreshNow(): Promise<void> {
  return refresher();
}

/** A filter bar: inputs named like query parameters; calls `changed` (debounced) with the values and keeps them in the URL. */
export function filterBar(
  testid: string,
  fields: Array<{ name: string; label: string; options?: string[]; optionLabels?: Record<string, string>; placeholder?: string; size?: number }>,
  params: URLSearchParams,
  changed: () => void,
): { element: HTMLElement; values(): URLSearchParams } {
  const form = h('form', { class: 'filters', 'data-testid': testid, onsubmit: (e: Event) => e.preventDefault() });
  const inputs: Array<HTMLInputElement | HTMLSelectElement> = [];
  for (const f of fields) {
    const value = params.get(f.name) ?? '';
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.options) {
      input = h('select', { name: f.name, 'aria-label': f.label }, h('option', { value: '' }, `${f.label}: any`), ...f.options.map((o) => h('option', { value: o, selected: o === value }, f.optionLabels?.[o] ?? o)));
    } else {
      input = h('input', { name: f.name, type: 'search', placeholder: f.placeholder ?? f.label, 'aria-label': f.label, value, size: f.size ?? 18 });
    }
    inputs.push(input);
    form.appendChild(input);
  }
  let timer: number | undefined;
  const values = () => {
    const q = new URLSearchParams();
    for (const i of inputs) if (i.value.trim()) q.set(i.name, i.value.trim());
    return q;
  };
  const fire = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const [path] = location.hash.split('?');
      const q = values().toString();
      history.replaceState(null, '', `${path}${q ? `?${q}` : ''}`);
      changed();
    }, 150);
  };
  form.addEventListener('input', fire);
  form.addEventListener('change', fire);
  return { element: form, values };
}

/** A button that runs an async action, disabled while it runs; errors go to the toast by the caller's `run`. */
export function actionButton(label: string, attrs: Record<string, string>, action: () => Promise<void>): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await action();
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

// Faults (forced API answers) and outcome rules (what happens to recipients after a send): list,
// add (a rule as JSON, or a fault as a `key=value,…` spec), remove one, clear.
import { control } from './api.js';
import { fill, h, table, toast } from './dom.js';
import { actionButton, refreshNow, type ViewFactory } from './view.js';

type Rule = Record<string, unknown> & { id: string; hits: number; remaining: number | null };

const FAULT_EXAMPLE = 'route=messages.send,status=500,times=1';
const OUTCOME_EXAMPLE = '{"recipient": "*@bounce.test", "outcome": "permanent_fail"}';

function ruleText(r: Rule): string {
  const { id: _id, hits: _hits, remaining: _remaining, ...rest } = r;
  return JSON.stringify(rest);
}

function section(kind: 'faults' | 'outcomes', refresh: () => Promise<void>) {
  const singular = kind === 'faults' ? 'fault' : 'outcome';
  const list = h('div');
  const input = h('textarea', { rows: 2, cols: 70, 'data-testid': `${singular}-input`, placeholder: kind === 'faults' ? `${FAULT_EXAMPLE}  or  {"route": "webhooks.create", "preset": "rate-limited"}` : OUTCOME_EXAMPLE, required: true });
  const form = h('form', { class: 'stack', 'data-testid': `${singular}-form` }, input, h('div', { class: 'row' }, h('button', { type: 'submit' }, kind === 'faults' ? 'Add fault' : 'Add outcome rule')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    // JSON when it looks like an object or a list; otherwise a fault spec (`503`, `route=…,status=…`).
    let json: unknown;
    if (/^[[{]/.test(text)) {
      try {
        json = JSON.parse(text);
      } catch (err) {
        return toast(`Not valid JSON: ${(err as Error).message}`, true);
      }
    } else if (kind === 'outcomes') {
      return toast('An outcome rule is JSON, e.g. ' + OUTCOME_EXAMPLE, true);
    } else {
      json = { spec: text };
    }
    try {
      await control(`/${kind}`, { method: 'POST', json });
      toast(kind === 'faults' ? 'Fault added' : 'Outcome rule added');
      input.value = '';
      await refresh();
    } catch (err) {
      toast((err as Error).message, true);
    }
  });
  const clear = actionButton('Clear all', { class: 'danger', 'data-testid': `${singular}-clear` }, async () => {
    try {
      await control(`/${kind}`, { method: 'DELETE' });
      toast(kind === 'faults' ? 'Faults cleared' : 'Outcome rules cleared');
      await refresh();
    } catch (err) {
      toast((err as Error).message, true);
    }
  });
  const show = (items: Rule[]) =>
    fill(list, table(`${singular}-list`, ['Id', 'Rule', 'Hits', 'Left', ''], items.map((r) => ({
      attrs: { 'data-rule-id': r.id },
      cells: [h('code', {}, r.id), h('code', {}, ruleText(r)), String(r.hits), r.remaining === null ? '∞' : String(r.remaining),
        actionButton('Remove', { 'data-action': 'remove' }, async () => {
          try {
            await control(`/${kind}/${encodeURIComponent(r.id)}`, { method: 'DELETE' });
            await refresh();
          } catch (err) {
            toast((err as Error).message, true);
          }
        })],
    })), kind === 'faults' ? 'No faults: every request gets its real answer.' : 'No outcome rules: every recipient is delivered (unless on a suppression list).'));
  return { list, form, clear, show };
}

export const rulesView: ViewFactory = (root) => {
  const faults = section('faults', refreshNow);
  const outcomes = section('outcomes', refreshNow);
  fill(root,
    h('h1', {}, 'Faults'),
    h('p', { class: 'muted' }, 'Forced answers for Mailgun API requests: a status, a preset (rate-limited, server-error…), a delay or a dropped connection. See docs/faults.md.'),
    faults.list, faults.form, h('div', { class: 'row' }, faults.clear),
    h('h1', {}, 'Outcome rules'),
    h('p', { class: 'muted' }, 'What happens to recipients after a send: delivered, permanent_fail, temporary_fail, opened, clicked, unsubscribed, complained.'),
    outcomes.list, outcomes.form, h('div', { class: 'row' }, outcomes.clear),
  );
  const view = {
    topics: ['reset', 'rules'] as Array<'reset' | 'rules'>,
    async refresh() {
      const [f, o] = await Promise.all([control<{ items: Rule[] }>('/faults'), control<{ items: Rule[] }>('/outcomes')]);
      faults.show(f.items);
      outcomes.show(o.items);
    },
  };
  return view;
};

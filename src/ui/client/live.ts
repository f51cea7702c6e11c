// The live view: one EventSource on /__mock/stream; views say which topics they show and are
// refreshed (once per burst) when one of them is announced.
import { accountQuery } from './api.js';

/** What the stream announces (`change`: someone's API call changed something); `reconnect`: it came back after a break (the mock may have restarted), so everything is stale. */
export type Topic = 'message' | 'event' | 'delivery' | 'request' | 'change' | 'rules' | 'journal' | 'reset' | 'clock' | 'reconnect';
type Listener = (topic: Topic) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;

export function onLive(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** (Re)connects the stream; the status element says whether updates are flowing. */
export function connectLive(status: HTMLElement): void {
  source?.close();
  status.textContent = 'connecting';
  status.classList.remove('on');
  const es = new EventSource(`/__mock/stream${accountQuery()}`);
  source = es;
  const set = (text: string, ok: boolean) => {
    status.textContent = text;
    status.classList.toggle('on', ok);
  };
  let connected = false;
  es.addEventListener('hello', () => {
    set('live', true);
    if (connected) for (const l of [...listeners]) l('reconnect');
    connected = true;
  });
  es.addEventListener('error', () => set(es.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting', false));
  for (const topic of ['message', 'event', 'delivery', 'request', 'change', 'rules', 'journal', 'reset', 'clock'] as const) {
    es.addEventListener(topic, () => {
      for (const l of [...listeners]) l(topic);
    });
  }
}

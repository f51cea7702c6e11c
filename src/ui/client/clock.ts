// The mock clock in the header: shown ticking (at its speed, or still when frozen), advanced by the
// buttons, re-read whenever the stream says it moved.
import { control } from './api.js';
import { span, time, toast } from './dom.js';

interface ClockState {
  now: number;
  speed: number;
  frozen: boolean;
  pending: number;
}

let state: ClockState = { now: Date.now(), speed: 1, frozen: false, pending: 0 };
let readAt = Date.now();

/** The mock clock's now, as last read plus the real time since (scaled by its speed). */
export function clockNow(): number {
  return state.frozen ? state.now : Math.floor(state.now + (Date.now() - readAt) * state.speed);
}

/** Whether the mock clock moves by itself (then "in 10 min" needs re-rendering now and then). */
export const clockRuns = (): boolean => !state.frozen;

export async function readClock(): Promise<void> {
  const c = await control<ClockState>('/clock');
  state = c;
  readAt = Date.now();
}

export function showClock(nowEl: HTMLElement, pendingEl: HTMLElement): void {
  nowEl.textContent = time(clockNow());
  nowEl.title = state.frozen ? 'frozen: it moves only when advanced' : state.speed === 1 ? 'real time' : `runs ×${state.speed}`;
  pendingEl.textContent = state.pending ? `${state.pending} scheduled` : '';
}

/** Advances the mock clock; resolves after the retries and deliveries that became due have run. */
export async function advance(ms: number): Promise<void> {
  try {
    await control('/clock/advance', { method: 'POST', json: { ms } });
    await readClock();
    toast(`Clock advanced ${span(ms)}: now ${time(state.now)}`);
  } catch (err) {
    toast((err as Error).message, true);
  }
}


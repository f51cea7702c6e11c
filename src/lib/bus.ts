// A typed announcement channel on each mock: new messages, events and delivery attempts. The
// waitFor helpers listen to it (and the dashboard's live view will). One per mock, no globals.
import { EventEmitter } from 'node:events';

export interface Bus<T extends Record<string, unknown>> {
  emit<K extends keyof T & string>(topic: K, value: T[K]): void;
  on<K extends keyof T & string>(topic: K, listener: (value: T[K]) => void): () => void;
  /** Whether anyone listens (so a value that is costly to build can be skipped). */
  listening(topic: keyof T & string): boolean;
}

export function createBus<T extends Record<string, unknown>>(): Bus<T> {
  const ee = new EventEmitter();
  // Many concurrent waitFor calls are normal in a test suite; they are not a leak.
  ee.setMaxListeners(0);
  return {
    emit(topic, value) {
      ee.emit(topic, value);
    },
    listening(topic) {
      return ee.listenerCount(topic) > 0;
    },
    on(topic, listener) {
      const l = listener as (v: unknown) => void;
      ee.on(topic, l);
      return () => ee.off(topic, l);
    },
  };
}

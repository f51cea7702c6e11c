// The soak test's server process: one mailgun-mock (the built dist/) alone in its own heap, so the
// parent can drive load and read this process's memory without its own allocations mixed in.
// Forked by scripts/soak-core.mjs with --expose-gc. IPC protocol (one reply per request):
//   {start: {signingKey, seed, fixtures}} → {url}
//   {pending: true}                       → {pending}  (webhook deliveries not settled yet)
//   {measure: true}                       → {memory, heapSpaces, counts, retained}
//                                            (memory after several forced GCs; counts of what the
//                                            mock still holds: messages, events, journal, deliveries)
//   {snapshot: path}                      → {path}     (v8.writeHeapSnapshot, for leak hunting)
//   {stop: true}                          → {stopped}, then the child disconnects and exits.
// Test-only switch: SOAK_CHILD_RETAIN=N (N ≥ 1) in this process's environment keeps N copies of every
// request body the mock sees in a global array that nothing ever clears (a deliberate leak, to prove
// the soak's memory verdict can fail). Done here through diagnostics_channel, never in src/.
// SOAK_CHILD_WATCH=1 (diagnosis) records deliveries that fail or retry.
import dc from 'node:diagnostics_channel';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { startMailgunMock } from '../dist/index.js';

if (typeof globalThis.gc !== 'function') {
  process.send?.({ error: 'soak-child needs --expose-gc' });
  process.exit(2);
}

/** @type {string[]} the deliberate leak (SOAK_CHILD_RETAIN=1 only) */
const retained = [];
const copies = Number(process.env.SOAK_CHILD_RETAIN ?? 0);
if (Number.isInteger(copies) && copies > 0) {
  dc.subscribe('http.server.response.finish', ({ request }) => {
    const m = request.mock;
    if (!m) return;
    // JSON of the parsed fields, attachments as base64: heap strings. `copies` distinct flat copies
    // (JSON.parse makes a new string each time), so a short test run leaks enough to be seen.
    const quoted = JSON.stringify(JSON.stringify({ url: request.url, fields: m.fields, query: m.query, files: m.files?.map((f) => f.content.toString('base64')) }));
    for (let i = 0; i < copies; i++) retained.push(JSON.parse(quoted));
  });
}

/** Deliveries seen failing, with SOAK_CHILD_WATCH=1. */
const watched = [];

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Full GCs with turns of the event loop between them (weak callbacks, finalizers, closed sockets). */
async function settle() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await tick();
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  globalThis.gc();
}

let mock;
process.on('message', async (msg) => {
  try {
    if (msg.start) {
      const { signingKey, seed, fixtures, deliveryLimit } = msg.start;
      mock = await startMailgunMock({ port: 0, host: '127.0.0.1', rateLimit: 0, logLevel: 'silent', signingKey, faultSeed: seed, fixtures, deliveryLimit });
      if (process.env.SOAK_CHILD_WATCH === '1') {
        // Diagnosis only (it makes the mock snapshot every delivery change): keep every delivery that
        // did not simply go pending → delivered.
        mock.waitForDelivery((d) => {
          if (d.state !== 'pending' && d.state !== 'delivered' && watched.length < 50) watched.push(structuredClone(d));
          return false;
        }, { timeoutMs: 2 ** 31 - 1 }).catch(() => {});
      }
      process.send({ url: mock.url });
    } else if (msg.pending) {
      const pending = mock.deliveries.list({ state: 'pending' }).length + mock.deliveries.list({ state: 'retrying' }).length;
      process.send({ pending });
    } else if (msg.deliveries) {
      // Deliveries by state, and the ones of the given messages (to explain a missing webhook).
      const all = mock.deliveries.list();
      const states = {};
      for (const d of all) states[d.state] = (states[d.state] ?? 0) + 1;
      const of = (msg.deliveries.messageIds ?? []).slice(0, 5).map((id) => ({ id, deliveries: mock.deliveries.list({ messageId: id }), events: mock.events.list({ messageId: id }).map((e) => e.event) }));
      const unsettled = all.filter((d) => d.state !== 'delivered').slice(0, 5);
      process.send({ total: all.length, states, of, unsettled, watched: watched.splice(0) });
    } else if (msg.measure) {
      await settle();
      const memory = process.memoryUsage();
      const heapSpaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
      const counts = {
        messages: mock.messages.list().length,
        events: mock.events.list().length,
        journal: mock.journal.list().length,
        deliveries: mock.deliveries.list().length,
      };
      process.send({ memory, heapSpaces, counts, retained: retained.length });
    } else if (msg.snapshot) {
      await settle();
      process.send({ path: writeHeapSnapshot(msg.snapshot) });
    } else if (msg.stop) {
      await mock?.stop();
      mock = undefined;
      process.send({ stopped: true }, () => process.disconnect());
    }
  } catch (err) {
    process.send({ error: String(err?.stack ?? err) });
  }
});
// The parent went away (crash, Ctrl-C): do not linger holding a port.
process.on('disconnect', () => process.exit(0));

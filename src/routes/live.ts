// GET /__mock/stream: a server-sent event stream of what happens in the account (messages, events,
// webhook delivery attempts, API requests, resets, clock moves), for the dashboard's live view and
// for anyone who wants to watch. Announcements are coalesced per topic and flushed every
// FLUSH_MS, so a busy mock writes a few small frames a second, not one per request.
import type { Request, Response } from 'express';
import type { AppContext } from '../context.js';
import type { MockTopics } from '../services/wait.js';

/** How long announcements gather before one frame per topic is written. */
const FLUSH_MS = 50;
/** A comment line this often keeps proxies and the browser from timing the stream out. */
const HEARTBEAT_MS = 15_000;
/** A client this far behind misses frames (it refetches on the next one anyway). */
const MAX_BUFFERED = 256 * 1024;

/** `change`: an API request changed a domain's settings (domains, webhooks, suppressions; a 2xx write, anyone's). */
type Topic = 'message' | 'event' | 'delivery' | 'request' | 'change' | 'rules' | 'journal' | 'reset' | 'clock';

/** Routes whose writes change what the Domains pages show (a send or a webhook test does not). */
function changesSettings(routeId: string | null): boolean {
  return routeId !== null && routeId !== 'webhooks.test' && /^(domains|webhooks|suppressions|accountWebhooks)\./.test(routeId);
}

/** What a frame carries about the newest item of its topic: ids and states, never bodies. */
function latestOf(topic: Topic, value: unknown): Record<string, unknown> {
  switch (topic) {
    case 'message': {
      const m = value as MockTopics['message'];
      return { id: m.id, domain: m.domain, subject: m.subject, recipients: m.recipients.slice(0, 10) };
    }
    case 'event': {
      const e = value as MockTopics['event'];
      return { id: e.data.id, event: e.data.event, recipient: e.recipient ?? null, messageId: e.messageId ?? null };
    }
    case 'delivery': {
      const d = value as MockTopics['delivery'];
      return { id: d.id, state: d.state, status: d.attempts.at(-1)?.status ?? null, attempts: d.attempts.length, nextRetryAt: d.nextRetryAt };
    }
    default:
      return value as Record<string, unknown>;
  }
}

export function streamHandler(ctx: AppContext) {
  return (req: Request, res: Response) => {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    // HEAD: the headers only; there is no stream to keep open.
    if (req.method === 'HEAD') return void res.end();
    res.flushHeaders();
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ account: ctx.accountId, now: ctx.clock.now() })}\n\n`);

    const pending = new Map<Topic, { count: number; latest: Record<string, unknown> }>();
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (res.writableEnded || res.destroyed) return;
      if (res.writableLength > MAX_BUFFERED) {
        pending.clear();
        return;
      }
      let frame = '';
      for (const [topic, { count, latest }] of pending) frame += `event: ${topic}\ndata: ${JSON.stringify({ count, latest })}\n\n`;
      pending.clear();
      res.write(frame);
    };
    const announce = (topic: Topic) => (value: unknown) => {
      const seen = pending.get(topic);
      pending.set(topic, { count: (seen?.count ?? 0) + 1, latest: latestOf(topic, value) });
      timer ??= setTimeout(flush, FLUSH_MS);
    };

    const request = announce('request');
    const change = announce('change');
    const offs = [
      ctx.bus.on('message', announce('message')),
      ctx.bus.on('event', announce('event')),
      ctx.bus.on('delivery', announce('delivery')),
      ctx.bus.on('request', (r) => {
        request(r);
        if (r.method !== 'GET' && r.method !== 'HEAD' && r.status >= 200 && r.status < 300 && changesSettings(r.routeId)) change(r);
      }),
      ctx.bus.on('rules', announce('rules')),
      ctx.bus.on('journal', announce('journal')),
      ctx.bus.on('reset', announce('reset')),
    ];
    const clockMoved = announce('clock');
    if (ctx.clock.onAdvance) offs.push(ctx.clock.onAdvance(() => clockMoved({ now: ctx.clock.now() })));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();

    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      for (const off of offs) off();
      offShutdown();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      if (!res.writableEnded) res.end();
    };
    const offShutdown = ctx.bus.on('shutdown', end);
    req.on('close', end);
    res.on('error', end);
  };
}

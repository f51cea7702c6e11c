// What happens after Mailgun accepts a message: per recipient, `accepted`, then the outcome
// (suppression lists first, then a per-message `v:mailgun-mock-outcome`, then the outcome rules,
// else `delivered`), soft failures retried on the clock until delivered or given up, engagement
// events after delivery, and every event stored, announced and handed to the webhook dispatcher.
import { randomBytes } from 'node:crypto';
import { errors, MailgunError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Scheduler } from '../lib/scheduler.js';
import type { OutcomeEngine } from '../outcomes/registry.js';
import { OUTCOMES, type Outcome, type OutcomeRuleInput } from '../outcomes/rules.js';
import type { DomainRecord, EventData, EventRecord, MessageRecord, MockState, Store } from '../store/types.js';
import { buildEventData, recipientVariablesOf, userVariables, type EventSpec } from '../webhooks/event-data.js';
import type { Dispatcher, DeliveryTarget } from '../webhooks/dispatcher.js';
import { webhookNamesFor } from '../webhooks/payloads.js';
import { accountTargetsFor } from './account-webhooks.js';
import { findDomain } from './domains.js';
import { isAllowlisted } from './suppressions.js';
import type { MessageInput } from './message-input.js';

/** The `v:` variable that picks one message's outcome (an outcome name). */
export const OUTCOME_VARIABLE = 'mailgun-mock-outcome';

const SUPPRESSION = {
  bounce: { reason: 'suppress-bounce', code: 605, description: 'Not delivering to previously bounced address' },
  unsubscribe: { reason: 'suppress-unsubscribe', code: 606, description: 'Not delivering to unsubscribed address' },
  complaint: { reason: 'suppress-complaint', code: 607, description: 'Not delivering to a user who marked your messages as spam' },
} as const;

const DEFAULT_BOUNCE = { code: 550, message: 'No Such User Here' };
const DEFAULT_SOFT = { code: 452, message: '4.2.2 The email account that you tried to reach is over quota.', enhanced: '4.2.2' };

/** An event a test asks for on a stored message (`POST /__mock/events`, `mock.events.emit`). */
export interface EmitRequest {
  /** The Message-Id, with or without `<>`. */
  messageId: string;
  event: 'opened' | 'clicked' | 'unsubscribed' | 'complained' | 'failed' | 'delivered';
  /** One recipient of the message; default: every recipient. */
  recipient?: string;
  /** clicked: the URL. */
  url?: string;
  /** failed: `permanent` (default) or `temporary`. */
  severity?: 'permanent' | 'temporary';
  /** failed: `delivery-status.code`. */
  code?: number;
  /** failed: `delivery-status.message`. */
  message?: string;
  /** failed: `reason` (default `bounce` / `generic`). */
  reason?: string;
}

/** What the engine is built from (the mock's context, without HTTP). */
export interface DeliveryDeps {
  store: Store;
  clock: Clock;
  scheduler: Scheduler;
  outcomes: OutcomeEngine;
  dispatcher: Dispatcher;
  logger: Logger;
  accountId: string;
  /** Mailgun's waits between delivery attempts of a soft-failing recipient, in ms. */
  deliveryRetrySchedule: number[];
  /** Wait between acceptance and the outcome, in ms of mock time (0: at once, in the same write). */
  deliveryDelayMs: number;
  /** How many messages and events are kept (the oldest go first). */
  retain: { messages: number; events: number };
  onEvent: (e: EventRecord) => void;
  onMessage: (m: MessageRecord) => void;
}

export interface DeliveryEngine {
  /** Stores an accepted message, its `accepted` events and (with no delay) its outcomes; resolves once durable. */
  send(domain: string, input: MessageInput, apiBase: string): Promise<MessageRecord>;
  /** Adds an event for a stored message (and its webhooks). */
  emit(req: EmitRequest): Promise<EventData[]>;
  /** Forgets scheduled outcomes (the store is reset by its owner). */
  reset(): void;
}

type Plan =
  | { kind: 'suppressed'; which: keyof typeof SUPPRESSION }
  | { kind: 'outcome'; outcome: Outcome; rule?: OutcomeRuleInput };

/** A Message-Id of the newer form: `20260203192638.000be97f99f8cea1@sample.mailgun.com`. */
function messageId(nowMs: number, domain: string): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}.${randomBytes(8).toString('hex')}@${domain}`;
}

export function createDeliveryEngine(deps: DeliveryDeps): DeliveryEngine {
  const { store, clock, scheduler } = deps;
  const cancels = new Set<() => void>();
  let generation = 0;

  /** Builds an event, appends it to the state; returns the record (announce it after the write). */
  const addEvent = (s: MockState, message: MessageRecord, recipient: string, spec: EventSpec, nowMs: number): EventRecord => {
    // Timestamps keep creation order, across restarts too: an event made in the same millisecond
    // as the last one stored (a frozen clock, a burst) gets the next microsecond.
    const last = s.events.at(-1)?.data.timestamp;
    const us = Math.max(Math.floor(nowMs) * 1000, typeof last === 'number' ? Math.round(last * 1e6) + 1 : 0);
    const data = buildEventData(spec, { message, recipient, nowMs: Math.floor(us / 1000), micros: us % 1000, storageBaseUrl: message.apiBase, accountId: deps.accountId });
    const rec: EventRecord = { seq: s.nextSeq++, domain: message.domain, messageId: message.id, recipient, data };
    s.events.push(rec);
    trim(s.events, deps.retain.events);
    return rec;
  };

  /** After the write: tell waiters, and post the webhooks. */
  const announce = (recs: EventRecord[], message: MessageRecord) => {
    for (const rec of recs) {
      deps.onEvent(rec);
      const domain = findDomain(store.state, rec.domain);
      if (!domain) continue;
      const targets = targetsFor(domain, rec.data, store.state);
      if (targets.length > 0) deps.dispatcher.dispatch(rec.data, message, rec.domain, targets);
    }
  };

  const plan = (domain: DomainRecord, message: MessageRecord, recipient: string, lists = suppressionIndex(domain)): Plan => {
    if (lists.bounces.has(recipient)) return { kind: 'suppressed', which: 'bounce' };
    const tags = lists.unsubscribes.get(recipient);
    if (tags && (tags.includes('*') || tags.some((t) => message.tags.some((m) => m.toLowerCase() === t.toLowerCase())))) return { kind: 'suppressed', which: 'unsubscribe' };
    if (lists.complaints.has(recipient)) return { kind: 'suppressed', which: 'complaint' };
    // The variable as this recipient's events show it (%recipient.x% substituted), else a
    // recipient-variables entry of that name.
    const picked = stringVar(userVariables(message, recipient)[OUTCOME_VARIABLE]) ?? stringVar(recipientVariablesOf(message, recipient)[OUTCOME_VARIABLE]);
    if (picked !== undefined && (OUTCOMES as readonly string[]).includes(picked)) return { kind: 'outcome', outcome: picked as Outcome };
    const rule = deps.outcomes.take({ recipient, domain: message.domain, tags: message.tags });
    if (rule) return { kind: 'outcome', outcome: rule.outcome, rule };
    return { kind: 'outcome', outcome: 'delivered' };
  };

  /** Applies one recipient's plan at `nowMs` inside a state change; returns the events it made. */
  const carryOut = (s: MockState, message: MessageRecord, recipient: string, p: Plan, nowMs: number, attemptNo = 1): EventRecord[] => {
    const domain = findDomain(s, message.domain);
    if (!domain) return [];
    if (p.kind === 'suppressed') {
      const sup = SUPPRESSION[p.which];
      return [addEvent(s, message, recipient, { event: 'failed', severity: 'permanent', reason: sup.reason, code: sup.code, description: sup.description, message: '', attemptNo: 1 }, nowMs)];
    }
    const { outcome, rule } = p;
    switch (outcome) {
      case 'permanent_fail': {
        const code = rule?.code ?? DEFAULT_BOUNCE.code;
        const msg = rule?.message ?? DEFAULT_BOUNCE.message;
        // Mailgun keeps allowlisted addresses (or domains) off the bounces list.
        if (!isAllowlisted(domain, recipient)) addBounce(domain, recipient, String(code), msg, nowMs);
        return [addEvent(s, message, recipient, { event: 'failed', severity: 'permanent', reason: 'bounce', code, message: msg, description: rule?.description ?? '', attemptNo }, nowMs)];
      }
      case 'temporary_fail': {
        if (rule?.recoverAfter !== undefined && attemptNo > rule.recoverAfter) {
          return [addEvent(s, message, recipient, { event: 'delivered', attemptNo }, nowMs)];
        }
        const code = rule?.code ?? DEFAULT_SOFT.code;
        const msg = rule?.message ?? DEFAULT_SOFT.message;
        const wait = deps.deliveryRetrySchedule[attemptNo - 1];
        if (wait === undefined) {
          // Out of retries: Mailgun gives up with reason `old` (about 8 hours after the first attempt).
          return [addEvent(s, message, recipient, { event: 'failed', severity: 'permanent', reason: 'old', code, message: msg, description: 'Too old: Mailgun stopped retrying', attemptNo }, nowMs)];
        }
        const rec = addEvent(s, message, recipient, { event: 'failed', severity: 'temporary', reason: 'generic', code, message: msg, description: rule?.description ?? '', enhancedCode: rule?.code ? undefined : DEFAULT_SOFT.enhanced, attemptNo, retrySeconds: Math.round(wait / 1000) }, nowMs);
        later(nowMs + wait, message, domain, { recipient, plan: p, attemptNo: attemptNo + 1 });
        return [rec];
      }
      case 'delivered':
        return [addEvent(s, message, recipient, { event: 'delivered', attemptNo }, nowMs)];
      default: {
        const out = [addEvent(s, message, recipient, { event: 'delivered', attemptNo }, nowMs)];
        const spec = engagement(outcome, rule?.url);
        if (spec && engagementTracked(domain, message, spec.event)) out.push(...engage(s, domain, message, recipient, spec, nowMs));
        return out;
      }
    }
  };

  /** An engagement event and what it does to the suppression lists. */
  const engage = (s: MockState, domain: DomainRecord, message: MessageRecord, recipient: string, spec: EventSpec, nowMs: number): EventRecord[] => {
    if (spec.event === 'unsubscribed' && !domain.unsubscribes.some((u) => u.address === recipient)) {
      domain.unsubscribes.push({ address: recipient, tags: ['*'], createdAt: new Date(nowMs).toISOString() });
    }
    if (spec.event === 'complained' && !domain.complaints.some((c) => c.address === recipient)) {
      domain.complaints.push({ address: recipient, createdAt: new Date(nowMs).toISOString() });
    }
    return [addEvent(s, message, recipient, spec, nowMs)];
  };

  /** Runs a recipient's plan at a later mock time (a scheduled send, a delay, a soft-bounce retry). */
  /**
   * Runs work for a message at a later mock time: its recipients' outcomes (a scheduled or delayed
   * send, decided then, so they meet the suppression lists and rules of that time), or one
   * recipient's next soft-bounce attempt. It runs while the domain it was sent from exists (the same
   * record: deleted and created anew is another domain), whether or not retention still keeps the
   * message for looking at.
   */
  const later = (due: number, message: MessageRecord, domainRec: DomainRecord, work: { recipient: string; plan: Plan; attemptNo: number } | 'send') => {
    const gen = generation;
    const cancel = scheduler.at(due, async () => {
      cancels.delete(cancel);
      if (gen !== generation) return;
      const now = Math.max(due, 0);
      const recs = await store.mutate((s) => {
        const domain = findDomain(s, message.domain);
        if (gen !== generation || domain !== domainRec) return [];
        if (work !== 'send') return carryOut(s, message, work.recipient, work.plan, now, work.attemptNo);
        const lists = suppressionIndex(domain);
        return message.recipients.flatMap((r) => carryOut(s, message, r, plan(domain, message, r, lists), now));
      });
      // A reset while the write ran wins: nothing of before it is announced or posted after it.
      if (gen === generation) announce(recs, message);
    });
    cancels.add(cancel);
  };

  return {
    async send(domainName, input, apiBase) {
      const now = clock.now();
      const gen = generation;
      const recs: EventRecord[] = [];
      const message = await store.mutate((s) => {
        const domain = findDomain(s, domainName);
        if (!domain) throw errors.domainNotFoundNamed(domainName);
        const msg: MessageRecord = { ...input, id: messageId(now, domain.name), domain: domain.name, storageKey: randomBytes(24).toString('base64url'), acceptedAt: now, apiBase };
        s.messages.push(msg);
        trim(s.messages, deps.retain.messages);
        for (const r of msg.recipients) recs.push(addEvent(s, msg, r, { event: 'accepted' }, now));
        const due = Math.max(msg.deliveryTime ?? 0, now + deps.deliveryDelayMs);
        // One look-up table per send: up to 1000 recipients against lists of any length.
        if (due > now) {
          later(due, msg, domain, 'send');
        } else {
          const lists = suppressionIndex(domain);
          for (const r of msg.recipients) recs.push(...carryOut(s, msg, r, plan(domain, msg, r, lists), now));
        }
        return msg;
      });
      // A reset in between (during the write, or before the answer has gone) wins: nothing of before
      // it is announced or posted after it.
      if (gen !== generation) return message;
      deps.onMessage(message);
      // After the answer has gone: delivery never holds up or fails the request that caused it.
      setImmediate(() => {
        if (gen === generation) announce(recs, message);
      });
      return message;
    },

    async emit(req) {
      const id = req.messageId.trim().replace(/^<|>$/g, '');
      const now = clock.now();
      const gen = generation;
      let message: MessageRecord | undefined;
      const recs = await store.mutate((s) => {
        message = s.messages.find((m) => m.id === id);
        if (!message) throw new MailgunError(404, { message: `Message not found: ${id}` });
        const domain = findDomain(s, message.domain);
        if (!domain) throw errors.domainNotFoundNamed(message.domain);
        const who = req.recipient?.trim().toLowerCase();
        if (who !== undefined && !message.recipients.includes(who)) throw errors.badRequest(`${who} is not a recipient of message ${id}`);
        const spec = emitSpec(req);
        if (!engagementTracked(domain, message, spec.event)) {
          throw errors.badRequest(`${spec.event === 'opened' ? 'opens' : 'clicks'} are not tracked for message ${id} (o:tracking, o:tracking-${spec.event === 'opened' ? 'opens' : 'clicks'} or the domain's tracking setting)`);
        }
        const out: EventRecord[] = [];
        for (const r of who !== undefined ? [who] : message.recipients) {
          if (spec.event === 'failed' && spec.severity === 'permanent' && spec.reason === 'bounce' && !isAllowlisted(domain, r)) addBounce(domain, r, String(spec.code), spec.message ?? '', now);
          out.push(...engage(s, domain, message, r, spec, now));
        }
        return out;
      });
      if (gen === generation) announce(recs, message!);
      return recs.map((r) => r.data);
    },

    reset() {
      generation++;
      for (const c of cancels) c();
      cancels.clear();
    },
  };
}

/**
 * Drops the oldest entries of a list over its limit. It trims in steps (down to the limit once the
 * list is a tenth over it), so a list at its limit is not shifted on every addition.
 */
function trim(list: unknown[], limit: number): void {
  if (list.length > limit + Math.max(1, Math.floor(limit / 10))) list.splice(0, list.length - limit);
}

/** A domain's suppression lists as look-up tables (addresses are stored lower-cased). */
function suppressionIndex(domain: DomainRecord): { bounces: Set<string>; complaints: Set<string>; unsubscribes: Map<string, string[]> } {
  const unsubscribes = new Map<string, string[]>();
  for (const u of domain.unsubscribes) unsubscribes.set(u.address, [...(unsubscribes.get(u.address) ?? []), ...u.tags]);
  return { bounces: new Set(domain.bounces.map((b) => b.address)), complaints: new Set(domain.complaints.map((c) => c.address)), unsubscribes };
}

function stringVar(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function addBounce(domain: DomainRecord, address: string, code: string, error: string, nowMs: number): void {
  const existing = domain.bounces.find((b) => b.address === address);
  if (existing) {
    existing.code = code;
    existing.error = error;
  } else {
    domain.bounces.push({ address, code, error, createdAt: new Date(nowMs).toISOString() });
  }
}

function engagement(outcome: Outcome, url: string | undefined): EventSpec | undefined {
  switch (outcome) {
    case 'opened':
      return { event: 'opened' };
    case 'clicked':
      return { event: 'clicked', url: url ?? 'https://example.com/' };
    case 'unsubscribed':
      return { event: 'unsubscribed' };
    case 'complained':
      return { event: 'complained' };
    default:
      return undefined;
  }
}

/** Opens and clicks are seen only when tracked: the message's o:tracking* first, then the domain's setting. */
function engagementTracked(domain: DomainRecord, message: MessageRecord, event: string): boolean {
  if (event === 'opened') return message.tracking.opens ?? domain.tracking.open;
  if (event === 'clicked') return (message.tracking.clicks ?? domain.tracking.click) !== false;
  return true;
}

function emitSpec(req: EmitRequest): EventSpec {
  switch (req.event) {
    case 'opened':
    case 'unsubscribed':
    case 'complained':
      return { event: req.event };
    case 'clicked':
      return { event: 'clicked', url: req.url ?? 'https://example.com/' };
    case 'delivered':
      return { event: 'delivered' };
    case 'failed': {
      const severity = req.severity ?? 'permanent';
      const permanent = severity === 'permanent';
      return {
        event: 'failed',
        severity,
        reason: req.reason ?? (permanent ? 'bounce' : 'generic'),
        code: req.code ?? (permanent ? DEFAULT_BOUNCE.code : DEFAULT_SOFT.code),
        message: req.message ?? (permanent ? DEFAULT_BOUNCE.message : DEFAULT_SOFT.message),
        attemptNo: 1,
        ...(permanent ? {} : { retrySeconds: 600 }),
      };
    }
  }
}

/** Whether `url` is still registered for webhook name `webhook` on the domain (or its region's account webhooks). */
export function stillTargeted(state: MockState, domainName: string, webhook: string, url: string): boolean {
  const domain = findDomain(state, domainName);
  if (!domain) return false;
  if (domain.webhooks.some((h) => h.name === webhook && h.urls.includes(url))) return true;
  return state.accountWebhooks.some((w) => w.region === domain.region && w.url === url && w.eventTypes.includes(webhook));
}

/**
 * The URLs an event goes to: every URL of every webhook name it fires on the domain, then (given
 * the state) the account webhooks of the domain's region, without a URL the domain already has
 * for the same name (Mailgun sends that one once).
 */
export function targetsFor(domain: DomainRecord, data: EventData, state?: MockState): DeliveryTarget[] {
  const out: DeliveryTarget[] = [];
  for (const name of webhookNamesFor(data)) {
    const hook = domain.webhooks.find((h) => h.name === name);
    if (hook) for (const url of hook.urls) out.push({ webhook: name, url });
  }
  if (state) out.push(...accountTargetsFor(state, domain, data));
  return out;
}

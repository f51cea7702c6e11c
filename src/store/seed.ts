// Fixtures: the JSON files that seed the state (and what reset returns to). They are checked
// against fixtures/schema.json at boot, and a bad one stops the start naming the file and field.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { AJV_OPTIONS } from './fixture-schema-options.js';
import { isLegacyWebhookName } from '../lib/webhook-names.js';
import { isValidAddress, isValidMailDomain } from '../lib/addresses.js';
import { isValidWebhookUrl } from '../lib/urls.js';
import { validateOutcomeRule, OutcomeRuleError, type OutcomeRuleInput } from '../outcomes/rules.js';
import type { MockState, Region, TrackingSettings } from './types.js';

/** The documented fixture format (fixtures/schema.json). */
export interface FixtureData {
  $schema?: string;
  description?: string;
  /** Keys the account accepts; absent or empty means any non-empty key. */
  apiKeys?: string[];
  /** The HTTP webhook signing key. */
  signingKey?: string;
  domains: Array<{
    name: string;
    region?: Region;
    createdAt?: string;
    webhooks?: Record<string, { url: string } | { urls: string[] }>;
    /** Open, click and unsubscribe tracking; each defaults to on for a fixture domain. */
    tracking?: Partial<TrackingSettings>;
    /** Suppression lists: sends to these addresses fail with 605 / 606 / 607. */
    bounces?: Array<{ address: string; code?: string; error?: string; createdAt?: string }>;
    unsubscribes?: Array<{ address: string; tags?: string[]; createdAt?: string }>;
    complaints?: Array<{ address: string; createdAt?: string }>;
    /** Allowlisted addresses or domains: never added to the bounces list. */
    allowlist?: Array<{ value: string; reason?: string; createdAt?: string }>;
  }>;
  /** Outcome rules in force from the start (and after every reset). */
  outcomes?: OutcomeRuleInput[];
}

/** What the fixtures give the mock: the seed state plus account settings. */
export interface Seed {
  state: MockState;
  apiKeys: string[];
  signingKey?: string;
  /** Outcome rules from the fixtures (checked). */
  outcomes: OutcomeRuleInput[];
  /** The file it came from, or `(inline)`. */
  source: string;
}

/**
 * Fixtures that cannot be used; the message names the file and the field.
 * @example
 * await createMailgunMock({ fixtures: './bad.json' }).catch((e) => e instanceof FixtureError && console.error(e.message));
 */
export class FixtureError extends Error {
  override name = 'FixtureError';
}

/** Path of the fixtures shipped with the package. */
export const DEFAULT_FIXTURES_PATH = fileURLToPath(new URL('../../fixtures/default.json', import.meta.url));
const SCHEMA_PATH = fileURLToPath(new URL('../../fixtures/schema.json', import.meta.url));

type Validator = ((data: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; message?: string; params: Record<string, unknown>; propertyName?: string }> | null;
};
let validatorPromise: Promise<Validator> | undefined;

async function validator(): Promise<Validator> {
  // The validator compiled at build time (dist/store/fixture-validator.cjs), else (running from src/,
  // as the tests do) the schema compiled with Ajv here, once per process. Both are imported only
  // now, so neither Ajv nor the generated code weighs on anything that does not load fixtures.
  validatorPromise ??= (async () => {
    try {
      return createRequire(import.meta.url)('../store/fixture-validator.cjs') as Validator;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      const [{ default: AjvModule }, text] = await Promise.all([import('ajv'), readFile(SCHEMA_PATH, 'utf8')]);
      const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
      const ajv = new (Ajv as unknown as new (o: object) => { compile(s: object): Validator })(AJV_OPTIONS);
      return ajv.compile(JSON.parse(text) as object);
    }
  })();
  return validatorPromise;
}

/**
 * Loads fixtures from a file path or an object; defaults to the package's `fixtures/default.json`.
 * @throws FixtureError naming the file and the field when the data is not valid.
 * @example const seed = await loadFixtures('./test/mailgun-fixtures.json'); seed.state.domains.length;
 */
export async function loadFixtures(source: string | FixtureData = DEFAULT_FIXTURES_PATH): Promise<Seed> {
  if (typeof source !== 'string') return seedFromFixtures(source, '(inline)');
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (err) {
    throw new FixtureError(`fixtures file ${source} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FixtureError(`fixtures file ${source} is not valid JSON: ${(err as Error).message}`);
  }
  return seedFromFixtures(data, source);
}

export async function seedFromFixtures(data: unknown, source: string): Promise<Seed> {
  const validate = await validator();
  if (!validate(data)) {
    const e = validate.errors?.[0];
    const field = e ? e.instancePath || '(root)' : '(root)';
    // Ajv puts the offending key of a `propertyNames` failure (an unknown webhook name) on the error itself.
    const propertyName = e?.propertyName ?? e?.params.propertyName;
    const extra = e?.params.additionalProperty ? ` '${String(e.params.additionalProperty)}'` : propertyName ? ` ('${String(propertyName)}')` : '';
    throw new FixtureError(`fixtures file ${source}: field ${field} ${e?.message ?? 'is invalid'}${extra}`);
  }
  const fixtures = data as FixtureData;
  const seen = new Set<string>();
  const state: MockState = { domains: [], signingKey: fixtures.signingKey ?? '', messages: [], events: [], nextSeq: 1, accountWebhooks: [] };
  fixtures.domains.forEach((d, i) => {
    const name = d.name.toLowerCase();
    if (seen.has(name)) throw new FixtureError(`fixtures file ${source}: field /domains/${i}/name repeats domain '${d.name}'`);
    seen.add(name);
    const createdAt = d.createdAt ?? '2026-01-01T00:00:00.000Z';
    if (Number.isNaN(Date.parse(createdAt))) throw new FixtureError(`fixtures file ${source}: field /domains/${i}/createdAt is not a date-time`);
    const webhooks = Object.entries(d.webhooks ?? {}).map(([hook, value]) => {
      const urls = 'url' in value ? [value.url] : value.urls;
      const legacy = isLegacyWebhookName(hook);
      if (legacy && urls.length !== 1) throw new FixtureError(`fixtures file ${source}: field /domains/${i}/webhooks/${hook} is a legacy webhook and takes a single url`);
      urls.forEach((u, j) => {
        if (!isValidWebhookUrl(u)) throw new FixtureError(`fixtures file ${source}: field /domains/${i}/webhooks/${hook}/${'url' in value ? 'url' : `urls/${j}`} is not a valid http(s) URL`);
      });
      return { name: hook, urls: [...urls], legacy };
    });
    const date = (v: string | undefined, field: string): string => {
      if (v === undefined) return new Date(createdAt).toISOString();
      if (Number.isNaN(Date.parse(v))) throw new FixtureError(`fixtures file ${source}: field /domains/${i}/${field} is not a date-time`);
      return new Date(v).toISOString();
    };
    const lower = (a: string) => a.trim().toLowerCase();
    const address = (a: string, field: string): string => {
      const v = lower(a);
      if (!isValidAddress(v)) throw new FixtureError(`fixtures file ${source}: field /domains/${i}/${field} is not a valid address`);
      return v;
    };
    state.domains.push({
      name,
      region: d.region ?? 'us',
      createdAt: new Date(createdAt).toISOString(),
      webhooks,
      tracking: { open: d.tracking?.open ?? true, click: d.tracking?.click ?? true, unsubscribe: d.tracking?.unsubscribe ?? true },
      // An address listed twice (in other cases or spacing) is one entry, as the API keeps it:
      // the later entry wins, an unsubscribe's tags are merged.
      bounces: byKey((d.bounces ?? []).map((b, j) => ({ address: address(b.address, `bounces/${j}/address`), code: b.code ?? '550', error: b.error ?? '', createdAt: date(b.createdAt, `bounces/${j}/createdAt`) })), (b) => b.address),
      unsubscribes: byKey(
        (d.unsubscribes ?? []).map((u, j) => {
          const tags = [...new Set((u.tags ?? []).map((t) => t.trim()).filter((t) => t.length > 0))];
          return { address: address(u.address, `unsubscribes/${j}/address`), tags: tags.length > 0 ? tags : ['*'], createdAt: date(u.createdAt, `unsubscribes/${j}/createdAt`) };
        }),
        (u) => u.address,
        (old, next) => ({ ...next, tags: old.tags.includes('*') || next.tags.includes('*') ? ['*'] : [...new Set([...old.tags, ...next.tags])] }),
      ),
      complaints: byKey((d.complaints ?? []).map((c, j) => ({ address: address(c.address, `complaints/${j}/address`), createdAt: date(c.createdAt, `complaints/${j}/createdAt`) })), (c) => c.address),
      allowlist: byKey(
        (d.allowlist ?? []).map((a, j) => {
          const value = lower(a.value);
          // The API's checks: an address, or a domain name (an address's domain part).
          const type = value.includes('@') ? ('address' as const) : ('domain' as const);
          if (type === 'address' ? !isValidAddress(value) : !isValidMailDomain(value)) {
            throw new FixtureError(`fixtures file ${source}: field /domains/${i}/allowlist/${j}/value is not a valid address or domain name`);
          }
          return { value, type, reason: a.reason ?? '', createdAt: date(a.createdAt, `allowlist/${j}/createdAt`) };
        }),
        (a) => a.value,
      ),
    });
  });
  const outcomes = (fixtures.outcomes ?? []).map((o, i) => {
    try {
      validateOutcomeRule(o);
      return o;
    } catch (err) {
      if (err instanceof OutcomeRuleError) throw new FixtureError(`fixtures file ${source}: field /outcomes/${i}: ${err.message}`);
      throw err;
    }
  });
  return { state, apiKeys: fixtures.apiKeys ?? [], signingKey: fixtures.signingKey, outcomes, source };
}

/** One entry per key, in first-seen order; a repeat replaces the entry (or is merged into it). */
function byKey<T>(items: T[], key: (t: T) => string, merge: (old: T, next: T) => T = (_old, next) => next): T[] {
  const out = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const old = out.get(k);
    out.set(k, old === undefined ? item : merge(old, item));
  }
  return [...out.values()];
}

// Domain look-ups shared by every per-domain API. Every request names a domain, so the look-up is
// indexed: a Map per `domains` array, rebuilt when that array is replaced (seed, reset, load) or
// changes length. Code that removes and adds domains in one change must call forgetDomainIndex.
// The WeakMap is a cache derived from each mock's own state object, keyed by it: two mocks never
// share an entry, and it goes when the state does.
import { errors } from '../errors.js';
import type { DomainRecord, MockState } from '../store/types.js';

const indexes = new WeakMap<DomainRecord[], Map<string, DomainRecord>>();

function indexOf(domains: DomainRecord[]): Map<string, DomainRecord> {
  let index = indexes.get(domains);
  if (!index || index.size !== domains.length) {
    index = new Map(domains.map((d) => [d.name, d]));
    indexes.set(domains, index);
  }
  return index;
}

/** Drops the cached index of `state.domains` (after an in-place change that keeps its length). */
export function forgetDomainIndex(state: MockState): void {
  indexes.delete(state.domains);
}

/** The domain record, or undefined. Names compare case-insensitively. */
export function findDomain(state: MockState, name: string): DomainRecord | undefined {
  return indexOf(state.domains).get(name.toLowerCase());
}

/** The domain record, or Mailgun's 404 `Domain not found`. */
export function requireDomain(state: MockState, name: string): DomainRecord {
  const domain = findDomain(state, name);
  if (!domain) throw errors.domainNotFound();
  return domain;
}

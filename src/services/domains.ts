// Domain look-ups shared by every per-domain API.
import { errors } from '../errors.js';
import type { DomainRecord, MockState } from '../store/types.js';

/** The domain record, or Mailgun's 404 `Domain not found`. Names compare case-insensitively. */
export function requireDomain(state: MockState, name: string): DomainRecord {
  const wanted = name.toLowerCase();
  const domain = state.domains.find((d) => d.name === wanted);
  if (!domain) throw errors.domainNotFound();
  return domain;
}

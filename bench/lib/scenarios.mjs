// The two benchmarked requests, shared by the load generator and the servers: GET list on the seeded
// domain, and POST create walking fresh (domain × webhook name) pairs so every request is a real create.

/** Both servers are sent the same bytes; the bare baseline simply ignores the header. */
export const AUTH_HEADER = 'Basic ' + Buffer.from('api:key-bench').toString('base64');

export const LIST_DOMAIN = 'samples.mailgun.org';
export const LIST_PATH = `/v3/domains/${LIST_DOMAIN}/webhooks`;

/** The seed's list answer (fixtures/default.json), byte for byte as the mock writes it. */
export const LIST_BODY =
  '{"webhooks":{"open":{"url":"http://postbin.heroku.com/860bcd65"},"click":{"url":"http://postbin.heroku.com/860bcd65"}}}\n';

export const LEGACY_NAMES = ['bounce', 'deliver', 'drop', 'spam', 'unsubscribe', 'click', 'open'];
export const CURRENT_NAMES = ['accepted', 'clicked', 'complained', 'delivered', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed'];
/** Every name a domain can hold: a domain takes at most this many creates. */
export const WEBHOOK_NAMES = [...LEGACY_NAMES, ...CURRENT_NAMES];

export const CREATE_URL = 'http://bin.mailgun.net/8de4a9c4';

export function benchDomain(i) {
  return `bench-${i}.example.com`;
}

/** Pair k of the create walk: names change fastest, so domain i is used by pairs 15i … 15i+14. */
export function createPair(k) {
  const name = WEBHOOK_NAMES[k % WEBHOOK_NAMES.length];
  const domain = benchDomain(Math.floor(k / WEBHOOK_NAMES.length));
  return {
    path: `/v3/domains/${domain}/webhooks`,
    body: `id=${name}&url=${encodeURIComponent(CREATE_URL)}`,
    expected: createBody(name),
  };
}

/** Mailgun's create answer: `{url}` for a legacy name, `{urls}` for a current one. */
export function createBody(name) {
  const webhook = LEGACY_NAMES.includes(name) ? { url: CREATE_URL } : { urls: [CREATE_URL] };
  return JSON.stringify({ message: 'Webhook has been created', webhook }) + '\n';
}

/** Fixtures for the create scenario: `count` empty domains, as an object (no file needed). */
export function createFixtures(count) {
  return { domains: Array.from({ length: count }, (_, i) => ({ name: benchDomain(i), createdAt: '2026-01-01T00:00:00.000Z' })) };
}

// The store scenario: message sends on a domain without webhooks, so a send costs the request, the
// store write and the two events (accepted, delivered), and no delivery work.
export const STORE_DOMAIN = 'store.example.com';
export const STORE_PATH = `/v3/${STORE_DOMAIN}/messages`;
/** One recipient, urlencoded; the same bytes every request (the mock gives each send its own id). */
export const STORE_BODY = new URLSearchParams({ from: `Bench <bench@${STORE_DOMAIN}>`, to: 'rcpt@example.com', subject: 'store bench', text: 'a message of the store bench' }).toString();
/** A send's answer: `{"id":"<…@store.example.com>","message":"Queued. Thank you."}` and a newline. */
export const STORE_ANSWER = /^\{"id":"<[^>]+@store\.example\.com>","message":"Queued\. Thank you\."\}\n$/;
/** Fixtures of the store scenario: the one domain, no webhooks, no account webhooks. */
export const STORE_FIXTURES = { domains: [{ name: STORE_DOMAIN, createdAt: '2026-01-01T00:00:00.000Z' }] };

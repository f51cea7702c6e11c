// Webhook names per Mailgun generation (reference §1.8).

/** The 2013–2018 names: one `url` each. Mailgun's founding webhooks document uses these. */
export const LEGACY_WEBHOOK_NAMES = ['bounce', 'deliver', 'drop', 'spam', 'unsubscribe', 'click', 'open'] as const;
/** The current ("webhooks 2.0") names: up to three `urls` each. */
export const WEBHOOK_NAMES = ['accepted', 'clicked', 'complained', 'delivered', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed'] as const;

/** A legacy webhook name. */
export type LegacyWebhookName = (typeof LEGACY_WEBHOOK_NAMES)[number];
/** A current webhook name. */
export type WebhookName = (typeof WEBHOOK_NAMES)[number];

/** How many URLs one current webhook name may hold. */
export const MAX_WEBHOOK_URLS = 3;

export function isLegacyWebhookName(name: string): name is LegacyWebhookName {
  return (LEGACY_WEBHOOK_NAMES as readonly string[]).includes(name);
}

export function isCurrentWebhookName(name: string): name is WebhookName {
  return (WEBHOOK_NAMES as readonly string[]).includes(name);
}

// The shape of a webhook delivery as the journal keeps it and the control plane answers it. Types
// only, with no imports, so the dashboard's browser code shares them with the server.

/** The `signature` object of a webhook post (top-level form fields in legacy posts). */
export interface WebhookSignature {
  /** Unix seconds, as a decimal string. */
  timestamp: string;
  /** 50 random characters. */
  token: string;
  /** 64 lowercase hex characters. */
  signature: string;
}

/** One HTTP attempt of a delivery. */
export interface DeliveryAttempt {
  /** 1 for the first POST, then 2, 3… */
  attempt: number;
  /** When it was made, epoch ms on the mock clock (for retries: when it was due). */
  at: number;
  /** The handler's HTTP status; 0 when no answer came (refused, timed out, reset). */
  status: number;
  durationMs: number;
  /** The start of the handler's answer body. */
  response: string;
  /** Why no answer came. */
  error?: string;
  /** The signature this attempt carried. */
  signature: WebhookSignature;
}

/**
 * `pending` (first attempt under way), `retrying` (waiting for the next), or finished: `delivered`
 * (200), `rejected` (406), `failed` (given up), `cancelled` (its webhook or domain was deleted while
 * it waited to be retried).
 */
export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'rejected' | 'failed' | 'cancelled';

/** One event's delivery to one URL. */
export interface DeliveryRecord {
  id: string;
  domain: string;
  /** The webhook name it was registered under (`delivered`, or a legacy `deliver`). */
  webhook: string;
  url: string;
  /** `event-data.event` (legacy posts carry their own `event` value in the form). */
  event: string;
  eventId: string;
  messageId?: string;
  recipient?: string;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  /** When the next attempt is due (mock clock, epoch ms), or null. */
  nextRetryAt: number | null;
  createdAt: number;
  /** What the last attempt sent. */
  request: { contentType: string; body: string };
}

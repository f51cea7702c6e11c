// mailgun-mock's one public entry. Everything not exported here is internal.
export { createMailgunMock, startMailgunMock, type MailgunMock } from './server.js';
export { DEFAULT_PORT, DEFAULT_RATE_LIMIT, DEFAULT_SIGNING_KEY, type MailgunMockOptions } from './config.js';
export { ROUTE_IDS, API_ROOT_TEXT, type RouteId } from './app.js';
export { createClock, type Clock, type ClockOptions } from './lib/clock.js';
export type { LogLevel } from './lib/logger.js';
export { FAULT_PRESETS, type FaultPreset, type FaultRule, type FaultRuleInput } from './faults/types.js';
export type { FaultRegistry } from './faults/registry.js';
export { parseFaultSpec, validateFaultRule, FaultRuleError } from './faults/rules.js';
export type { JournalEntry, JournalFilter, RequestJournal } from './services/journal.js';
export { loadFixtures, DEFAULT_FIXTURES_PATH, FixtureError, type FixtureData, type Seed } from './store/seed.js';
export { DataFileError, readDataFile } from './store/file.js';
export { OptionsError } from './config.js';
export type { Store, MockState, DomainRecord, WebhookRecord, Region } from './store/types.js';
export { LEGACY_WEBHOOK_NAMES, WEBHOOK_NAMES, type WebhookName, type LegacyWebhookName } from './lib/webhook-names.js';
export { computeSignature, signWebhook, verifySignature, type WebhookSignature } from './webhooks/signing.js';
export { OUTCOMES, OutcomeRuleError, validateOutcomeRule, type Outcome, type OutcomeRule, type OutcomeRuleInput } from './outcomes/rules.js';
export type { OutcomeRegistry } from './outcomes/registry.js';
export { OUTCOME_VARIABLE, type EmitRequest } from './services/delivery.js';
export type { MessageFilter, EventFilter } from './services/inspect.js';
export { WaitTimeoutError, type WaitOptions } from './services/wait.js';
export type { DeliveryAttempt, DeliveryFilter, DeliveryJournal, DeliveryRecord, DeliveryState } from './webhooks/dispatcher.js';
export type { MessageRecord, EventRecord, EventData, StoredFile, TrackingSettings, BounceRecord, UnsubscribeRecord, ComplaintRecord } from './store/types.js';
export { DEFAULT_RETRY_SCHEDULE } from './config.js';
export {
  buildWebhookPayload,
  buildLegacyWebhookForm,
  verifyWebhook,
  signPayload,
  type WebhookEventType,
  type WebhookPayload,
  type BuildWebhookOptions,
  type VerifyWebhookOptions,
  type VerifyWebhookResult,
  type VerifiableWebhook,
  type WebhookRejection,
} from './webhooks/receiver.js';
export type { WebhookBody } from './webhooks/payloads.js';
export type { MailgunAccount } from './account.js';
export { ACCOUNT_HEADER } from './server.js';
export { DEFAULT_EU_PORT } from './config.js';
export { REGION_HOSTS } from './http/region.js';

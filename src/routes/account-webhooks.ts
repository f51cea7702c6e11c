// Mailgun's v1 account-level webhooks. (To be written.)
import type { Express } from 'express';
import type { RouteBuilder } from '../app.js';
import type { AppContext } from '../context.js';

export function registerAccountWebhookRoutes(_app: Express, _route: RouteBuilder, _ctx: AppContext): void {}

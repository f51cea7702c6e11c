// Mailgun's v4 domain webhooks: one URL, many event types. (To be written.)
import type { Express } from 'express';
import type { RouteBuilder } from '../app.js';
import type { AppContext } from '../context.js';

export function registerWebhookV4Routes(_app: Express, _route: RouteBuilder, _ctx: AppContext): void {}

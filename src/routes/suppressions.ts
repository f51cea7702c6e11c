// Mailgun's Suppressions API: bounces, unsubscribes, complaints, allowlist (whitelists). (To be written.)
import type { Express } from 'express';
import type { RouteBuilder } from '../app.js';
import type { AppContext } from '../context.js';

export function registerSuppressionRoutes(_app: Express, _route: RouteBuilder, _ctx: AppContext): void {}

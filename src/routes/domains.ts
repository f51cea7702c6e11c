// Mailgun's Domains API: list, get, create, update, delete, verify, tracking settings. (To be written.)
import type { Express } from 'express';
import type { RouteBuilder } from '../app.js';
import type { AppContext } from '../context.js';

export function registerDomainRoutes(_app: Express, _route: RouteBuilder, _ctx: AppContext): void {}

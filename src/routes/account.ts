// Account-level settings: the HTTP webhook signing key, GET and POST /v5/accounts/http_signing_key.
import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';

export function accountHandlers(ctx: AppContext): Record<'getSigningKey' | 'regenerateSigningKey', RequestHandler> {
  return {
    // GET /v5/accounts/http_signing_key
    getSigningKey(_req, res) {
      sendJson(res, 200, { http_signing_key: ctx.signingKey });
    },
    // POST /v5/accounts/http_signing_key: a new key (`key-` + 32 hex, the documented format); webhooks are signed with it from now on
    async regenerateSigningKey(_req, res) {
      const key = `key-${randomBytes(16).toString('hex')}`;
      await ctx.store.mutate((s) => void (s.signingKey = key));
      sendJson(res, 200, { message: 'regenerated HTTP signing key for account', http_signing_key: key });
    },
  };
}

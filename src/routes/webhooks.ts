// Domain webhooks, v3 (and /v2, its old alias): /v3/domains/{domain}/webhooks[/{name}[/test]].
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { sendJson } from '../errors.js';
import { allFields, firstField } from '../lib/fields.js';
import * as webhooks from '../services/webhooks.js';
import { sendTestEvent } from '../webhooks/test-event.js';

const TEST_TIMEOUT_MS = 10_000;

export function webhookHandlers(ctx: AppContext): Record<'list' | 'get' | 'create' | 'update' | 'remove' | 'test', RequestHandler<{ domain: string; name: string }>> {
  const { store } = ctx;
  return {
    // GET /v3/domains/{domain}/webhooks
    list(req, res) {
      sendJson(res, 200, { webhooks: webhooks.listWebhooks(store.state, req.params.domain) });
    },

    // GET /v3/domains/{domain}/webhooks/{name}
    get(req, res) {
      sendJson(res, 200, { webhook: webhooks.getWebhook(store.state, req.params.domain, req.params.name) });
    },

    // POST /v3/domains/{domain}/webhooks  (id, url repeated up to 3 times)
    async create(req, res) {
      const f = req.mock.fields;
      const webhook = await store.mutate((s) => webhooks.createWebhook(s, req.params.domain, firstField(f, 'id'), allFields(f, 'url')));
      sendJson(res, 200, { message: 'Webhook has been created', webhook });
    },

    // PUT /v3/domains/{domain}/webhooks/{name}  (url repeated: replaces the list; a stray id is ignored)
    async update(req, res) {
      const webhook = await store.mutate((s) => webhooks.updateWebhook(s, req.params.domain, req.params.name, allFields(req.mock.fields, 'url')));
      sendJson(res, 200, { message: 'Webhook has been updated', webhook });
    },

    // DELETE /v3/domains/{domain}/webhooks/{name}
    async remove(req, res) {
      const webhook = await store.mutate((s) => webhooks.deleteWebhook(s, req.params.domain, req.params.name));
      sendJson(res, 200, { message: 'Webhook has been deleted', webhook });
    },

    // PUT /v3/domains/{domain}/webhooks/{name}/test  (url): posts a signed test event, reports {code, message}
    async test(req, res) {
      const { domain, name } = req.params;
      const targets = webhooks.testTargets(store.state, domain, name, firstField(req.mock.fields, 'url'));
      const results = await Promise.all(
        targets.map((url) =>
          sendTestEvent({ name, domain: domain.toLowerCase(), url, signingKey: ctx.signingKey, nowMs: ctx.clock.now(), signedAtMs: ctx.signatureNow(), timeoutMs: TEST_TIMEOUT_MS, poster: ctx.poster, userAgent: `mailgun-mock/${ctx.version} (webhooks)` }),
        ),
      );
      const shown = results.find((r) => r.code !== 200) ?? results[0];
      sendJson(res, 200, { code: shown?.code ?? 0, message: shown?.message ?? '' });
    },
  };
}

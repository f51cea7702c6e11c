// The yardstick: a bare Express 5 app (`express()`, defaults untouched) with the same two routes
// answering the same bytes as the mock, and nothing else (no auth, headers, journal, faults, limiter).
import express from 'express';
import { LEGACY_NAMES, LIST_DOMAIN } from './scenarios.mjs';

/** @param {{ domains: Array<{ name: string }> }} [fixtures] domains the create route accepts */
export function createBaselineApp(fixtures) {
  /** domain → (name → urls), in insertion order like the mock's list. */
  const domains = new Map([[LIST_DOMAIN, new Map([['open', ['http://postbin.heroku.com/860bcd65']], ['click', ['http://postbin.heroku.com/860bcd65']]])]]);
  for (const d of fixtures?.domains ?? []) domains.set(d.name, new Map());

  const send = (res, status, body) => res.status(status).set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(body) + '\n');
  const view = (name, urls) => (LEGACY_NAMES.includes(name) ? { url: urls[0] } : { urls });

  const app = express();
  app.get('/v3/domains/:domain/webhooks', (req, res) => {
    const hooks = domains.get(req.params.domain);
    if (!hooks) return send(res, 404, { message: 'Domain not found' });
    const webhooks = {};
    for (const [name, urls] of hooks) webhooks[name] = view(name, urls);
    send(res, 200, { webhooks });
  });
  app.post('/v3/domains/:domain/webhooks', express.urlencoded({ extended: false }), (req, res) => {
    const hooks = domains.get(req.params.domain);
    if (!hooks) return send(res, 404, { message: 'Domain not found' });
    const { id, url } = req.body ?? {};
    if (typeof id !== 'string' || id === '') return send(res, 400, { message: "Missing parameter 'id'" });
    if (url === undefined) return send(res, 400, { message: "Missing parameter 'url'" });
    if (hooks.has(id)) return send(res, 400, { message: 'Webhook already exists' });
    const urls = Array.isArray(url) ? url : [url];
    hooks.set(id, urls);
    send(res, 200, { message: 'Webhook has been created', webhook: view(id, urls) });
  });
  return app;
}

// Mailgun's Events API: GET /v3/{domain}/events and the paging URLs it hands out,
// GET /v3/{domain}/events/{token} (absolute, of the form every SDK parses).
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { errors, sendJson } from '../errors.js';
import { findDomain } from '../services/domains.js';
import { decodePageToken, parseEventQuery, runEventQuery, type PageState } from '../services/event-query.js';
import { apiBase } from './messages.js';

export function eventHandlers(ctx: AppContext): Record<'list' | 'page', RequestHandler<{ domain: string; token: string }>> {
  const { store } = ctx;
  const answer = (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1], domainName: string, page: PageState) => {
    const { items, tokens } = runEventQuery(store.state.events, domainName, page);
    const base = `${apiBase(req)}/v3/${encodeURIComponent(domainName)}/events/`;
    sendJson(res, 200, {
      items,
      paging: { first: base + tokens.first, last: base + tokens.last, next: base + tokens.next, previous: base + tokens.previous },
    });
  };
  return {
    // GET /v3/{domain}/events
    list(req, res) {
      const domain = findDomain(store.state, req.params.domain);
      if (!domain) throw errors.domainNotFoundNamed(req.params.domain);
      answer(req, res, domain.name, parseEventQuery(req.mock.query, ctx.clock.now()));
    },
    // GET /v3/{domain}/events/{token}
    page(req, res) {
      const domain = findDomain(store.state, req.params.domain);
      if (!domain) throw errors.domainNotFoundNamed(req.params.domain);
      answer(req, res, domain.name, decodePageToken(req.params.token, domain.name, req.mock.query));
    },
  };
}

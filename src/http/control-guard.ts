// The control plane (and the dashboard) need no key, so a web page the developer visits must not
// reach them: a browser's cross-site request is refused, and so is a browser request naming a host
// the mock does not know (DNS rebinding: evil.test resolving to 127.0.0.1 makes the attacker's page
// "same-origin"). Requests from programs (SDKs, curl, test code) carry neither Sec-Fetch-Site nor
// Origin and are never refused.
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { REGION_HOSTS } from './region.js';

/** The host name of a Host header (`[::1]:8465` → `::1`), lower-cased. */
function hostName(host: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (v6) return v6[1]!.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** Names a browser may use for the control plane: IP addresses, localhost, Mailgun's API hosts, the configured --host. */
function trusted(name: string, configuredHost: string): boolean {
  return (
    isIP(name) !== 0 ||
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === REGION_HOSTS.us ||
    name === REGION_HOSTS.eu ||
    name === configuredHost.toLowerCase()
  );
}

/** Why a control-plane request must be refused (403), or undefined. */
export function controlPlaneRefusal(headers: IncomingHttpHeaders, configuredHost: string): string | undefined {
  const site = headers['sec-fetch-site'];
  const origin = headers.origin;
  if (site === undefined && origin === undefined) return undefined;
  if (site === 'cross-site') return 'The control plane refuses cross-site requests from browsers';
  const host = headers.host ?? '';
  if (!trusted(hostName(host), configuredHost)) {
    return `The control plane answers browsers at localhost, an IP address or the configured host only (this request named ${JSON.stringify(host)})`;
  }
  // A browser without Sec-Fetch-Site: the Origin's host must be trusted too.
  if (site === undefined && typeof origin === 'string' && origin !== 'null') {
    let name: string;
    try {
      name = hostName(new URL(origin).host);
    } catch {
      return 'The control plane refuses requests with an unreadable Origin';
    }
    if (!trusted(name, configuredHost) && name !== hostName(host)) return 'The control plane refuses cross-site requests from browsers';
  }
  return undefined;
}

// Which Host a request may name: the guard against DNS rebinding. A page on
// evil.example whose name an attacker re-points at 127.0.0.1 is, to the
// browser, same-origin with this server: it could read the page, /metrics and
// /inspect, and its Origin would match its Host. Only the Host header tells
// the two apart, so a server bound to loopback answers only to loopback names,
// IP addresses (which cannot be re-pointed) and the names --allowed-hosts
// lists, by the rules of Vite's `server.allowedHosts`. Bound to another
// interface, or behind a proxy (--trust-proxy), the server cannot know its
// public names: the operator lists them, or nothing is checked (the default
// of --allowed-hosts follows the exposure: server/exposure.ts).
//
// Also refuses a request with two Host headers (RFC 9112 section 3.2: 400),
// which Node would otherwise read as its first.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { exposureOf, type Listening } from './exposure.ts';
import type { RefusalReason } from './metrics.ts';
import type { ClientView } from './proxy.ts';

/** Why a request is refused, as an HTTP status and a one-line reason. */
export interface HostRefusal {
  status: 400 | 403;
  reason: Extract<RefusalReason, 'invalid_handshake' | 'host'>;
  detail: string;
}

/** Returns the refusal a request earns for its Host header(s), or undefined to let it through. */
export type HostCheck = (req: IncomingMessage) => HostRefusal | undefined;

/** --allowed-hosts: names besides loopback's and IPs (a leading dot covers subdomains), or '*' for any. */
export type AllowedHosts = readonly string[] | '*';

/** The names checked, or true when any host is accepted (what Vite's `server.allowedHosts` takes). */
export function allowedHostsOf(allowedHosts: AllowedHosts): readonly string[] | true {
  return allowedHosts === '*' ? true : allowedHosts;
}

/** The default of --allowed-hosts: on loopback only, loopback names and IPs; else any host. */
export function defaultAllowedHosts(listening: Listening): AllowedHosts {
  return exposureOf(listening) === 'loopback' ? [] : '*';
}

/** Builds the check for --allowed-hosts; `view` says which host the client asked for (X-Forwarded-Host behind a proxy). */
export function createHostCheck(allowedHosts: AllowedHosts, view: ClientView): HostCheck {
  const allowed = allowedHostsOf(allowedHosts);
  return (req) => {
    if (hostHeaders(req.rawHeaders) > 1) {
      return { status: 400, reason: 'invalid_handshake', detail: 'Bad Request: more than one Host header' };
    }
    if (allowed === true) return undefined;
    const host = view.host(req);
    if (host === undefined || isAllowed(host, allowed)) return undefined;
    const name = host.trim().replace(/:\d*$/, '');
    return {
      status: 403,
      reason: 'host',
      detail: `Blocked request. This host (${JSON.stringify(name)}) is not allowed; start the server with --allowed-hosts ${JSON.stringify(name)} to allow it`,
    };
  };
}

function hostHeaders(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'host') count++;
  return count;
}

// Vite's rules (host-validation-middleware): any IP literal, localhost and
// *.localhost always; then each name exactly, or with a leading dot the name
// and its subdomains.
function isAllowed(hostHeader: string, names: readonly string[]): boolean {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 && isIP(host.slice(1, end)) === 6;
  }
  const colon = host.indexOf(':');
  const name = colon === -1 ? host : host.slice(0, colon);
  if (isIP(name) === 4) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return names.some(
    (entry) => entry === name || (entry.startsWith('.') && (entry.slice(1) === name || name.endsWith(entry))),
  );
}

// What /inspect sends first: the opening handshake as the server saw it, so a
// learner can check the Sec-WebSocket-Accept arithmetic and a developer can
// see exactly which headers their client sent. Credentials are the
// exception: the report goes to the page's script, and browsers send
// localhost's cookies to every port, so echoing Cookie or Authorization
// would hand HttpOnly cookies (this app's, or any other local app's) to any
// script on the origin: cross-site tracing again. Their length shows instead.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { negotiatedExtensions } from './deflate.ts';
import { type HandshakeReport, WEBSOCKET_GUID } from './protocol.ts';

/** Request headers whose values /inspect hides unless --inspect-show-credentials (lower case). */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['cookie', 'authorization', 'proxy-authorization']);

/** Computes Sec-WebSocket-Accept for a key, as RFC 6455 section 4.2.2 says. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

/** What /inspect shows in place of a credential's value. */
export function hiddenValue(value: string): string {
  // Node reads header values as latin1: one character per byte.
  return `(${value.length} bytes, hidden: --inspect-show-credentials shows them)`;
}

/** Describes the handshake that opened `ws` from the client at `clientAddress`. */
export function describeHandshake(
  ws: WebSocket,
  req: IncomingMessage,
  clientAddress: string,
  instance: string,
  showCredentials = false,
): HandshakeReport {
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    const hide = !showCredentials && CREDENTIAL_HEADERS.has(name.toLowerCase());
    headers.push([name, hide ? hiddenValue(value) : value]);
  }
  const key = String(req.headers['sec-websocket-key'] ?? '');
  return {
    type: 'inspect',
    instance,
    remoteAddress: clientAddress,
    remotePort: req.socket.remotePort ?? 0,
    requestLine: `${req.method} ${req.url} HTTP/${req.httpVersion}`,
    headers,
    key,
    accept: acceptFor(key),
    protocol: ws.protocol,
    // With its parameters, as the client got them; ws's own `extensions` has the name only.
    extensions: negotiatedExtensions(req) || ws.extensions,
  };
}

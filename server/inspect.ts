// What /inspect sends first: the opening handshake as the server saw it, so a
// learner can check the Sec-WebSocket-Accept arithmetic and a developer can
// see exactly which headers their client sent.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { negotiatedExtensions } from './deflate.ts';
import { type HandshakeReport, WEBSOCKET_GUID } from './protocol.ts';

/** Computes Sec-WebSocket-Accept for a key, as RFC 6455 section 4.2.2 says. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

/** Describes the handshake that opened `ws` from the client at `clientAddress`. */
export function describeHandshake(
  ws: WebSocket,
  req: IncomingMessage,
  clientAddress: string,
  instance: string,
): HandshakeReport {
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
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

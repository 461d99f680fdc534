// The echo itself: what a connected client sends comes back, text prefixed
// with "Received: " as in the seed's Go server, binary byte for byte.
import type { IncomingMessage } from 'node:http';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from './logger.ts';

/** The subprotocol seed 002's server accepts; the only one this server knows. */
export const ECHO_PROTOCOL = 'echo-protocol';

const TEXT_PREFIX = Buffer.from('Received: ');

/**
 * Chooses the subprotocol for `handleProtocols`: echo-protocol when offered,
 * otherwise none, so a client never gets a protocol the server does not speak.
 */
export function selectProtocol(offered: Set<string>): string | false {
  return offered.has(ECHO_PROTOCOL) ? ECHO_PROTOCOL : false;
}

/** Wires one accepted socket: echo every message, log its open and close. */
export function handleEchoConnection(ws: WebSocket, req: IncomingMessage, logger: Logger): void {
  const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
  const log = logger.child({ peer });
  // Decided once per connection so the per-message path pays nothing at info level.
  const logMessages = log.isLevelEnabled('debug');
  log.info({ protocol: ws.protocol || null, path: req.url }, 'connection opened');

  ws.on('message', (data: RawData, isBinary: boolean) => {
    // The server keeps ws's default binaryType, so data is always one Buffer.
    const bytes = data as Buffer;
    if (isBinary) {
      if (logMessages) log.debug({ bytes: bytes.length }, 'received binary; sending it back');
      ws.send(bytes, { binary: true });
      return;
    }
    // ws has already validated the UTF-8, so the reply can stay bytes.
    const reply = Buffer.concat([TEXT_PREFIX, bytes]);
    if (logMessages) log.debug({ received: bytes.toString(), sending: reply.toString() }, 'received text; sending reply');
    ws.send(reply, { binary: false });
  });

  // Without this listener a malformed frame would be an uncaught 'error' and
  // take the whole process down; ws has already failed the connection with
  // the RFC 6455 close code by the time this runs.
  ws.on('error', (error: Error & { code?: string }) => {
    log.warn({ err: error.message, code: error.code }, 'connection failed');
  });

  ws.on('close', (code: number, reason: Buffer) => {
    log.info({ code, reason: reason.toString() }, 'connection closed');
  });
}

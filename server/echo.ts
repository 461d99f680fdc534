// The echo itself: what a connected client sends comes back, text prefixed
// with "Received: " as in the seed's Go server (no prefix on /raw), binary
// byte for byte. /inspect and /push add their server-sent messages.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from './logger.ts';
import type { EchoMetrics } from './metrics.ts';
import { describeHandshake } from './inspect.ts';
import { WS_PATHS, wsPathOf } from './paths.ts';
import { startPushing } from './push.ts';
import { TokenBucket } from './rate-limit.ts';

/** The subprotocol seed 002's server accepts; the only one this server knows. */
export const ECHO_PROTOCOL = 'echo-protocol';

/** Close code and reason for a client that sends faster than the rate limit. */
export const RATE_LIMITED_CLOSE = { code: 1008, reason: 'rate limit exceeded' } as const;

const TEXT_PREFIX = Buffer.from('Received: ');

/**
 * Chooses the subprotocol for `handleProtocols`: echo-protocol when offered,
 * otherwise none, so a client never gets a protocol the server does not speak.
 */
export function selectProtocol(offered: Set<string>): string | false {
  return offered.has(ECHO_PROTOCOL) ? ECHO_PROTOCOL : false;
}

export interface EchoOptions {
  logger: Logger;
  metrics: EchoMetrics;
  /** Messages per second per connection; 0 for no limit. */
  rateLimit: number;
  /** Outgoing bytes queued for one client above which reading from it pauses. */
  maxBufferedBytes: number;
}

/** Returns the 'connection' handler: echo every message, log each open and close. */
export function createEchoHandler({ logger, metrics, rateLimit, maxBufferedBytes }: EchoOptions): (ws: WebSocket, req: IncomingMessage) => void {
  // Decided once, so the per-message path pays nothing at info level.
  const logMessages = logger.isLevelEnabled('debug');
  const { received, sent } = metrics;

  return (ws, req) => {
    const socket = req.socket as Socket;
    const log = logger.child({ peer: `${socket.remoteAddress}:${socket.remotePort}` });
    const bucket = rateLimit > 0 ? new TokenBucket(rateLimit) : undefined;
    const resume = () => ws.resume();
    const path = wsPathOf(req.url);
    const prefix = path === WS_PATHS.raw ? undefined : TEXT_PREFIX;
    const countSentText = (bytes: number) => {
      sent.text.messages++;
      sent.text.bytes += bytes;
    };
    metrics.connectionsTotal++;
    log.info({ protocol: ws.protocol || null, path: req.url }, 'connection opened');
    if (path === WS_PATHS.inspect) {
      const report = JSON.stringify(describeHandshake(ws, req));
      ws.send(report);
      countSentText(Buffer.byteLength(report));
    }
    if (path === WS_PATHS.push) startPushing(ws, req.url, maxBufferedBytes, countSentText);

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (bucket && !bucket.take()) {
        if (ws.readyState === ws.OPEN) {
          log.warn({ limit: rateLimit }, 'rate limit exceeded; closing');
          ws.close(RATE_LIMITED_CLOSE.code, RATE_LIMITED_CLOSE.reason);
        }
        return;
      }
      // The server keeps ws's default binaryType, so data is always one Buffer.
      const bytes = data as Buffer;
      const counts = isBinary ? received.binary : received.text;
      counts.messages++;
      counts.bytes += bytes.length;
      // After its close frame the server may send nothing more (RFC 6455
      // 5.5.1); ws would drop the reply, so skip it and keep `sent` true.
      if (ws.readyState !== ws.OPEN) return;
      if (isBinary) {
        if (logMessages) log.debug({ bytes: bytes.length }, 'received binary; sending it back');
        ws.send(bytes, { binary: true });
        sent.binary.messages++;
        sent.binary.bytes += bytes.length;
      } else {
        // ws has already validated the UTF-8, so the reply can stay bytes.
        const reply = prefix ? Buffer.concat([prefix, bytes]) : bytes;
        if (logMessages) log.debug({ received: bytes.toString(), sending: reply.toString() }, 'received text; sending reply');
        ws.send(reply, { binary: false });
        countSentText(reply.length);
      }
      // A client that sends but does not read would otherwise make the server
      // queue its replies without bound; stop reading until they drain, and
      // TCP flow control slows the sender down.
      if (socket.writableLength > maxBufferedBytes && !ws.isPaused) {
        ws.pause();
        socket.once('drain', resume);
      }
    });

    // Without this listener a malformed frame would be an uncaught 'error' and
    // take the whole process down; ws has already failed the connection with
    // the RFC 6455 close code by the time this runs.
    ws.on('error', (error: Error & { code?: string }) => {
      log.warn({ err: error.message, code: error.code }, 'connection failed');
    });

    ws.on('close', (code: number, reason: Buffer) => {
      metrics.closed(code);
      log.info({ code, reason: reason.toString() }, 'connection closed');
    });
  };
}

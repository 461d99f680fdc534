// The echo itself: what a connected client sends comes back, text prefixed
// with "Received: " as in the echo of *Go Web Programming* §8.2 (no prefix on
// /raw), binary byte for byte. /inspect and /push add their server-sent messages.
//
// This is the hot path. The handlers are shared functions that find their
// connection's state on the socket (connection-state.ts), so a connection
// costs one small object and no closures, small replies are framed here
// (reply-frame.ts), and replies produced from one read leave in one write.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { BufferBudget } from './buffer-budget.ts';
import { type ConnectionState, type EchoSocket, peerOf, STATE } from './connection-state.ts';
import { negotiatedExtensions } from './deflate.ts';
import { ConnectionFaults, type FaultContext } from './faults.ts';
import { describeHandshake } from './inspect.ts';
import { infoLater, type Logger } from './logger.ts';
import type { EchoMetrics } from './metrics.ts';
import type { Asked } from './misbehave.ts';
import { ECHO_PROTOCOL, RATE_LIMITED_CLOSE, TEXT_REPLY_PREFIX, WS_PATHS, type WsPath } from './protocol.ts';
import { startPushing } from './push.ts';
import { TokenBucket } from './rate-limit.ts';
import { readFirst } from './read-first.ts';
import { quietSecondEnd } from './receiver-end.ts';
import { REPLY_FRAME_MAX, replyFrame } from './reply-frame.ts';
import { echoWholeFrames } from './whole-frames.ts';

const TEXT_PREFIX = Buffer.from(TEXT_REPLY_PREFIX);
const AS_TEXT = { binary: false } as const;
const AS_BINARY = { binary: true } as const;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;

/**
 * The `handleProtocols` that accepts echo-protocol and `accepted` (--subprotocols),
 * or any protocol for '*'. RFC 6455 4.2.2 lets the server pick one of the
 * client's offers; it picks the first accepted one in the client's order of
 * preference (ws hands them over in that order), and none rather than one it
 * was not told to accept. The echo is the same whichever it picks.
 */
export function protocolSelector(accepted: readonly string[] | '*'): (offered: Set<string>) => string | false {
  if (accepted === '*') return (offered) => firstOf(offered) ?? false;
  const known = new Set([ECHO_PROTOCOL, ...accepted]);
  return (offered) => {
    for (const protocol of offered) if (known.has(protocol)) return protocol;
    return false;
  };
}

export interface EchoOptions {
  logger: Logger;
  metrics: EchoMetrics;
  /** Messages per second per connection; 0 for no limit. */
  rateLimit: number;
  /** Outgoing bytes queued for one client above which reading from it pauses. */
  maxBufferedBytes: number;
  /** Outgoing bytes queued for all clients together, above which reading pauses from each that has any. */
  budget: BufferBudget;
  /** Every open connection: added here on open, removed on close. */
  clients: Set<WebSocket>;
  /** Called once per closed connection with the client's IP (to release its connection cap). */
  onClosed: (ip: string) => void;
  /** This instance's name, for /inspect. */
  instanceId: string;
  /** Whether /inspect shows credentials (Cookie, Authorization) rather than their length. */
  inspectShowCredentials: boolean;
}

/** Returns the 'connection' handler: echo every message, log each open and close. */
export function createEchoHandler({
  logger,
  metrics,
  rateLimit,
  maxBufferedBytes,
  budget,
  clients,
  onClosed,
  instanceId,
  inspectShowCredentials,
}: EchoOptions): (
  ws: WebSocket,
  req: IncomingMessage,
  path: WsPath,
  ip: string,
  asked: Asked,
  compressed: boolean,
) => void {
  // Decided once, so the per-message path pays nothing at info level and
  // opening and closing pay nothing for log lines at warn.
  const logMessages = logger.isLevelEnabled('debug');
  const logConnections = logger.isLevelEnabled('info');
  // The two lines of every connection are built after the handshake, in a batch (logger.ts).
  const logConnection = infoLater(logger);
  const { received, sent } = metrics;
  const countSentText = (bytes: number) => {
    sent.text.messages++;
    sent.text.bytes += bytes;
  };
  const faultContext: FaultContext = {
    logger,
    metrics,
    maxBufferedBytes,
    countSent: (bytes, isBinary) => {
      const counts = isBinary ? sent.binary : sent.text;
      counts.messages++;
      counts.bytes += bytes;
    },
  };
  /** Sends a message of the server's own (not a reply), through the connection's faults if it has any. */
  const sendOwn = (state: ConnectionState, text: string) => {
    if (state.faults) state.faults.send(text);
    else {
      state.ws.send(text);
      countSentText(Buffer.byteLength(text));
    }
  };

  // Whole small frames are echoed straight from the read (whole-frames.ts),
  // on connections whose replies the echo frames itself and whose messages
  // nobody else listens to (an in-process server records them). Hooked at a
  // connection's first message, so an idle connection costs nothing more.
  const hookReads = readFirst((ws, chunk, maxPayload) => {
    const state = (ws as EchoSocket)[STATE];
    const taken = echoWholeFrames(state, chunk, maxPayload, metrics);
    if (taken > 0 && !state.corked) checkQueued(state);
    return taken;
  });
  const readsFirst = (ws: EchoSocket, state: ConnectionState) =>
    state.framed && !logMessages && ws.listenerCount('message') === 1;

  function onMessage(this: EchoSocket, data: RawData, isBinary: boolean): void {
    const state = this[STATE];
    if (readsFirst(this, state)) hookReads(this);
    if (state.bucket && !state.bucket.take()) {
      if (this.readyState === this.OPEN) {
        logger.warn({ peer: peerOf(state), limit: rateLimit }, 'rate limit exceeded; closing');
        state.failedWith = RATE_LIMITED_CLOSE.code;
        this.close(RATE_LIMITED_CLOSE.code, RATE_LIMITED_CLOSE.reason);
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
    if (this.readyState !== this.OPEN) return;

    const { socket } = state;
    if (!state.corked) {
      // ws emits every message of one read synchronously: hold their replies
      // and let them leave in one writev once this read is done.
      state.corked = true;
      socket.cork();
      process.nextTick(uncork, state);
    }
    if (isBinary) {
      if (logMessages) logger.debug({ peer: peerOf(state), bytes: bytes.length }, 'received binary; sending it back');
      if (state.faults) {
        state.faults.reply(bytes, true);
        return;
      }
      // Into the corked socket, in order with anything ws itself writes (a pong, a close frame).
      if (state.framed && bytes.length <= REPLY_FRAME_MAX) socket.write(replyFrame(OP_BINARY, undefined, bytes));
      else this.send(bytes, AS_BINARY, state.replyWritten);
      sent.binary.messages++;
      sent.binary.bytes += bytes.length;
    } else {
      // ws has already validated the UTF-8, so the reply can stay bytes.
      const { prefix } = state;
      const replyLength = (prefix ? prefix.length : 0) + bytes.length;
      if (state.framed && replyLength <= REPLY_FRAME_MAX && !logMessages) {
        socket.write(replyFrame(OP_TEXT, prefix, bytes));
        countSentText(replyLength);
        return;
      }
      const reply = prefix ? Buffer.concat([prefix, bytes]) : bytes;
      if (logMessages)
        logger.debug(
          { peer: peerOf(state), received: bytes.toString(), sending: reply.toString() },
          'received text; sending reply',
        );
      if (state.faults) {
        state.faults.reply(reply, false);
        return;
      }
      this.send(reply, AS_TEXT, state.replyWritten);
      countSentText(reply.length);
    }
  }

  // One function per handler, not per connection: it only needs the limits.
  function uncork(state: ConnectionState): void {
    state.corked = false;
    state.socket.uncork();
    checkQueued(state);
  }

  /** After replies were written: stops reading from a client that does not read them. */
  function checkQueued(state: ConnectionState): void {
    const { socket, ws } = state;
    // Only now is writableLength what the kernel did not take. A client that
    // sends but does not read would otherwise make the server queue its
    // replies without bound; stop reading until they drain, and TCP flow
    // control slows the sender down.
    if (state.replyWritten !== undefined) {
      // Compressed replies wait in ws's queue for zlib before they reach the
      // socket, and a client sending faster than zlib keeps up fills it even
      // while the socket is empty: bound that queue too (bufferedAmount
      // counts both). The replies' write callbacks resume reading. These
      // connections are few (--max-deflate-connections) and are not counted
      // against --max-buffered-total: their queue has no 'drain' to count
      // it off by.
      if (ws.bufferedAmount > maxBufferedBytes && !ws.isPaused) ws.pause();
      return;
    }
    // Bytes count against the budget once the socket is past its high-water
    // mark, because only then is a 'drain' due to count them off.
    const queued = socket.writableNeedDrain ? socket.writableLength : 0;
    if (queued === 0) return;
    if (state.queued === 0) socket.once('drain', drained.bind(state));
    const overBudget = budget.hold(state, queued);
    // Misbehaving connections bound what they hold themselves (faults.ts).
    if (!ws.isPaused && (queued > maxBufferedBytes || (overBudget && !state.faults))) ws.pause();
  }

  /** The client has read every reply: they no longer count, and it may send again. */
  function drained(this: ConnectionState): void {
    budget.hold(this, 0);
    if (this.ws.isPaused) this.ws.resume();
  }

  /** An echo reply on a compressing connection was written (or dropped at close): read again if under the bound. */
  function resumeWhenWritten(this: WebSocket): void {
    if (this.isPaused && this.bufferedAmount <= maxBufferedBytes) this.resume();
  }

  // Without this listener a malformed frame would be an uncaught 'error' and
  // take the whole process down; ws has already failed the connection with
  // the RFC 6455 close code by the time this runs.
  function onError(this: EchoSocket, error: Error & { code?: string }): void {
    // The client may still be sending: keep reading until its FIN (ws's
    // lingering close), as closing now could reset the connection and lose
    // the close frame that tells it why.
    const state = this[STATE];
    state.socket.removeListener('finish', releaseAfterCloseHandshake);
    // ws has sent its close frame with this code; the client may answer with
    // another or none (1006), but the server's is the one that says why.
    state.failedWith ??= closeCodeOf(error);
    logger.warn({ peer: peerOf(state), err: error.message, code: error.code }, 'connection failed');
  }

  function onClose(this: EchoSocket, code: number, reason: Buffer): void {
    const state = this[STATE];
    clients.delete(this);
    onClosed(state.ip);
    budget.hold(state, 0);
    metrics.closed(state.failedWith ?? code);
    if (logConnections) logConnection({ peer: peerOf(state), code, reason: reason.toString() }, 'connection closed');
  }

  return (ws, req, path, ip, asked, compressed) => {
    const socket = req.socket as Socket;
    const state: ConnectionState = {
      ws,
      socket,
      ip,
      prefix: path === WS_PATHS.raw ? undefined : TEXT_PREFIX,
      bucket: rateLimit > 0 ? new TokenBucket(rateLimit) : undefined,
      corked: false,
      // Only where the bytes are ws's own: a compressing connection's payload is
      // deflated by ws, a faulty one's replies keep the order of faults.ts's
      // queue, and a monitored one is recorded as ws alone would have written it.
      framed: !compressed && !asked.faults && asked.monitor === undefined,
      readAtPing: -1,
      faults: undefined,
      queued: 0,
      failedWith: undefined,
      replyWritten: compressed && !asked.faults ? resumeWhenWritten.bind(ws) : undefined,
    };
    const echoSocket = ws as EchoSocket;
    echoSocket[STATE] = state;
    clients.add(ws);
    metrics.connectionsTotal++;
    if (logConnections)
      logConnection(
        {
          peer: peerOf(state),
          protocol: ws.protocol || null,
          path: req.url,
          extensions: compressed ? negotiatedExtensions(req) : undefined,
        },
        'connection opened',
      );
    echoSocket.on('message', onMessage as (this: WebSocket, data: RawData, isBinary: boolean) => void);
    echoSocket.on('error', onError as (this: WebSocket, error: Error) => void);
    echoSocket.on('close', onClose as (this: WebSocket, code: number, reason: Buffer) => void);
    socket.on('finish', releaseAfterCloseHandshake);
    // The greeting goes first (the constructor sends it), then the path's own first message.
    if (asked.faults) state.faults = new ConnectionFaults(ws, socket, asked.faults, peerOf(state), faultContext);
    if (path === WS_PATHS.inspect)
      sendOwn(state, JSON.stringify(describeHandshake(ws, req, ip, instanceId, inspectShowCredentials)));
    if (path === WS_PATHS.push)
      startPushing(ws, asked.pushIntervalMs, maxBufferedBytes, (text) => sendOwn(state, text));
    state.faults?.arm();
  };
}

/**
 * ws ends the socket (sends FIN) once both close frames have crossed, then
 * waits for the client's FIN, up to 30 s for a client that never sends it.
 * Nothing more can legitimately arrive, so release the connection at once
 * (RFC 6455 7.1.1: the server closes TCP first). This also spares ws ending
 * the already-ended socket again on the client's FIN, which builds an Error
 * with a full stack trace: ~9% of the server's CPU time per short connection.
 */
function releaseAfterCloseHandshake(this: Socket): void {
  quietSecondEnd(this);
  this.destroy();
}

/**
 * The close code ws failed the connection with, from the error it emitted:
 * ws keeps it under a symbol of its own (described 'status-code') and
 * exports neither.
 */
function closeCodeOf(error: Error): number | undefined {
  for (const key of Object.getOwnPropertySymbols(error)) {
    const value = (error as unknown as Record<symbol, unknown>)[key];
    if (key.description === 'status-code' && typeof value === 'number') return value;
  }
  return undefined;
}

function firstOf(offered: Set<string>): string | undefined {
  for (const protocol of offered) return protocol;
  return undefined;
}

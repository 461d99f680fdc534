// Routes and admits HTTP upgrade requests: the WS_PATHS to the echo, Vite's own HMR
// sockets to Vite (dev only), and a plain HTTP refusal for everything else.
// One router on one port, because `new WebSocketServer({ server, path })`
// would answer every other upgrade with 400 and break HMR. Admission checks
// run here, before ws allocates anything for the connection.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ConnectionCaps } from './connection-caps.ts';
import { type DescriptorGuard, OUT_OF_DESCRIPTORS } from './descriptors.ts';
import type { HostCheck } from './hosts.ts';
import type { Logger } from './logger.ts';
import type { EchoMetrics, RefusalReason } from './metrics.ts';
import type { OriginPolicy } from './origin.ts';
import { askedBy, type Asked } from './misbehave.ts';
import { wsPathOf } from './paths.ts';
import { WS_PATHS } from './protocol.ts';
import { type ClientView, peerName } from './proxy.ts';

/** Seconds a client refused for capacity is told to wait (Retry-After). */
export const RETRY_AFTER_SECONDS = 5;

// Vite takes exactly these, on its base path, and silently ignores the rest.
const VITE_PROTOCOLS = new Set(['vite-hmr', 'vite-ping']);

export interface UpgradeRouterOptions {
  /** The echo's WebSocketServer, created with `noServer: true`. */
  wss: WebSocketServer;
  /** True when Vite's dev server listens on the same http server for its HMR socket. */
  leaveViteSockets: boolean;
  originPolicy: OriginPolicy;
  /** Two Host headers, or a host this server does not answer to (hosts.ts). */
  checkHost: HostCheck;
  /** Whether file descriptors run short (descriptors.ts). */
  descriptors: DescriptorGuard;
  /** Where the client is and which host it asked for, directly or through a trusted proxy. */
  clientView: ClientView;
  caps: ConnectionCaps;
  metrics: EchoMetrics;
  logger: Logger;
}

/** Installs the one `upgrade` listener that decides where each WebSocket request goes. */
export function routeUpgrades(
  server: Server,
  {
    wss,
    leaveViteSockets,
    originPolicy,
    checkHost,
    descriptors,
    clientView,
    caps,
    metrics,
    logger,
  }: UpgradeRouterOptions,
): void {
  const refuse = (
    req: IncomingMessage,
    socket: Duplex,
    status: number,
    reason: RefusalReason,
    headers: Record<string, string> = {},
    body?: string,
  ) => {
    metrics.refused(reason);
    logger.info(
      {
        peer: peerName(clientView.address(req), req.socket),
        path: req.url,
        origin: req.headers.origin,
        status,
        reason,
        detail: body,
      },
      'upgrade refused',
    );
    writeRefusal(socket, status, headers, body);
  };
  // ws answers pings itself, per server; a client that asks for ?pong=off
  // is upgraded by a twin that does not, made on first use.
  let pongOff: WebSocketServer | undefined;
  const upgraderFor = (asked: Asked): WebSocketServer => {
    if (!asked.faults?.pongOff) return wss;
    pongOff ??= pongOffTwin(wss, onClientError);
    return pongOff;
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // First, Vite's HMR sockets included: a rebound name must not reach anything.
    const wrongHost = checkHost(req);
    if (wrongHost) return refuse(req, socket, wrongHost.status, wrongHost.reason, {}, wrongHost.detail);
    const path = wsPathOf(req.url);
    if (leaveViteSockets && path === WS_PATHS.echo && VITE_PROTOCOLS.has(req.headers['sec-websocket-protocol'] ?? '')) {
      return;
    }
    // RFC 6455 4.2.1: an HTTP/1.1 (or later) GET with a Host header; ws checks neither.
    if (!req.headers.host || req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1)) {
      return refuse(req, socket, 400, 'invalid_handshake');
    }
    if (path === undefined) return refuse(req, socket, 404, 'path');
    // RFC 6455 4.4: name the version this server speaks. (ws would say 400.)
    if (req.headers['sec-websocket-version'] !== '13') {
      return refuse(req, socket, 426, 'version', { 'Sec-WebSocket-Version': '13' });
    }
    if (!originPolicy(req, clientView.host(req))) return refuse(req, socket, 403, 'origin');
    // URL parameters (server/misbehave.ts), before the caps: a typo must not take a slot.
    const asked = askedBy(req.url, path);
    if ('error' in asked) return refuse(req, socket, 400, 'parameter', {}, asked.error);
    const rejectWith = asked.faults?.reject;
    if (rejectWith !== undefined) {
      metrics.faulted('reject');
      return refuse(req, socket, rejectWith, 'requested', {}, `refused with ${rejectWith}, as the URL asked (?reject)`);
    }
    if (descriptors.low()) {
      descriptors.refused();
      return refuse(
        req,
        socket,
        503,
        'file_descriptors',
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        OUT_OF_DESCRIPTORS,
      );
    }
    const ip = clientView.address(req);
    const full = caps.admit(ip);
    if (full) return refuse(req, socket, 503, full, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
    let accepted = false;
    // The path rides along with the event, so the echo need not parse the URL
    // again; the echo releases the cap when the connection closes.
    upgraderFor(asked).handleUpgrade(req, socket, head, (ws) => {
      accepted = true;
      wss.emit('connection', ws, req, path, ip, asked);
    });
    // ws decides synchronously: no callback means it refused the handshake.
    if (!accepted) caps.release(ip);
  });

  // ws's own checks (method, Upgrade header, key, subprotocol syntax) land here
  // instead of being answered silently, so they are logged and counted too.
  function onClientError(_error: Error, socket: Duplex, req: IncomingMessage): void {
    refuse(req, socket, req.method === 'GET' ? 400 : 405, 'invalid_handshake');
  }
  wss.on('wsClientError', onClientError);
}

/** A WebSocketServer like `wss` that leaves pings unanswered (ws's autoPong is per server). */
function pongOffTwin(wss: WebSocketServer, onClientError: (...args: [Error, Duplex, IncomingMessage]) => void) {
  const twin = new WebSocketServer({ ...wss.options, autoPong: false });
  twin.on('wsClientError', onClientError);
  return twin;
}

/** Answers with `status` and closes; the body is the status text, or `detail` (one line, UTF-8). */
export function writeRefusal(socket: Duplex, status: number, headers: Record<string, string>, detail?: string): void {
  // A peer may reset the socket before the reply lands; that must not throw.
  socket.on('error', () => {});
  const statusText = STATUS_CODES[status] ?? '';
  const body = detail ?? statusText;
  const lines = Object.entries({
    Connection: 'close',
    'Content-Type': detail === undefined ? 'text/plain' : 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\n${lines.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}`,
  );
  socket.once('finish', () => socket.destroy());
}

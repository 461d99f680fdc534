// Routes and admits HTTP upgrade requests: the WS_PATHS to the echo (and
// /monitor to its watchers), the client-conformance endpoints to
// server/fuzzing/, Vite's own HMR sockets to Vite (dev only), and a plain HTTP
// refusal for everything else. One router on one port, because `new WebSocketServer({ server, path })`
// would answer every other upgrade with 400 and break HMR. Admission checks
// run here, before ws allocates anything for the connection, and so does the
// choice of whether the connection may compress (server/deflate.ts).
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ConnectionCaps } from './connection-caps.ts';
import { DEFLATE_OPTIONS, type DeflateCap, offersDeflate, rememberNegotiated } from './deflate.ts';
import { type DescriptorGuard, OUT_OF_DESCRIPTORS } from './descriptors.ts';
import type { FuzzingServer } from './fuzzing/index.ts';
import type { HostCheck } from './hosts.ts';
import type { Logger } from './logger.ts';
import type { EchoMetrics, RefusalReason } from './metrics.ts';
import type { OriginPolicy } from './origin.ts';
import { askedBy, type Asked } from './misbehave.ts';
import type { MonitorEndpoint } from './monitor/endpoint.ts';
import type { MonitorHub } from './monitor/hub.ts';
import { wsPathOf } from './paths.ts';
import { MONITOR_LIMITS, WS_PATHS } from './protocol.ts';
import { type ClientView, peerName } from './proxy.ts';

/** Seconds a client refused for capacity is told to wait (Retry-After). */
export const RETRY_AFTER_SECONDS = 5;
/** The header every 503 of the router carries; writeRefusal copies it. */
const RETRY_LATER: Readonly<Record<string, string>> = { 'Retry-After': String(RETRY_AFTER_SECONDS) };

// Vite takes exactly these, on its base path (--base-path too), and silently ignores the rest.
const VITE_PROTOCOLS = new Set(['vite-hmr', 'vite-ping']);

export interface UpgradeRouterOptions {
  /** The echo's WebSocketServer, created with `noServer: true`. */
  wss: WebSocketServer;
  /** --base-path: '' or '/prefix', in front of every WS_PATHS entry. */
  basePath: string;
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
  /** The client-conformance endpoints (/runCase, ...), under the same admission rules. */
  fuzzing?: FuzzingServer;
  /** Records the connections that ask (?monitor=) and keeps their events for the watchers. */
  monitorHub: MonitorHub;
  /** Takes the watchers (/monitor). */
  monitorEndpoint: MonitorEndpoint;
  /** permessage-deflate: on every echo connection (--deflate) or only when the URL asks, and its cap. */
  deflate: { everyConnection: boolean; cap: DeflateCap };
}

/** Installs the one `upgrade` listener that decides where each WebSocket request goes. */
export function routeUpgrades(
  server: Server,
  {
    wss,
    basePath,
    leaveViteSockets,
    originPolicy,
    checkHost,
    descriptors,
    clientView,
    caps,
    metrics,
    logger,
    fuzzing,
    monitorHub,
    monitorEndpoint,
    deflate,
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
  // Whether ws answers pings (autoPong) and whether it negotiates
  // permessage-deflate are options of a WebSocketServer, not of a
  // connection: a connection that needs either other than `wss` has it is
  // upgraded by a twin of `wss` that differs in just that, made on first use.
  const twins: Array<WebSocketServer | undefined> = [wss];
  const upgraderFor = (asked: Asked, compress: boolean): WebSocketServer => {
    const pongOff = asked.faults?.pongOff === true;
    const index = (pongOff ? 1 : 0) | (compress ? 2 : 0);
    twins[index] ??= twinOf(wss, { pongOff, compress }, onClientError);
    return twins[index];
  };
  // File descriptors, then the caps: the client's address once it has a slot, else undefined (refused).
  const admit = (req: IncomingMessage, socket: Duplex): string | undefined => {
    if (descriptors.low()) {
      descriptors.refused();
      refuse(req, socket, 503, 'file_descriptors', RETRY_LATER, OUT_OF_DESCRIPTORS);
      return undefined;
    }
    const ip = clientView.address(req);
    const full = caps.admit(ip);
    if (full) refuse(req, socket, 503, full, RETRY_LATER);
    return full ? undefined : ip;
  };
  const { cap: deflateCap } = deflate;
  const releaseDeflate = () => deflateCap.release();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // First, Vite's HMR sockets included: a rebound name must not reach anything.
    const wrongHost = checkHost(req);
    if (wrongHost) return refuse(req, socket, wrongHost.status, wrongHost.reason, {}, wrongHost.detail);
    const path = wsPathOf(req.url, basePath);
    if (leaveViteSockets && path === WS_PATHS.echo && VITE_PROTOCOLS.has(req.headers['sec-websocket-protocol'] ?? '')) {
      return;
    }
    // RFC 6455 4.2.1: an HTTP/1.1 (or later) GET with a Host header; ws checks neither.
    if (!req.headers.host || req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1)) {
      return refuse(req, socket, 400, 'invalid_handshake');
    }
    // The conformance endpoints live under the base path too, like everything else.
    const fuzzingRoute = path === undefined ? fuzzing?.routeOf(req.url, basePath) : undefined;
    if (path === undefined && fuzzingRoute === undefined) return refuse(req, socket, 404, 'path');
    // RFC 6455 4.4: name the version this server speaks. (ws would say 400.)
    if (req.headers['sec-websocket-version'] !== '13') {
      return refuse(req, socket, 426, 'version', { 'Sec-WebSocket-Version': '13' });
    }
    if (!originPolicy(req, clientView.host(req))) return refuse(req, socket, 403, 'origin');
    if (fuzzingRoute) {
      // The conformance endpoints take their own parameters (case, agent) and check them themselves.
      const ip = admit(req, socket);
      if (ip === undefined) return;
      const refusal = fuzzing!.upgrade(req, socket, head, fuzzingRoute, () => caps.release(ip));
      if (refusal) {
        caps.release(ip);
        refuse(req, socket, refusal.status, 'invalid_handshake', {}, refusal.reason);
      }
      return;
    }
    // URL parameters (server/misbehave.ts), before the caps: a typo must not take a slot.
    const asked = askedBy(req.url, path!);
    if ('error' in asked) return refuse(req, socket, 400, 'parameter', {}, asked.error);
    const watching = path === WS_PATHS.monitor;
    if (watching && !monitorHub.hasRoomFor(asked.monitor!)) {
      return refuse(req, socket, 409, 'watchers', {}, `at most ${MONITOR_LIMITS.watchers} watchers per monitor token`);
    }
    // From here on, what crosses a watched connection's socket is recorded, refusals included.
    if (asked.monitor !== undefined && !watching) monitorHub.tap(asked.monitor, req, socket);
    const rejectWith = asked.faults?.reject;
    if (rejectWith !== undefined) {
      metrics.faulted('reject');
      return refuse(req, socket, rejectWith, 'requested', {}, `refused with ${rejectWith}, as the URL asked (?reject)`);
    }
    const ip = admit(req, socket);
    if (ip === undefined) return;
    const compress = (deflate.everyConnection || asked.deflate) && offersDeflate(req) && takeDeflateSlot(req, ip);
    let accepted = false;
    // The path (and whether it compresses) rides along with the event, so the
    // echo need not parse the URL again; the echo releases the cap when the
    // connection closes.
    upgraderFor(asked, compress).handleUpgrade(req, socket, head, (ws) => {
      accepted = true;
      // ws's parse of the offer has the last word on whether it compresses.
      const compressed = compress && ws.extensions !== '';
      if (compressed) ws.once('close', releaseDeflate);
      else if (compress) releaseDeflate();
      if (watching) monitorEndpoint.accept(ws, req, ip, asked.monitor!);
      else wss.emit('connection', ws, req, path, ip, asked, compressed);
    });
    // ws decides synchronously: no callback means it refused the handshake.
    if (!accepted) {
      caps.release(ip);
      if (compress) releaseDeflate();
    }
  });

  // Over the cap, the client is upgraded as if it had offered nothing: it
  // asked for compression, not for a refusal.
  function takeDeflateSlot(req: IncomingMessage, ip: string): boolean {
    if (deflateCap.take()) return true;
    metrics.deflateDeclined();
    logger.info(
      { peer: peerName(ip, req.socket), open: deflateCap.open },
      'permessage-deflate declined: --max-deflate-connections are compressing; upgrading without it',
    );
    return false;
  }

  // ws's own checks (method, Upgrade header, key, subprotocol syntax, and a
  // permessage-deflate offer it cannot parse) land here instead of being
  // answered silently, so they are logged and counted too, and the answer
  // says which header was wrong (ws's message is one line).
  function onClientError(error: Error, socket: Duplex, req: IncomingMessage): void {
    refuse(req, socket, req.method === 'GET' ? 400 : 405, 'invalid_handshake', {}, error.message);
  }
  wss.on('wsClientError', onClientError);
}

/** A WebSocketServer like `wss`, but leaving pings unanswered and/or negotiating permessage-deflate. */
function twinOf(
  wss: WebSocketServer,
  { pongOff, compress }: { pongOff: boolean; compress: boolean },
  onClientError: (...args: [Error, Duplex, IncomingMessage]) => void,
): WebSocketServer {
  const twin = new WebSocketServer({
    ...wss.options,
    autoPong: pongOff ? false : wss.options.autoPong,
    perMessageDeflate: compress ? DEFLATE_OPTIONS : wss.options.perMessageDeflate,
  });
  twin.on('wsClientError', onClientError);
  if (compress) twin.on('headers', rememberNegotiated);
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
  // write(), then end(): a monitor tap (server/monitor/tap.ts) sees what goes through write().
  socket.write(
    `HTTP/1.1 ${status} ${statusText}\r\n${lines.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}`,
  );
  socket.end();
  socket.once('finish', () => socket.destroy());
}

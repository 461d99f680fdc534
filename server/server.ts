// One http(s) server carrying the page app and the echo's WebSocketServer,
// wired top to bottom: http server → page app → WebSocketServer → echo
// handler → upgrade router → heartbeat.
import { createServer as createHttpServer, maxHeaderSize, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createPageApp } from './app.ts';
import { BufferBudget } from './buffer-budget.ts';
import type { Config } from './config.ts';
import { ConnectionCaps } from './connection-caps.ts';
import { DescriptorGuard, openFileLimit } from './descriptors.ts';
import { createEchoHandler, selectProtocol } from './echo.ts';
import { startHeartbeat } from './heartbeat.ts';
import { allowedHostsOf, createHostCheck } from './hosts.ts';
import type { Logger } from './logger.ts';
import { EchoMetrics } from './metrics.ts';
import { operationsRouter } from './operations.ts';
import { createOriginPolicy } from './origin.ts';
import { SHUTDOWN_CLOSE } from './protocol.ts';
import { createClientView, peerName } from './proxy.ts';
import { routeUpgrades, writeRefusal } from './upgrade.ts';

export interface EchoServer {
  /** The Node http(s) server; the page, the echo and dev HMR all share it. */
  readonly httpServer: Server;
  /** The echo's WebSocketServer (it keeps no list of clients: see `clients`). */
  readonly wss: WebSocketServer;
  /** Every open echo connection. */
  readonly clients: ReadonlySet<WebSocket>;
  /** Counters behind /metrics. */
  readonly metrics: EchoMetrics;
  /** Starts listening on the configured host and port; resolves with the page's URL. */
  listen(): Promise<string>;
  /** Stops accepting, closes every client with 1001 and waits up to the grace period for them. */
  close(): Promise<void>;
}

/** Builds the server without listening, so tests can listen on port 0 in-process. */
export async function createEchoServer(config: Config, logger: Logger): Promise<EchoServer> {
  // Node drops a client whose request headers (the opening handshake) take
  // longer than headersTimeout; it checks at connectionsCheckingInterval.
  const timeouts = {
    headersTimeout: config.handshakeTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, config.handshakeTimeoutMs),
  };
  const httpServer: Server = config.tls
    ? (createHttpsServer({
        ...timeouts,
        ...config.tls,
        handshakeTimeout: config.handshakeTimeoutMs,
      }) as unknown as Server)
    : createHttpServer(timeouts);

  // The echo keeps the set of open connections itself, in the close handler
  // it has anyway; ws's own tracking would add a closure and a listener to
  // every connection.
  const clients = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: config.maxMessageBytes,
    handleProtocols: selectProtocol,
  });
  const budget = new BufferBudget(config.maxBufferedTotal);
  const metrics = new EchoMetrics(
    () => clients.size,
    () => budget.total,
  );
  // One reading of X-Forwarded-* for the page, the upgrade router and the logs.
  const clientView = createClientView(config.trustProxy);
  const hostRules = { allowedHosts: config.allowedHosts, listenHost: config.host, trustProxy: config.trustProxy };
  const checkHost = createHostCheck(hostRules, clientView);
  const descriptors = new DescriptorGuard(openFileLimit(), logger, metrics);
  descriptors.watch(httpServer, config.tls !== undefined);
  refuseMalformedRequests(httpServer, metrics, logger);
  let shuttingDown = false;

  const page = await createPageApp({
    dev: config.dev,
    tls: config.tls !== undefined,
    connectSrc: config.connectSrc,
    httpServer,
    clientView,
    checkHost,
    allowedHosts: allowedHostsOf(hostRules),
    descriptors,
    operations: operationsRouter({
      metrics,
      openConnections: () => clients.size,
      isShuttingDown: () => shuttingDown,
      instanceId: config.instanceId,
    }),
  });
  httpServer.on('request', page.app);

  const caps = new ConnectionCaps(config.maxConnections, config.maxConnectionsPerIp);
  wss.on(
    'connection',
    createEchoHandler({
      logger,
      metrics,
      rateLimit: config.rateLimit,
      maxBufferedBytes: config.maxBufferedBytes,
      budget,
      clients,
      onClosed: (ip) => caps.release(ip),
      instanceId: config.instanceId,
      inspectShowCredentials: config.inspectShowCredentials,
      heartbeat: config.heartbeatIntervalMs > 0,
    }),
  );
  routeUpgrades(httpServer, {
    wss,
    leaveViteSockets: config.dev,
    originPolicy: createOriginPolicy(config.allowedOrigins),
    checkHost,
    descriptors,
    clientView,
    caps,
    metrics,
    logger,
  });
  const stopHeartbeat = startHeartbeat(clients, config.heartbeatIntervalMs, logger);

  return {
    httpServer,
    wss,
    clients,
    metrics,
    listen: () => listen(httpServer, config),
    async close() {
      shuttingDown = true;
      stopHeartbeat();
      httpServer.close();
      await closeClients(clients, config.shutdownGraceMs);
      httpServer.closeAllConnections();
      await page.close();
      metrics.stop();
    },
  };
}

function listen(httpServer: Server, { port, host, tls }: Config): Promise<string> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve(pageUrl(httpServer.address() as AddressInfo, tls !== undefined));
    });
  });
}

// The URL a person can open: a wildcard bind is reachable as localhost.
function pageUrl({ address, port }: AddressInfo, tls: boolean): string {
  const host =
    address === '0.0.0.0' || address === '::' ? 'localhost' : address.includes(':') ? `[${address}]` : address;
  return `${tls ? 'https' : 'http'}://${host}:${port}/`;
}

/**
 * Counts and answers what Node's HTTP parser refuses before any router sees
 * it (a malformed request line or header, a head too large or too slow): the
 * same one-line refusal as the upgrade router's, and a count under
 * ws_echo_handshakes_refused_total. Node's own handler would answer alike,
 * but silently.
 */
function refuseMalformedRequests(httpServer: Server, metrics: EchoMetrics, logger: Logger): void {
  httpServer.on('clientError', (error: Error & { code?: string; reason?: string }, socket: Duplex) => {
    const refusal = refusalFor(error);
    // A reset or a broken pipe is no request at all. Node's own handler also
    // stays silent while a response is under way on the socket (its private
    // _httpMessage), since a second status line would corrupt it.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!refusal || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    metrics.refused(refusal.reason);
    const { remoteAddress, remotePort } = socket as Duplex & { remoteAddress?: string; remotePort?: number };
    const { detail } = refusal;
    logger.info(
      {
        peer: peerName(remoteAddress ?? '', { remoteAddress, remotePort }),
        status: refusal.status,
        reason: refusal.reason,
        detail,
      },
      'request refused',
    );
    writeRefusal(socket, refusal.status, {}, detail);
  });
}

/** Node's answer to a request its parser refused (the same statuses), with a one-line reason. */
function refusalFor({
  code,
  reason,
}: Error & { code?: string; reason?: string }):
  | { status: number; reason: 'malformed' | 'timeout'; detail: string }
  | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      reason: 'timeout',
      detail: 'Request Timeout: the request did not arrive within --handshake-timeout',
    };
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'malformed',
      detail: `Request Header Fields Too Large: the request head is over ${maxHeaderSize} bytes`,
    };
  // llhttp names what it could not parse in a fixed phrase, e.g. "Invalid header value char".
  if (code?.startsWith('HPE_'))
    return { status: 400, reason: 'malformed', detail: `Bad Request: ${reason ?? 'malformed request'}` };
  return undefined;
}

async function closeClients(clients: ReadonlySet<WebSocket>, graceMs: number): Promise<void> {
  const open = [...clients];
  const closed = Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve))));
  // ws queues the close frame behind every reply already sent, so each client
  // gets the answers to what it sent before the signal, then 1001.
  for (const ws of open) ws.close(SHUTDOWN_CLOSE.code, SHUTDOWN_CLOSE.reason);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([closed, graceOver]);
  clearTimeout(timer);
  // Whoever did not answer the close handshake in time is cut off.
  for (const ws of open) ws.terminate();
}

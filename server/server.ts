// One http(s) server carrying the page app and the echo's WebSocketServer,
// wired top to bottom: http server → page app → WebSocketServer → echo
// handler → monitor (server/monitor/) → upgrade router → heartbeat.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createPageApp } from './app.ts';
import { BufferBudget } from './buffer-budget.ts';
import type { Config } from './config.ts';
import { ConnectionCaps } from './connection-caps.ts';
import { DeflateCap } from './deflate.ts';
import { DescriptorGuard, openFileLimit } from './descriptors.ts';
import { createEchoHandler, protocolSelector } from './echo.ts';
import { createFuzzingServer } from './fuzzing/index.ts';
import { startHeartbeat } from './heartbeat.ts';
import { allowedHostsOf, createHostCheck } from './hosts.ts';
import type { Logger } from './logger.ts';
import { EchoMetrics } from './metrics.ts';
import { MonitorEndpoint } from './monitor/endpoint.ts';
import { MonitorHub } from './monitor/hub.ts';
import { createOriginPolicy } from './origin.ts';
import { SHUTDOWN_CLOSE } from './protocol.ts';
import { refuseMalformedRequests } from './parser-refusals.ts';
import { createClientView } from './proxy.ts';
import { routeUpgrades } from './upgrade.ts';

export interface EchoServer {
  /** The Node http(s) server; the page, the echo and dev HMR all share it. */
  readonly httpServer: Server;
  /** The echo's WebSocketServer (it keeps no list of clients: see `clients`). */
  readonly wss: WebSocketServer;
  /** Every open echo connection. */
  readonly clients: ReadonlySet<WebSocket>;
  /** Counters behind /metrics. */
  readonly metrics: EchoMetrics;
  /** What the monitor records and keeps (server/monitor/). */
  readonly monitorHub: MonitorHub;
  /** Starts listening on the configured host and port; resolves with the page's URL (under --base-path). */
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
    handleProtocols: protocolSelector(config.subprotocols),
  });
  const deflateCap = new DeflateCap(config.maxDeflateConnections);
  const budget = new BufferBudget(config.maxBufferedTotal);
  const metrics = await EchoMetrics.create({
    openConnections: () => clients.size,
    openDeflateConnections: () => deflateCap.open,
    bufferedBytes: () => budget.total,
  });
  // One reading of X-Forwarded-* for the page, the upgrade router and the logs.
  const clientView = createClientView(config.trustProxy);
  const checkHost = createHostCheck(config.allowedHosts, clientView);
  const descriptors = new DescriptorGuard(openFileLimit(), logger, metrics);
  descriptors.watch(httpServer, config.tls !== undefined);
  refuseMalformedRequests(httpServer, metrics, logger);
  let shuttingDown = false;
  // Under --workers the primary keeps the conformance results for all workers.
  const fuzzing = createFuzzingServer({ logger, reportsDir: config.reportsDir, inCluster: config.workers > 1 });

  const page = await createPageApp({
    dev: config.dev,
    basePath: config.basePath,
    tls: config.tls !== undefined,
    connectSrc: config.connectSrc,
    httpServer,
    clientView,
    checkHost,
    allowedHosts: allowedHostsOf(config.allowedHosts),
    descriptors,
    operations: {
      metrics,
      openConnections: () => clients.size,
      isShuttingDown: () => shuttingDown,
      instanceId: config.instanceId,
    },
    routes: fuzzing.router,
    logger,
  });
  httpServer.on('request', page.handle);

  const caps = new ConnectionCaps(config.maxConnections, config.maxConnectionsPerIp);
  const monitorHub = new MonitorHub({ maxBufferedBytes: config.maxBufferedBytes });
  const monitorEndpoint = new MonitorEndpoint({
    hub: monitorHub,
    logger,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    onClosed: (ip) => caps.release(ip),
  });
  metrics.gaugeMonitor(monitorHub);
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
    }),
  );
  routeUpgrades(httpServer, {
    wss,
    basePath: config.basePath,
    leaveViteSockets: config.dev,
    originPolicy: createOriginPolicy(config.allowedOrigins),
    checkHost,
    descriptors,
    clientView,
    caps,
    metrics,
    logger,
    fuzzing,
    monitorHub,
    monitorEndpoint,
    deflate: { everyConnection: config.deflate, cap: deflateCap },
  });
  const stopHeartbeat = startHeartbeat(clients, config.heartbeatIntervalMs, logger);

  return {
    httpServer,
    wss,
    clients,
    metrics,
    monitorHub,
    listen: () => listen(httpServer, config),
    async close() {
      shuttingDown = true;
      stopHeartbeat();
      monitorEndpoint.close();
      httpServer.close();
      await closeClients(new Set([...clients, ...monitorEndpoint.watchers]), config.shutdownGraceMs);
      fuzzing.close();
      monitorHub.close();
      httpServer.closeAllConnections();
      await page.close();
      metrics.stop();
    },
  };
}

function listen(httpServer: Server, { port, host, tls, basePath }: Config): Promise<string> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve(pageUrl(httpServer.address() as AddressInfo, tls !== undefined, basePath));
    });
  });
}

// The URL a person can open: a wildcard bind is reachable as localhost.
function pageUrl({ address, port }: AddressInfo, tls: boolean, basePath: string): string {
  const host =
    address === '0.0.0.0' || address === '::' ? 'localhost' : address.includes(':') ? `[${address}]` : address;
  return `${tls ? 'https' : 'http'}://${host}:${port}${basePath}/`;
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

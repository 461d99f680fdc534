// One http server carrying the page app and the echo's WebSocketServer,
// wired top to bottom: http server → page app → WebSocketServer → upgrade router.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createPageApp } from './app.ts';
import type { Config } from './config.ts';
import { handleEchoConnection, selectProtocol } from './echo.ts';
import type { Logger } from './logger.ts';
import { routeUpgrades } from './upgrade.ts';

export interface EchoServer {
  /** The Node http server; the page, the echo and dev HMR all share it. */
  readonly httpServer: Server;
  /** The echo's WebSocketServer; `clients` holds every open echo connection. */
  readonly wss: WebSocketServer;
  /** Starts listening on the configured host and port; resolves with the page's URL. */
  listen(): Promise<string>;
  /** Stops accepting, closes every client with 1001 and waits up to the grace period for them. */
  close(): Promise<void>;
}

/** Code and reason every client gets when the server goes away on purpose. */
export const SHUTDOWN_CLOSE = { code: 1001, reason: 'server shutting down' } as const;

/** Builds the server without listening, so tests can listen on port 0 in-process. */
export async function createEchoServer(config: Config, logger: Logger): Promise<EchoServer> {
  const httpServer = createServer();
  const page = await createPageApp({ dev: config.dev, httpServer });
  httpServer.on('request', page.app);

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxMessageBytes,
    handleProtocols: selectProtocol,
  });
  wss.on('connection', (ws, req) => handleEchoConnection(ws, req, logger));
  routeUpgrades(httpServer, { wss, leaveViteSockets: config.dev });

  return {
    httpServer,
    wss,
    listen: () => listen(httpServer, config),
    async close() {
      httpServer.close();
      await closeClients(wss.clients, config.shutdownGraceMs);
      httpServer.closeAllConnections();
      await page.close();
    },
  };
}

function listen(httpServer: Server, { port, host }: Config): Promise<string> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve(pageUrl(httpServer.address() as AddressInfo));
    });
  });
}

// The URL a person can open: a wildcard bind is reachable as localhost.
function pageUrl({ address, port }: AddressInfo): string {
  const host = address === '0.0.0.0' || address === '::' ? 'localhost' : address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${port}/`;
}

async function closeClients(clients: Set<WebSocket>, graceMs: number): Promise<void> {
  const open = [...clients];
  const closed = Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve))));
  for (const ws of open) ws.close(SHUTDOWN_CLOSE.code, SHUTDOWN_CLOSE.reason);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([closed, graceOver]);
  clearTimeout(timer);
  // Whoever did not answer the close handshake in time is cut off.
  for (const ws of open) ws.terminate();
}

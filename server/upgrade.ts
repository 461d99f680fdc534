// Routes HTTP upgrade requests: `/` to the echo, Vite's own HMR sockets to
// Vite (dev only), everything else gets a plain HTTP refusal. One router on
// one port, because `new WebSocketServer({ server, path })` would answer
// every other upgrade with 400 and break HMR.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { WebSocketServer } from 'ws';

/** The only path the echo answers on; the seed's page connects with no path. */
export const ECHO_PATH = '/';

// Vite takes exactly these, on its base path, and silently ignores the rest.
const VITE_PROTOCOLS = new Set(['vite-hmr', 'vite-ping']);

export interface UpgradeRouterOptions {
  /** The echo's WebSocketServer, created with `noServer: true`. */
  wss: WebSocketServer;
  /** True when Vite's dev server listens on the same http server for its HMR socket. */
  leaveViteSockets: boolean;
}

/** Installs the one `upgrade` listener that decides where each WebSocket request goes. */
export function routeUpgrades(server: Server, { wss, leaveViteSockets }: UpgradeRouterOptions): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = pathnameOf(req);
    if (leaveViteSockets && pathname === ECHO_PATH && VITE_PROTOCOLS.has(req.headers['sec-websocket-protocol'] ?? '')) {
      return;
    }
    if (pathname !== ECHO_PATH) {
      refuse(socket, 404);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
}

function pathnameOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function refuse(socket: Duplex, status: number): void {
  // A peer may reset the socket before the reply lands; that must not throw.
  socket.on('error', () => {});
  const body = STATUS_CODES[status] ?? '';
  socket.end(
    `HTTP/1.1 ${status} ${body}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

// Pings every client at an interval and drops the ones that did not answer
// the previous ping: a peer whose network vanished sends no close frame, and
// without this its socket would stay open for as long as TCP allows.
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from './logger.ts';

/** Starts pinging `clients`, the open connections of `wss`; returns the function that stops it. */
export function startHeartbeat(
  wss: WebSocketServer,
  clients: ReadonlySet<WebSocket>,
  intervalMs: number,
  logger: Logger,
): () => void {
  if (intervalMs === 0) return () => {};
  const awaitingPong = new WeakSet<WebSocket>();
  const peers = new WeakMap<WebSocket, string>();
  const onPong = function (this: WebSocket) {
    awaitingPong.delete(this);
  };
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    peers.set(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`);
    ws.on('pong', onPong);
  });
  const timer = setInterval(() => {
    for (const ws of clients) {
      if (awaitingPong.has(ws)) {
        logger.info({ peer: peers.get(ws), intervalMs }, 'no pong since the last ping; dropping the connection');
        ws.terminate();
        continue;
      }
      awaitingPong.add(ws);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

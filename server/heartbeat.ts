// Pings every client at an interval and drops the ones that did not answer
// the previous ping: a peer whose network vanished sends no close frame, and
// without this its socket would stay open for as long as TCP allows. Whether
// a pong is awaited lives on the echo's per-connection state, so the
// heartbeat adds nothing per connection but the 'pong' listener the echo
// installs (onPong, one function for all).
import type { WebSocket } from 'ws';
import { type EchoSocket, peerOf, STATE } from './connection-state.ts';
import type { Logger } from './logger.ts';

/** Starts pinging `clients`, the echo's open connections; returns the function that stops it. */
export function startHeartbeat(clients: ReadonlySet<WebSocket>, intervalMs: number, logger: Logger): () => void {
  if (intervalMs === 0) return () => {};
  const timer = setInterval(() => {
    for (const ws of clients) {
      const state = (ws as EchoSocket)[STATE];
      if (state.awaitingPong) {
        logger.info({ peer: peerOf(state), intervalMs }, 'no pong since the last ping; dropping the connection');
        ws.terminate();
        continue;
      }
      state.awaitingPong = true;
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The 'pong' listener of every echo connection while the heartbeat runs. */
export function onPong(this: WebSocket): void {
  (this as EchoSocket)[STATE].awaitingPong = false;
}

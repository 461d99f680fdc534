// Pings every client at an interval and drops the ones that did not answer
// the previous ping: a peer whose network vanished sends no close frame, and
// without this its socket would stay open for as long as TCP allows. The
// answer is seen in the bytes the socket has read since the ping: a pong, or
// anything else the client sent, proves it is there. That needs no 'pong'
// listener per connection (a fourth event on ws's table of listeners costs
// ~100 bytes per connection), only one number on the echo's state.
import type { WebSocket } from 'ws';
import { type EchoSocket, peerOf, STATE } from './connection-state.ts';
import type { Logger } from './logger.ts';

/** Starts pinging `clients`, the echo's open connections; returns the function that stops it. */
export function startHeartbeat(clients: ReadonlySet<WebSocket>, intervalMs: number, logger: Logger): () => void {
  if (intervalMs === 0) return () => {};
  const timer = setInterval(() => {
    for (const ws of clients) {
      const state = (ws as EchoSocket)[STATE];
      const read = state.socket.bytesRead;
      if (read === state.readAtPing) {
        logger.info(
          { peer: peerOf(state), intervalMs },
          'no pong (nor anything else) since the last ping; dropping the connection',
        );
        ws.terminate();
        continue;
      }
      state.readAtPing = read;
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

// ws ends a connection's receiver when the client's close frame arrives, and
// again when the socket closes. The second end() changes nothing, but on a
// stream that has ended, Node's end() builds an ERR_STREAM_ALREADY_FINISHED
// (or _DESTROYED) Error, stack trace included, and drops it: about 4 % of
// the server's CPU for a short connection (bench/README.md, "Handshakes").
// Where the receiver has ended, its later end() calls now do nothing.
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { webSocketKey } from './read-first.ts';

/** Called as the echo releases a socket after the close handshake, before ws handles the socket's 'close'. */
export function quietSecondEnd(socket: Socket): void {
  const kWebSocket = webSocketKey(socket);
  if (kWebSocket === undefined) return;
  const ws = (socket as unknown as Record<symbol, { _receiver?: Writable } | undefined>)[kWebSocket];
  const receiver = ws?._receiver;
  if (receiver?.writableEnded) receiver.end = endsNothing;
}

function endsNothing(this: Writable): Writable {
  return this;
}

// Seeing a connection's incoming bytes before ws's receiver does. ws parses
// every frame through a Writable stream, a state machine and two events per
// message; for the echo's common case, a read holding whole small data
// frames, that is most of the server's work per message. The echo reads such
// frames straight from the chunk (whole-frames.ts) and leaves the rest,
// from the first frame it does not take, to ws: control frames, fragments,
// partial frames, anything large or malformed. ws then answers as it always
// does, close codes included.
//
// The reader runs only while ws's receiver is between messages with nothing
// buffered, so the two never split a frame between them, and only while the
// connection is open. With receiver-end.ts, this is the only code that
// touches the receiver's internals; where they are not what it knows
// (another ws), nothing is hooked and ws reads everything, as before.
import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';

/** Reads what it can from the start of `chunk`; returns how many bytes it took (ws gets the rest). */
export type FirstReader = (ws: WebSocket, chunk: Buffer, maxPayload: number) => number;

/** Returns the function that hooks `read` into a connection (once; later calls do nothing). It reports whether reads go through `read`. */
export function readFirst(read: FirstReader): (ws: WebSocket) => boolean {
  function write(this: Receiver, chunk: Buffer): boolean {
    const ws = this[kWebSocket!] as WebSocket;
    if (
      ws.readyState === OPEN &&
      this._state === GET_INFO &&
      this._bufferedBytes === 0 &&
      this._fragmented === 0 &&
      this._writableState.length === 0
    ) {
      const taken = read(ws, chunk, this._maxPayload);
      if (taken === chunk.length) return true;
      if (taken > 0) chunk = chunk.subarray(taken);
    }
    return writeToWs.call(this, chunk);
  }
  return (ws) => {
    const receiver = (ws as unknown as { _receiver?: Receiver })._receiver;
    if (!receiver) return false;
    if (receiver.write === write) return true;
    if (!isKnown(receiver)) return false;
    receiver.write = write;
    return true;
  };
}

/** ws's Receiver: a Writable with these fields (ws 8). */
interface Receiver extends Writable {
  [key: symbol]: unknown;
  _state: number;
  _bufferedBytes: number;
  _fragmented: number;
  _maxPayload: number;
  _writableState: { length: number };
}

const OPEN = 1;
/** The receiver's state while it waits for a frame's first two bytes. */
const GET_INFO = 0;
const writeToWs = Writable.prototype.write as (this: Writable, chunk: Buffer) => boolean;
/** Where ws keeps the WebSocket on its receiver: a symbol of its own it does not export. */
let kWebSocket: symbol | undefined;

/** ws's key for the WebSocket it keeps on a socket and on its receiver, found on `holder` the first time. */
export function webSocketKey(holder: object): symbol | undefined {
  kWebSocket ??= Object.getOwnPropertySymbols(holder).find((key) => key.description === 'websocket');
  return kWebSocket;
}

function isKnown(receiver: Receiver): boolean {
  webSocketKey(receiver);
  return (
    kWebSocket !== undefined &&
    receiver instanceof Writable &&
    receiver.write === writeToWs &&
    typeof receiver._state === 'number' &&
    typeof receiver._bufferedBytes === 'number' &&
    typeof receiver._fragmented === 'number' &&
    typeof receiver._maxPayload === 'number' &&
    typeof receiver._writableState?.length === 'number'
  );
}

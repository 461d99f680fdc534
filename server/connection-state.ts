// What the server keeps per connection: one small object on the WebSocket
// itself, made by the echo when the connection opens. The echo's and the
// heartbeat's handlers are shared functions that find it there, so a
// connection costs no closures, and no side tables keyed by socket.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { ConnectionFaults } from './faults.ts';
import type { TokenBucket } from './rate-limit.ts';
import { peerName } from './proxy.ts';

export interface ConnectionState {
  ws: WebSocket;
  socket: Socket;
  /** The client's IP, as admitted (forwarded by a trusted proxy, or the socket's). */
  ip: string;
  /** Prepended to text replies; undefined on /raw. */
  prefix: Buffer | undefined;
  bucket: TokenBucket | undefined;
  /** True while replies are being gathered for one write. */
  corked: boolean;
  /** Whether small replies are framed by the echo itself (reply-frame.ts): no extension, no faults, no monitor. */
  framed: boolean;
  /** The socket's bytesRead when the heartbeat last pinged (-1 before the first ping). */
  readAtPing: number;
  /** What the URL asked this connection to do wrong; undefined (the usual case) for nothing. */
  faults: ConnectionFaults | undefined;
  /** Reply bytes waiting for this client, as counted against --max-buffered-total (buffer-budget.ts). */
  queued: number;
  /** The close code the server failed the connection with (1002, 1007, 1009, …); undefined if it did not. */
  failedWith: number | undefined;
  /**
   * On a connection that compresses (and has no faults, which pace their own
   * sends): the callback of every echo reply, which resumes reading once
   * ws's queue is under the bound. Undefined on every other connection.
   */
  replyWritten: (() => void) | undefined;
}

/** Where the state lives on its WebSocket. */
export const STATE = Symbol('ws-echo connection state');

/** A WebSocket the echo has accepted. */
export type EchoSocket = WebSocket & { [STATE]: ConnectionState };

/** The client as every log line about this connection names it. */
export function peerOf({ ip, socket }: ConnectionState): string {
  return peerName(ip, socket);
}

// The bytes of one watched connection, as they really cross its socket: the
// client's through a 'data' listener of our own next to ws's, the server's by
// wrapping that one socket's write(), through which ws writes the 101 and
// every frame (and the upgrade router its refusals). Installed before ws
// sees the socket, so nothing is missed; only connections that asked
// (?monitor=) get one, so every other socket keeps its plain write() and
// ws's listener alone.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MONITOR_LIMITS, type MonitorEvent } from '../protocol.ts';
import { describeFrame, FrameDecoder, type WireFrame } from './frame-decoder.ts';

/** A monitor event as the tap sees it; the hub adds seq, at and connection. */
export type TapEvent = WithoutBase<MonitorEvent>;
type WithoutBase<E> = E extends MonitorEvent ? Omit<E, 'seq' | 'at' | 'connection'> : never;

/** A response head longer than this is not an HTTP response the router or ws wrote; stop looking for its end. */
const MAX_RESPONSE_BYTES = 16 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const CLOSE = 0x8;

/** Records one connection's handshake and frames, from before the upgrade until its socket closes. */
export class Tap {
  readonly #socket: Duplex;
  readonly #emit: (event: TapEvent) => void;
  readonly #ended: (tap: Tap) => void;
  readonly #request: string;
  /** The response's bytes until its head is complete; undefined after. */
  #response: Buffer | undefined = Buffer.alloc(0);
  readonly #fromClient = new FrameDecoder(MONITOR_LIMITS.payloadBytes, (frame) => this.#frame(frame, 'client'));
  readonly #fromServer = new FrameDecoder(MONITOR_LIMITS.payloadBytes, (frame) => this.#frame(frame, 'server'));
  /** The first close frame, and whether each side has sent one. */
  #firstClose: { by: 'client' | 'server'; code: number; reason: string } | undefined;
  #clientClosed = false;
  #serverClosed = false;
  #attached = true;

  /**
   * Starts recording `socket`, whose upgrade request is `req`; `emit` gets
   * every event, `ended` is called once when the tap comes off (the socket
   * closed, the handshake was refused, or detach()).
   */
  constructor(req: IncomingMessage, socket: Duplex, emit: (event: TapEvent) => void, ended: (tap: Tap) => void) {
    this.#socket = socket;
    this.#emit = emit;
    this.#ended = ended;
    this.#request = requestText(req);
    const write = socket.write;
    const tap = this;
    // An own property on this one socket; every other socket keeps the prototype's write.
    socket.write = function (this: Duplex, chunk: unknown, ...rest: unknown[]): boolean {
      tap.#sent(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as Duplex['write'];
    // prependListener, not on: on('data') would set the socket flowing now,
    // and the bytes ws puts back after the head (socket.unshift) would reach
    // this listener alone, before ws adds its own. Prepended, it stays first
    // once ws's on('data') starts the flow, so each chunk is read here before
    // ws unmasks it in place.
    socket.prependListener('data', this.#received);
    socket.once('close', this.#closed);
  }

  /** Stops recording; the connection goes on untouched. */
  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    const socket = this.#socket;
    // Back to the prototype's write.
    delete (socket as unknown as { write?: unknown }).write;
    socket.off('data', this.#received);
    socket.off('close', this.#closed);
    this.#ended(this);
  }

  readonly #received = (chunk: Buffer): void => {
    this.#fromClient.push(chunk);
  };

  #sent(chunk: unknown, encoding: unknown): void {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : (chunk as Uint8Array);
    if (this.#response === undefined) {
      this.#fromServer.push(bytes);
      return;
    }
    const response = Buffer.concat([this.#response, bytes]);
    const end = response.indexOf(HEAD_END);
    if (end === -1 && response.length <= MAX_RESPONSE_BYTES) {
      this.#response = response;
      return;
    }
    this.#response = undefined;
    const headEnd = end === -1 ? response.length : end + HEAD_END.length;
    const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(response.toString('latin1', 0, 16))?.[1] ?? 0);
    // A refusal is written in one piece, head and body: show it whole, and nothing follows.
    const shown = status === 101 ? response.subarray(0, headEnd) : response;
    this.#emit({ type: 'handshake', request: this.#request, response: shown.toString(), status });
    if (status !== 101) {
      this.detach();
      return;
    }
    if (headEnd < response.length) this.#fromServer.push(response.subarray(headEnd));
  }

  #frame(frame: WireFrame, direction: 'client' | 'server'): void {
    const event = describeFrame(frame, direction);
    if (frame.opcode === CLOSE) {
      if (direction === 'client') this.#clientClosed = true;
      else this.#serverClosed = true;
      this.#firstClose ??= { by: direction, code: event.close?.code ?? NO_STATUS, reason: event.close?.reason ?? '' };
    }
    this.#emit(event);
  }

  readonly #closed = (): void => {
    if (this.#response === undefined) {
      const first = this.#firstClose;
      this.#emit(
        this.#clientClosed && this.#serverClosed && first
          ? { type: 'closed', by: first.by, code: first.code, reason: first.reason }
          : { type: 'dropped' },
      );
    }
    this.detach();
  };
}

/** RFC 6455 §7.1.5: the status a close frame without one stands for. */
const NO_STATUS = 1005;

/** The upgrade request as text, rebuilt from what Node parsed: names and values as sent, in order. */
function requestText(req: IncomingMessage): string {
  let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${text}\r\n`;
}

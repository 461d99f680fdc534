// One fuzzing connection after the opening handshake: the server side of
// RFC 6455 written out by hand, keeping the facts a verdict is made of (who
// started the closing handshake, whether it completed, who dropped TCP, the
// close codes each way). Frames a case asks for go out exactly as asked,
// whatever the connection's state, as the fuzzing server's do; the
// connection's own frames (pongs, close replies) follow the protocol.
import type { Duplex } from 'node:stream';
import type { MessageDeflate } from './deflate.ts';
import { encodeFrame, FrameError, FrameReader, type IncomingFrame, Opcode, type OutgoingFrame } from './frames.ts';
import { isValidUtf8, Utf8Validator } from './utf8.ts';
import { TrafficCounts, WireLog } from './wirelog.ts';

/** How long the server waits for the client's close frame after sending its own (the fuzzing server's default). */
export const CLOSE_HANDSHAKE_TIMEOUT_MS = 1000;
/** How long a socket may stay open after the server ended it before it is destroyed. */
const DROP_GRACE_MS = 1000;

export type ConnectionState = 'open' | 'closing' | 'closed';

export interface ConnectionHandlers {
  /** A complete message from the client. Not called once the server has failed the connection. */
  message(payload: Buffer, binary: boolean): void;
  pong(payload: Buffer): void;
  /** The TCP connection is gone; called once. */
  closed(): void;
}

export interface ConnectionOptions {
  /** Largest message (after decompression) the client may send; larger fails the connection with 1009. */
  maxMessageBytes: number;
  /** permessage-deflate, when the handshake negotiated it. */
  deflate?: MessageDeflate;
}

export interface SendOptions {
  /** Write the frame's bytes in pieces of this many octets, each in a write of its own. */
  chop?: number;
  /** Put the frame on the wire by itself: wait for what came before, then for this write. */
  sync?: boolean;
}

type QueuedWrite =
  | { frames: OutgoingFrame[] | Promise<OutgoingFrame[]>; chop: number | undefined; sync: boolean }
  /** Bytes written as they are, in a write of their own: a frame header now, its payload later. */
  | { raw: Buffer };

interface PartialMessage {
  binary: boolean;
  compressed: boolean;
  parts: Buffer[];
  bytes: number;
  utf8: Utf8Validator;
}

export class FuzzingConnection {
  state: ConnectionState = 'open';
  /** The server started the closing handshake (its close frame was not a reply). */
  closedByMe = false;
  /** The server failed the connection: a protocol error by the client, or a case's time ran out. */
  failedByMe = false;
  /** The server closed the TCP connection (rather than the client). */
  droppedByMe = false;
  /** Both close frames were exchanged. */
  wasClean = false;
  wasNotCleanReason: string | null = null;
  wasCloseHandshakeTimeout = false;
  localCloseCode: number | null = null;
  localCloseReason: string | null = null;
  /** The code in the client's close frame, even one the server rejected, so a report can show it. */
  remoteCloseCode: number | null = null;
  remoteCloseReason: string | null = null;
  readonly log = new WireLog();
  readonly counts = new TrafficCounts();

  readonly #socket: Duplex;
  readonly #options: ConnectionOptions;
  readonly #handlers: ConnectionHandlers;
  readonly #reader: FrameReader;
  readonly #queue: QueuedWrite[] = [];
  #pumping = false;
  #ending = false;
  #message: PartialMessage | undefined;
  /** Frames wait here for the ones before them when decompression makes handling asynchronous. */
  #inbox: Promise<void> = Promise.resolve();
  #closeTimer: NodeJS.Timeout | undefined;
  #dropTimer: NodeJS.Timeout | undefined;
  #notified = false;

  constructor(socket: Duplex, options: ConnectionOptions, handlers: ConnectionHandlers) {
    this.#socket = socket;
    this.#options = options;
    this.#handlers = handlers;
    // Control frames are small; a data frame can be as large as the largest message, compressed or not.
    this.#reader = new FrameReader(wireLimit(options.maxMessageBytes));
    // The http server's sockets are half-open capable: answer the client's FIN with ours.
    socket.on('end', () => this.#finish());
    socket.on('error', () => {});
    socket.on('close', () => this.#onSocketClosed());
  }

  /** Starts reading: first `head` (bytes that came with the handshake), then the socket. */
  start(head: Buffer): void {
    if (head.length > 0) this.#onData(head);
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  /** Queues frames exactly as given, whatever the state: the cases' way of writing malformed or untimely frames. */
  sendFrame(frame: OutgoingFrame, { chop, sync = false }: SendOptions = {}): void {
    this.#enqueue({ frames: [frame], chop, sync });
  }

  /** Queues a message, compressed when permessage-deflate is on, in frames of `fragmentSize` payload octets if given. */
  sendMessage(
    payload: Buffer,
    binary: boolean,
    { fragmentSize, chop, sync = false }: SendOptions & { fragmentSize?: number } = {},
  ): void {
    const opcode = binary ? Opcode.binary : Opcode.text;
    const deflate = this.#options.deflate;
    const frames = deflate
      ? deflate.compress(payload).then((data) => fragment(data, opcode, 4, fragmentSize))
      : fragment(payload, opcode, 0, fragmentSize);
    this.#enqueue({ frames, chop, sync });
  }

  /** Queues bytes as they are: part of a frame whose header or rest goes out later. */
  sendRaw(bytes: Buffer): void {
    this.#enqueue({ raw: bytes });
  }

  /**
   * Starts the closing handshake (RFC 6455 §5.5.1) with this code and reason,
   * unchecked, so cases can send invalid ones; does nothing unless open.
   */
  sendClose(code?: number, reason?: Buffer): void {
    this.#sendCloseFrame(code, reason, false);
  }

  /** Fails the connection (RFC 6455 §7.1.7): a close frame with `code` while open, else a dropped TCP connection. */
  fail(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.failedByMe = true;
    this.wasNotCleanReason ??= reason;
    if (this.state === 'open') this.#sendCloseFrame(code, Buffer.from(reason.slice(0, 100)), false);
    else this.drop();
  }

  /** Closes the TCP connection once what is queued has been written. */
  drop(): void {
    if (this.state === 'closed') return;
    this.droppedByMe = true;
    this.state = 'closed';
    this.#clearCloseTimer();
    this.#finish();
  }

  /** Destroys the socket at once (server shutdown). */
  destroy(): void {
    this.#queue.length = 0;
    this.#socket.destroy();
  }

  #sendCloseFrame(code: number | undefined, reason: Buffer | undefined, isReply: boolean): void {
    if (this.state !== 'open') return;
    // Exactly what the case asked for, valid or not: a reason without a code makes a 1-byte payload (7.3.2).
    const payload = Buffer.concat([code === undefined ? Buffer.alloc(0) : u16(code), reason ?? Buffer.alloc(0)]);
    this.sendFrame({ opcode: Opcode.close, payload });
    this.state = 'closing';
    this.closedByMe = !isReply;
    this.localCloseCode = code ?? null;
    this.localCloseReason = reason === undefined ? null : reason.toString('utf8');
    if (!isReply) {
      this.#closeTimer = setTimeout(() => {
        this.wasCloseHandshakeTimeout = true;
        this.wasClean = false;
        this.wasNotCleanReason ??= 'the client did not answer the close frame in time';
        this.drop();
      }, CLOSE_HANDSHAKE_TIMEOUT_MS);
    }
  }

  #onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.counts.read(chunk.length);
    let frames: IncomingFrame[];
    try {
      frames = this.#reader.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.#fail(error.code, error.message);
      return;
    }
    for (const frame of frames) {
      if (this.#options.deflate) this.#inbox = this.#inbox.then(() => this.#onFrame(frame));
      else this.#onFrame(frame);
    }
  }

  /** Handles one frame from the client; returns a promise only while a compressed message is inflated. */
  #onFrame(frame: IncomingFrame): Promise<void> | undefined {
    if (this.state === 'closed') return;
    this.counts.frameIn(frame.opcode);
    this.log.received(frame.payload, frame.opcode, frame.fin, frame.rsv, frame.maskKey);
    if (!frame.masked) return this.#fail(1002, 'the client sent an unmasked frame (RFC 6455 §5.1)');
    if (frame.opcode >= 0x8) return this.#onControlFrame(frame);
    if (frame.opcode > Opcode.binary) return this.#fail(1002, `the client used reserved opcode ${frame.opcode}`);
    // RSV1 marks a compressed message, on its first frame only (RFC 7692 §6).
    const allowedRsv = this.#options.deflate && frame.opcode !== Opcode.continuation ? 4 : 0;
    if (frame.rsv & ~allowedRsv)
      return this.#fail(1002, `the client set RSV bits ${frame.rsv} without an extension for them`);
    if (frame.opcode === Opcode.continuation) {
      if (!this.#message) return this.#fail(1002, 'the client sent a continuation frame with no message to continue');
    } else {
      if (this.#message) return this.#fail(1002, 'the client started a message before finishing the previous one');
      this.#message = {
        binary: frame.opcode === Opcode.binary,
        compressed: frame.rsv === 4,
        parts: [],
        bytes: 0,
        utf8: new Utf8Validator(),
      };
    }
    const message = this.#message;
    message.bytes += frame.payload.length;
    if (
      message.bytes > (message.compressed ? wireLimit(this.#options.maxMessageBytes) : this.#options.maxMessageBytes)
    ) {
      return this.#fail(1009, `the client sent a message larger than ${this.#options.maxMessageBytes} bytes`);
    }
    message.parts.push(frame.payload);
    if (!message.binary && !message.compressed && !message.utf8.push(frame.payload)) {
      return this.#fail(1007, 'the client sent a text message that is not valid UTF-8');
    }
    if (!frame.fin) return;
    this.#message = undefined;
    const data = message.parts.length === 1 ? message.parts[0]! : Buffer.concat(message.parts);
    if (!message.compressed) {
      if (!message.binary && !message.utf8.end())
        return this.#fail(1007, 'the client sent a text message that is not valid UTF-8');
      return this.#deliver(data, message.binary);
    }
    return this.#options.deflate!.decompress(data, this.#options.maxMessageBytes).then(
      (inflated) => {
        if (!message.binary && !isValidUtf8(inflated)) {
          return this.#fail(1007, 'the client sent a text message that is not valid UTF-8');
        }
        this.#deliver(inflated, message.binary);
      },
      (error: Error) => this.#fail(error instanceof FrameError ? error.code : 1007, error.message),
    );
  }

  #onControlFrame(frame: IncomingFrame): undefined {
    if (frame.rsv !== 0) return this.#fail(1002, `the client set RSV bits ${frame.rsv} on a control frame`);
    if (!frame.fin) return this.#fail(1002, 'the client fragmented a control frame');
    if (frame.payload.length > 125) return this.#fail(1002, 'the client sent a control frame longer than 125 bytes');
    switch (frame.opcode) {
      case Opcode.close:
        return this.#onCloseFrame(frame.payload);
      case Opcode.ping:
        if (this.state === 'open') this.sendFrame({ opcode: Opcode.pong, payload: frame.payload });
        return;
      case Opcode.pong:
        this.#handlers.pong(frame.payload);
        return;
      default:
        return this.#fail(1002, `the client used reserved opcode ${frame.opcode}`);
    }
  }

  #onCloseFrame(payload: Buffer): undefined {
    if (payload.length === 1) return this.#fail(1002, 'the client sent a close frame with a 1-byte payload');
    let code: number | undefined;
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      this.remoteCloseCode = code;
      const reason = payload.subarray(2);
      this.remoteCloseReason = reason.toString('utf8');
      if (!isValidCloseCode(code)) return this.#fail(1002, `the client sent close code ${code}, which is not allowed`);
      if (!isValidUtf8(reason)) return this.#fail(1007, 'the client sent a close reason that is not valid UTF-8');
    }
    if (this.state === 'closing') {
      // The answer to the server's close: the handshake is complete, and the server drops TCP (RFC 6455 §7.1.1).
      this.wasClean = true;
      this.drop();
    } else if (this.state === 'open') {
      this.wasClean = true;
      this.#sendCloseFrame(code, undefined, true);
      this.drop();
    }
  }

  #deliver(payload: Buffer, binary: boolean): undefined {
    if (!this.failedByMe) this.#handlers.message(payload, binary);
    return undefined;
  }

  #fail(code: number, reason: string): undefined {
    this.fail(code, reason);
    return undefined;
  }

  #enqueue(write: QueuedWrite): void {
    if (this.#socket.destroyed) return;
    this.#queue.push(write);
    if (!this.#pumping) void this.#pump();
  }

  /** Writes the queue in order, each chop or synced frame in a write of its own. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#socket.destroyed) {
        const write = this.#queue.shift()!;
        if ('raw' in write) {
          this.log.event('TO', [write.raw.length, write.raw.toString('hex')], true);
          await this.#write(write.raw, true);
          continue;
        }
        const frames = await write.frames;
        for (const frame of frames) {
          const bytes = encodeFrame(frame);
          this.counts.frameOut(frame.opcode);
          this.log.sent(
            frame.payload ?? Buffer.alloc(0),
            frame.opcode,
            frame.fin ?? true,
            frame.rsv ?? 0,
            frame.repeatTo ?? null,
            write.chop ?? null,
            write.sync,
          );
          if (write.chop) {
            for (let at = 0; at < bytes.length; at += write.chop)
              await this.#write(bytes.subarray(at, at + write.chop), true);
          } else {
            await this.#write(bytes, write.sync);
          }
        }
      }
    } catch {
      // The socket went away mid-write; 'close' reports it.
    } finally {
      this.#pumping = false;
    }
    if (this.#ending) this.#finish();
  }

  /** One socket write; when `alone`, resolves only once it has left, a turn of the event loop later. */
  #write(bytes: Buffer, alone: boolean): Promise<void> | undefined {
    if (this.#socket.destroyed) throw new Error('socket destroyed');
    this.counts.wrote(bytes.length);
    if (alone) {
      return new Promise((resolve, reject) =>
        this.#socket.write(bytes, (error) => (error ? reject(error) : setImmediate(resolve))),
      );
    }
    if (this.#socket.write(bytes)) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
  }

  /** Ends the socket once the queue is written, and destroys it if the client does not close its side. */
  #finish(): void {
    this.#ending = true;
    if (this.#pumping || this.#socket.destroyed) return;
    this.#socket.end();
    this.#dropTimer ??= setTimeout(() => this.#socket.destroy(), DROP_GRACE_MS);
  }

  #onSocketClosed(): void {
    if (this.state !== 'closed') {
      this.state = 'closed';
      if (!this.wasClean)
        this.wasNotCleanReason ??= 'the client dropped the TCP connection without a closing handshake';
    }
    this.#clearCloseTimer();
    clearTimeout(this.#dropTimer);
    this.#queue.length = 0;
    this.#options.deflate?.close();
    if (this.#notified) return;
    this.#notified = true;
    this.#handlers.closed();
  }

  #clearCloseTimer(): void {
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
  }
}

/** Close codes a peer may send (RFC 6455 §7.4.1 and the IANA registry); 1004–1006 and 1015 never go on the wire. */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}

/**
 * Bytes a message of up to `maxBytes` may take on the wire: deflate can make
 * small or incompressible payloads slightly larger (RFC 1951 stored blocks).
 */
function wireLimit(maxBytes: number): number {
  return maxBytes + (maxBytes >> 4) + 1024;
}

/** A message's frames: one, or one per `fragmentSize` payload octets; `rsv` goes on the first. */
function fragment(payload: Buffer, opcode: number, rsv: number, fragmentSize: number | undefined): OutgoingFrame[] {
  if (!fragmentSize || payload.length <= fragmentSize) return [{ opcode, payload, rsv }];
  const frames: OutgoingFrame[] = [];
  for (let at = 0; at < payload.length; at += fragmentSize) {
    const last = at + fragmentSize >= payload.length;
    frames.push({
      opcode: at === 0 ? opcode : Opcode.continuation,
      payload: payload.subarray(at, at + fragmentSize),
      fin: last,
      rsv: at === 0 ? rsv : 0,
    });
  }
  return frames;
}

function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value & 0xffff, 0);
  return bytes;
}

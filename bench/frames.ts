// Raw WebSocket plumbing for the load generator: pre-built client frames, an
// incremental parser for server frames, and the opening handshake over
// node:net. Deliberately leaner than the `ws` client so that, on its one
// core, the generator does less work per message than the server under test.
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;

/** The text server's prefix: a reply to text `m` is exactly `Received: m`. */
export const TEXT_PREFIX = Buffer.from('Received: ');

// One fixed key for every handshake: the server hashes it either way, and a
// constant lets the expected Sec-WebSocket-Accept be computed once.
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = createHash('sha1').update(`${KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

// A fixed, non-zero mask key. Fixed, so every frame is built (and masked)
// once and then written again and again. Not zero, because ws skips
// unmasking when the key is 0000; real clients use random keys, so a zero key
// would spare the server work it does in production (noticeably at 1 MiB).
const MASK_KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/**
 * A complete masked client frame, ready to be written as many times as
 * needed; `compressed` sets RSV1 (a permessage-deflate message in one frame).
 */
export function clientFrame(opcode: number, payload: Buffer, compressed = false): Buffer {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 0x10000 ? 2 : 8;
  const start = 2 + lengthBytes + 4;
  const frame = Buffer.alloc(start + n);
  frame[0] = 0x80 | (compressed ? 0x40 : 0) | opcode;
  frame[1] = 0x80 | (lengthBytes === 0 ? n : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) frame.writeUInt16BE(n, 2);
  if (lengthBytes === 8) frame.writeBigUInt64BE(BigInt(n), 2);
  MASK_KEY.copy(frame, start - 4);
  for (let i = 0; i < n; i++) frame[start + i] = payload[i]! ^ MASK_KEY[i & 3]!;
  return frame;
}

/** A normal-closure (1000) close frame. */
export const CLOSE_FRAME = clientFrame(OP_CLOSE, Buffer.from([0x03, 0xe8]));

/** Receives parsed server messages; payload bytes arrive in pieces, never copied. */
export interface MessageSink {
  /** A data message starts (its first frame's opcode; RSV1, where the parser allows it). */
  start(binary: boolean, compressed: boolean): void;
  /** Payload bytes `buf[from, to)` of the current message, in order. */
  data(buf: Buffer, from: number, to: number): void;
  /** The current message is complete. */
  end(): void;
  /** A whole control frame (close, ping, pong). */
  control(opcode: number, payload: Buffer): void;
}

/**
 * Incremental parser for server-to-client frames. It streams payload slices
 * to the sink instead of reassembling them, so a 1 MiB message costs no
 * copies and small frames split across TCP reads still parse. It keeps no
 * reference to a pushed chunk, so chunks may live in a reused buffer. Fragmented
 * messages are supported; a masked server frame or reserved bits are errors,
 * but for RSV1 on a message's first frame once permessage-deflate was
 * negotiated (`compressed`).
 */
export class FrameParser {
  readonly #sink: MessageSink;
  readonly #deflate: boolean;
  readonly #head = Buffer.alloc(10);
  #headLength = 0;
  #remaining = 0; // payload bytes of the current frame still to come
  #inPayload = false;
  #controlOpcode = 0; // non-zero while reading a control frame's payload
  #control: Buffer[] = [];
  #fin = false;
  #inMessage = false;

  constructor(sink: MessageSink, deflate = false) {
    this.#sink = sink;
    this.#deflate = deflate;
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (!this.#inPayload) {
        i = this.#readHead(chunk, i);
        continue;
      }
      const take = Math.min(this.#remaining, n - i);
      // Control payloads are kept across reads, so copied; data is only looked at.
      if (this.#controlOpcode) this.#control.push(Buffer.from(chunk.subarray(i, i + take)));
      else this.#sink.data(chunk, i, i + take);
      i += take;
      this.#remaining -= take;
      if (this.#remaining === 0) this.#endFrame();
    }
  }

  // Copies header bytes (at most 10) until the header is complete.
  #readHead(chunk: Buffer, i: number): number {
    const head = this.#head;
    while (i < chunk.length) {
      head[this.#headLength++] = chunk[i++]!;
      if (this.#headLength < 2) continue;
      const len7 = head[1]! & 0x7f;
      const need = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
      if (this.#headLength < need) continue;
      this.#startFrame(len7 < 126 ? len7 : len7 === 126 ? head.readUInt16BE(2) : Number(head.readBigUInt64BE(2)));
      break;
    }
    return i;
  }

  #startFrame(length: number): void {
    const b0 = this.#head[0]!;
    const b1 = this.#head[1]!;
    this.#headLength = 0;
    if (b1 & 0x80) throw new Error('protocol error: the server sent a masked frame');
    const opcode = b0 & 0x0f;
    const compressed = this.#deflate && (b0 & 0x40) !== 0 && opcode !== 0 && opcode < 0x8;
    if (b0 & (compressed ? 0x30 : 0x70))
      throw new Error(`protocol error: the server set reserved bits 0x${(b0 & 0x70).toString(16)} on opcode ${opcode}`);
    this.#fin = (b0 & 0x80) !== 0;
    this.#controlOpcode = opcode >= 0x8 ? opcode : 0;
    if (!this.#controlOpcode) {
      if (opcode === 0) {
        if (!this.#inMessage) throw new Error('protocol error: continuation frame without a message');
      } else {
        if (this.#inMessage) throw new Error('protocol error: new message before the last one finished');
        if (opcode !== OP_TEXT && opcode !== OP_BINARY) throw new Error(`protocol error: unknown opcode ${opcode}`);
        this.#inMessage = true;
        this.#sink.start(opcode === OP_BINARY, compressed);
      }
    }
    this.#remaining = length;
    this.#inPayload = true;
    if (length === 0) this.#endFrame();
  }

  #endFrame(): void {
    this.#inPayload = false;
    if (this.#controlOpcode) {
      const payload = Buffer.concat(this.#control);
      this.#control = [];
      const opcode = this.#controlOpcode;
      this.#controlOpcode = 0;
      this.#sink.control(opcode, payload);
    } else if (this.#fin) {
      this.#inMessage = false;
      this.#sink.end();
    }
  }
}

export interface Target {
  host: string;
  port: number;
}

/** The upgrade request, built once per target: every connection sends the same bytes. */
export function upgradeRequest({ host, port }: Target, extensions?: string): Buffer {
  return Buffer.from(
    `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n` +
      `${extensions === undefined ? '' : `Sec-WebSocket-Extensions: ${extensions}\r\n`}\r\n`,
  );
}

// Every socket reads into this one buffer (net's `onread`): no Buffer is
// allocated and no stream machinery runs per read, which keeps the generator
// cheap. Safe because each read is handed over synchronously and whoever
// needs bytes later (handshake head, control frames) copies them.
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** An open WebSocket. */
export interface OpenSocket {
  socket: Socket;
  /** The server's Sec-WebSocket-Extensions; '' when it negotiated none. */
  extensions: string;
  /**
   * Hands every byte the server sends from now on (starting with any that
   * came with the 101) to `receive`. The buffer is reused as soon as
   * `receive` returns, so it must not keep it.
   */
  read(receive: (bytes: Buffer) => void): void;
}

/**
 * Connects from `localAddress` (several 127.0.0.x spread the ephemeral ports),
 * sends `request` and checks for 101 with the right Sec-WebSocket-Accept.
 * Rejects on refusal, reset or after `timeoutMs` (0: the caller watches time).
 */
export function openWebSocket(
  target: Target,
  request: Buffer,
  localAddress: string,
  timeoutMs = 10_000,
): Promise<OpenSocket> {
  return new Promise((resolve, reject) => {
    let head: Buffer | undefined = Buffer.alloc(0); // the response so far; undefined once it is complete
    let early: Buffer[] = []; // bytes after the 101 that came before read() was called (copies)
    let receive: ((bytes: Buffer) => void) | undefined;
    const onBytes = (bytes: Buffer) => {
      if (receive) receive(bytes);
      else if (head) onHead(bytes);
      else early.push(Buffer.from(bytes));
    };
    const socket = connect({
      host: target.host,
      port: target.port,
      localAddress,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number) => {
          onBytes(READ_BUFFER.subarray(0, n));
          return true; // keep reading
        },
      },
    });
    const fail = (why: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`handshake from ${localAddress} failed: ${why}`));
    };
    const timer = timeoutMs > 0 ? setTimeout(() => fail(`no 101 within ${timeoutMs} ms`), timeoutMs) : undefined;
    const onHead = (bytes: Buffer) => {
      const all = Buffer.concat([head!, bytes]); // a copy: `bytes` is the shared read buffer
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        head = all;
        return;
      }
      head = undefined;
      clearTimeout(timer);
      socket.off('error', onError).off('close', onClose);
      const text = all.subarray(0, end + 2).toString('latin1');
      if (!text.startsWith('HTTP/1.1 101 ')) return fail(`answered ${JSON.stringify(text.split('\r\n')[0])}`);
      // Header names are case-insensitive, the base64 value is not.
      const accept = /\r\nsec-websocket-accept:[ \t]*([^\r]*?)[ \t]*\r\n/i.exec(text)?.[1];
      if (accept !== ACCEPT) return fail(`Sec-WebSocket-Accept is ${JSON.stringify(accept)}, expected ${ACCEPT}`);
      if (all.length > end + 4) early.push(all.subarray(end + 4));
      resolve({
        socket,
        extensions: /\r\nsec-websocket-extensions:[ \t]*([^\r]*?)[ \t]*\r\n/i.exec(text)?.[1] ?? '',
        read(r) {
          for (const bytes of early) r(bytes);
          early = [];
          receive = r;
        },
      });
    };
    const onError = (error: Error) => fail(error.message);
    const onClose = () => fail('connection closed before the 101');
    socket.on('error', onError).on('close', onClose);
    socket.write(request);
  });
}

// RFC 6455 §5.2 framing done by hand, because the fuzzing cases must put
// frames on the wire that no WebSocket library would write (reserved bits and
// opcodes, fragmented control frames, lengths that lie), and must read the
// client's frames exactly as they arrived to judge them.

/** Opcodes RFC 6455 §5.2 defines; every other value is reserved. */
export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** A frame the server writes. The server never masks (§5.1). */
export interface OutgoingFrame {
  opcode: number;
  payload?: Buffer;
  /** Defaults to true. */
  fin?: boolean;
  /** The three RSV bits as one number 0–7 (RSV1 = 4). */
  rsv?: number;
  /** Repeat `payload` until the frame carries this many bytes (a large message from a short pattern). */
  repeatTo?: number;
}

/** A frame read from the client, unmasked. */
export interface IncomingFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** The masking key as hex, or undefined for an unmasked frame. */
  maskKey: string | undefined;
  payload: Buffer;
}

/** A framing fault that must fail the connection with `code` (RFC 6455 §7.4.1). */
export class FrameError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The bytes of `frame` as the server sends them. */
export function encodeFrame(frame: OutgoingFrame): Buffer {
  const payload =
    frame.repeatTo === undefined ? (frame.payload ?? EMPTY) : repeat(frame.payload ?? EMPTY, frame.repeatTo);
  return Buffer.concat([frameHeader(frame.opcode, frame.fin ?? true, frame.rsv ?? 0, payload.length), payload]);
}

/** The header of an unmasked frame carrying `length` bytes. */
export function frameHeader(opcode: number, fin: boolean, rsv: number, length: number): Buffer {
  const first = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xf);
  if (length < 126) return Buffer.from([first, length]);
  if (length < 0x10000) {
    const header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.alloc(10);
  header[0] = first;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/** `pattern` repeated (and cut) to exactly `length` bytes. */
export function repeat(pattern: Buffer, length: number): Buffer {
  if (pattern.length === 0 || length === 0) return Buffer.alloc(length);
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += pattern.length) pattern.copy(out, i, 0, Math.min(pattern.length, length - i));
  return out;
}

/**
 * Cuts the client's byte stream into frames. Only what §5.2 itself forbids
 * is an error here (a 64-bit length with the top bit set, a frame larger
 * than the limit); what the frames mean is the connection's business.
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Adds bytes from the socket and returns every frame they complete. Throws FrameError. */
  push(chunk: Buffer): IncomingFrame[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: IncomingFrame[] = [];
    for (;;) {
      const frame = this.#next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  #next(): IncomingFrame | undefined {
    if (this.#buffered < 2) return undefined;
    const head = this.#peek(Math.min(this.#buffered, 14));
    const b0 = head[0]!;
    const b1 = head[1]!;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (head.length < 4) return undefined;
      length = head.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (head.length < 10) return undefined;
      const long = head.readBigUInt64BE(2);
      if (long >> 63n) throw new FrameError(1002, 'the most significant bit of a 64-bit payload length must be 0');
      if (long > BigInt(this.#maxFrameBytes)) throw tooBig(long);
      length = Number(long);
      offset = 10;
    }
    if (length > this.#maxFrameBytes) throw tooBig(BigInt(length));
    const keyLength = masked ? 4 : 0;
    if (this.#buffered < offset + keyLength + length) return undefined;
    this.#take(offset);
    const key = masked ? this.#take(4) : undefined;
    const payload = this.#take(length);
    if (key) unmask(payload, key);
    return {
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 0x7,
      opcode: b0 & 0x0f,
      masked,
      maskKey: key?.toString('hex'),
      payload,
    };
  }

  #peek(n: number): Buffer {
    const first = this.#chunks[0]!;
    return first.length >= n ? first : Buffer.concat(this.#chunks, n).subarray(0, n);
  }

  /** Removes the first `n` buffered bytes and returns them as a buffer of their own. */
  #take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    this.#buffered -= n;
    return out;
  }
}

const EMPTY = Buffer.alloc(0);

function tooBig(length: bigint): FrameError {
  return new FrameError(1009, `a frame of ${length} bytes is larger than this case accepts`);
}

function unmask(payload: Buffer, key: Buffer): void {
  // Word at a time where the payload allows: 16 MiB echoes come through here.
  const words = payload.length >>> 2;
  if (words > 0) {
    const view = new DataView(payload.buffer, payload.byteOffset, words * 4);
    const k = key.readUInt32BE(0);
    for (let i = 0; i < words; i++) view.setUint32(i * 4, view.getUint32(i * 4) ^ k);
  }
  for (let i = words * 4; i < payload.length; i++) payload[i] = payload[i]! ^ key[i & 3]!;
}

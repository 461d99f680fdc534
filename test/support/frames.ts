// RFC 6455 on the wire, for tests that write and read frames themselves:
// the accept key, frame encoding (valid or not) and decoding, close payloads,
// and the length encodings a server must choose.
import { createHash, randomBytes } from 'node:crypto';

/** RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** The Sec-WebSocket-Accept a correct server answers to `key`. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

export interface Frame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** Unmasked payload. */
  payload: Buffer;
}

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  /** Defaults to true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** Clients must mask (RFC 6455 §5.3); false sends the payload bare. Defaults to true. */
  mask?: boolean;
  /** Writes this length in the header instead of the payload's, to announce a payload that is never sent. */
  declaredLength?: number;
}

/** Encodes one frame exactly as specified, valid or not. */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const masked = spec.mask ?? true;
  const length = spec.declaredLength ?? payload.length;
  const first =
    ((spec.fin ?? true) ? 0x80 : 0) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  header[1] = (header[1] ?? 0) | 0x80;
  const key = randomBytes(4);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = (payload[i] ?? 0) ^ (key[i % 4] ?? 0);
  return Buffer.concat([header, key, body]);
}

/** Decodes the first complete frame in `bytes`, or undefined when more bytes are needed. */
export function decodeFrame(bytes: Buffer): { frame: Frame; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    length = Number(bytes.readBigUInt64BE(2));
    offset = 10;
  }
  let key: Buffer | undefined;
  if (masked) {
    if (bytes.length < offset + 4) return undefined;
    key = bytes.subarray(offset, offset + 4);
    offset += 4;
  }
  if (bytes.length < offset + length) return undefined;
  const payload = Buffer.from(bytes.subarray(offset, offset + length));
  if (key) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (key[i % 4] ?? 0);
  return {
    frame: {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked,
      payload,
    },
    size: offset + length,
  };
}

/** The payload of a close frame with this code and reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const bytes = Buffer.alloc(2 + Buffer.byteLength(reason));
  bytes.writeUInt16BE(code, 0);
  bytes.write(reason, 2);
  return bytes;
}

/** Reads a close frame's code (undefined when it carries none) and reason. */
export function parseClose(frame: Frame): { code: number | undefined; reason: string } {
  if (frame.opcode !== Opcode.close)
    throw new Error(`expected a close frame, got opcode 0x${frame.opcode.toString(16)}`);
  if (frame.payload.length < 2) return { code: undefined, reason: '' };
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString() };
}

/** Which length encoding a frame header at the start of `bytes` uses: 7-bit, 16-bit or 64-bit. */
export function lengthEncoding(bytes: Buffer): 7 | 16 | 64 {
  const field = (bytes[1] ?? 0) & 0x7f;
  return field === 127 ? 64 : field === 126 ? 16 : 7;
}

/** The encoding RFC 6455 §5.2 requires for a payload of `length` ("the minimal number of bytes MUST be used"). */
export function minimalEncoding(length: number): 7 | 16 | 64 {
  return length < 126 ? 7 : length < 0x10000 ? 16 : 64;
}

/**
 * A masked binary frame of `size` bytes whose payload starts with the 32-bit
 * big-endian `index` (the rest is fixed filler), made without re-masking the
 * whole payload each time: `payload(i)` is what the echo must carry back.
 */
export function indexedFrames(size: number): { frame(index: number): Buffer; payload(index: number): Buffer } {
  const filler = Buffer.alloc(size, 'limits!');
  const template = encodeFrame({ opcode: Opcode.binary, payload: filler });
  const headerSize = template.length - size; // header + 4-byte mask key
  const key = template.subarray(headerSize - 4, headerSize);
  const payload = (index: number) => {
    const bytes = Buffer.from(filler);
    bytes.writeUInt32BE(index >>> 0, 0);
    return bytes;
  };
  return {
    payload,
    frame(index) {
      const frame = Buffer.from(template);
      const head = payload(index).subarray(0, 4);
      for (let i = 0; i < 4; i++) frame[headerSize + i] = (head[i] ?? 0) ^ (key[i] ?? 0);
      return frame;
    },
  };
}

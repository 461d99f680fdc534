// RFC 6455 §5.2 frames read off a byte stream as it arrives, in whatever
// pieces TCP delivers it: the header fields as the RFC draws them and the
// first bytes of each payload, never the whole of it, so a 1 MiB message costs
// what a short one does. The monitor (server/monitor/tap.ts) runs one per
// direction of a watched connection. Pure (Uint8Array and TextDecoder, no
// Node), so the page can decode frames with it too.
import type { MonitorFrame, OpcodeName } from '../protocol.ts';

/** One frame as it crossed the wire, its payload cut to the decoder's preview size. */
export interface WireFrame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  payloadLength: number;
  lengthForm: 7 | 16 | 64;
  /** The 4-byte masking key; undefined when not masked. */
  maskingKey: Uint8Array | undefined;
  /** The payload's first bytes as they crossed the wire: still masked when masked. */
  preview: Uint8Array;
  /**
   * The opcode of the message this frame belongs to: its own for a data or
   * control frame, the first frame's for a continuation (0 when none began one).
   */
  messageOpcode: number;
}

/** Reads frames from a stream of chunks; `onFrame` gets each one once its last byte has arrived. */
export class FrameDecoder {
  readonly #previewBytes: number;
  readonly #onFrame: (frame: WireFrame) => void;
  /** The header so far: 2 bytes, up to 8 of extended length, up to 4 of masking key. */
  readonly #header = new Uint8Array(MAX_HEADER_BYTES);
  #headerLength = 0;
  /** Header bytes this frame needs; known in full once its first 2 have arrived. */
  #headerNeeded = 2;
  /** The frame whose payload is arriving; undefined while reading a header. */
  #frame: WireFrame | undefined;
  #previewLength = 0;
  #remaining = 0;
  /** The data opcode of a fragmented message in progress (0 for none), for its continuations. */
  #messageOpcode = 0;

  constructor(previewBytes: number, onFrame: (frame: WireFrame) => void) {
    this.#previewBytes = previewBytes;
    this.#onFrame = onFrame;
  }

  /** Feeds the next bytes of the stream. Copies what it keeps: the caller may reuse `chunk`. */
  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      const frame = this.#frame;
      if (frame === undefined) {
        const take = Math.min(this.#headerNeeded - this.#headerLength, chunk.length - offset);
        this.#header.set(chunk.subarray(offset, offset + take), this.#headerLength);
        this.#headerLength += take;
        offset += take;
        if (this.#headerLength === 2) this.#headerNeeded = headerSize(this.#header);
        if (this.#headerLength === this.#headerNeeded) this.#startPayload();
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - offset);
      const keep = Math.min(take, frame.preview.length - this.#previewLength);
      if (keep > 0) {
        frame.preview.set(chunk.subarray(offset, offset + keep), this.#previewLength);
        this.#previewLength += keep;
      }
      this.#remaining -= take;
      offset += take;
      if (this.#remaining === 0) this.#finish();
    }
  }

  #startPayload(): void {
    const header = this.#header;
    const b0 = header[0]!;
    const b1 = header[1]!;
    const length7 = b1 & 0x7f;
    let payloadLength = length7;
    let lengthForm: WireFrame['lengthForm'] = 7;
    let offset = 2;
    if (length7 === 126) {
      payloadLength = (header[2]! << 8) | header[3]!;
      lengthForm = 16;
      offset = 4;
    } else if (length7 === 127) {
      // RFC 6455 wants the top bit 0; a number holds 53 bits exactly, plenty for any real frame.
      payloadLength = readUint32(header, 2) * 2 ** 32 + readUint32(header, 6);
      lengthForm = 64;
      offset = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    this.#frame = {
      fin,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode,
      masked,
      payloadLength,
      lengthForm,
      maskingKey: masked ? header.slice(offset, offset + 4) : undefined,
      preview: new Uint8Array(Math.min(payloadLength, this.#previewBytes)),
      messageOpcode: this.#messageOpcodeOf(opcode, fin),
    };
    this.#previewLength = 0;
    this.#remaining = payloadLength;
    if (payloadLength === 0) this.#finish();
  }

  /** Follows fragmented messages: a data frame without FIN begins one, the continuation with FIN ends it. */
  #messageOpcodeOf(opcode: number, fin: boolean): number {
    if (opcode >= 0x8) return opcode;
    if (opcode !== 0x0) {
      this.#messageOpcode = fin ? 0 : opcode;
      return opcode;
    }
    const message = this.#messageOpcode;
    if (fin) this.#messageOpcode = 0;
    return message;
  }

  #finish(): void {
    const frame = this.#frame!;
    this.#frame = undefined;
    this.#headerLength = 0;
    this.#headerNeeded = 2;
    this.#onFrame(frame);
  }
}

/** The name RFC 6455 §5.2 gives `opcode`. */
export function opcodeName(opcode: number): OpcodeName {
  return OPCODE_NAMES[opcode] ?? 'reserved';
}

/** Turns a decoded frame into the monitor's frame event (without what the hub adds: seq, at, connection). */
export function describeFrame(
  frame: WireFrame,
  direction: MonitorFrame['direction'],
): Omit<MonitorFrame, 'seq' | 'at' | 'connection'> {
  const { maskingKey, preview, opcode } = frame;
  const payload = maskingKey ? unmask(preview, maskingKey) : preview;
  const truncated = frame.payloadLength > preview.length;
  const isText = frame.messageOpcode === 0x1 || opcode === 0x9 || opcode === 0xa;
  // In the order RFC 6455 §5.2 draws them; JSON leaves out what is undefined.
  return {
    type: 'frame',
    direction,
    fin: frame.fin,
    rsv1: frame.rsv1,
    rsv2: frame.rsv2,
    rsv3: frame.rsv3,
    opcode,
    opcodeName: opcodeName(opcode),
    masked: frame.masked,
    payloadLength: frame.payloadLength,
    lengthForm: frame.lengthForm,
    maskingKey: maskingKey && toHex(maskingKey),
    payloadHex: toHex(payload),
    maskedPayloadHex: maskingKey && toHex(preview),
    truncated,
    text: isText ? utf8(payload, truncated) : undefined,
    close:
      opcode === 0x8 && payload.length >= 2
        ? { code: (payload[0]! << 8) | payload[1]!, reason: LENIENT.decode(payload.subarray(2)) }
        : undefined,
  };
}

/** Unmasks (or masks: it is its own inverse) `bytes` with `key`, as RFC 6455 §5.3 says, into a new array. */
export function unmask(bytes: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! ^ key[i & 3]!;
  return out;
}

/** Lower-case hex, two digits a byte, nothing between them. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += HEX[byte];
  return hex;
}

/** 2 bytes, then 0, 2 or 8 of extended payload length, then 4 of masking key when masked. */
const MAX_HEADER_BYTES = 14;
const OPCODE_NAMES: Partial<Record<number, OpcodeName>> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
// ignoreBOM: a leading U+FEFF is part of what was sent, so it stays.
const STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LENIENT = new TextDecoder('utf-8', { ignoreBOM: true });

/** The header size the first two bytes announce. */
function headerSize(header: Uint8Array): number {
  const length7 = header[1]! & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  return 2 + extended + ((header[1]! & 0x80) !== 0 ? 4 : 0);
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/**
 * `bytes` as text when they are valid UTF-8, else undefined. A cut-short
 * payload may end inside a character: that tail is left out, not held against it.
 */
function utf8(bytes: Uint8Array, cutShort: boolean): string | undefined {
  try {
    // A streaming decode keeps an unfinished sequence for later instead of failing; a fresh decoder forgets it.
    return cutShort
      ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: true })
      : STRICT.decode(bytes);
  } catch {
    return undefined;
  }
}

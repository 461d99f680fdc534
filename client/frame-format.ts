// A monitor frame event back into what RFC 6455 §5.2 draws: the bits of the
// first two bytes field by field, the length in the form the header used,
// and the bytes in the order they crossed the wire; plus what Go Web
// Programming §8.2 says would have crossed instead. Strings only, no DOM.
import type { MonitorFrame } from '../server/protocol.ts';
import { byteHex, toHex } from './hex.ts';

/** The first two bytes, field by field, as 0s and 1s: one cell each in the RFC's diagram. */
export interface HeaderBits {
  fin: string;
  rsv1: string;
  rsv2: string;
  rsv3: string;
  /** 4 bits. */
  opcode: string;
  mask: string;
  /** The 7-bit payload length field: the length itself, or 126/127 when a longer one follows. */
  length7: string;
}

export function headerBits(frame: MonitorFrame): HeaderBits {
  const bit = (set: boolean) => (set ? '1' : '0');
  return {
    fin: bit(frame.fin),
    rsv1: bit(frame.rsv1),
    rsv2: bit(frame.rsv2),
    rsv3: bit(frame.rsv3),
    opcode: frame.opcode.toString(2).padStart(4, '0'),
    mask: bit(frame.masked),
    length7: lengthField(frame).toString(2).padStart(7, '0'),
  };
}

/** What the 7-bit field holds: the length (0-125), or 126 / 127 saying 16 / 64 bits of length follow. */
export function lengthField(frame: Pick<MonitorFrame, 'payloadLength' | 'lengthForm'>): number {
  return frame.lengthForm === 7 ? frame.payloadLength : frame.lengthForm === 16 ? 126 : 127;
}

/** The extended payload length as it crossed (big-endian, 2 or 8 bytes), spaced hex; '' in the 7-bit form. */
export function extendedLength(frame: Pick<MonitorFrame, 'payloadLength' | 'lengthForm'>): string {
  if (frame.lengthForm === 7) return '';
  return spaced(frame.payloadLength.toString(16).padStart(frame.lengthForm / 4, '0'));
}

/** One field of a frame as it crossed the wire, in order. */
export interface WirePart {
  field: 'first' | 'second' | 'length' | 'key' | 'payload';
  /** Spaced hex, e.g. "81 8d". */
  hex: string;
}

/**
 * The frame's bytes in wire order: the first byte (FIN, RSV1-3, opcode), the
 * second (MASK, 7-bit length), the extended length, the masking key, and
 * the payload as it crossed, masked when it was (the first bytes the monitor
 * keeps; `frame.truncated` says there were more).
 */
export function wireParts(frame: MonitorFrame): WirePart[] {
  const first =
    (frame.fin ? 0x80 : 0) | (frame.rsv1 ? 0x40 : 0) | (frame.rsv2 ? 0x20 : 0) | (frame.rsv3 ? 0x10 : 0) | frame.opcode;
  const second = (frame.masked ? 0x80 : 0) | lengthField(frame);
  const parts: WirePart[] = [
    { field: 'first', hex: byteHex(first) },
    { field: 'second', hex: byteHex(second) },
  ];
  if (frame.lengthForm !== 7) parts.push({ field: 'length', hex: extendedLength(frame) });
  if (frame.maskingKey !== undefined) parts.push({ field: 'key', hex: spaced(frame.maskingKey) });
  const payload = frame.maskedPayloadHex ?? frame.payloadHex;
  if (payload !== '') parts.push({ field: 'payload', hex: spaced(payload) });
  return parts;
}

/**
 * What §8.2 of Go Web Programming says travels: 0x00, the message's UTF-8
 * bytes, 0xFF. That was the framing of the hixie-75/76 drafts, not of
 * RFC 6455: no length, no opcode, no mask, text only.
 */
export function hixieBytes(text: string): string {
  return toHex(Uint8Array.of(0, ...new TextEncoder().encode(text), 0xff));
}

/** "48 69": hex digits in pairs, spaced. */
export function spaced(hex: string): string {
  return hex.replace(/(..)(?!$)/g, '$1 ');
}

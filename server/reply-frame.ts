// An echo reply as one complete, unmasked server frame (RFC 6455 5.2) in one
// buffer: header, optional prefix and payload. ws.send makes two options
// objects and a separate header buffer, and writes header and payload
// separately, after the echo has concatenated the prefix: three allocations
// and two queued socket writes per reply where this makes one of each. Only
// for connections without extensions (with permessage-deflate the payload
// must be compressed, which ws does), and only for small replies, where one
// copy costs less than a second write.

/** Replies up to this many bytes are framed here; larger ones go through ws.send, without a copy. Below 65536. */
export const REPLY_FRAME_MAX = 4096;

const FIN = 0x80;

/** The frame of a FIN message of `opcode` (text 0x1, binary 0x2) carrying `prefix` (if any), then `payload`: at most REPLY_FRAME_MAX bytes in all. */
export function replyFrame(opcode: number, prefix: Buffer | undefined, payload: Buffer): Buffer {
  const prefixLength = prefix ? prefix.length : 0;
  const length = prefixLength + payload.length;
  const frame = Buffer.allocUnsafe(replyHeaderLength(length) + length);
  const headerLength = writeReplyHeader(frame, 0, opcode, length);
  // TypedArray set: cheaper than Buffer.copy for a few dozen bytes.
  if (prefix) frame.set(prefix, headerLength);
  frame.set(payload, headerLength + prefixLength);
  return frame;
}

/** The header's length for a reply of `length` bytes (at most REPLY_FRAME_MAX). */
export function replyHeaderLength(length: number): number {
  // The minimal length encoding (5.2): 7 bits, or 126 and 16 bits; REPLY_FRAME_MAX never needs 64.
  return length < 126 ? 2 : 4;
}

/** Writes the header of a FIN reply of `length` bytes into `frame` at `at`; returns its length. */
export function writeReplyHeader(frame: Buffer, at: number, opcode: number, length: number): number {
  frame[at] = FIN | opcode;
  if (length < 126) {
    frame[at + 1] = length;
    return 2;
  }
  frame[at + 1] = 126;
  frame.writeUInt16BE(length, at + 2);
  return 4;
}

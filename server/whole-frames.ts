// The echo of whole small data frames, straight from one read (read-first.ts
// hands it the chunk before ws's receiver). A client with several messages
// in flight delivers several frames per read; here they are checked, unmasked
// into their replies and answered with one buffer and one write, where ws
// would stream each through its receiver, emit it, and the echo frame and
// queue each reply on its own.
//
// Only frames whose outcome is certain are taken: FIN text or binary frames,
// masked, no RSV bit, a 7- or 16-bit length within maxPayload, wholly in the
// chunk, with a reply of at most REPLY_FRAME_MAX bytes, text that is valid
// UTF-8, and a token from the rate limit if there is one. At the first frame
// that is anything else, it stops and ws reads on from there, so control
// frames, fragments and every protocol error get ws's answers as before.
import { isUtf8 } from 'node:buffer';
import type { ConnectionState } from './connection-state.ts';
import type { EchoMetrics } from './metrics.ts';
import { REPLY_FRAME_MAX, replyHeaderLength, writeReplyHeader } from './reply-frame.ts';

const FIN = 0x80;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const MASKED = 0x80;
/** The 7-bit length that says a 16-bit length follows. */
const LENGTH_16 = 126;
const MASK_BYTES = 4;

/**
 * Echoes the whole frames at the start of `chunk` for `state`'s connection and
 * counts them in `metrics`; returns how many bytes of `chunk` they took.
 */
export function echoWholeFrames(
  state: ConnectionState,
  chunk: Buffer,
  maxPayload: number,
  { received, sent }: Pick<EchoMetrics, 'received' | 'sent'>,
): number {
  const { prefix } = state;
  const prefixLength = prefix ? prefix.length : 0;
  // First the headers alone: how far the frames this can take go, and how
  // long their replies are, so the replies can share one exact buffer.
  let end = 0;
  let replyBytes = 0;
  while (end + 2 <= chunk.length) {
    const first = chunk[end]!;
    const opcode = first & 0x0f;
    if ((first & 0xf0) !== FIN || (opcode !== OP_TEXT && opcode !== OP_BINARY)) break;
    const second = chunk[end + 1]!;
    if ((second & MASKED) === 0) break;
    let length = second & 0x7f;
    let header = 2;
    if (length === LENGTH_16) {
      if (end + 4 > chunk.length) break;
      length = chunk.readUInt16BE(end + 2);
      header = 4;
    } else if (length > LENGTH_16) break;
    if (maxPayload > 0 && length > maxPayload) break;
    const replyLength = (opcode === OP_TEXT ? prefixLength : 0) + length;
    if (replyLength > REPLY_FRAME_MAX) break;
    const frameEnd = end + header + MASK_BYTES + length;
    if (frameEnd > chunk.length) break;
    replyBytes += replyHeaderLength(replyLength) + replyLength;
    end = frameEnd;
  }
  if (end === 0) return 0;

  // Then each frame: its reply written in place, the payload unmasked into it.
  const replies = Buffer.allocUnsafe(replyBytes);
  let at = 0;
  let taken = 0;
  while (taken < end) {
    if (state.bucket && !state.bucket.take()) break;
    const opcode = chunk[taken]! & 0x0f;
    const isText = opcode === OP_TEXT;
    let length = chunk[taken + 1]! & 0x7f;
    let mask = taken + 2;
    if (length === LENGTH_16) {
      length = chunk.readUInt16BE(mask);
      mask += 2;
    }
    const data = mask + MASK_BYTES;
    const replyLength = (isText ? prefixLength : 0) + length;
    const replyStart = at;
    at += writeReplyHeader(replies, at, opcode, replyLength);
    if (isText && prefix) {
      replies.set(prefix, at);
      at += prefixLength;
    }
    const payloadAt = at;
    for (let i = 0; i < length; i++) replies[at + i] = chunk[data + i]! ^ chunk[mask + (i & 3)]!;
    at += length;
    if (isText && !isUtf8(replies.subarray(payloadAt, at))) {
      // ws fails the connection with 1007 for it, from the original bytes.
      at = replyStart;
      break;
    }
    const inbound = isText ? received.text : received.binary;
    inbound.messages++;
    inbound.bytes += length;
    const outbound = isText ? sent.text : sent.binary;
    outbound.messages++;
    outbound.bytes += replyLength;
    taken = data + length;
  }
  if (at > 0) state.socket.write(at === replyBytes ? replies : replies.subarray(0, at));
  return taken;
}

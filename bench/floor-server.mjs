// The floor: the least a WebSocket echo on Node can be. node:net and a
// hand-written frame loop, no ws, no HTTP parser, no stream of its own, one
// write per read, the same reply rules as the other servers (text comes back
// as `Received: <text>`, binary as the same bytes). What Node's sockets cost
// per message, per connection and per handshake shows here, beneath anything
// a server built on them can reach; the project's ratio to it says how much
// of that the project spends on top.
//
// It is a measuring stick, not a server: it reads only what the bench sends
// (one upgrade request per connection, whole-message frames, masked, of any
// length; close, ping and pong), answers no protocol error, checks no Origin
// and negotiates nothing (so it sits out scenario (g)). It unmasks large
// payloads with bufferutil, as ws does, so it is not slowed where ws is not.
//
// Plain JavaScript, like baseline-server.mjs: it runs on bare node, with the
// project's V8 flags (servers.ts), so the two differ only in their code.
//
// Usage: node bench/floor-server.mjs --port <port>
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

const at = process.argv.indexOf('--port');
const port = Number(at > 0 ? process.argv[at + 1] : NaN);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: node bench/floor-server.mjs --port <port>\n');
  process.exit(2);
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const PREFIX = Buffer.from('Received: ');
const unmaskLarge = loadBufferUtil();

createServer({ noDelay: true }, (socket) => {
  /** Bytes read and not yet used: the request head, or a frame not wholly read. */
  let pending = [];
  let pendingBytes = 0;
  /** How many bytes the frame that `pending` starts needs, once its header is in (0 before). */
  let needed = 0;
  let upgraded = false;
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    // A large frame arrives over many reads: join them once, when it is whole.
    if (pendingBytes < needed) return;
    let bytes = pending.length === 1 ? chunk : Buffer.concat(pending, pendingBytes);
    if (!upgraded) {
      const end = bytes.indexOf('\r\n\r\n');
      if (end < 0) return;
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(bytes.toString('latin1', 0, end))?.[1] ?? '';
      const accept = createHash('sha1')
        .update(key + GUID)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      upgraded = true;
      bytes = bytes.subarray(end + 4);
    }
    const replies = [];
    let used = 0;
    for (;;) {
      const frame = nextFrame(bytes, used);
      if (!frame) break;
      used = frame.end;
      if (frame.opcode === 0x1 || frame.opcode === 0x2) replies.push(...replyTo(frame.opcode, frame.payload));
      else if (frame.opcode === 0x9) replies.push(...replyTo(0xa, frame.payload));
      else if (frame.opcode === 0x8) {
        replies.push(...replyTo(0x8, frame.payload));
        write(socket, replies);
        socket.end();
        return;
      }
    }
    write(socket, replies);
    pending = used === bytes.length ? [] : [bytes.subarray(used)];
    pendingBytes = bytes.length - used;
    needed = frameSize(bytes, used);
  });
}).listen(port, '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));

/** The length of the frame at `offset` once its header is there, else 0. */
function frameSize(bytes, offset) {
  const left = bytes.length - offset;
  if (left < 2) return 0;
  const length = bytes[offset + 1] & 0x7f;
  if (length < 126) return 6 + length;
  if (length === 126) return left < 4 ? 0 : 8 + bytes.readUInt16BE(offset + 2);
  return left < 10 ? 0 : 14 + Number(bytes.readBigUInt64BE(offset + 2));
}

/** The frame at `offset` with its payload unmasked (in place), or undefined if it is not wholly there. */
function nextFrame(bytes, offset) {
  if (bytes.length - offset < 2) return undefined;
  const opcode = bytes[offset] & 0x0f;
  let length = bytes[offset + 1] & 0x7f;
  let mask = offset + 2;
  if (length === 126) {
    if (bytes.length < mask + 2) return undefined;
    length = bytes.readUInt16BE(mask);
    mask += 2;
  } else if (length === 127) {
    if (bytes.length < mask + 8) return undefined;
    length = Number(bytes.readBigUInt64BE(mask));
    mask += 8;
  }
  const data = mask + 4;
  if (bytes.length < data + length) return undefined;
  const payload = bytes.subarray(data, data + length);
  const key = bytes.subarray(mask, data);
  if (length >= 1024 && unmaskLarge) unmaskLarge(payload, key);
  else for (let i = 0; i < length; i++) payload[i] ^= key[i & 3];
  return { opcode, payload, end: data + length };
}

/** The reply frame's buffers: small replies in one, large ones as header and payload. */
function replyTo(opcode, payload) {
  const prefix = opcode === 0x1 ? PREFIX : undefined;
  const length = (prefix ? prefix.length : 0) + payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const small = length <= 4096;
  const frame = Buffer.allocUnsafe(headerLength + (prefix ? prefix.length : 0) + (small ? payload.length : 0));
  frame[0] = 0x80 | opcode;
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  if (prefix) frame.set(prefix, headerLength);
  if (!small) return [frame, payload];
  frame.set(payload, headerLength + (prefix ? prefix.length : 0));
  return [frame];
}

/** All of one read's replies in one write: small ones joined into one buffer, large ones after it by writev. */
function write(socket, buffers) {
  if (buffers.length === 0) return;
  if (buffers.length === 1) {
    socket.write(buffers[0]);
    return;
  }
  let small = 0;
  for (const buffer of buffers) if (buffer.length <= 4096) small++;
  if (small === buffers.length) {
    socket.write(Buffer.concat(buffers));
    return;
  }
  socket.cork();
  for (const buffer of buffers) socket.write(buffer);
  socket.uncork();
}

/** bufferutil's unmask where the project installed it (as ws loads it), else none. */
function loadBufferUtil() {
  try {
    return createRequire(import.meta.url)('bufferutil').unmask;
  } catch {
    return undefined;
  }
}

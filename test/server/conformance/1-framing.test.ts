// Autobahn category 1: framing. Every payload length encoding (7-bit, 16-bit,
// 64-bit) both ways for text and binary, frames split across TCP writes and
// several frames in one write, and the server's own frames: unmasked, FIN,
// minimal length encoding (RFC 6455 §5.2).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  assertStillServing,
  expectBinaryEcho,
  expectCloseCode,
  expectTextEcho,
  open,
  textReply,
} from '../../support/frame-assertions.ts';
import { encodeFrame, lengthEncoding, minimalEncoding, Opcode } from '../../support/frames.ts';
import { recordWire, writeByteByByte } from '../../support/raw-client.ts';
import { useEchoServer } from '../../support/servers.ts';

/** ASCII text of exactly `size` bytes (valid UTF-8, not one repeated byte). */
function asciiOf(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = 0x21 + (i % 94);
  return bytes;
}

describe('1 framing', () => {
  const server = useEchoServer();

  const sizes = [
    [0, '7-bit'],
    [125, '7-bit'],
    [126, '16-bit'],
    [65535, '16-bit'],
    [65536, '64-bit'],
    [500_000, '64-bit'],
  ] as const;

  let n = 0;
  for (const [size, encoding] of sizes) {
    it(`1.1.${++n} text of ${size} bytes (${encoding} length) is echoed exactly`, async () => {
      const client = await open(server.port);
      const wire = recordWire(client);
      const payload = asciiOf(size);
      const frame = encodeFrame({ opcode: Opcode.text, payload });
      assert.equal(
        lengthEncoding(frame),
        encoding === '7-bit' ? 7 : encoding === '16-bit' ? 16 : 64,
        'the frame we send uses the intended encoding',
      );
      client.write(frame);
      await expectTextEcho(client, payload);
      assert.equal(
        lengthEncoding(wire()),
        minimalEncoding(textReply(payload).length),
        'the server must use the minimal length encoding',
      );
      client.destroy();
    });
  }

  n = 0;
  for (const [size, encoding] of sizes) {
    it(`1.2.${++n} binary of ${size} bytes (${encoding} length) is echoed exactly`, async () => {
      const client = await open(server.port);
      const wire = recordWire(client);
      const payload = randomBytes(size);
      const frame = encodeFrame({ opcode: Opcode.binary, payload });
      assert.equal(
        lengthEncoding(frame),
        encoding === '7-bit' ? 7 : encoding === '16-bit' ? 16 : 64,
        'the frame we send uses the intended encoding',
      );
      client.write(frame);
      await expectBinaryEcho(client, payload);
      assert.equal(lengthEncoding(wire()), minimalEncoding(size), 'the server must use the minimal length encoding');
      client.destroy();
    });
  }

  it('1.3.1 a text frame written one byte at a time is echoed', async () => {
    const client = await open(server.port);
    await writeByteByByte(client.socket, encodeFrame({ opcode: Opcode.text, payload: 'Hello, byte by byte' }));
    await expectTextEcho(client, 'Hello, byte by byte');
    client.destroy();
  });

  it('1.3.2 a 16-bit-length binary frame written one byte at a time is echoed', async () => {
    const client = await open(server.port);
    const payload = randomBytes(130);
    await writeByteByByte(client.socket, encodeFrame({ opcode: Opcode.binary, payload }));
    await expectBinaryEcho(client, payload);
    client.destroy();
  });

  it('1.3.3 binary with all 256 byte values is echoed exactly', async () => {
    const client = await open(server.port);
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    client.send({ opcode: Opcode.binary, payload });
    await expectBinaryEcho(client, payload);
    client.destroy();
  });

  it('1.3.4 several frames in one TCP write are echoed one by one, in order', async () => {
    const client = await open(server.port);
    const bin = randomBytes(300);
    client.write(
      Buffer.concat([
        encodeFrame({ opcode: Opcode.text, payload: 'one' }),
        encodeFrame({ opcode: Opcode.binary, payload: bin }),
        encodeFrame({ opcode: Opcode.text, payload: '' }),
        encodeFrame({ opcode: Opcode.text, payload: 'three' }),
      ]),
    );
    await expectTextEcho(client, 'one');
    await expectBinaryEcho(client, bin);
    await expectTextEcho(client, '');
    await expectTextEcho(client, 'three');
    client.destroy();
  });

  it('1.3.5 a frame whose header and payload arrive in separate writes, split inside the 64-bit length, is echoed', async () => {
    const client = await open(server.port);
    const payload = randomBytes(70_000);
    const frame = encodeFrame({ opcode: Opcode.binary, payload });
    client.socket.setNoDelay(true);
    for (const [from, to] of [
      [0, 1],
      [1, 6],
      [6, 12],
      [12, 40_000],
      [40_000, frame.length],
    ] as const) {
      await new Promise<void>((resolve) => client.socket.write(frame.subarray(from, to), () => resolve()));
    }
    await expectBinaryEcho(client, payload);
    client.destroy();
  });

  it('1.4.1 an unmasked binary frame from the client fails the connection with 1002', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.binary, payload: randomBytes(10), mask: false });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('1.4.2 an unmasked ping from the client fails the connection with 1002 (and is not answered)', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.ping, payload: 'bare', mask: false });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });
});

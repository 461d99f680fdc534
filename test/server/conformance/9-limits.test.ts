// Autobahn category 9 (limits and performance), for this server's
// --max-message-size: a frame announcing more than the limit is refused with
// 1009 from its header alone (RFC 6455 §7.4.1 "a message that is too big"),
// a fragmented message is limited by its total, exactly the limit is fine,
// and many messages pipelined come back complete and in order.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  assertStillServing,
  expectBinaryEcho,
  expectCloseCode,
  expectFrame,
  expectTextEcho,
  open,
  textReply,
} from '../../support/frame-assertions.ts';
import { encodeFrame, type Frame, Opcode } from '../../support/frames.ts';
import type { RawClient } from '../../support/raw-client.ts';
import { useEchoServer } from '../../support/servers.ts';

const MIB = 1024 * 1024;

/** Frames come in order; waits for `count` of them, one failsafe each. */
async function collectFrames(client: RawClient, count: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (let i = 0; i < count; i++) frames.push(await client.nextFrame());
  return frames;
}

describe('9 limits', () => {
  describe('9 limits with --max-message-size 1024', () => {
    const server = useEchoServer(['--max-message-size', '1024']);

    it('9.1.1 a frame header announcing 1025 bytes is refused with 1009 before any payload is sent', async () => {
      const client = await open(server.port);
      // Header (16-bit length) and mask key only; the 1025 payload bytes are never written.
      const header = encodeFrame({ opcode: Opcode.binary, declaredLength: 1025 });
      assert.equal(header.length, 2 + 2 + 4);
      client.write(header);
      await expectCloseCode(client, 1009);
      await assertStillServing(server.port);
    });

    it('9.1.2 a text frame header announcing 1025 bytes is refused with 1009 before any payload is sent', async () => {
      const client = await open(server.port);
      client.write(encodeFrame({ opcode: Opcode.text, declaredLength: 1025 }));
      await expectCloseCode(client, 1009);
      await assertStillServing(server.port);
    });

    it('9.1.3 a fragmented message whose total passes 1024 (600 + 600) is refused with 1009 and never echoed', async () => {
      const client = await open(server.port);
      client.write(
        Buffer.concat([
          encodeFrame({ opcode: Opcode.binary, payload: randomBytes(600), fin: false }),
          encodeFrame({ opcode: Opcode.continuation, payload: randomBytes(600) }),
        ]),
      );
      await expectCloseCode(client, 1009);
      await assertStillServing(server.port);
    });

    it('9.1.4 a second fragment announcing a total over 1024 is refused with 1009 before its payload is sent', async () => {
      const client = await open(server.port);
      client.write(
        Buffer.concat([
          encodeFrame({ opcode: Opcode.text, payload: 'a'.repeat(600), fin: false }),
          encodeFrame({ opcode: Opcode.continuation, declaredLength: 425 }),
        ]),
      );
      await expectCloseCode(client, 1009);
      await assertStillServing(server.port);
    });

    it('9.1.5 a text message in many small fragments totalling 1025 bytes is refused with 1009', async () => {
      const client = await open(server.port);
      const frames = [encodeFrame({ opcode: Opcode.text, payload: 'x'.repeat(25), fin: false })];
      for (let i = 0; i < 10; i++)
        frames.push(encodeFrame({ opcode: Opcode.continuation, payload: 'y'.repeat(100), fin: i === 9 }));
      client.write(Buffer.concat(frames));
      await expectCloseCode(client, 1009);
      await assertStillServing(server.port);
    });

    it('9.1.6 a binary message of exactly 1024 bytes is echoed', async () => {
      const client = await open(server.port);
      const bytes = randomBytes(1024);
      client.send({ opcode: Opcode.binary, payload: bytes });
      await expectBinaryEcho(client, bytes);
      client.destroy();
    });

    it('9.1.7 a text message of exactly 1024 bytes is echoed (the reply may be longer than the limit)', async () => {
      const client = await open(server.port);
      const text = 'z'.repeat(1024);
      client.send({ opcode: Opcode.text, payload: text });
      await expectTextEcho(client, text);
      client.destroy();
    });

    it('9.1.8 a fragmented message of exactly 1024 bytes, with a 125-byte ping between, is echoed (control frames do not count)', async () => {
      const client = await open(server.port);
      const bytes = randomBytes(1024);
      const ping = randomBytes(125);
      client.write(
        Buffer.concat([
          encodeFrame({ opcode: Opcode.binary, payload: bytes.subarray(0, 512), fin: false }),
          encodeFrame({ opcode: Opcode.ping, payload: ping }),
          encodeFrame({ opcode: Opcode.continuation, payload: bytes.subarray(512) }),
        ]),
      );
      await expectFrame(client, Opcode.pong, ping);
      await expectBinaryEcho(client, bytes);
      client.destroy();
    });

    it('9.1.9 the limit is per message: two 1024-byte messages in a row are both echoed, a third of 1025 is refused', async () => {
      const client = await open(server.port);
      const a = randomBytes(1024);
      const b = randomBytes(1024);
      client.write(
        Buffer.concat([
          encodeFrame({ opcode: Opcode.binary, payload: a }),
          encodeFrame({ opcode: Opcode.binary, payload: b }),
          encodeFrame({ opcode: Opcode.binary, payload: randomBytes(1025) }),
        ]),
      );
      await expectBinaryEcho(client, a);
      await expectBinaryEcho(client, b);
      await expectCloseCode(client, 1009);
      await assertStillServing(server.port);
    });
  });

  describe('9 limits with the default (1 MiB)', () => {
    const server = useEchoServer();

    it('9.2.1 a frame header announcing 1 MiB + 1 (64-bit length) is refused with 1009 before any payload is sent', async () => {
      const client = await open(server.port);
      const header = encodeFrame({ opcode: Opcode.binary, declaredLength: MIB + 1 });
      assert.equal(header.length, 2 + 8 + 4);
      client.write(header);
      await expectCloseCode(client, 1009);
      await assertStillServing(server.port);
    });

    it('9.2.2 a frame header announcing 2^62 bytes is refused with 1009 before any payload is sent', async () => {
      const client = await open(server.port);
      client.write(encodeFrame({ opcode: Opcode.text, declaredLength: 2 ** 62 }));
      await expectCloseCode(client, 1009);
      await assertStillServing(server.port);
    });

    it('9.2.3 a binary message of exactly 1 MiB is echoed', async () => {
      const client = await open(server.port);
      const bytes = randomBytes(MIB);
      client.send({ opcode: Opcode.binary, payload: bytes });
      await expectBinaryEcho(client, bytes);
      client.destroy();
    });

    it('9.2.4 a text message of 1 MiB in 16 fragments is echoed', async () => {
      const client = await open(server.port);
      const text = Buffer.alloc(MIB, 'abcdefgh');
      const frames: Buffer[] = [];
      for (let i = 0; i < 16; i++) {
        frames.push(
          encodeFrame({
            opcode: i === 0 ? Opcode.text : Opcode.continuation,
            payload: text.subarray(i * 65536, (i + 1) * 65536),
            fin: i === 15,
          }),
        );
      }
      client.write(Buffer.concat(frames));
      await expectTextEcho(client, text);
      client.destroy();
    });

    it('9.3.1 1000 small text messages pipelined in one write are all echoed, in order', async () => {
      const client = await open(server.port);
      const texts = Array.from({ length: 1000 }, (_, i) => `message ${i}`);
      client.write(Buffer.concat(texts.map((payload) => encodeFrame({ opcode: Opcode.text, payload }))));
      const frames = await collectFrames(client, texts.length);
      frames.forEach((frame, i) => {
        assert.equal(frame.opcode, Opcode.text, `frame ${i}`);
        assert.equal(frame.fin, true, `frame ${i}`);
        assert.ok(frame.payload.equals(textReply(texts[i] ?? '')), `frame ${i}: ${frame.payload.toString()}`);
      });
      client.destroy();
    });

    it('9.3.2 1000 messages alternating text and binary, in separate writes, are all echoed in order', async () => {
      const client = await open(server.port);
      const sent: Array<{ opcode: number; payload: Buffer }> = [];
      for (let i = 0; i < 1000; i++) {
        const message =
          i % 2 === 0
            ? { opcode: Opcode.text, payload: Buffer.from(`text ${i}`) }
            : { opcode: Opcode.binary, payload: randomBytes(1 + (i % 300)) };
        sent.push(message);
        client.send(message);
      }
      const frames = await collectFrames(client, sent.length);
      frames.forEach((frame, i) => {
        const message = sent[i];
        assert.ok(message);
        assert.equal(frame.opcode, message.opcode, `frame ${i}`);
        const expected = message.opcode === Opcode.text ? textReply(message.payload) : message.payload;
        assert.ok(frame.payload.equals(expected), `frame ${i} differs`);
      });
      client.destroy();
    });

    it('9.3.3 100 messages of 64 KiB each are echoed in order', async () => {
      const client = await open(server.port);
      const sent = Array.from({ length: 100 }, () => randomBytes(65536));
      for (const payload of sent) client.send({ opcode: Opcode.binary, payload });
      const frames = await collectFrames(client, sent.length);
      for (const [i, frame] of frames.entries())
        assert.ok(frame.payload.equals(sent[i] ?? Buffer.alloc(0)), `frame ${i} differs`);
      client.destroy();
    });
  });
});

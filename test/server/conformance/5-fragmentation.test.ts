// Autobahn category 5: fragmentation (RFC 6455 §5.4). Fragments are
// reassembled into one message and one echo; control frames may come between
// fragments and are answered at once; control frames themselves cannot be
// fragmented; a continuation needs an open message and a new data frame
// cannot start inside one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  assertNoMoreFrames,
  assertStillServing,
  expectBinaryEcho,
  expectCloseCode,
  expectFrame,
  expectTextEcho,
  expectValidClose,
  open,
} from '../../support/frame-assertions.ts';
import { closePayload, encodeFrame, type FrameSpec, Opcode } from '../../support/frames.ts';
import { useEchoServer } from '../../support/servers.ts';

/** Splits `bytes` into `count` fragments of a message of type `opcode` (sizes uneven on purpose). */
function fragments(opcode: number, bytes: Buffer, count: number): FrameSpec[] {
  const frames: FrameSpec[] = [];
  const cut = (i: number) => Math.round((bytes.length * i) / count);
  for (let i = 0; i < count; i++) {
    frames.push({
      opcode: i === 0 ? opcode : Opcode.continuation,
      payload: bytes.subarray(cut(i), cut(i + 1)),
      fin: i === count - 1,
    });
  }
  return frames;
}

function writeAll(client: { write(bytes: Buffer): void }, frames: FrameSpec[]): void {
  client.write(Buffer.concat(frames.map(encodeFrame)));
}

describe('5 fragmentation', () => {
  const server = useEchoServer();

  it('5.1 a text message in 2 fragments is reassembled into one echo', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.text, payload: 'Hello, ', fin: false },
      { opcode: Opcode.continuation, payload: 'fragments!' },
    ]);
    await expectTextEcho(client, 'Hello, fragments!');
    client.destroy();
  });

  it('5.2 a binary message in 2 fragments is reassembled into one echo', async () => {
    const client = await open(server.port);
    const bytes = randomBytes(1000);
    writeAll(client, fragments(Opcode.binary, bytes, 2));
    await expectBinaryEcho(client, bytes);
    client.destroy();
  });

  it('5.3 a text message in 100 fragments (some of 1 byte) is reassembled into one echo', async () => {
    const client = await open(server.port);
    const text = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(5));
    writeAll(client, fragments(Opcode.text, text, 100));
    await expectTextEcho(client, text);
    client.destroy();
  });

  it('5.4 a binary message in 256 one-byte fragments, each written separately, is reassembled into one echo', async () => {
    const client = await open(server.port);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    for (const frame of fragments(Opcode.binary, bytes, 256)) client.send(frame);
    await expectBinaryEcho(client, bytes);
    client.destroy();
  });

  it('5.5 a ping between fragments is answered immediately and the message still completes', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.text, payload: 'first half, ', fin: false },
      { opcode: Opcode.ping, payload: 'mid-message' },
    ]);
    // The pong comes before the message is finished: the final fragment is not even sent yet.
    await expectFrame(client, Opcode.pong, Buffer.from('mid-message'));
    client.send({ opcode: Opcode.continuation, payload: 'second half' });
    await expectTextEcho(client, 'first half, second half');
    client.destroy();
  });

  it('5.6 pings between several fragments of a binary message are each answered, in order, before the one echo', async () => {
    const client = await open(server.port);
    const bytes = randomBytes(90);
    const parts = fragments(Opcode.binary, bytes, 3);
    const [a, b, c] = parts;
    assert.ok(a && b && c);
    writeAll(client, [
      a,
      { opcode: Opcode.ping, payload: 'p1' },
      b,
      { opcode: Opcode.ping, payload: 'p2' },
      { opcode: Opcode.ping },
      c,
    ]);
    await expectFrame(client, Opcode.pong, Buffer.from('p1'));
    await expectFrame(client, Opcode.pong, Buffer.from('p2'));
    await expectFrame(client, Opcode.pong, Buffer.alloc(0));
    await expectBinaryEcho(client, bytes);
    client.destroy();
  });

  it('5.7 an unsolicited pong between fragments is ignored and the message completes', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.text, payload: 'before ', fin: false },
      { opcode: Opcode.pong, payload: 'ignore me' },
      { opcode: Opcode.continuation, payload: 'after' },
    ]);
    await expectTextEcho(client, 'before after');
    client.destroy();
  });

  it('5.8 a fragmented ping (FIN=0, then a continuation) fails the connection with 1002', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.ping, payload: 'frag', fin: false },
      { opcode: Opcode.continuation, payload: 'mented' },
    ]);
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('5.9 a fragmented pong (FIN=0) fails the connection with 1002', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.pong, payload: 'frag', fin: false },
      { opcode: Opcode.continuation, payload: 'mented' },
    ]);
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('5.10 a fragmented close (FIN=0) fails the connection with 1002', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.close, payload: closePayload(1000), fin: false });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('5.11 a fragmented ping inside an open fragmented text message fails the connection with 1002', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.text, payload: 'open', fin: false },
      { opcode: Opcode.ping, payload: 'frag', fin: false },
      { opcode: Opcode.continuation, payload: 'end' },
    ]);
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('5.12 an orphan continuation frame (FIN=1, no message open) fails the connection with 1002', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.continuation, payload: 'orphan' });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('5.13 orphan continuation frames (FIN=0 then FIN=1, no message open) fail the connection with 1002', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.continuation, payload: 'orphan', fin: false },
      { opcode: Opcode.continuation, payload: 'too' },
    ]);
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('5.14 a continuation after a completed message is an orphan: the message is echoed, then 1002', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.text, payload: 'complete', fin: false },
      { opcode: Opcode.continuation, payload: ' message' },
      { opcode: Opcode.continuation, payload: 'late' },
    ]);
    await expectTextEcho(client, 'complete message');
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  for (const [n, name, first, intruder] of [
    [
      15,
      'a new text frame inside an open fragmented text message',
      Opcode.text,
      { opcode: Opcode.text, payload: 'again' },
    ],
    [
      16,
      'a new binary frame inside an open fragmented text message',
      Opcode.text,
      { opcode: Opcode.binary, payload: 'again' },
    ],
    [
      17,
      'a new text frame (FIN=0) inside an open fragmented binary message',
      Opcode.binary,
      { opcode: Opcode.text, payload: 'again', fin: false },
    ],
  ] as const) {
    it(`5.${n} ${name} fails the connection with 1002`, async () => {
      const client = await open(server.port);
      writeAll(client, [
        { opcode: first, payload: 'part', fin: false },
        intruder,
        { opcode: Opcode.continuation, payload: 'end' },
      ]);
      await expectCloseCode(client, 1002);
      await assertStillServing(server.port);
    });
  }

  it('5.18 a text message made only of empty fragments is echoed as one empty message', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.text, payload: '', fin: false },
      { opcode: Opcode.continuation, payload: '', fin: false },
      { opcode: Opcode.continuation, payload: '' },
    ]);
    await expectTextEcho(client, '');
    client.destroy();
  });

  it('5.19 empty fragments around the data (first, middle, last) do not change the text message', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.text, payload: '', fin: false },
      { opcode: Opcode.continuation, payload: 'Hello', fin: false },
      { opcode: Opcode.continuation, payload: '', fin: false },
      { opcode: Opcode.continuation, payload: ', world', fin: false },
      { opcode: Opcode.continuation, payload: '' },
    ]);
    await expectTextEcho(client, 'Hello, world');
    client.destroy();
  });

  it('5.20 a binary message of empty fragments is echoed as one empty binary message', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.binary, payload: Buffer.alloc(0), fin: false },
      { opcode: Opcode.continuation, payload: Buffer.alloc(0) },
    ]);
    await expectBinaryEcho(client, Buffer.alloc(0));
    client.destroy();
  });

  it('5.21 two fragmented messages in a row are echoed once each, in order', async () => {
    const client = await open(server.port);
    const bytes = randomBytes(200);
    writeAll(client, [
      ...fragments(Opcode.text, Buffer.from('first message'), 3),
      ...fragments(Opcode.binary, bytes, 4),
    ]);
    await expectTextEcho(client, 'first message');
    await expectBinaryEcho(client, bytes);
    client.destroy();
  });

  it('5.22 a close between fragments is answered with a close, and the unfinished message is never echoed', async () => {
    const client = await open(server.port);
    writeAll(client, [
      { opcode: Opcode.text, payload: 'never ', fin: false },
      { opcode: Opcode.close, payload: closePayload(1000) },
      { opcode: Opcode.continuation, payload: 'finished' },
    ]);
    assert.equal(await expectValidClose(client), 1000);
    await assertNoMoreFrames(client);
    await assertStillServing(server.port);
  });
});

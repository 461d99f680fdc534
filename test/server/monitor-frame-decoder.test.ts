// The monitor's frame decoder on real frame bytes (test/support/frames.ts
// encodes them as a client or server would), fed whole, byte by byte and in
// odd pieces, as TCP may deliver them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFrame, FrameDecoder, opcodeName, type WireFrame } from '../../server/monitor/frame-decoder.ts';
import { encodeFrame, type FrameSpec, Opcode } from '../support/frames.ts';

const PREVIEW = 16;

/** Decodes `bytes` fed in pieces of `piece` bytes (Infinity: all at once). */
function decode(bytes: Buffer, piece = Number.POSITIVE_INFINITY, preview = PREVIEW): WireFrame[] {
  const frames: WireFrame[] = [];
  const decoder = new FrameDecoder(preview, (frame) => frames.push(frame));
  for (let at = 0; at < bytes.length; at += Math.min(piece, bytes.length)) decoder.push(bytes.subarray(at, at + piece));
  return frames;
}

function stream(...specs: FrameSpec[]): Buffer {
  return Buffer.concat(specs.map(encodeFrame));
}

describe('FrameDecoder', () => {
  it('reads every header field and the three length forms, however the bytes are cut', () => {
    const specs: FrameSpec[] = [
      { opcode: Opcode.text, payload: 'Hello', mask: true },
      { opcode: Opcode.binary, payload: Buffer.alloc(125, 1), mask: false },
      { opcode: Opcode.binary, payload: Buffer.alloc(126, 2), mask: true },
      { opcode: Opcode.binary, payload: Buffer.alloc(65_535, 3), mask: false },
      { opcode: Opcode.binary, payload: Buffer.alloc(65_536, 4), mask: true },
      { opcode: Opcode.ping, payload: '', mask: false },
      { opcode: 0x3, payload: 'r', fin: false, rsv1: true, rsv2: true, rsv3: true, mask: false },
    ];
    const bytes = stream(...specs);
    for (const piece of [Number.POSITIVE_INFINITY, 1, 2, 3, 7, 13, 1000]) {
      const frames = decode(bytes, piece);
      assert.equal(frames.length, specs.length, `pieces of ${piece}`);
      assert.deepEqual(
        frames.map((f) => [f.opcode, f.masked, f.payloadLength, f.lengthForm, f.preview.length]),
        [
          [1, true, 5, 7, 5],
          [2, false, 125, 7, PREVIEW],
          [2, true, 126, 16, PREVIEW],
          [2, false, 65_535, 16, PREVIEW],
          [2, true, 65_536, 64, PREVIEW],
          [9, false, 0, 7, 0],
          [3, false, 1, 7, 1],
        ],
        `pieces of ${piece}`,
      );
      const odd = frames[6]!;
      assert.deepEqual([odd.fin, odd.rsv1, odd.rsv2, odd.rsv3], [false, true, true, true]);
      assert.deepEqual([frames[0]!.fin, frames[0]!.rsv1], [true, false]);
      assert.equal(frames[0]!.maskingKey?.length, 4);
      assert.equal(frames[1]!.maskingKey, undefined);
    }
  });

  it('keeps the payload as it crossed the wire: masked bytes stay masked until described', () => {
    const bytes = encodeFrame({ opcode: Opcode.text, payload: 'Hello', mask: true });
    const [frame] = decode(bytes);
    const key = bytes.subarray(2, 6);
    assert.deepEqual(Buffer.from(frame!.maskingKey!), key);
    assert.deepEqual(Buffer.from(frame!.preview), bytes.subarray(6));
    const event = describeFrame(frame!, 'client');
    assert.equal(event.payloadHex, Buffer.from('Hello').toString('hex'));
    assert.equal(event.maskedPayloadHex, bytes.subarray(6).toString('hex'));
    assert.equal(event.maskingKey, key.toString('hex'));
    assert.equal(event.text, 'Hello');
  });

  it('copies what it keeps: the caller may reuse or change the chunk afterwards', () => {
    const bytes = encodeFrame({ opcode: Opcode.binary, payload: Buffer.from([1, 2, 3]), mask: false });
    const frames: WireFrame[] = [];
    const decoder = new FrameDecoder(PREVIEW, (frame) => frames.push(frame));
    decoder.push(bytes);
    bytes.fill(0);
    assert.deepEqual([...frames[0]!.preview], [1, 2, 3]);
  });

  it("follows fragmented messages, so a continuation of text is shown as text, and a control frame between fragments doesn't break it", () => {
    const frames = decode(
      stream(
        { opcode: Opcode.text, payload: 'ab', fin: false, mask: false },
        { opcode: Opcode.ping, payload: '1', mask: false },
        { opcode: Opcode.continuation, payload: 'cd', fin: true, mask: false },
        { opcode: Opcode.binary, payload: 'ef', fin: false, mask: false },
        { opcode: Opcode.continuation, payload: 'gh', fin: true, mask: false },
        { opcode: Opcode.continuation, payload: 'ij', fin: true, mask: false },
      ),
    );
    assert.deepEqual(
      frames.map((frame) => [frame.messageOpcode, describeFrame(frame, 'server').text]),
      [
        [1, 'ab'],
        [9, '1'],
        [1, 'cd'],
        [2, undefined],
        [2, undefined],
        // A continuation that follows no unfinished message belongs to none.
        [0, undefined],
      ],
    );
  });

  it('describes close frames with their code and reason, and shows text only when it is UTF-8', () => {
    const closing = Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('done')]);
    const [close, bare, bad, bom] = decode(
      stream(
        { opcode: Opcode.close, payload: closing, mask: true },
        { opcode: Opcode.close, mask: false },
        { opcode: Opcode.text, payload: Buffer.from([0xc3, 0x28]), mask: false },
        { opcode: Opcode.text, payload: '\uFEFFhi', mask: false },
      ),
    );
    assert.deepEqual(describeFrame(close!, 'client').close, { code: 4001, reason: 'done' });
    assert.equal(describeFrame(bare!, 'server').close, undefined, 'no code: none shown (the peer reads 1005)');
    assert.equal(describeFrame(bad!, 'server').text, undefined);
    assert.equal(describeFrame(bad!, 'server').payloadHex, 'c328');
    assert.equal(describeFrame(bom!, 'server').text, '\uFEFFhi', 'a BOM is part of what was sent');
  });

  it('cuts the payload at the preview size and says so; a character cut in two is left out of the text', () => {
    const text = `x${'é'.repeat(20)}`; // 41 bytes: byte 16 is the first half of an é
    const [frame] = decode(encodeFrame({ opcode: Opcode.text, payload: text, mask: true }), 5);
    const event = describeFrame(frame!, 'client');
    assert.equal(event.truncated, true);
    assert.equal(event.payloadLength, 41);
    assert.equal(event.payloadHex, Buffer.from(text).subarray(0, PREVIEW).toString('hex'));
    assert.equal(event.text, `x${'é'.repeat(7)}`);
  });

  it('names every opcode as RFC 6455 §5.2 does', () => {
    assert.deepEqual(
      Array.from({ length: 16 }, (_, opcode) => opcodeName(opcode)),
      [
        'continuation',
        'text',
        'binary',
        ...Array(5).fill('reserved'),
        'close',
        'ping',
        'pong',
        ...Array(5).fill('reserved'),
      ],
    );
  });
});

// The frame view's drawing of RFC 6455 §5.2, checked against real frame
// bytes: test/support/raw-client.ts encodes them as a client or a server
// would, the server's own decoder turns them into the monitor's events, and
// the page must give back the very bytes that crossed, field by field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extendedLength, headerBits, hixieBytes, lengthField, spaced, wireParts } from '../../client/frame-format.ts';
import { describeFrame, FrameDecoder } from '../../server/monitor/frame-decoder.ts';
import { MONITOR_LIMITS, type MonitorFrame } from '../../server/protocol.ts';
import { encodeFrame, type FrameSpec, Opcode } from '../support/frames.ts';

/** The bytes `spec` makes, and the event the monitor reports for them. */
function crossed(
  spec: FrameSpec,
  direction: MonitorFrame['direction'] = 'client',
): { bytes: Buffer; frame: MonitorFrame } {
  const bytes = encodeFrame(spec);
  const frames: MonitorFrame[] = [];
  const decoder = new FrameDecoder(MONITOR_LIMITS.payloadBytes, (frame) =>
    frames.push({ ...describeFrame(frame, direction), seq: 1, at: 0, connection: 1 }),
  );
  decoder.push(bytes);
  assert.equal(frames.length, 1);
  return { bytes, frame: JSON.parse(JSON.stringify(frames[0])) as MonitorFrame };
}

function hexOf(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

describe('wireParts', () => {
  it("gives back a browser's masked text frame byte for byte: header, masking key, masked payload", () => {
    const { bytes, frame } = crossed({ opcode: Opcode.text, payload: 'Hello, world!' });
    const parts = wireParts(frame);
    assert.deepEqual(
      parts.map((part) => part.field),
      ['first', 'second', 'key', 'payload'],
    );
    assert.equal(parts.map((part) => part.hex).join(' '), hexOf(bytes));
    // 0x81: FIN and opcode 1; 0x8d: MASK and 13.
    assert.deepEqual(parts.slice(0, 2), [
      { field: 'first', hex: '81' },
      { field: 'second', hex: '8d' },
    ]);
    assert.equal(parts[2]!.hex, hexOf(bytes.subarray(2, 6)));
  });

  it("gives back a server's unmasked frames, control frames and fragments alike", () => {
    const specs: FrameSpec[] = [
      { opcode: Opcode.text, payload: 'Received: Hi', mask: false },
      { opcode: Opcode.text, payload: 'Received', mask: false, fin: false },
      { opcode: Opcode.continuation, payload: ': Hi', mask: false },
      { opcode: Opcode.ping, payload: '1', mask: false },
      { opcode: Opcode.pong, payload: '1' },
      { opcode: Opcode.close, payload: Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65]), mask: false },
      { opcode: Opcode.binary, payload: Buffer.alloc(0), mask: false, rsv1: true },
    ];
    for (const spec of specs) {
      const { bytes, frame } = crossed(spec, spec.mask === false ? 'server' : 'client');
      assert.equal(
        wireParts(frame)
          .map((part) => part.hex)
          .join(' '),
        hexOf(bytes),
        JSON.stringify(spec),
      );
    }
  });

  it('writes the 16- and 64-bit length forms as they crossed, and the first 256 payload bytes', () => {
    for (const [length, form, field] of [
      [126, 16, 126],
      [65_535, 16, 126],
      [65_536, 64, 127],
    ] as const) {
      const { bytes, frame } = crossed({ opcode: Opcode.binary, payload: Buffer.alloc(length, 7) });
      assert.equal(frame.lengthForm, form);
      assert.equal(lengthField(frame), field);
      const headerBytes = 2 + form / 8 + 4;
      assert.equal(extendedLength(frame), hexOf(bytes.subarray(2, 2 + form / 8)));
      const parts = wireParts(frame);
      assert.equal(
        parts.map((part) => part.hex).join(' '),
        hexOf(bytes.subarray(0, headerBytes + MONITOR_LIMITS.payloadBytes)),
      );
      assert.equal(frame.truncated, length > MONITOR_LIMITS.payloadBytes);
    }
  });
});

describe('headerBits', () => {
  it('spells out the first two bytes field by field, as the RFC draws them', () => {
    const { frame } = crossed({ opcode: Opcode.text, payload: 'Hello, world!' });
    assert.deepEqual(headerBits(frame), {
      fin: '1',
      rsv1: '0',
      rsv2: '0',
      rsv3: '0',
      opcode: '0001',
      mask: '1',
      length7: '0001101',
    });
    const long = crossed({
      opcode: Opcode.pong,
      payload: Buffer.alloc(200),
      mask: false,
      fin: false,
      rsv3: true,
    }).frame;
    assert.deepEqual(headerBits(long), {
      fin: '0',
      rsv1: '0',
      rsv2: '0',
      rsv3: '1',
      opcode: '1010',
      mask: '0',
      length7: '1111110',
    });
  });
});

describe('hixieBytes', () => {
  it('frames text as Go Web Programming §8.2 says: 0x00, the UTF-8 bytes, 0xFF', () => {
    assert.equal(hixieBytes('Hi'), '00 48 69 ff');
    assert.equal(hixieBytes(''), '00 ff');
    assert.equal(hixieBytes('✓'), '00 e2 9c 93 ff');
  });

  it('spaces hex in pairs', () => {
    assert.equal(spaced('8015bde7'), '80 15 bd e7');
    assert.equal(spaced(''), '');
  });
});

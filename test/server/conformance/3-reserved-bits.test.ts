// Autobahn category 3: reserved bits. No extension is negotiated, so any of
// RSV1–RSV3 set on any frame fails the connection with 1002 (RFC 6455 §5.2).
// Each case sends a valid message first (it must be echoed) and a ping after
// the bad frame (it must not be answered: the connection is failed).
import { describe, it } from 'node:test';
import { assertStillServing, expectCloseCode, expectTextEcho, open } from '../../support/frame-assertions.ts';
import { encodeFrame, type FrameSpec, Opcode } from '../../support/frames.ts';
import { useEchoServer } from '../../support/servers.ts';

type Rsv = 'rsv1' | 'rsv2' | 'rsv3';

interface Case {
  on: string;
  /** The frames that end with the one carrying the bit. */
  frames(rsv: Rsv): FrameSpec[];
}

const cases: Case[] = [
  { on: 'a text frame', frames: (rsv) => [{ opcode: Opcode.text, payload: 'Hello', [rsv]: true }] },
  { on: 'a ping', frames: (rsv) => [{ opcode: Opcode.ping, payload: 'ping', [rsv]: true }] },
  {
    on: 'a continuation frame',
    frames: (rsv) => [
      { opcode: Opcode.text, payload: 'frag', fin: false },
      { opcode: Opcode.continuation, payload: 'ment', [rsv]: true },
    ],
  },
];

describe('3 reserved bits', () => {
  const server = useEchoServer();

  let n = 0;
  for (const c of cases) {
    for (const rsv of ['rsv1', 'rsv2', 'rsv3'] as const) {
      it(`3.${++n} ${rsv.toUpperCase()} set on ${c.on} fails the connection with 1002`, async () => {
        const client = await open(server.port);
        client.write(
          Buffer.concat([
            encodeFrame({ opcode: Opcode.text, payload: 'before' }),
            ...c.frames(rsv).map(encodeFrame),
            encodeFrame({ opcode: Opcode.ping, payload: 'after' }),
          ]),
        );
        await expectTextEcho(client, 'before');
        await expectCloseCode(client, 1002);
        await assertStillServing(server.port);
      });
    }
  }

  const more: Array<[string, FrameSpec]> = [
    [
      'all three RSV bits on a binary frame',
      { opcode: Opcode.binary, payload: Buffer.from([1, 2, 3]), rsv1: true, rsv2: true, rsv3: true },
    ],
    ['RSV2 on a pong', { opcode: Opcode.pong, payload: 'pong', rsv2: true }],
    ['RSV1 on a close frame', { opcode: Opcode.close, payload: Buffer.from([0x03, 0xe8]), rsv1: true }],
    ['RSV3 on an empty text frame', { opcode: Opcode.text, rsv3: true }],
  ];
  for (const [name, spec] of more) {
    it(`3.${++n} ${name} fails the connection with 1002`, async () => {
      const client = await open(server.port);
      client.write(Buffer.concat([encodeFrame({ opcode: Opcode.text, payload: 'before' }), encodeFrame(spec)]));
      await expectTextEcho(client, 'before');
      await expectCloseCode(client, 1002);
      await assertStillServing(server.port);
    });
  }
});

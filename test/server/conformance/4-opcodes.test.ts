// Autobahn category 4: reserved opcodes. Non-control 0x3–0x7 and control
// 0xB–0xF are undefined, so receiving one fails the connection with 1002
// (RFC 6455 §5.2). A valid message before is echoed; a ping after is not answered.
import { describe, it } from 'node:test';
import { assertStillServing, expectCloseCode, expectTextEcho, open } from '../../support/frame-assertions.ts';
import { encodeFrame, Opcode } from '../../support/frames.ts';
import { useEchoServer } from '../../support/servers.ts';

describe('4 opcodes', () => {
  const server = useEchoServer();

  let n = 0;
  for (const [kind, opcodes] of [
    ['non-control', [0x3, 0x4, 0x5, 0x6, 0x7]],
    ['control', [0xb, 0xc, 0xd, 0xe, 0xf]],
  ] as const) {
    for (const opcode of opcodes) {
      const hex = `0x${opcode.toString(16).toUpperCase()}`;
      it(`4.${++n} reserved ${kind} opcode ${hex} fails the connection with 1002`, async () => {
        const client = await open(server.port);
        client.write(
          Buffer.concat([
            encodeFrame({ opcode: Opcode.text, payload: 'before' }),
            encodeFrame({ opcode, payload: 'reserved' }),
            encodeFrame({ opcode: Opcode.ping, payload: 'after' }),
          ]),
        );
        await expectTextEcho(client, 'before');
        await expectCloseCode(client, 1002);
        await assertStillServing(server.port);
      });
    }
  }

  it(`4.${++n} reserved opcode 0x3 with an empty payload fails the connection with 1002`, async () => {
    const client = await open(server.port);
    client.send({ opcode: 0x3 });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it(`4.${++n} reserved control opcode 0xF with an empty payload fails the connection with 1002`, async () => {
    const client = await open(server.port);
    client.send({ opcode: 0xf });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it(`4.${++n} reserved opcode 0x4 in the middle of a fragmented message fails the connection with 1002`, async () => {
    const client = await open(server.port);
    client.write(
      Buffer.concat([
        encodeFrame({ opcode: Opcode.text, payload: 'frag', fin: false }),
        encodeFrame({ opcode: 0x4, payload: 'what', fin: false }),
        encodeFrame({ opcode: Opcode.continuation, payload: 'ment' }),
      ]),
    );
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });
});

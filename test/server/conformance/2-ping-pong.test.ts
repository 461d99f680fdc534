// Autobahn category 2: pings and pongs. A ping is answered with a pong of the
// identical payload (RFC 6455 §5.5.2/§5.5.3), a control payload over 125 bytes
// fails the connection (§5.5), an unsolicited pong is ignored (§5.5.3).
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  assertStillServing,
  expectCloseCode,
  expectFrame,
  expectTextEcho,
  open,
} from '../../support/frame-assertions.ts';
import { encodeFrame, Opcode } from '../../support/frames.ts';
import { writeByteByByte } from '../../support/raw-client.ts';
import { useEchoServer } from '../../support/servers.ts';

describe('2 ping-pong', () => {
  const server = useEchoServer();

  const payloads: Array<[string, Buffer]> = [
    ['no payload', Buffer.alloc(0)],
    ['a short text payload', Buffer.from('Hello, pong!')],
    ['a 125-byte payload (the maximum)', Buffer.alloc(125, 0xfe)],
    [
      'a binary payload with NUL, 0x80 and 0xFF bytes',
      Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7f, 0x00, 0x01, 0xc0, 0xed, 0xa0, 0x80]),
    ],
    ['a random 125-byte binary payload', randomBytes(125)],
  ];
  let n = 0;
  for (const [name, payload] of payloads) {
    it(`2.${++n} a ping with ${name} is answered with a pong carrying the identical payload`, async () => {
      const client = await open(server.port);
      client.send({ opcode: Opcode.ping, payload });
      await expectFrame(client, Opcode.pong, payload);
      client.destroy();
    });
  }

  it('2.6 a ping with 125 bytes written one byte at a time is answered', async () => {
    const client = await open(server.port);
    const payload = randomBytes(125);
    await writeByteByByte(client.socket, encodeFrame({ opcode: Opcode.ping, payload }));
    await expectFrame(client, Opcode.pong, payload);
    client.destroy();
  });

  it('2.7 ten pings in a row get ten pongs, in order', async () => {
    const client = await open(server.port);
    const payloads10 = Array.from({ length: 10 }, (_, i) => Buffer.from(`ping ${i}`));
    client.write(Buffer.concat(payloads10.map((payload) => encodeFrame({ opcode: Opcode.ping, payload }))));
    for (const payload of payloads10) await expectFrame(client, Opcode.pong, payload);
    client.destroy();
  });

  it('2.8 a ping with a 126-byte payload fails the connection with 1002 (control frames carry at most 125)', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.ping, payload: Buffer.alloc(126, 0x61) });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('2.9 a ping announcing a 16-bit length of 65535 fails with 1002 before its payload is sent', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.ping, declaredLength: 65535 });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('2.10 an unsolicited empty pong is ignored: no reply, and the connection still echoes', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.pong });
    client.send({ opcode: Opcode.text, payload: 'after the pong' });
    // The echo is the next frame: nothing was sent in answer to the pong.
    await expectTextEcho(client, 'after the pong');
    client.destroy();
  });

  it('2.11 an unsolicited pong with a payload is ignored: no reply, and the connection still echoes', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.pong, payload: 'unsolicited' });
    client.send({ opcode: Opcode.pong, payload: randomBytes(125) });
    client.send({ opcode: Opcode.text, payload: 'after two pongs' });
    await expectTextEcho(client, 'after two pongs');
    client.send({ opcode: Opcode.ping, payload: 'still' });
    await expectFrame(client, Opcode.pong, Buffer.from('still'));
    client.destroy();
  });

  it('2.12 a pong with a 126-byte payload fails the connection with 1002', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.pong, payload: Buffer.alloc(126) });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });
});

// Autobahn category 7: the closing handshake (RFC 6455 §5.5.1, §7). A close
// with a valid code (or none) is answered with a close and the server closes
// TCP; codes that must not appear on the wire, a 1-byte body or an oversized
// close fail with 1002; a reason that is not UTF-8 fails with 1007; nothing
// the client sends after its close is answered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertNoMoreFrames,
  assertStillServing,
  expectCloseCode,
  expectTextEcho,
  expectValidClose,
  open,
} from '../../support/frame-assertions.ts';
import { closePayload, encodeFrame, Opcode } from '../../support/frames.ts';
import { writeByteByByte } from '../../support/raw-client.ts';
import { useEchoServer } from '../../support/servers.ts';

describe('7 close', () => {
  const server = useEchoServer();

  let n = 0;
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
    it(`7.1.${++n} a close with valid code ${code} is answered with a valid close frame, then TCP is closed`, async (t) => {
      const client = await open(server.port);
      client.send({ opcode: Opcode.close, payload: closePayload(code, 'bye') });
      const answered = await expectValidClose(client);
      // RFC 6455 §5.5.1: the reply "typically echos the status code it received"; not required.
      if (answered !== code) t.diagnostic(`the server answered ${code} with ${answered ?? 'an empty close'}`);
      await assertStillServing(server.port);
    });
  }

  it('7.2.1 a close with an empty body is answered with a close (empty or 1000), then TCP is closed', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.close });
    const answered = await expectValidClose(client);
    assert.ok(answered === undefined || answered === 1000, `answered an empty close with ${answered}`);
    await assertStillServing(server.port);
  });

  it('7.2.2 a close with code 1000 and a 123-byte reason (125 bytes, the maximum) is answered', async () => {
    const client = await open(server.port);
    const reason = 'r'.repeat(123);
    const payload = closePayload(1000, reason);
    assert.equal(payload.length, 125);
    client.send({ opcode: Opcode.close, payload });
    assert.equal(await expectValidClose(client), 1000);
    await assertStillServing(server.port);
  });

  it('7.2.3 a close with a multi-byte UTF-8 reason is answered', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.close, payload: closePayload(1000, 'au revoir, κόσμε 😀') });
    assert.equal(await expectValidClose(client), 1000);
    await assertStillServing(server.port);
  });

  n = 0;
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    it(`7.3.${++n} a close with invalid code ${code} fails the connection with 1002`, async () => {
      const client = await open(server.port);
      client.send({ opcode: Opcode.close, payload: closePayload(code) });
      await expectCloseCode(client, 1002);
      await assertStillServing(server.port);
    });
  }

  it('7.4.1 a close with a 1-byte body fails the connection with 1002', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.close, payload: Buffer.from([0x03]) });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('7.4.2 a close with a 124-byte reason (126 bytes, over the control-frame limit) fails the connection with 1002', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.close, payload: closePayload(1000, 'r'.repeat(124)) });
    await expectCloseCode(client, 1002);
    await assertStillServing(server.port);
  });

  it('7.5.1 a close whose reason is not UTF-8 fails the connection with 1007', async () => {
    const client = await open(server.port);
    const payload = Buffer.concat([closePayload(1000), Buffer.from([0x68, 0x69, 0xed, 0xa0, 0x80, 0xff])]);
    client.send({ opcode: Opcode.close, payload });
    await expectCloseCode(client, 1007);
    await assertStillServing(server.port);
  });

  it('7.5.2 a close whose reason ends in the middle of a UTF-8 sequence fails the connection with 1007', async () => {
    const client = await open(server.port);
    const payload = Buffer.concat([closePayload(1001, 'bye '), Buffer.from([0xf0, 0x9f, 0x98])]);
    client.send({ opcode: Opcode.close, payload });
    await expectCloseCode(client, 1007);
    await assertStillServing(server.port);
  });

  it('7.6.1 data, a ping and a second close sent right after the close (same write) get no reply', async () => {
    const client = await open(server.port);
    client.write(
      Buffer.concat([
        encodeFrame({ opcode: Opcode.text, payload: 'before' }),
        encodeFrame({ opcode: Opcode.close, payload: closePayload(1000) }),
        encodeFrame({ opcode: Opcode.text, payload: 'after the close' }),
        encodeFrame({ opcode: Opcode.binary, payload: Buffer.from([1, 2, 3]) }),
        encodeFrame({ opcode: Opcode.ping, payload: 'after the close' }),
        encodeFrame({ opcode: Opcode.close, payload: closePayload(1000) }),
      ]),
    );
    await expectTextEcho(client, 'before');
    // expectValidClose also asserts that no frame follows the close before TCP closes.
    assert.equal(await expectValidClose(client), 1000);
    await assertStillServing(server.port);
  });

  it('7.6.2 data and a ping sent after the server answered the close get no reply', async () => {
    const client = await open(server.port);
    client.send({ opcode: Opcode.close, payload: closePayload(1000) });
    const reply = await client.nextFrame();
    assert.equal(reply.opcode, Opcode.close);
    // Written after the server's close arrived; the server may already have gone (errors are ignored).
    client.write(
      Buffer.concat([
        encodeFrame({ opcode: Opcode.text, payload: 'too late' }),
        encodeFrame({ opcode: Opcode.ping, payload: 'too late' }),
      ]),
    );
    await client.closed();
    assert.equal(client.serverEnded, true, 'the server should close the TCP connection');
    await assertNoMoreFrames(client);
    await assertStillServing(server.port);
  });

  it('7.6.3 a close sent one byte at a time is answered', async () => {
    const client = await open(server.port);
    await writeByteByByte(client.socket, encodeFrame({ opcode: Opcode.close, payload: closePayload(1000, 'slow') }));
    assert.equal(await expectValidClose(client), 1000);
    await assertStillServing(server.port);
  });
});

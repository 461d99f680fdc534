// Several frames in one read: the echo answers whole small data frames
// straight from the chunk (server/whole-frames.ts) and leaves the rest to ws
// from the first frame it does not take. On the wire nothing may differ:
// every reply in order and byte for byte, control frames and fragments
// answered where they fall, and a bad frame in the middle of a read failing
// the connection with its close code after the replies to the frames before it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { readFirst } from '../../server/read-first.ts';
import {
  assertEchoes,
  expectBinaryEcho,
  expectCloseCode,
  expectFrame,
  expectTextEcho,
} from '../support/frame-assertions.ts';
import { closePayload, encodeFrame, type FrameSpec, Opcode, parseClose } from '../support/frames.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { RawClient } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { delay } from '../support/wait.ts';

/** The frames as one write, so they reach the server in one read (loopback, no Nagle in between). */
function together(client: RawClient, frames: FrameSpec[]): void {
  client.write(Buffer.concat(frames.map(encodeFrame)));
}

const text = (payload: string | Buffer): FrameSpec => ({ opcode: Opcode.text, payload });
const binary = (payload: Buffer): FrameSpec => ({ opcode: Opcode.binary, payload });

describe('several messages in one read', () => {
  const s = useEchoServer();

  it('echoes each, in order, whatever its kind and length', async () => {
    const client = await RawClient.connect(s.port);
    // The first message is read by ws; the ones after it straight from the read.
    await assertEchoes(client, 'first');
    const messages = [
      text('one'),
      binary(Buffer.from([0, 1, 2, 255])),
      text(''),
      binary(Buffer.alloc(0)),
      text('x'.repeat(115)), // its reply is 125 bytes: the 7-bit length's last
      text('y'.repeat(116)), // 126: the 16-bit length's first
      text('Hello, 你好! 👋'),
      binary(Buffer.alloc(3000, 7)),
      text('last'),
    ];
    together(client, messages);
    for (const { opcode, payload } of messages) {
      if (opcode === Opcode.text) await expectTextEcho(client, payload as string);
      else await expectBinaryEcho(client, payload as Buffer);
    }
    client.destroy();
  });

  it('replies on /raw without the prefix', async () => {
    const client = await RawClient.connect(s.port, { path: '/raw' });
    client.send(text('a'));
    await expectFrame(client, Opcode.text, Buffer.from('a'));
    together(client, [text('b'), text('c')]);
    await expectFrame(client, Opcode.text, Buffer.from('b'));
    await expectFrame(client, Opcode.text, Buffer.from('c'));
    client.destroy();
  });

  it('answers a ping between messages after the replies to the ones before it', async () => {
    const client = await RawClient.connect(s.port);
    await assertEchoes(client, 'first');
    together(client, [text('before'), { opcode: Opcode.ping, payload: 'p' }, text('after')]);
    await expectTextEcho(client, 'before');
    await expectFrame(client, Opcode.pong, Buffer.from('p'));
    await expectTextEcho(client, 'after');
    client.destroy();
  });

  it('reassembles a fragmented message that starts in the middle of a read', async () => {
    const client = await RawClient.connect(s.port);
    await assertEchoes(client, 'first');
    together(client, [
      text('whole'),
      { opcode: Opcode.text, payload: 'frag', fin: false },
      { opcode: Opcode.continuation, payload: 'mented' },
      text('again whole'),
    ]);
    await expectTextEcho(client, 'whole');
    await expectTextEcho(client, 'fragmented');
    await expectTextEcho(client, 'again whole');
    client.destroy();
  });

  it('echoes every message of a read cut anywhere, even inside a frame', async () => {
    const client = await RawClient.connect(s.port);
    await assertEchoes(client, 'first');
    const messages = ['alpha', 'b'.repeat(130), 'gamma'];
    const bytes = Buffer.concat(messages.map((m) => encodeFrame(text(m))));
    for (let cut = 1; cut < bytes.length; cut += 7) {
      client.write(bytes.subarray(0, cut));
      // Long enough for the server to read the first part alone.
      await delay(2);
      client.write(bytes.subarray(cut));
      for (const message of messages) await expectTextEcho(client, message);
    }
    client.destroy();
  });

  it('closes after a close frame, having replied to the messages before it', async () => {
    const client = await RawClient.connect(s.port);
    await assertEchoes(client, 'first');
    together(client, [text('one'), text('two'), { opcode: Opcode.close, payload: closePayload(1000) }, text('late')]);
    await expectTextEcho(client, 'one');
    await expectTextEcho(client, 'two');
    await expectCloseCode(client, 1000);
  });

  // A bad frame after good ones: the good ones are answered, then ws fails
  // the connection with the code RFC 6455 gives that fault, and nothing after
  // the bad frame is echoed (expectCloseCode asserts no frame follows).
  for (const [fault, bad, code] of [
    ['invalid UTF-8 in a text message', text(Buffer.from([0x61, 0xc3, 0x28])), 1007],
    ['an unmasked frame', { opcode: Opcode.text, payload: 'bare', mask: false }, 1002],
    ['RSV1 without an extension', { opcode: Opcode.text, payload: 'rsv1', rsv1: true }, 1002],
    ['a reserved opcode', { opcode: 0x3, payload: 'op3' }, 1002],
    ['a continuation with nothing to continue', { opcode: Opcode.continuation, payload: 'cont' }, 1002],
  ] as const) {
    it(`fails the connection at ${fault} (${code}) after replying to the messages before it`, async () => {
      const client = await RawClient.connect(s.port);
      await assertEchoes(client, 'first');
      together(client, [text('good 1'), binary(Buffer.from('good 2')), bad, text('never echoed')]);
      await expectTextEcho(client, 'good 1');
      await expectBinaryEcho(client, Buffer.from('good 2'));
      await expectCloseCode(client, code);
    });
  }

  it('counts every message of a read in /metrics', async () => {
    const client = await RawClient.connect(s.port);
    await assertEchoes(client, 'first');
    const count = async (name: string, type: string) => (await scrapeValue(s.url, name, { type })) ?? 0;
    const before = {
      textIn: await count('ws_echo_messages_received_total', 'text'),
      binaryIn: await count('ws_echo_messages_received_total', 'binary'),
      textBytesOut: await count('ws_echo_bytes_sent_total', 'text'),
      binaryBytesOut: await count('ws_echo_bytes_sent_total', 'binary'),
    };
    together(client, [text('abc'), binary(Buffer.alloc(5)), text('de')]);
    await expectTextEcho(client, 'abc');
    await expectBinaryEcho(client, Buffer.alloc(5));
    await expectTextEcho(client, 'de');
    assert.equal((await count('ws_echo_messages_received_total', 'text')) - before.textIn, 2);
    assert.equal((await count('ws_echo_messages_received_total', 'binary')) - before.binaryIn, 1);
    assert.equal((await count('ws_echo_bytes_sent_total', 'text')) - before.textBytesOut, 10 + 3 + 10 + 2);
    assert.equal((await count('ws_echo_bytes_sent_total', 'binary')) - before.binaryBytesOut, 5);
    client.destroy();
  });
});

describe('several messages in one read, under limits', () => {
  const s = useEchoServer(['--max-message-size', '64', '--rate-limit', '5']);

  it('fails the connection with 1009 at a message over --max-message-size, after replying to the ones before it', async () => {
    const client = await RawClient.connect(s.port);
    await assertEchoes(client, 'first');
    together(client, [text('small'), text('z'.repeat(65)), text('never echoed')]);
    await expectTextEcho(client, 'small');
    await expectCloseCode(client, 1009);
  });

  it('echoes what --rate-limit allows of a read, then closes with 1008', async () => {
    const client = await RawClient.connect(s.port);
    // A full bucket holds 5 tokens: the first message takes one, the read four more, the sixth is refused.
    await assertEchoes(client, 'first');
    together(
      client,
      ['1', '2', '3', '4', '5', '6'].map((n) => text(n)),
    );
    for (const n of ['1', '2', '3', '4']) await expectTextEcho(client, n);
    const close = await client.nextFrame();
    assert.equal(close.opcode, Opcode.close);
    assert.deepEqual(parseClose(close), { code: 1008, reason: 'rate limit exceeded' });
    // A close the server starts is complete when the client answers it.
    client.send({ opcode: Opcode.close, payload: closePayload(1008) });
    await client.closed();
  });
});

describe('the read hook', () => {
  const s = useEchoServer();

  it("recognises the installed ws's receiver, so reads do take the fast path", async () => {
    const hook = readFirst(() => 0);
    const ws = new WebSocket(s.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    assert.equal(hook(ws), true, "ws's receiver is not what server/read-first.ts knows: reads go through ws alone");
    ws.terminate();
  });
});

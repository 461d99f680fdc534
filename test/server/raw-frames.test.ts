// The protocol on the wire, with a hand-made client on a bare TCP socket:
// the tutorials' handshake vectors, exact frames back, and malformed frames
// failing only their own connection with the RFC 6455 close code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as wsModule from 'ws';
import { assertEchoes, expectCloseCode, expectFrame, open } from '../support/frame-assertions.ts';
import { acceptFor, closePayload, encodeFrame, type FrameSpec, Opcode, parseClose } from '../support/frames.ts';
import { RawClient, recordWire } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';

describe('the opening handshake, by hand', () => {
  const s = useEchoServer();

  for (const [tutorial, key, accept] of [
    ['Go Web Programming', 'f7cb4ezEAl6C3wRaU6JORA==', 'rE91AJhfC+6JdVcVXOGJEADEJdQ='],
    ["Ruan Yifeng's tutorial", 'sN9cRrP/n9NdMgdcy2VJFQ==', 'fFBooB7FAkLlXgRSz0BT3v4hq5s='],
  ] as const) {
    it(`answers ${tutorial}'s key ${key} with Sec-WebSocket-Accept ${accept}`, async () => {
      assert.equal(acceptFor(key), accept, 'the helper agrees with the tutorial');
      // No Origin: Ruan Yifeng's page's `Origin: null` is a policy question (test/server/origin.test.ts).
      const client = await RawClient.connect(s.port, { key });
      assert.equal(client.response.statusLine, 'HTTP/1.1 101 Switching Protocols');
      assert.equal(client.response.headers['sec-websocket-accept'], accept);
      assert.match(client.response.headers.upgrade ?? '', /^websocket$/i);
      assert.match(client.response.headers.connection ?? '', /^upgrade$/i);
      assert.equal(client.response.headers['sec-websocket-protocol'], undefined, 'no protocol was offered');
      await assertEchoes(client, 'Hello, world!');
      client.destroy();
    });
  }

  it('answers a random key with SHA-1(key + GUID) in base64', async () => {
    const client = await open(s.port);
    assert.equal(client.response.headers['sec-websocket-accept'], acceptFor(client.key));
    client.destroy();
  });

  it('selects echo-protocol from a list that offers it', async () => {
    const client = await open(s.port, { protocol: 'chat, echo-protocol' });
    assert.equal(client.response.headers['sec-websocket-protocol'], 'echo-protocol');
    client.destroy();
  });

  it('sends no Sec-WebSocket-Protocol when only unknown protocols are offered, and still echoes', async () => {
    const client = await open(s.port, { protocol: 'chat, superchat' });
    assert.equal(client.response.headers['sec-websocket-protocol'], undefined);
    await assertEchoes(client, 'no protocol');
    client.destroy();
  });

  it('refuses an upgrade on another path with 404 and closes the connection', async () => {
    const client = await RawClient.connect(s.port, { path: '/nope' });
    assert.equal(client.response.statusLine, 'HTTP/1.1 404 Not Found');
    assert.equal(client.response.headers['sec-websocket-accept'], undefined);
    await client.closed();
    assert.equal(client.serverEnded, true);
    assert.equal(client.body.toString(), 'Not Found');
  });

  it('refuses a malformed Sec-WebSocket-Key with 400', async () => {
    const client = await RawClient.connect(s.port, { key: 'not-a-valid-key' });
    assert.equal(client.response.statusCode, 400);
    await client.closed();
  });
});

describe('frames, by hand', () => {
  const s = useEchoServer();

  it('answers a masked text frame with an unmasked text frame', async () => {
    const client = await RawClient.connect(s.port);
    await assertEchoes(client, 'Hello, world!');
    client.destroy();
  });

  it('answers a masked binary frame with the same bytes, unmasked, in a binary frame', async () => {
    const client = await RawClient.connect(s.port);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    client.send({ opcode: Opcode.binary, payload: bytes });
    await expectFrame(client, Opcode.binary, bytes);
    client.destroy();
  });

  it('handles 16-bit and 64-bit payload lengths both ways', async () => {
    const client = await RawClient.connect(s.port);
    for (const size of [125, 126, 65535, 65536, 70000]) {
      const bytes = Buffer.alloc(size, size % 251);
      client.send({ opcode: Opcode.binary, payload: bytes });
      await expectFrame(client, Opcode.binary, bytes);
    }
    client.destroy();
  });

  it('reassembles a fragmented text message (split inside a UTF-8 character, a ping in between) into one reply', async () => {
    const client = await RawClient.connect(s.port);
    const text = Buffer.from('Hello, 你好!');
    const cut = text.indexOf(Buffer.from('你')) + 1; // in the middle of 你
    client.send({ opcode: Opcode.text, payload: text.subarray(0, 3), fin: false });
    client.send({ opcode: Opcode.ping, payload: 'p1' });
    client.send({ opcode: Opcode.continuation, payload: text.subarray(3, cut), fin: false });
    client.send({ opcode: Opcode.continuation, payload: text.subarray(cut) });
    await expectFrame(client, Opcode.pong, Buffer.from('p1'));
    await expectFrame(client, Opcode.text, Buffer.from('Received: Hello, 你好!'));
    client.destroy();
  });

  it('answers a close frame with a close frame of the same code and then closes the TCP connection', async () => {
    const client = await RawClient.connect(s.port);
    client.send({ opcode: Opcode.close, payload: closePayload(1000, 'bye') });
    const frame = await client.nextFrame();
    assert.equal(frame.masked, false);
    assert.equal(parseClose(frame).code, 1000);
    await client.closed();
    assert.equal(client.serverEnded, true);
  });
});

// Small replies are framed by the echo itself (server/reply-frame.ts, up to
// REPLY_FRAME_MAX bytes), larger ones by ws: on the wire, both must be
// exactly the frame ws's own Sender makes for that reply.
describe('every reply is byte for byte the frame ws would send', () => {
  const s = useEchoServer();
  // The 7-bit form's last and the 16-bit form's first, around the echo's own framing's end (4096),
  // the 16-bit form's last and the 64-bit form's first.
  const REPLY_LENGTHS = [0, 1, 125, 126, 4095, 4096, 4097, 65535, 65536];

  for (const path of ['/', '/raw']) {
    const prefix = path === '/' ? 'Received: ' : '';
    for (const opcode of [Opcode.text, Opcode.binary]) {
      const kind = opcode === Opcode.text ? 'text' : 'binary';
      it(`${kind} replies on ${path} of ${REPLY_LENGTHS.join(', ')} bytes`, async () => {
        const client = await RawClient.connect(s.port, { path });
        for (const length of REPLY_LENGTHS) {
          const own = opcode === Opcode.text ? prefix.length : 0;
          if (length < own) continue;
          const payload = Buffer.alloc(length - own, 0x61 + (length % 26));
          const reply = opcode === Opcode.text ? Buffer.concat([Buffer.from(prefix), payload]) : payload;
          const wire = recordWire(client);
          client.send({ opcode, payload });
          await client.nextFrame();
          assert.deepEqual(wire(), wsFrame(opcode, reply), `the frame of a ${length}-byte ${kind} reply on ${path}`);
        }
        client.destroy();
      });
    }
  }

  it('sends nothing after its close frame: a message that arrives while the server is closing gets no reply', async () => {
    const client = await RawClient.connect(s.port);
    await assertEchoes(client, 'before');
    const wire = recordWire(client);
    const closing = s.server.close();
    const frame = await client.nextFrame();
    assert.equal(frame.opcode, Opcode.close);
    client.send({ opcode: Opcode.text, payload: 'after the close frame' });
    client.send({ opcode: Opcode.close, payload: closePayload(1001) });
    await client.closed();
    await closing;
    assert.deepEqual(
      wire(),
      wsFrame(Opcode.close, closePayload(1001, 'server shutting down')),
      'the close frame alone',
    );
  });
});

/** ws's own framing, which ws exports but its type definitions leave out. */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, boolean | number>): Buffer[] };
};

/** The unmasked frame ws's Sender makes for `payload` as one message, as ws.send would write it. */
function wsFrame(opcode: number, payload: Buffer): Buffer {
  return Buffer.concat(Sender.frame(payload, { fin: true, opcode, mask: false, readOnly: false, rsv1: false }));
}

interface BadCase {
  name: string;
  frames: FrameSpec[];
  code: number;
}

const badCases: BadCase[] = [
  { name: 'an unmasked client frame', frames: [{ opcode: Opcode.text, payload: 'Hello', mask: false }], code: 1002 },
  {
    name: 'a text frame that is not UTF-8',
    frames: [{ opcode: Opcode.text, payload: Buffer.from([0x48, 0xc3, 0x28, 0xff]) }],
    code: 1007,
  },
  {
    name: 'overlong UTF-8 (0xC0 0xAF for "/")',
    frames: [{ opcode: Opcode.text, payload: Buffer.from([0xc0, 0xaf]) }],
    code: 1007,
  },
  {
    name: 'RSV1 set without an extension',
    frames: [{ opcode: Opcode.text, payload: 'Hello', rsv1: true }],
    code: 1002,
  },
  { name: 'RSV3 set', frames: [{ opcode: Opcode.binary, payload: 'Hello', rsv3: true }], code: 1002 },
  { name: 'reserved data opcode 0x3', frames: [{ opcode: 0x3, payload: 'Hello' }], code: 1002 },
  { name: 'reserved control opcode 0xB', frames: [{ opcode: 0xb, payload: 'Hello' }], code: 1002 },
  {
    name: 'a ping with 126 bytes (control frames carry at most 125)',
    frames: [{ opcode: Opcode.ping, payload: Buffer.alloc(126) }],
    code: 1002,
  },
  { name: 'a fragmented ping', frames: [{ opcode: Opcode.ping, payload: 'p', fin: false }], code: 1002 },
  {
    name: 'a continuation frame with nothing to continue',
    frames: [{ opcode: Opcode.continuation, payload: 'lost' }],
    code: 1002,
  },
  {
    name: 'a new text frame inside a fragmented message',
    frames: [
      { opcode: Opcode.text, payload: 'part', fin: false },
      { opcode: Opcode.text, payload: 'again' },
    ],
    code: 1002,
  },
  {
    name: 'a close frame with a 1-byte payload',
    frames: [{ opcode: Opcode.close, payload: Buffer.from([0x03]) }],
    code: 1002,
  },
  {
    name: 'a close frame with code 1005 (never sent on the wire)',
    frames: [{ opcode: Opcode.close, payload: closePayload(1005) }],
    code: 1002,
  },
  { name: 'a close frame with code 999', frames: [{ opcode: Opcode.close, payload: closePayload(999) }], code: 1002 },
  // Only the header is sent: the size is refused before the payload arrives.
  {
    name: 'a frame announcing 2 MiB (over the 1 MiB limit)',
    frames: [{ opcode: Opcode.binary, declaredLength: 2 * 1024 * 1024 }],
    code: 1009,
  },
];

describe('malformed frames fail only their own connection', () => {
  const s = useEchoServer();

  for (const bad of badCases) {
    it(`closes ${bad.name} with ${bad.code}, and keeps serving others`, async () => {
      const bystander = await RawClient.connect(s.port);
      const client = await RawClient.connect(s.port);
      client.write(Buffer.concat(bad.frames.map(encodeFrame)));

      await expectCloseCode(client, bad.code);

      // The connection that was already open, and a new one, are both still echoed.
      await assertEchoes(bystander, 'bystander');
      const fresh = await RawClient.connect(s.port);
      await assertEchoes(fresh, 'fresh');
      bystander.destroy();
      fresh.destroy();
    });
  }
});

describe('shutdown with a client that never answers the close', () => {
  const s = useEchoServer(['--shutdown-grace', '300']);

  it('sends it 1001 "server shutting down", waits the grace period, then cuts it off', async () => {
    const silent = await RawClient.connect(s.port);
    await assertEchoes(silent, 'before shutdown');
    const started = Date.now();
    const closing = s.server.close();

    const frame = await silent.nextFrame();
    assert.deepEqual(parseClose(frame), { code: 1001, reason: 'server shutting down' });
    // Not answering: the server must stop waiting after the grace period and drop the socket.
    await silent.closed(3000);
    await closing;
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250, `close() returned after ${elapsed} ms, before the 300 ms grace period`);
    assert.ok(elapsed < 2500, `close() took ${elapsed} ms with a 300 ms grace period`);
  });
});

// The echo, in-process, through the `ws` client: text gets "Received: ",
// binary comes back byte for byte, order is kept, the page and the echo
// share one port, and limits and shutdown close with the right codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { useEchoServer } from '../support/servers.ts';
import { closed, echoOf, openClient, receive, refusedStatus } from '../support/ws-client.ts';

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('echo with the default config', () => {
  const s = useEchoServer();

  it('answers "Hello, world!" with one text frame "Received: Hello, world!"', async () => {
    const ws = await openClient(s.wsUrl);
    const { data, isBinary } = await echoOf(ws, 'Hello, world!');
    assert.equal(isBinary, false);
    assert.equal(data.toString(), 'Received: Hello, world!');
    ws.close();
  });

  it('answers an empty text message with "Received: "', async () => {
    const ws = await openClient(s.wsUrl);
    const { data, isBinary } = await echoOf(ws, '');
    assert.equal(isBinary, false);
    assert.equal(data.toString(), 'Received: ');
    ws.close();
  });

  it('round-trips CJK and emoji (with a skin-tone modifier) exactly', async () => {
    const message = '你好，世界 👋🏽 — こんにちは 안녕하세요';
    const ws = await openClient(s.wsUrl);
    const { data, isBinary } = await echoOf(ws, message);
    assert.equal(isBinary, false);
    assert.deepEqual(data, Buffer.from(`Received: ${message}`, 'utf8'));
    assert.equal(data.toString('utf8'), `Received: ${message}`);
    ws.close();
  });

  it('echoes a 64 KiB text message', async () => {
    const message = Array.from({ length: 64 * 1024 }, (_, i) => String.fromCharCode(0x21 + (i % 94))).join('');
    assert.equal(Buffer.byteLength(message), 64 * 1024);
    const ws = await openClient(s.wsUrl);
    const { data, isBinary } = await echoOf(ws, message);
    assert.equal(isBinary, false);
    assert.equal(data.length, 'Received: '.length + 64 * 1024);
    assert.equal(data.toString(), `Received: ${message}`);
    ws.close();
  });

  it('sends a binary message back as the same bytes in a binary frame (all 256 byte values)', async () => {
    const ws = await openClient(s.wsUrl);
    const { data, isBinary } = await echoOf(ws, allBytes);
    assert.equal(isBinary, true);
    assert.deepEqual(data, allBytes);
    ws.close();
  });

  it('echoes an empty binary message as an empty binary frame', async () => {
    const ws = await openClient(s.wsUrl);
    const { data, isBinary } = await echoOf(ws, Buffer.alloc(0));
    assert.equal(isBinary, true);
    assert.equal(data.length, 0);
    ws.close();
  });

  it('answers 100 pipelined messages (text and binary mixed) in order', async () => {
    const ws = await openClient(s.wsUrl);
    const replies = receive(ws, 100);
    const expected: Array<{ data: Buffer; isBinary: boolean }> = [];
    for (let i = 0; i < 100; i++) {
      if (i % 3 === 2) {
        const bytes = Buffer.from([i, 255 - i, 0, i]);
        ws.send(bytes, { binary: true });
        expected.push({ data: bytes, isBinary: true });
      } else {
        ws.send(`message ${i}`);
        expected.push({ data: Buffer.from(`Received: message ${i}`), isBinary: false });
      }
    }
    assert.deepEqual(await replies, expected);
    ws.close();
  });

  it('answers each client only with its own messages', async () => {
    const [a, b] = await Promise.all([openClient(s.wsUrl), openClient(s.wsUrl)]);
    const fromA = receive(a, 20);
    const fromB = receive(b, 20);
    for (let i = 0; i < 20; i++) {
      a.send(`a${i}`);
      b.send(`b${i}`);
    }
    const expect = (who: string) => Array.from({ length: 20 }, (_, i) => `Received: ${who}${i}`);
    assert.deepEqual(
      (await fromA).map((m) => m.data.toString()),
      expect('a'),
    );
    assert.deepEqual(
      (await fromB).map((m) => m.data.toString()),
      expect('b'),
    );
    a.close();
    b.close();
  });

  it('selects echo-protocol when it is offered among others', async () => {
    const ws = await openClient(s.wsUrl, ['chat', 'echo-protocol']);
    assert.equal(ws.protocol, 'echo-protocol');
    assert.equal((await echoOf(ws, 'with a protocol')).data.toString(), 'Received: with a protocol');
    ws.close();
  });

  it('selects echo-protocol when it is the only one offered', async () => {
    const ws = await openClient(s.wsUrl, 'echo-protocol');
    assert.equal(ws.protocol, 'echo-protocol');
    ws.close();
  });

  it('selects no subprotocol when only an unknown one is offered, and still echoes', async () => {
    // The ws client fails a handshake that offered protocols and got none back
    // ("Server sent no subprotocol"), stricter than browsers and RFC 6455 §4.1;
    // so the offer goes in as a plain header, which ws does not check against.
    // raw-frames.test.ts checks the same answer byte for byte.
    const ws = await openClient(s.wsUrl, undefined, { headers: { 'Sec-WebSocket-Protocol': 'chat' } });
    assert.equal(ws.protocol, '');
    assert.equal((await echoOf(ws, 'no protocol')).data.toString(), 'Received: no protocol');
    ws.close();
  });

  it('serves the page on GET / while an upgrade on / echoes, on the same port', async () => {
    const ws = await openClient(s.wsUrl);
    const response = await fetch(s.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await response.text(), /WebSocket Echo Test/);
    assert.equal(new URL(ws.url).port, new URL(s.url).port);
    assert.equal((await echoOf(ws, 'after the page')).data.toString(), 'Received: after the page');
    ws.close();
  });

  it('answers GET for an unknown page with 404', async () => {
    const response = await fetch(new URL('/nope', s.url));
    await response.arrayBuffer();
    assert.equal(response.status, 404);
  });

  it('refuses an upgrade on any other path with HTTP 404', async () => {
    assert.equal(await refusedStatus(new URL('/nope', s.wsUrl).href), 404);
    assert.equal(await refusedStatus(new URL('/index.html', s.wsUrl).href), 404);
    assert.equal(await refusedStatus(new URL('/echo/', s.wsUrl).href), 404);
  });

  it('echoes on / with a query string (the path, not the URL, is routed)', async () => {
    // Only known parameters: an unknown one is refused with 400 (test/server/misbehave-parameters.test.ts).
    const ws = await openClient(new URL('/?delay_ms=0', s.wsUrl).href);
    assert.equal((await echoOf(ws, 'query')).data.toString(), 'Received: query');
    ws.close();
  });

  it('echoes a message of exactly 1 MiB and closes with 1009 on 1 MiB + 1 byte', async () => {
    const ws = await openClient(s.wsUrl);
    const exact = Buffer.alloc(1024 * 1024, 0x5a);
    assert.deepEqual((await echoOf(ws, exact)).data, exact);

    const closeInfo = closed(ws);
    ws.send(Buffer.alloc(1024 * 1024 + 1, 0x5a), { binary: true });
    assert.equal((await closeInfo).code, 1009);
  });
});

describe('echo with --max-message-size 1024', () => {
  const s = useEchoServer(['--max-message-size', '1024']);

  it('echoes a message of exactly 1024 bytes', async () => {
    const ws = await openClient(s.wsUrl);
    const message = 'x'.repeat(1024);
    assert.equal((await echoOf(ws, message)).data.toString(), `Received: ${message}`);
    ws.close();
  });

  it('closes a binary message of 1025 bytes with 1009, and keeps serving new clients', async () => {
    const ws = await openClient(s.wsUrl);
    const closeInfo = closed(ws);
    let echoed = false;
    ws.on('message', () => (echoed = true));
    ws.send(Buffer.alloc(1025, 1), { binary: true });
    assert.equal((await closeInfo).code, 1009);
    assert.equal(echoed, false, 'the oversized message must not be echoed');

    const next = await openClient(s.wsUrl);
    assert.equal((await echoOf(next, 'still here')).data.toString(), 'Received: still here');
    next.close();
  });

  it('closes a text message of 1025 bytes with 1009 without disturbing another open client', async () => {
    const [bystander, ws] = await Promise.all([openClient(s.wsUrl), openClient(s.wsUrl)]);
    const closeInfo = closed(ws);
    ws.send('y'.repeat(1025));
    assert.equal((await closeInfo).code, 1009);
    assert.equal(bystander.readyState, WebSocket.OPEN);
    assert.equal((await echoOf(bystander, 'bystander')).data.toString(), 'Received: bystander');
    bystander.close();
  });
});

describe('EchoServer.close()', () => {
  const s = useEchoServer(['--shutdown-grace', '4000']);

  it('closes every open client with 1001 "server shutting down", then stops accepting', async () => {
    const clients = await Promise.all([openClient(s.wsUrl), openClient(s.wsUrl, 'echo-protocol')]);
    const closes = clients.map((ws) => closed(ws));
    const started = Date.now();
    await s.server.close();
    const elapsed = Date.now() - started;
    for (const closeInfo of await Promise.all(closes)) {
      assert.deepEqual(closeInfo, { code: 1001, reason: 'server shutting down' });
    }
    // Clients that answer the close handshake are not waited out for the grace period.
    assert.ok(elapsed < 3000, `close() took ${elapsed} ms although both clients answered at once`);
    assert.equal(s.server.clients.size, 0);
    assert.equal(s.server.httpServer.listening, false);
    await assert.rejects(openClient(s.wsUrl), /ECONNREFUSED/);
  });
});

// The monitor through real clients: a ws client (or raw TCP) on an echo path
// with ?monitor=<token>, a watcher on /monitor?monitor=<token>, and what the
// watcher is shown of the bytes that crossed the wire.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { type EchoSocket, STATE } from '../../server/connection-state.ts';
import { type MonitorClosed, type MonitorHandshake, MONITOR_LIMITS, WEBSOCKET_GUID } from '../../server/protocol.ts';
import { makeCertificate, type TestCertificate } from '../support/certificate.ts';
import { encodeFrame, Opcode } from '../support/frames.ts';
import { hexOf, MonitorWatcher, newToken, terminateWatchers } from '../support/monitor-client.ts';
import { destroyRawConnections, RawClient, RawConnection, upgradeRequest } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { withTimeout } from '../support/wait.ts';
import { closed, echoOf, openClient, receive, terminateAll } from '../support/ws-client.ts';

const s = useEchoServer();
// Each test's clients and watchers go when it ends, so the next starts with none.
afterEach(() => {
  terminateAll();
  terminateWatchers();
  destroyRawConnections();
});

const urlOf = (path: string) => new URL(path, s.wsUrl).href;

/** What masking `text` with the hex `key` gives, in hex: what RFC 6455 §5.3 puts on the wire. */
function maskedHex(text: string, key: string): string {
  const bytes = Buffer.from(text);
  const mask = Buffer.from(key, 'hex');
  return Buffer.from(bytes.map((byte, i) => byte ^ mask[i % 4]!)).toString('hex');
}

function handshakeOf(watcher: MonitorWatcher, connection = 1): MonitorHandshake {
  const found = watcher.events.find(
    (event): event is MonitorHandshake => event.type === 'handshake' && event.connection === connection,
  );
  assert.ok(found, `a handshake event for connection ${connection}: ${watcher.summary()}`);
  return found;
}

describe('what a watcher sees of its connection', () => {
  it('the handshake as exchanged, then every frame as RFC 6455 §5.2 draws it: masked from the client, fragmented and bare from the server, pings, pongs and the closing handshake', async () => {
    const token = newToken();
    // The watcher comes first and waits for the connection.
    const watcher = await MonitorWatcher.open(s.wsUrl, token);
    const path = `/?monitor=${token}&fragment=3&ping_ms=100`;
    const ws = await openClient(urlOf(path));
    assert.equal((await echoOf(ws, 'Hello')).data.toString(), 'Received: Hello');
    await watcher.until(
      () =>
        watcher.frames({ direction: 'server', opcodeName: 'continuation', fin: true }).length === 1 &&
        watcher.frames({ direction: 'client', opcodeName: 'pong' }).length >= 2,
      "the reply's last fragment and two pongs",
    );

    const handshake = handshakeOf(watcher);
    assert.equal(handshake.seq, 1);
    assert.equal(handshake.status, 101);
    assert.ok(handshake.request.startsWith(`GET ${path} HTTP/1.1\r\n`), handshake.request);
    assert.ok(handshake.request.endsWith('\r\n\r\n'));
    const key = /\r\nSec-WebSocket-Key: (\S+)\r\n/i.exec(handshake.request)?.[1];
    assert.ok(key, handshake.request);
    const accept = createHash('sha1')
      .update(key + WEBSOCKET_GUID)
      .digest('base64');
    assert.ok(handshake.response.startsWith('HTTP/1.1 101 Switching Protocols\r\n'), handshake.response);
    assert.ok(handshake.response.includes(`\r\nSec-WebSocket-Accept: ${accept}\r\n`), handshake.response);
    assert.ok(handshake.response.endsWith('\r\n\r\n'));

    const [sent] = watcher.frames({ direction: 'client', opcodeName: 'text' });
    assert.ok(sent, watcher.summary());
    assert.deepEqual(
      [sent.fin, sent.rsv1, sent.rsv2, sent.rsv3, sent.opcode, sent.masked, sent.payloadLength, sent.lengthForm],
      [true, false, false, false, 1, true, 5, 7],
    );
    assert.match(sent.maskingKey ?? '', /^[0-9a-f]{8}$/, 'a 4-byte masking key');
    assert.equal(sent.payloadHex, hexOf('Hello'), 'unmasked: the text itself');
    assert.equal(sent.maskedPayloadHex, maskedHex('Hello', sent.maskingKey!), 'on the wire: masked with that key');
    assert.notEqual(sent.maskedPayloadHex, sent.payloadHex);
    assert.equal(sent.text, 'Hello');
    assert.equal(sent.truncated, false);

    // 'Received: Hello' is 15 bytes: five frames of 3, the text opcode first, FIN on the last only.
    const fragments = watcher
      .frames({ direction: 'server' })
      .filter((frame) => frame.opcode === Opcode.text || frame.opcode === Opcode.continuation);
    assert.deepEqual(
      fragments.map(({ opcodeName, fin, payloadLength }) => [opcodeName, fin, payloadLength]),
      [
        ['text', false, 3],
        ['continuation', false, 3],
        ['continuation', false, 3],
        ['continuation', false, 3],
        ['continuation', true, 3],
      ],
    );
    for (const fragment of fragments) {
      assert.equal(fragment.masked, false, 'the server does not mask');
      assert.equal(fragment.maskingKey, undefined);
      assert.equal(fragment.maskedPayloadHex, undefined);
      assert.ok(fragment.seq > sent.seq, 'the reply comes after what it answers');
    }
    assert.equal(fragments.map((fragment) => fragment.payloadHex).join(''), hexOf('Received: Hello'));
    assert.deepEqual(
      fragments.map((fragment) => fragment.text),
      ['Rec', 'eiv', 'ed:', ' He', 'llo'],
    );

    // ping_ms: the server's pings carry a counter, each answered by the client's masked pong.
    const pings = watcher.frames({ direction: 'server', opcodeName: 'ping' });
    const pongs = watcher.frames({ direction: 'client', opcodeName: 'pong' });
    for (const [i, pong] of pongs.slice(0, 2).entries()) {
      const ping = pings[i]!;
      assert.equal(ping.text, String(i + 1));
      assert.equal(ping.masked, false);
      assert.equal(ping.opcode, Opcode.ping);
      assert.equal(pong.opcode, Opcode.pong);
      assert.equal(pong.payloadHex, ping.payloadHex, 'a pong carries its ping payload');
      assert.equal(pong.masked, true);
      assert.ok(pong.seq > ping.seq);
    }

    const closedWs = closed(ws);
    ws.close(4000, 'bye');
    await closedWs;
    await watcher.until((events) => events.some((event) => event.type === 'closed'), 'the closed event');
    const [fromClient] = watcher.frames({ direction: 'client', opcodeName: 'close' });
    const [fromServer] = watcher.frames({ direction: 'server', opcodeName: 'close' });
    assert.deepEqual(fromClient?.close, { code: 4000, reason: 'bye' });
    assert.equal(fromClient?.masked, true);
    assert.deepEqual(fromServer?.close, { code: 4000, reason: 'bye' });
    assert.equal(fromServer?.masked, false);
    const end = watcher.events.at(-1) as MonitorClosed;
    assert.deepEqual([end.type, end.by, end.code, end.reason], ['closed', 'client', 4000, 'bye']);

    // The watcher was there from the start: it got every event, in order, once.
    assert.deepEqual(
      watcher.events.map((event) => event.seq),
      watcher.events.map((_, i) => i + 1),
    );
    for (const event of watcher.events) assert.equal(event.connection, 1);
    assert.equal(watcher.binaryMessages, 0);
  });

  it('the three forms of the payload length, each payload cut to the first MONITOR_LIMITS.payloadBytes', async () => {
    const token = newToken();
    const watcher = await MonitorWatcher.open(s.wsUrl, token);
    const ws = await openClient(urlOf(`/raw?monitor=${token}`));
    const big = Buffer.alloc(70_000, 7);
    const cases: Array<[data: string | Buffer, form: 7 | 16 | 64, length: number]> = [
      ['x'.repeat(125), 7, 125],
      ['é'.repeat(100), 16, 200],
      [Buffer.alloc(300, 1), 16, 300],
      // One 'x', then 'é' (2 bytes) cut in the middle at byte 256.
      [`x${'é'.repeat(200)}`, 16, 401],
      [big, 64, 70_000],
    ];
    const replies = receive(ws, cases.length);
    for (const [data] of cases) ws.send(data);
    await replies;
    await watcher.until(() => watcher.frames({ direction: 'server' }).length === cases.length, 'every reply');
    const limit = MONITOR_LIMITS.payloadBytes;
    for (const direction of ['client', 'server'] as const) {
      const frames = watcher.frames({ direction });
      for (const [i, [data, form, length]] of cases.entries()) {
        const frame = frames[i]!;
        const what = `${direction} frame ${i}`;
        assert.equal(frame.lengthForm, form, what);
        assert.equal(frame.payloadLength, length, what);
        assert.equal(frame.truncated, length > limit, what);
        assert.equal(frame.payloadHex, Buffer.from(data).subarray(0, limit).toString('hex'), what);
        if (direction === 'client') assert.equal(frame.maskedPayloadHex?.length, Math.min(length, limit) * 2, what);
      }
      assert.equal(frames[1]!.text, 'é'.repeat(100));
      assert.equal(frames[2]!.text, undefined, 'binary is not shown as text');
      assert.equal(frames[3]!.text, `x${'é'.repeat(127)}`, 'a character cut at the bound is left out');
    }
  });

  it('a watcher that joins late gets the kept history first, then what follows; later connections with the token are numbered', async () => {
    const token = newToken();
    const first = await openClient(urlOf(`/?monitor=${token}`));
    const replies = receive(first, 2);
    first.send('one');
    first.send('two');
    await replies;

    const watcher = await MonitorWatcher.open(s.wsUrl, token);
    await watcher.until(() => watcher.frames({ direction: 'server' }).length === 2, 'the history');
    assert.equal(watcher.events[0]?.type, 'handshake', 'the handshake first');
    assert.deepEqual(
      watcher.frames().map(({ direction, text }) => [direction, text]),
      [
        ['client', 'one'],
        ['client', 'two'],
        ['server', 'Received: one'],
        ['server', 'Received: two'],
      ],
    );
    await echoOf(first, 'three');
    await watcher.until(() => watcher.frames({ text: 'Received: three' }).length === 1, 'a live event');

    // The watcher stays when its connection ends, and sees the next one that carries the token.
    const firstClosed = closed(first);
    first.close();
    await firstClosed;
    await watcher.until((events) => events.some((event) => event.type === 'closed'), 'the first connection closing');
    const second = await openClient(urlOf(`/raw?monitor=${token}`));
    await echoOf(second, 'again');
    await watcher.until(() => watcher.frames({ text: 'again', direction: 'server' }).length === 1, 'the second');
    const handshake = handshakeOf(watcher, 2);
    assert.ok(handshake.request.startsWith(`GET /raw?monitor=${token} HTTP/1.1\r\n`));
    assert.ok(watcher.events.filter((event) => event.connection === 2).every((event) => event.seq > handshake.seq - 1));
    assert.deepEqual(
      watcher.events.map((event) => event.seq),
      watcher.events.map((_, i) => i + 1),
      'no gap: nothing was left out of the history',
    );
  });

  it('a close the server starts (?close) and a drop (?drop), as the URL asked', async () => {
    const token = newToken();
    const watcher = await MonitorWatcher.open(s.wsUrl, token);
    assert.deepEqual(await closeOf(urlOf(`/?monitor=${token}&close=4001&reason=later`)), {
      code: 4001,
      reason: 'later',
    });
    await watcher.until((events) => events.some((event) => event.type === 'closed'), 'the closed event');
    const closes = watcher.frames({ opcodeName: 'close' });
    assert.deepEqual(
      closes.map(({ direction, close }) => [direction, close]),
      [
        ['server', { code: 4001, reason: 'later' }],
        ['client', { code: 4001, reason: 'later' }],
      ],
    );
    const end = watcher.events.at(-1) as MonitorClosed;
    assert.deepEqual([end.by, end.code, end.reason], ['server', 4001, 'later']);

    const dropToken = newToken();
    const dropWatcher = await MonitorWatcher.open(s.wsUrl, dropToken);
    assert.equal((await closeOf(urlOf(`/?monitor=${dropToken}&drop`))).code, 1006);
    await dropWatcher.until((events) => events.some((event) => event.type === 'dropped'), 'the dropped event');
    assert.equal(dropWatcher.frames({ opcodeName: 'close' }).length, 0, 'no close frame either way');
  });

  it('a handshake the server refuses: the request and the refusal, status and body, which a browser never shows', async () => {
    const token = newToken();
    const watcher = await MonitorWatcher.open(s.wsUrl, token);
    const ws = await openClient(urlOf(`/inspect?monitor=${token}&reject=503`)).catch((error: Error) => error);
    assert.ok(ws instanceof Error);
    await watcher.until((events) => events.length === 1, 'the refused handshake');
    const refused = handshakeOf(watcher);
    assert.equal(refused.status, 503);
    assert.ok(refused.request.startsWith(`GET /inspect?monitor=${token}&reject=503 HTTP/1.1\r\n`));
    assert.ok(refused.response.startsWith('HTTP/1.1 503 Service Unavailable\r\n'), refused.response);
    assert.ok(refused.response.endsWith('\r\n\r\nrefused with 503, as the URL asked (?reject)'), refused.response);
    // Nothing else follows for it: the next connection's handshake is the very next event.
    (await openClient(urlOf(`/?monitor=${token}`))).close();
    await watcher.until((events) => events.length >= 2, 'the next connection');
    assert.deepEqual(
      [watcher.events[1]?.type, watcher.events[1]?.seq, watcher.events[1]?.connection],
      ['handshake', 2, 2],
    );
  });

  it('frames a client sends in the same packet as its handshake', async () => {
    const token = newToken();
    const watcher = await MonitorWatcher.open(s.wsUrl, token);
    const request = upgradeRequest(s.port, {
      path: `/raw?monitor=${token}`,
      headers: { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    new RawConnection(s.port).write(
      Buffer.concat([Buffer.from(request), encodeFrame({ opcode: Opcode.text, payload: 'early' })]),
    );
    await watcher.until(() => watcher.frames({ direction: 'server', text: 'early' }).length === 1, 'the reply');
    assert.equal(watcher.frames({ direction: 'client', text: 'early' }).length, 1);
    // RFC 6455 §1.3's example key.
    assert.ok(handshakeOf(watcher).response.includes('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n'));
  });
});

describe('over TLS (--tls-cert)', () => {
  let certificate: TestCertificate;
  before(async () => {
    certificate = await makeCertificate();
  });
  after(() => certificate?.remove());
  const secure = useEchoServer(() => ['--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath]);

  it('shows the WebSocket bytes inside TLS, as in plain text', async () => {
    const token = newToken();
    const options = { ca: certificate.cert };
    const watcher = await MonitorWatcher.open(secure.wsUrl, token, options);
    const ws = await openClient(new URL(`/raw?monitor=${token}`, secure.wsUrl).href, undefined, options);
    await echoOf(ws, 'secret');
    await watcher.until(() => watcher.frames({ text: 'secret' }).length === 2, 'both frames');
    assert.ok(handshakeOf(watcher).response.startsWith('HTTP/1.1 101 Switching Protocols\r\n'));
    assert.deepEqual(
      watcher.frames().map(({ direction, masked, payloadHex }) => [direction, masked, payloadHex]),
      [
        ['client', true, hexOf('secret')],
        ['server', false, hexOf('secret')],
      ],
    );
  });
});

describe('frames as they are, valid or not', () => {
  it("an unmasked frame from a client is shown as sent, then the server's close 1002", async () => {
    const token = newToken();
    const watcher = await MonitorWatcher.open(s.wsUrl, token);
    const client = await RawClient.connect(s.port, { path: `/?monitor=${token}` });
    client.send({ opcode: Opcode.text, payload: 'bare', mask: false, rsv2: true });
    await watcher.until(() => watcher.frames({ direction: 'server', opcodeName: 'close' }).length === 1, 'the close');
    const [bare] = watcher.frames({ direction: 'client' });
    assert.deepEqual(
      [bare?.masked, bare?.rsv2, bare?.maskingKey, bare?.payloadHex, bare?.text],
      [false, true, undefined, hexOf('bare'), 'bare'],
    );
    assert.equal(watcher.frames({ direction: 'server', opcodeName: 'close' })[0]?.close?.code, 1002);
  });
});

describe('what the monitor costs', () => {
  it('a connection without ?monitor= is not recorded: no entry, no listener, no write of its own', async () => {
    const before = s.server.monitorHub.tokens;
    const plain = await openClient(urlOf('/?fragment=3'));
    const token = newToken();
    const watched = await openClient(urlOf(`/?fragment=3&monitor=${token}`));
    const socketOf = (ws: typeof plain) =>
      [...s.server.clients]
        .map((client) => (client as EchoSocket)[STATE].socket)
        .find(
          (socket) => socket.remotePort === (ws as unknown as { _socket: { localPort: number } })._socket.localPort,
        )!;
    const plainSocket = socketOf(plain);
    const watchedSocket = socketOf(watched);
    assert.equal(s.server.monitorHub.tokens, before + 1, 'only the watched connection made an entry');
    assert.ok(s.server.monitorHub.has(token));
    assert.equal(Object.hasOwn(plainSocket, 'write'), false, "the plain socket keeps the prototype's write");
    assert.equal(Object.hasOwn(watchedSocket, 'write'), true);
    assert.equal(watchedSocket.listenerCount('data'), plainSocket.listenerCount('data') + 1);
    assert.equal(watchedSocket.listenerCount('close'), plainSocket.listenerCount('close') + 1);
  });
});

/**
 * Connects a ws client and resolves with how it closed, listening from the
 * start: a close asked for in the URL can arrive in the same read as the 101.
 */
function closeOf(url: string): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  const close = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  return withTimeout(close, `${url} to close`);
}

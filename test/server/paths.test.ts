// The other WebSocket paths on the same port: /raw, /inspect, /push.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, afterEach, describe, it } from 'node:test';
import { RawClient } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { delay } from '../support/wait.ts';
import { closed, echoOf, openClient, receive, receiveOne, refusedStatus, terminateAll } from '../support/ws-client.ts';
import { WebSocket } from 'ws';

const s = useEchoServer();
afterEach(() => terminateAll());

describe('/raw', () => {
  const small = useEchoServer(['--max-message-size', '100']);

  it('echoes text byte for byte, with no prefix, as a text frame', async () => {
    const ws = await openClient(`${s.wsUrl}raw`);
    const replies = receive(ws, 3);
    for (const text of ['Hello, world!', '', '你好 👋🏽']) ws.send(text);
    assert.deepEqual(
      (await replies).map(({ data, isBinary }) => [data.toString(), isBinary]),
      [
        ['Hello, world!', false],
        ['', false],
        ['你好 👋🏽', false],
      ],
    );
  });

  it('echoes binary byte for byte', async () => {
    const ws = await openClient(`${s.wsUrl}raw`);
    const payload = randomBytes(70_000);
    const { data, isBinary } = await echoOf(ws, payload);
    assert.equal(isBinary, true);
    assert.ok(data.equals(payload));
  });

  it('still enforces the message size limit with 1009', async () => {
    const ws = await openClient(`${small.wsUrl}raw`);
    const close = closed(ws);
    ws.send(Buffer.alloc(101));
    assert.equal((await close).code, 1009);
  });
});

describe('/inspect', () => {
  it('first sends the handshake as the server saw it, with the accept it computed', async () => {
    const client = await RawClient.connect(s.port, {
      path: '/inspect?delay_ms=0',
      protocol: 'chat, echo-protocol',
      headers: { 'X-Probe': 'yes' },
    });
    const frame = await client.nextFrame();
    const report = JSON.parse(frame.payload.toString()) as Record<string, unknown>;
    assert.equal(report.type, 'inspect');
    assert.equal(report.requestLine, 'GET /inspect?delay_ms=0 HTTP/1.1');
    assert.equal(report.key, client.key);
    const expected = createHash('sha1').update(`${client.key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    assert.equal(report.accept, expected);
    assert.equal(
      report.accept,
      client.response.headers['sec-websocket-accept'],
      'the accept the client actually received',
    );
    assert.equal(report.protocol, 'echo-protocol');
    assert.equal(report.extensions, '');
    assert.equal(report.remoteAddress, '127.0.0.1');
    assert.equal(typeof report.remotePort, 'number');
    const headers = report.headers as Array<[string, string]>;
    assert.deepEqual(
      headers.find(([name]) => name === 'X-Probe'),
      ['X-Probe', 'yes'],
      'original case kept',
    );
    assert.ok(headers.some(([name, value]) => name.toLowerCase() === 'sec-websocket-key' && value === client.key));
    client.destroy();
  });

  it('then echoes like / (with the prefix)', async () => {
    const origin = s.url.slice(0, -1);
    // The report can arrive in the same read as the 101, before an awaited open
    // resumes, so listen from the start.
    const ws = new WebSocket(`${s.wsUrl}inspect`, { origin });
    after(() => ws.terminate());
    const report = JSON.parse((await receiveOne(ws)).data.toString()) as { headers: Array<[string, string]> };
    assert.ok(
      report.headers.some(([name, value]) => name.toLowerCase() === 'origin' && value === origin),
      'Origin is reported',
    );
    assert.equal((await echoOf(ws, 'Hello, world!')).data.toString(), 'Received: Hello, world!');
  });
});

describe('/push', () => {
  it('sends a counter and the server time at the asked interval, and still echoes', async () => {
    const startedAt = Date.now();
    const ws = await openClient(`${s.wsUrl}push?interval=100`);
    const pushes = await receive(ws, 3);
    const messages = pushes.map(
      ({ data }) => JSON.parse(data.toString()) as { type: string; counter: number; serverTime: string },
    );
    assert.deepEqual(
      messages.map((m) => [m.type, m.counter]),
      [
        ['push', 1],
        ['push', 2],
        ['push', 3],
      ],
    );
    for (const m of messages) {
      const sentAt = Date.parse(m.serverTime);
      assert.ok(sentAt >= startedAt - 1000 && sentAt <= Date.now() + 1000, `serverTime ${m.serverTime} is now-ish`);
    }
    assert.ok(Date.now() - startedAt >= 250, 'three ticks of 100 ms take at least ~300 ms');
    const echo = new Promise<string>((resolve) => {
      const onMessage = (data: Buffer) => {
        if (!data.toString().startsWith('{')) {
          ws.off('message', onMessage);
          resolve(data.toString());
        }
      };
      ws.on('message', onMessage);
    });
    ws.send('still here');
    assert.equal(await echo, 'Received: still here');
  });

  it('pushes once a second by default', async () => {
    const ws = await openClient(`${s.wsUrl}push`);
    const startedAt = Date.now();
    await receiveOne(ws);
    const elapsed = Date.now() - startedAt;
    assert.ok(elapsed >= 900 && elapsed < 2000, `first push after ${elapsed} ms`);
  });

  it('stops pushing when the client closes', async () => {
    const ws = await openClient(`${s.wsUrl}push?interval=100`);
    await receiveOne(ws);
    ws.close(1000);
    await closed(ws);
    const sentAfterClose = s.server.metrics.sent.text.messages;
    // Only time can show that nothing more happens: three intervals' worth.
    await delay(350);
    assert.equal(s.server.metrics.sent.text.messages, sentAfterClose);
  });
});

describe('paths', () => {
  it('refuses near misses with 404', async () => {
    for (const path of ['raw/', 'Raw', 'inspect/x', 'pushy']) {
      assert.equal(await refusedStatus(`${s.wsUrl}${path}`), 404, path);
    }
  });
});

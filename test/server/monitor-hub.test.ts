// The monitor's hub under bounds too large to reach through a server in a
// test (32 MiB of events, 1000 tokens in use), given smaller ones here: real
// TCP sockets carry the bytes its taps record, a real ws pair is the watcher.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { MonitorHub } from '../../server/monitor/hub.ts';
import { MONITOR_CLOSE, type MonitorEvent } from '../../server/protocol.ts';
import { encodeFrame, Opcode } from '../support/frames.ts';
import { waitFor, withTimeout } from '../support/wait.ts';

const servers: Array<Server | WebSocketServer> = [];
const sockets: Array<Socket | WebSocket> = [];
after(() => {
  for (const socket of sockets) {
    if (socket instanceof WebSocket) socket.terminate();
    else socket.destroy();
  }
  for (const server of servers) server.close();
});

/**
 * Both ends of a fresh loopback TCP connection: `server` is the one a tap
 * goes on. Nothing reads from it until the test says, as before ws takes a socket.
 */
async function socketPair(): Promise<{ server: Socket; client: Socket }> {
  const listener = createServer();
  servers.push(listener);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const { port } = listener.address() as { port: number };
  const client = connect(port, '127.0.0.1');
  const server = await accepted;
  // A reset (the other end gone with bytes unread) shows as 'close'; that is what the tests wait for.
  for (const socket of [client, server]) socket.on('error', () => {});
  sockets.push(client, server);
  return { server, client };
}

/** A server-side WebSocket to hand the hub as a watcher, and the events its client receives. */
async function watcherPair(): Promise<{ ws: WebSocket; events: MonitorEvent[]; closed: Promise<number> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  const connected = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
  sockets.push(client);
  const events: MonitorEvent[] = [];
  client.on('message', (data: RawData) => events.push(JSON.parse(String(data)) as MonitorEvent));
  const closed = new Promise<number>((resolve) => client.once('close', resolve));
  const ws = await connected;
  sockets.push(ws);
  return { ws, events, closed };
}

/** The request a tap is shown: only what it rebuilds the request line and headers from. */
function request(path: string): IncomingMessage {
  return { method: 'GET', url: path, httpVersion: '1.1', rawHeaders: ['Host', 'example'] } as IncomingMessage;
}

const SWITCHING = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

describe('MonitorHub', () => {
  it('keeps all tokens together under its byte budget: the unused go first, then the adding token pays, its handshake kept', async () => {
    const budget = 20_000;
    const hub = new MonitorHub({ maxBufferedBytes: 1 << 20, totalBytes: budget });
    const old = await socketPair();
    hub.tap('old-token-0123456789', request('/?monitor=old'), old.server);
    old.server.write(SWITCHING);
    old.server.write(encodeFrame({ opcode: Opcode.text, payload: 'before', mask: false }));
    // Reading, as ws would, so the server side sees the client go.
    old.server.resume();
    old.client.destroy();
    await waitFor('the old connection to end', () => hub.tapped === 0);
    assert.ok(hub.has('old-token-0123456789'));

    const busy = await socketPair();
    hub.tap('busy-token-012345678', request('/?monitor=busy'), busy.server);
    busy.server.write(SWITCHING);
    let peak = 0;
    for (let i = 0; i < 200; i++) {
      busy.server.write(encodeFrame({ opcode: Opcode.binary, payload: Buffer.alloc(200, i), mask: false }));
      peak = Math.max(peak, hub.keptBytes);
    }
    assert.ok(peak <= budget, `kept ${peak} bytes, budget ${budget}`);
    assert.equal(hub.has('old-token-0123456789'), false, 'the unused token went first');

    const watcher = await watcherPair();
    hub.watch('busy-token-012345678', watcher.ws);
    busy.server.write(encodeFrame({ opcode: Opcode.text, payload: 'live', mask: false }));
    await waitFor('the live one', () =>
      watcher.events.some((event) => event.type === 'frame' && event.text === 'live'),
    );
    const [first, ...rest] = watcher.events;
    assert.equal(first?.type, 'handshake', 'the open connection keeps its handshake');
    assert.equal(first?.seq, 1);
    assert.ok(rest.length < 200, `the history was cut: ${rest.length} events`);
    assert.deepEqual(
      rest.map((event) => event.seq),
      rest.map((_, i) => rest[0]!.seq + i),
      'the newest, without a gap',
    );
    assert.equal(rest.at(-1)?.seq, 202, 'the handshake, 200 frames, then the live one');
  });

  it('beyond its tokens, drops the least recently used one in use: its watchers closed with 1013, its connections unrecorded but going on', async () => {
    const hub = new MonitorHub({ maxBufferedBytes: 1 << 20, tokens: 2 });
    const watched = await watcherPair();
    hub.watch('token-watched-012345', watched.ws);
    const tapped = await socketPair();
    hub.tap('token-tapped-0123456', request('/?monitor=t'), tapped.server);
    tapped.server.write(SWITCHING);
    assert.equal(Object.hasOwn(tapped.server, 'write'), true);

    const third = await socketPair();
    hub.tap('token-third-01234567', request('/?monitor=3'), third.server);
    assert.equal(await withTimeout(watched.closed, 'the watcher to close'), MONITOR_CLOSE.evicted.code);
    assert.equal(hub.has('token-watched-012345'), false);
    assert.equal(hub.tokens, 2);

    hub.tap('token-fourth-0123456', request('/?monitor=4'), (await socketPair()).server);
    assert.equal(hub.has('token-tapped-0123456'), false);
    assert.equal(hub.tapped, 2, 'the third and the fourth');
    assert.equal(Object.hasOwn(tapped.server, 'write'), false, "back to the prototype's write");
    assert.equal(tapped.server.listenerCount('data'), 0);
    // The connection itself goes on.
    let arrived = '';
    tapped.client.on('data', (chunk: Buffer) => (arrived += chunk.toString()));
    tapped.server.write('still here');
    await waitFor('the bytes after the tap came off', () => arrived.endsWith('still here'));
    assert.equal(arrived, `${SWITCHING}still here`);
  });
});

// --subprotocols: which subprotocol the server selects from what a real `ws`
// client offers (RFC 6455 4.2.2: one of the client's, here its first accepted
// one), that it never selects one it was not told to accept, and that the echo
// is the same whichever it selects. In-process servers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { RawClient } from '../support/raw-client.ts';
import { type InProcessServer, useEchoServer } from '../support/servers.ts';
import { echoOf, openClient } from '../support/ws-client.ts';

/** The protocol the server selected for a `ws` client offering `offered`; '' for none. */
async function selected(s: InProcessServer, offered: string[], path = ''): Promise<string> {
  const ws = await openClient(`${s.wsUrl}${path}`, offered);
  const { protocol } = ws;
  ws.terminate();
  return protocol;
}

/** What a `ws` client offering `offered` gets: a refused handshake's error message, or undefined once open. */
async function handshakeError(s: InProcessServer, offered: string[]): Promise<string | undefined> {
  try {
    (await openClient(s.wsUrl, offered)).terminate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function assertEchoes(ws: WebSocket): Promise<void> {
  assert.equal(String((await echoOf(ws, 'Hello, world!')).data), 'Received: Hello, world!');
  const bytes = Buffer.from([0, 1, 2, 254, 255]);
  const { data, isBinary } = await echoOf(ws, bytes);
  assert.equal(isBinary, true);
  assert.deepEqual(data, bytes);
}

describe('by default (echo-protocol only)', () => {
  const s = useEchoServer();

  it('selects echo-protocol wherever the client offers it, and nothing else', async () => {
    assert.equal(await selected(s, ['echo-protocol']), 'echo-protocol');
    assert.equal(await selected(s, ['graphql-ws', 'echo-protocol']), 'echo-protocol');
    assert.equal(await selected(s, []), '');
  });

  it('selects none for a client that requires graphql-ws or mqtt, which then fails its handshake', async () => {
    assert.equal(await handshakeError(s, ['graphql-ws']), 'Server sent no subprotocol');
    assert.equal(await handshakeError(s, ['mqtt']), 'Server sent no subprotocol');
  });
});

describe('--subprotocols graphql-ws,mqtt', () => {
  const s = useEchoServer(['--subprotocols', 'graphql-ws,mqtt']);

  it('selects graphql-ws for a graphql-ws client, and echoes as always', async () => {
    const ws = await openClient(s.wsUrl, 'graphql-ws');
    assert.equal(ws.protocol, 'graphql-ws');
    await assertEchoes(ws);
    ws.terminate();
  });

  it('selects mqtt for an mqtt client, on /raw too', async () => {
    const ws = await openClient(`${s.wsUrl}raw`, 'mqtt');
    assert.equal(ws.protocol, 'mqtt');
    assert.equal(String((await echoOf(ws, 'as is')).data), 'as is');
    ws.terminate();
  });

  it("selects the client's first offered protocol that it accepts, echo-protocol included", async () => {
    assert.equal(await selected(s, ['mqtt', 'graphql-ws']), 'mqtt');
    assert.equal(await selected(s, ['graphql-ws', 'mqtt']), 'graphql-ws');
    assert.equal(await selected(s, ['chat', 'graphql-ws']), 'graphql-ws');
    assert.equal(await selected(s, ['graphql-ws', 'echo-protocol']), 'graphql-ws');
    assert.equal(await selected(s, ['echo-protocol', 'mqtt']), 'echo-protocol');
  });

  it('still selects echo-protocol, and none when nothing is offered', async () => {
    assert.equal(await selected(s, ['echo-protocol']), 'echo-protocol');
    assert.equal(await selected(s, []), '');
  });

  it('never selects one it was not told to accept', async () => {
    assert.equal(await handshakeError(s, ['chat']), 'Server sent no subprotocol');
    assert.equal(await handshakeError(s, ['graphql-transport-ws', 'MQTT']), 'Server sent no subprotocol');
  });

  it('reports the selected protocol on /inspect, as sent in the response header', async () => {
    const client = await RawClient.connect(s.port, { path: '/inspect', protocol: 'chat, mqtt, graphql-ws' });
    assert.equal(client.response.headers['sec-websocket-protocol'], 'mqtt');
    const report = JSON.parse((await client.nextFrame()).payload.toString()) as { protocol?: unknown };
    assert.equal(report.protocol, 'mqtt');
    client.destroy();
  });
});

describe('--subprotocols *', () => {
  const s = useEchoServer(['--subprotocols', '*']);

  it("selects the client's first offered protocol, whatever it is, and echoes as always", async () => {
    assert.equal(await selected(s, ['chat', 'echo-protocol']), 'chat');
    assert.equal(await selected(s, ['mqtt']), 'mqtt');
    const ws = await openClient(s.wsUrl, ['v12.stomp', 'graphql-ws']);
    assert.equal(ws.protocol, 'v12.stomp');
    await assertEchoes(ws);
    ws.terminate();
  });

  it('selects none when nothing is offered', async () => {
    assert.equal(await selected(s, []), '');
  });
});

// The page's connection against the real echo server, with the `ws` client in
// the browser's place (Node 20 has no WebSocket of its own; ws implements the
// same constructor, events and refusals): what switchTo() tells the page
// when the browser refuses the new socket, now or once the old one closed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket as WsClient } from 'ws';
import { ECHO_PROTOCOL } from '../../server/protocol.ts';
import { type ConnectionEvents, EchoConnection, ReadyState, type Target } from '../../client/connection.ts';
import { useEchoServer } from '../support/servers.ts';
import { withTimeout } from '../support/wait.ts';

/** The events a connection emitted, in order, by name and arguments. */
type Heard = Array<{ [K in keyof ConnectionEvents]: [K, ...Parameters<ConnectionEvents[K]>] }[keyof ConnectionEvents]>;

function listen(connection: EchoConnection): Heard {
  const heard: Heard = [];
  connection.on('open', (info) => heard.push(['open', info]));
  connection.on('close', (info) => heard.push(['close', info]));
  connection.on('refused', (error, target) => heard.push(['refused', error, target]));
  return heard;
}

/** Resolves with the arguments of `connection`'s next `name` event. */
function next<K extends keyof ConnectionEvents>(
  connection: EchoConnection,
  name: K,
): Promise<Parameters<ConnectionEvents[K]>> {
  return withTimeout(
    new Promise((resolve) => {
      const stop = connection.on(name, ((...args: Parameters<ConnectionEvents[K]>) => {
        stop();
        resolve(args);
      }) as ConnectionEvents[K]);
    }),
    `the connection's ${String(name)} event`,
  );
}

async function disconnected(connection: EchoConnection): Promise<void> {
  if (connection.readyState === ReadyState.CLOSED) return;
  const closed = next(connection, 'close');
  connection.disconnect('test over');
  await closed;
}

describe('EchoConnection.switchTo', () => {
  const server = useEchoServer();
  const browsers = globalThis as { WebSocket?: unknown };
  const had = browsers.WebSocket;
  before(() => {
    browsers.WebSocket = WsClient;
  });
  after(() => {
    browsers.WebSocket = had;
  });

  // Subprotocols are HTTP tokens: the browser's constructor (and ws's) throws a SyntaxError for one with a space.
  const refusedTarget = (): Target => ({ url: server.wsUrl, protocols: ['not a token'] });

  it("reports as an event the browser's refusal of the socket it opens once the old one closed", async () => {
    const connection = new EchoConnection({ url: server.wsUrl, protocols: [ECHO_PROTOCOL] });
    const opened = next(connection, 'open');
    assert.equal(connection.connect(), undefined);
    await opened;
    const heard = listen(connection);

    const target = refusedTarget();
    const refused = next(connection, 'refused');
    // Open, so the switch waits for the close: nothing to return yet.
    assert.equal(connection.switchTo(target), undefined);
    const [error, refusedFor] = await refused;

    assert.ok(error instanceof Error);
    assert.equal(error.name, 'SyntaxError');
    assert.equal(refusedFor, target);
    assert.deepEqual(
      heard.map(([name]) => name),
      ['close', 'refused'],
    );
    assert.equal(heard[0]?.[0] === 'close' && heard[0][1].requested, true);
    assert.equal(connection.readyState, ReadyState.CLOSED);
  });

  it('returns the refusal when there was no socket to close, and emits nothing for it', async () => {
    const connection = new EchoConnection({ url: server.wsUrl, protocols: [ECHO_PROTOCOL] });
    const heard = listen(connection);
    const error = connection.switchTo(refusedTarget());
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'SyntaxError');
    assert.deepEqual(heard, []);
  });

  it('opens the new target after the close, with no refusal, when the browser takes it', async () => {
    const connection = new EchoConnection({ url: server.wsUrl, protocols: [ECHO_PROTOCOL] });
    const first = next(connection, 'open');
    connection.connect();
    await first;
    const heard = listen(connection);

    const raw = { url: new URL('raw', server.wsUrl).href, protocols: [] };
    const second = next(connection, 'open');
    assert.equal(connection.switchTo(raw), undefined);
    const [info] = await second;

    assert.equal(info.url, raw.url);
    assert.deepEqual(
      heard.map(([name]) => name),
      ['close', 'open'],
    );
    await disconnected(connection);
  });
});

// The server's clocks, through real sockets: --handshake-timeout drops a
// client whose opening handshake is too slow (and only those), and
// --heartbeat-interval pings every client and drops the ones that stop
// answering. Both run in-process; their environment twins are exercised on a
// child process in limits-config.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { assertEchoes, open } from '../support/frame-assertions.ts';
import { type Frame, Opcode } from '../support/frames.ts';
import { RawClient, RawConnection, trickleForever } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { delay, waitFor, withTimeout } from '../support/wait.ts';
import { echoOf, openClient } from '../support/ws-client.ts';

/** A short grace, so closing the server after a describe never waits on a silent raw client. */
const start = (flags: string[]) => useEchoServer(['--shutdown-grace', '200', ...flags]);

/** Collects every frame the server sends on `client` from now on. */
function recordFrames(client: RawClient): Frame[] {
  const frames: Frame[] = [];
  void (async () => {
    for (;;) frames.push(await client.nextFrame(60_000));
  })().catch(() => {});
  return frames;
}

describe('--handshake-timeout 500', { concurrency: true }, () => {
  const TIMEOUT_MS = 500;
  const s = start(['--handshake-timeout', String(TIMEOUT_MS)]);

  it('drops a client that trickles its upgrade request (3 bytes every 100 ms) and never finishes it', async () => {
    const slow = trickleForever(s.port);
    const elapsed = await slow.closedAfter(TIMEOUT_MS + 1_500);
    assert.ok(
      elapsed >= TIMEOUT_MS - 50,
      `dropped after ${elapsed.toFixed(0)} ms, before the ${TIMEOUT_MS} ms timeout could have run out`,
    );
    const answer = slow.raw.toString('latin1');
    // Closing silently is fine; if there is an answer it is 408, never 101.
    assert.ok(answer === '' || answer.startsWith('HTTP/1.1 408 '), `the slow client got ${JSON.stringify(answer)}`);
    assert.doesNotMatch(answer, / 101 /);
  });

  it('drops a client that connects and never sends a byte', async () => {
    const silent = new RawConnection(s.port); // never sends a byte
    const elapsed = await silent.closedAfter(TIMEOUT_MS + 1_500);
    assert.ok(elapsed >= TIMEOUT_MS - 50, `dropped after ${elapsed.toFixed(0)} ms`);
    const answer = silent.raw.toString('latin1');
    assert.ok(answer === '' || answer.startsWith('HTTP/1.1 408 '), `the silent client got ${JSON.stringify(answer)}`);
  });

  it('serves a client that sends its handshake slowly but within the timeout (4 pieces over ~180 ms)', async () => {
    const started = performance.now();
    const client = await open(s.port, { slowly: { pieces: 4, delayMs: 60 } });
    assert.ok(performance.now() - started >= 150, 'the request really was spread out over time');
    await assertEchoes(client, 'made it in time');
    client.destroy();
  });

  it('never drops a connection that has upgraded, however long past the timeout it stays', async () => {
    const client = await open(s.port);
    const openedAt = performance.now();
    // Two slow handshakes started after this one are dropped one after the
    // other, so the timeout check has run on this connection's server at
    // least twice while this connection was older than the timeout.
    await trickleForever(s.port).closedAfter(TIMEOUT_MS + 1_500);
    await trickleForever(s.port).closedAfter(TIMEOUT_MS + 1_500);
    const age = performance.now() - openedAt;
    assert.ok(age > 2 * TIMEOUT_MS, `the upgraded connection is only ${age.toFixed(0)} ms old`);
    assert.equal(client.socket.destroyed, false, 'the upgraded connection was closed');
    assert.equal(client.serverEnded, false, 'the server ended the upgraded connection');
    client.send({ opcode: Opcode.text, payload: 'still here' });
    const frame = await client.nextFrame();
    assert.equal(frame.opcode, Opcode.text);
    assert.equal(frame.payload.toString(), 'Received: still here');
    client.destroy();
  });
});

describe('--heartbeat-interval 200', { concurrency: true }, () => {
  const INTERVAL_MS = 200;
  const s = start(['--heartbeat-interval', String(INTERVAL_MS)]);

  it('pings a client that never answers, then drops it (TCP closed) after it misses one pong', async () => {
    const client = await open(s.port);
    const localPort = client.socket.localPort;
    const connectedAt = performance.now();
    const frames = recordFrames(client);
    await client.closed(4 * INTERVAL_MS + 1_500);
    const lifetime = performance.now() - connectedAt;
    const pings = frames.filter((frame) => frame.opcode === Opcode.ping);
    assert.equal(
      pings.length,
      1,
      `one ping, then the drop at the next tick; got opcodes ${frames.map((f) => f.opcode).join(',')}`,
    );
    assert.equal(frames[0]?.opcode, Opcode.ping, 'the first thing the server sent was the ping');
    assert.ok(lifetime <= 2 * INTERVAL_MS + 1_000, `dropped only after ${lifetime.toFixed(0)} ms`);
    assert.equal(
      frames.some((frame) => frame.opcode !== Opcode.ping && frame.opcode !== Opcode.close),
      false,
      'nothing but the ping (and at most a close) came before the drop',
    );
    const stillThere = () =>
      [...s.server.clients].some(
        (ws) => (ws as unknown as { _socket: { remotePort?: number } })._socket.remotePort === localPort,
      );
    await waitFor('the server to forget the dropped connection', () => !stillThere());
  });

  it('keeps a ws client (which answers pings) across at least 5 intervals, and it still echoes', async () => {
    const ws: WebSocket = await openClient(s.wsUrl);
    let pings = 0;
    const fivePings = new Promise<void>((resolve, reject) => {
      ws.on('ping', () => {
        if (++pings === 5) resolve();
      });
      ws.once('close', (code) => reject(new Error(`closed (${code}) after ${pings} pings`)));
    });
    await withTimeout(fivePings, '5 pings', 5 * INTERVAL_MS + 2_000);
    assert.equal(ws.readyState, ws.OPEN);
    assert.equal((await echoOf(ws, 'after five pings')).data.toString(), 'Received: after five pings');
    ws.terminate();
  });

  it('keeps a raw client that never answers a ping but keeps sending messages: anything it sends proves it is there', async () => {
    const client = await RawClient.connect(s.port);
    const frames = recordFrames(client);
    // Four intervals, a message every 50 ms and never a pong.
    for (let i = 0; i < 16; i++) {
      client.send({ opcode: Opcode.text, payload: `m${i}` });
      await delay(INTERVAL_MS / 4);
    }
    assert.equal(client.socket.destroyed, false, 'dropped although it kept sending');
    const echoes = frames.filter((f) => f.opcode === Opcode.text).map((f) => f.payload.toString());
    assert.ok(
      frames.some((f) => f.opcode === Opcode.ping),
      'the server pinged it',
    );
    assert.deepEqual(
      echoes.slice(0, 15),
      Array.from({ length: 15 }, (_, i) => `Received: m${i}`),
    );
    client.destroy();
  });

  it('keeps a raw client that answers every ping with a pong by hand', async () => {
    const client = await RawClient.connect(s.port);
    for (let i = 0; i < 4; i++) {
      const frame = await client.nextFrame(INTERVAL_MS + 1_000);
      assert.equal(frame.opcode, Opcode.ping, `frame ${i}`);
      client.send({ opcode: Opcode.pong, payload: frame.payload });
    }
    client.send({ opcode: Opcode.text, payload: 'pong pong' });
    // A ping may come before the echo; skip pings.
    let frame = await client.nextFrame();
    while (frame.opcode === Opcode.ping) {
      client.send({ opcode: Opcode.pong, payload: frame.payload });
      frame = await client.nextFrame();
    }
    assert.equal(frame.payload.toString(), 'Received: pong pong');
    client.destroy();
  });
});

describe('--heartbeat-interval 0', () => {
  const off = start(['--heartbeat-interval', '0']);
  const on = start(['--heartbeat-interval', '200']);

  it('sends no ping at all while a server with 200 ms pings a control client 3 times', async () => {
    const quiet = await open(off.port);
    const quietFrames = recordFrames(quiet);
    // The control answers its pings, so it stays; three of them make the observation window.
    const control = await RawClient.connect(on.port);
    for (let i = 0; i < 3; i++) {
      const ping = await control.nextFrame(1_500);
      assert.equal(ping.opcode, Opcode.ping);
      control.send({ opcode: Opcode.pong, payload: ping.payload });
    }
    assert.deepEqual(
      quietFrames.map((frame) => frame.opcode),
      [],
      'with --heartbeat-interval 0 the server sent frames unasked',
    );
    assert.equal(quiet.socket.destroyed, false, 'the unpinged client was dropped');
    quiet.send({ opcode: Opcode.text, payload: 'no heartbeat' });
    await waitFor('the echo on the unpinged client', () => quietFrames.length > 0);
    assert.equal(quietFrames[0]?.opcode, Opcode.text);
    assert.equal(quietFrames[0]?.payload.toString(), 'Received: no heartbeat');
    quiet.destroy();
    control.destroy();
  });
});

// Misbehave on request under the server's limits: a misbehaving connection
// is still held to the message size, the rate limit and --max-buffered (a
// delayed reply cannot hold memory without bound), shuts down like any
// other, and every fault shows in /metrics and the log with its connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { FAULT_KINDS } from '../../server/metrics.ts';
import { sampleValue, scrape } from '../support/prometheus.ts';
import { type InProcessServer, useEchoServer } from '../support/servers.ts';
import { delay } from '../support/wait.ts';
import { closed, echoOf, openClient, receive, refusedStatus } from '../support/ws-client.ts';

/** The server's side of its one open connection. */
function serverSide(s: InProcessServer): WebSocket {
  const [ws] = s.server.clients;
  assert.ok(ws, 'one connection is open');
  return ws;
}

describe('limits still apply', () => {
  const sized = useEchoServer(['--max-message-size', '100']);
  const rated = useEchoServer(['--rate-limit', '5']);
  const buffered = useEchoServer(['--max-buffered', '16384']);
  const closing = useEchoServer();

  it('closes with 1009 on a message over --max-message-size, fragmented replies or not', async () => {
    const ws = await openClient(`${sized.wsUrl}raw?fragment=10`);
    assert.equal(
      (await echoOf(ws, Buffer.alloc(100, 1))).data.length,
      100,
      'the largest allowed message comes back whole',
    );
    const close = closed(ws);
    ws.send(Buffer.alloc(101, 1));
    assert.equal((await close).code, 1009);
  });

  it('closes with 1008 on a flood, delayed replies or not', async () => {
    const ws = await openClient(`${rated.wsUrl}?delay_ms=50`);
    const close = closed(ws);
    for (let i = 0; i < 20; i++) ws.send(`m${i}`);
    assert.equal((await close).code, 1008);
  });

  it('stops reading from a client while more than --max-buffered bytes of delayed replies wait, and loses none', async () => {
    const ws = await openClient(`${buffered.wsUrl}raw?delay_ms=600`);
    const size = 2000;
    const total = 20;
    const replies = receive(ws, total);
    const received = () => buffered.server.metrics.received.binary.messages;
    // One message at a time, each in its own read, until the server stops taking them.
    let plateau: number | undefined;
    for (let i = 0; i < total; i++) {
      ws.send(Buffer.alloc(size, i));
      if (plateau !== undefined) continue;
      const deadline = performance.now() + 100;
      while (received() < i + 1 && performance.now() < deadline) await delay(2);
      if (received() < i + 1) plateau = received();
    }
    // 16384 bytes hold 7 replies of 2000 (and what each costs in the queue); the 8th goes over.
    assert.ok(plateau !== undefined && plateau >= 8 && plateau <= 9, `stopped reading after ${plateau} messages`);
    assert.equal(serverSide(buffered).isPaused, true, 'reading is paused');
    const got = await replies;
    assert.deepEqual(
      got.map(({ data }) => [data.length, data[0]]),
      Array.from({ length: total }, (_, i) => [size, i]),
      'every reply, in order',
    );
    assert.equal(serverSide(buffered).isPaused, false, 'reading again once they left');
  });

  it('shuts down with replies still delayed: the client gets 1001 at once, and the timers are gone', async () => {
    const ws = await openClient(`${closing.wsUrl}?delay_ms=60000&ping_ms=100&after_ms=3600000&close=4000`);
    const close = closed(ws);
    ws.send('never');
    const startedAt = performance.now();
    await closing.server.close();
    assert.equal((await close).code, 1001);
    assert.ok(performance.now() - startedAt < 2000, 'close did not wait for a timer');
  });
});

describe('/metrics', () => {
  const s = useEchoServer();

  it('counts faults by kind in ws_echo_faults_total, every kind from 0', async () => {
    const before = await scrape(s.url);
    for (const kind of FAULT_KINDS) assert.equal(sampleValue(before, 'ws_echo_faults_total', { kind }), 0, kind);
    assert.ok(before.help.get('ws_echo_faults_total'), 'HELP says what is counted');

    // The server counts these as it opens the connection, before the client hears of it.
    await openClient(`${s.wsUrl}?delay_ms=10&fragment=5&ping_ms=100&pong=off&greeting=x`);
    await openClient(`${s.wsUrl}?delay_ms=0`); // no delay: nothing to count
    const closing = new WebSocket(`${s.wsUrl}?close=4000`);
    const dropping = new WebSocket(`${s.wsUrl}raw?drop`);
    for (const ws of [closing, dropping]) ws.on('error', () => {});
    assert.deepEqual(
      await Promise.all([closing, dropping].map((ws) => new Promise((resolve) => ws.once('close', resolve)))),
      [4000, 1006],
    );
    const notYet = await openClient(`${s.wsUrl}?after=5&close=4000`); // closes before its trigger
    notYet.close(1000);
    await closed(notYet);
    assert.equal(await refusedStatus(`${s.wsUrl}?reject=500`), 500);

    const metrics = await scrape(s.url);
    const counts = Object.fromEntries(
      FAULT_KINDS.map((kind) => [kind, sampleValue(metrics, 'ws_echo_faults_total', { kind })]),
    );
    assert.deepEqual(counts, {
      close: 1,
      drop: 1,
      delay: 1,
      fragment: 1,
      ping: 1,
      pong_off: 1,
      greeting: 1,
      reject: 1,
    });
  });
});

describe('the log', () => {
  const s = useEchoServer(['--log-level', 'info']);

  it('names the connection for the faults asked for at open and for each one that fires', async () => {
    const lines = s.log;
    const closing = new WebSocket(`${s.wsUrl}?close=4001&reason=bye`);
    const dropping = new WebSocket(`${s.wsUrl}?greeting=hi&drop`);
    const ends = [closing, dropping].map((ws) => new Promise((resolve) => ws.once('close', resolve)));
    await Promise.all(ends);
    assert.equal(await refusedStatus(`${s.wsUrl}?reject=418`), 418);

    const peer = /^127\.0\.0\.1:\d+$/;
    const asked = lines.filter((l) => l.msg === 'misbehaving as the URL asked');
    assert.equal(asked.length, 2);
    for (const line of asked) assert.match(String(line.peer), peer);
    const closeLine = lines.find((l) => l.msg === 'closing, as the URL asked (?close)');
    assert.match(String(closeLine?.peer), peer);
    assert.deepEqual([closeLine?.code, closeLine?.reason], [4001, 'bye']);
    const dropLine = lines.find(
      (l) => l.msg === 'dropping the connection without a close frame, as the URL asked (?drop)',
    );
    assert.match(String(dropLine?.peer), peer);
    const refusal = lines.find((l) => l.msg === 'upgrade refused' && l.status === 418);
    assert.equal(refusal?.reason, 'requested');
    assert.equal(refusal?.level, 30, 'at info');
  });
});

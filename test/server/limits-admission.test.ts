// Who gets in and how fast they may talk, through real sockets:
// --max-connections and --max-connections-per-ip refuse the upgrade with 503
// and Retry-After (counted in /metrics by reason), and --rate-limit closes a
// connection that sends faster than its token bucket allows with 1008.
// In-process servers; the environment twins are in limits-config.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { assertEchoes, open } from '../support/frame-assertions.ts';
import { closePayload, Opcode } from '../support/frames.ts';
import { openConnections } from '../support/http-request.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { type ConnectOptions, destroyRawConnections, RawClient } from '../support/raw-client.ts';
import { type InProcessServer, useEchoServer } from '../support/servers.ts';
import { delay, waitFor, withTimeout } from '../support/wait.ts';
import { closed, openClient, receive } from '../support/ws-client.ts';

/** A short grace, so closing the server after a describe never waits on a silent raw client. */
const start = (flags: string[]) => useEchoServer(['--shutdown-grace', '200', ...flags]);

/** Asserts an upgrade from `options.localAddress` is refused with 503 and a Retry-After of whole seconds, and that no 101 ever came. */
async function assertRefusedForCapacity(port: number, options: ConnectOptions = {}): Promise<void> {
  const client = await RawClient.connect(port, options);
  assert.equal(client.response.statusCode, 503, `expected 503, got ${client.response.statusLine}`);
  const retryAfter = client.response.headers['retry-after'];
  assert.ok(retryAfter !== undefined, 'a 503 for capacity carries Retry-After');
  assert.match(
    retryAfter,
    /^[1-9]\d*$/,
    `Retry-After is a positive number of seconds, got ${JSON.stringify(retryAfter)}`,
  );
  await client.closed();
  assert.doesNotMatch(
    client.raw.toString('latin1'),
    /\b101\b|Switching Protocols|Sec-WebSocket-Accept/i,
    'a refused upgrade must never see 101',
  );
}

async function refusals(s: InProcessServer, reason: string): Promise<number> {
  return (await scrapeValue(s.url, 'ws_echo_handshakes_refused_total', { reason })) ?? 0;
}

/** Closes `client` the polite way: a close frame, the server's close frame back, then the server ends TCP. */
async function leave(client: RawClient): Promise<void> {
  client.send({ opcode: Opcode.close, payload: closePayload(1000, 'bye') });
  const frame = await client.nextFrame();
  assert.equal(frame.opcode, Opcode.close);
  await client.closed();
}

/** Destroys every raw client and waits until the server has released all their slots. */
async function emptyOut(s: InProcessServer): Promise<void> {
  destroyRawConnections();
  await waitFor('the server to release every connection', async () => (await openConnections(s.url)) === 0);
}

describe('--max-connections 3', () => {
  const s = start(['--max-connections', '3']);

  it('accepts 3 upgrades and answers the 4th with 503 and Retry-After, never 101, counted as "capacity"', async () => {
    const before = await refusals(s, 'capacity');
    const inside = await Promise.all([1, 2, 3].map(() => open(s.port)));
    await assertRefusedForCapacity(s.port);
    // From another address too: the total cap is for everyone.
    await assertRefusedForCapacity(s.port, { localAddress: '127.0.0.2' });
    // The ones inside are unaffected.
    for (const [i, client] of inside.entries()) await assertEchoes(client, `inside ${i}`);
    assert.equal((await refusals(s, 'capacity')) - before, 2);
    assert.equal(await refusals(s, 'capacity_per_ip'), 0);
    // Plain HTTP still works while the WebSocket slots are full.
    assert.equal(await openConnections(s.url), 3);
    await emptyOut(s);
  });

  it('accepts a new connection once one of the 3 has closed, and is full again after it', async () => {
    const before = await refusals(s, 'capacity');
    const inside = await Promise.all([1, 2, 3].map(() => open(s.port)));
    await assertRefusedForCapacity(s.port);
    const [goner, ...stay] = inside;
    assert.ok(goner);
    await leave(goner);
    await waitFor('the server to release the closed connection', async () => (await openConnections(s.url)) === 2);
    const replacement = await open(s.port);
    await assertEchoes(replacement, 'took the free slot');
    for (const client of stay) await assertEchoes(client, 'still inside');
    await assertRefusedForCapacity(s.port);
    assert.equal((await refusals(s, 'capacity')) - before, 2);
    await emptyOut(s);
  });
});

describe('--max-connections-per-ip 2', () => {
  const s = start(['--max-connections-per-ip', '2']);

  it('refuses a 3rd from 127.0.0.1 with 503 while accepting one from 127.0.0.2, counted as "capacity_per_ip"', async () => {
    const a = await open(s.port, { localAddress: '127.0.0.1' });
    const b = await open(s.port, { localAddress: '127.0.0.1' });
    await assertRefusedForCapacity(s.port, { localAddress: '127.0.0.1' });
    const other = await open(s.port, { localAddress: '127.0.0.2' });
    await assertEchoes(other, 'from 127.0.0.2');
    await assertEchoes(a, 'a');
    await assertEchoes(b, 'b');
    assert.equal(await refusals(s, 'capacity_per_ip'), 1);
    assert.equal(await refusals(s, 'capacity'), 0);
    await emptyOut(s);
  });

  it('gives 127.0.0.1 its slot back when one of its connections closes, independently of other addresses', async () => {
    const before = await refusals(s, 'capacity_per_ip');
    const mine = await Promise.all([1, 2].map(() => open(s.port, { localAddress: '127.0.0.1' })));
    await Promise.all([1, 2].map(() => open(s.port, { localAddress: '127.0.0.3' })));
    await assertRefusedForCapacity(s.port, { localAddress: '127.0.0.1' });
    await assertRefusedForCapacity(s.port, { localAddress: '127.0.0.3' });
    const [goner] = mine;
    assert.ok(goner);
    await leave(goner);
    await waitFor('the server to release the closed connection', async () => (await openConnections(s.url)) === 3);
    const back = await open(s.port, { localAddress: '127.0.0.1' });
    await assertEchoes(back, 'slot returned');
    await assertRefusedForCapacity(s.port, { localAddress: '127.0.0.3' });
    assert.equal((await refusals(s, 'capacity_per_ip')) - before, 3);
    await emptyOut(s);
  });

  it('gives the slot back as soon as the close handshake is done, though the client never closes its side of TCP', async () => {
    const [lingerer, other] = await Promise.all(
      [1, 2].map(() => open(s.port, { localAddress: '127.0.0.1', neverEnds: true })),
    );
    assert.ok(lingerer && other);
    lingerer.send({ opcode: Opcode.close, payload: closePayload(1000, 'bye') });
    const frame = await lingerer.nextFrame();
    assert.equal(frame.opcode, Opcode.close);
    assert.equal(frame.payload.readUInt16BE(0), 1000);
    await waitFor('the server to end TCP', async () => lingerer.serverEnded);
    assert.equal(lingerer.socket.writable, true, 'this side never ended');
    await waitFor('the server to release the finished connection', async () => (await openConnections(s.url)) === 1);
    const next = await open(s.port, { localAddress: '127.0.0.1' });
    await assertEchoes(next, "slot returned without the old client's FIN");
    await assertEchoes(other, 'unaffected');
    await emptyOut(s);
  });
});

describe('--rate-limit 50', () => {
  const RATE = 50;
  const s = start(['--rate-limit', String(RATE)]);

  it('closes a client that sends 200 messages at once with 1008 "rate limit exceeded", after at most ~50 echoes', async () => {
    const ws = await openClient(s.wsUrl);
    const echoed: string[] = [];
    ws.on('message', (data) => echoed.push(String(data)));
    const closing = closed(ws);
    for (let i = 0; i < 200; i++) ws.send(`burst ${i}`);
    const { code, reason } = await closing;
    assert.equal(code, 1008);
    assert.equal(reason, 'rate limit exceeded');
    // The bucket holds one second's worth (50); a few ms of refill may add one.
    assert.ok(echoed.length >= RATE - 5 && echoed.length <= RATE + 5, `${echoed.length} echoes before the close`);
    assert.deepEqual(
      echoed,
      echoed.map((_, i) => `Received: burst ${i}`),
      'the echoes that came are the first messages, in order',
    );
    assert.equal((await scrapeValue(s.url, 'ws_echo_closes_total', { code: '1008' })) ?? 0, 1);
  });

  /** Sends `count` messages `everyMs` apart (paced from the start time, so no catch-up bursts), each awaited. */
  async function sendPaced(ws: WebSocket, count: number, everyMs: number): Promise<void> {
    const startedAt = performance.now();
    for (let i = 0; i < count; i++) {
      const reply = receive(ws, 1);
      ws.send(`paced ${i}`);
      const [message] = await reply;
      assert.equal(message?.data.toString(), `Received: paced ${i}`);
      const next = startedAt + (i + 1) * everyMs;
      await delay(Math.max(0, next - performance.now()));
    }
  }

  describe('clients within the rate', { concurrency: true }, () => {
    for (const [name, count, everyMs] of [
      ['never closes a client sending 10 messages/s for 2 s', 20, 100],
      [
        'never closes a client sending 40 messages/s for 2 s (80: more than the bucket holds, so the refill keeps it going)',
        80,
        25,
      ],
    ] as const) {
      it(name, async () => {
        const ws = await openClient(s.wsUrl);
        let closedWith: number | undefined;
        ws.once('close', (code) => (closedWith = code));
        await sendPaced(ws, count, everyMs);
        assert.equal(closedWith, undefined);
        assert.equal(ws.readyState, ws.OPEN);
        ws.terminate();
      });
    }
  });
});

describe('--rate-limit 0', () => {
  const s = start(['--rate-limit', '0']);

  it('echoes 20000 messages sent at once (more than even the default 10000/s would allow)', async () => {
    const ws = await openClient(s.wsUrl);
    const COUNT = 20_000;
    const got: string[] = [];
    const all = new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        got.push(String(data));
        if (got.length === COUNT) resolve();
      });
      ws.once('close', (code, reason) =>
        reject(new Error(`closed (${code} ${String(reason)}) after ${got.length} echoes`)),
      );
    });
    for (let i = 0; i < COUNT; i++) ws.send(`m${i}`);
    await withTimeout(all, `${COUNT} echoes`, 10_000);
    for (let i = 0; i < COUNT; i++)
      if (got[i] !== `Received: m${i}`) assert.fail(`echo ${i} is ${JSON.stringify(got[i])}`);
    assert.equal(ws.readyState, ws.OPEN);
    ws.terminate();
  });
});

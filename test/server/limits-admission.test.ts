// Who gets in and how fast they may talk, through real sockets:
// --max-connections and --max-connections-per-ip refuse the upgrade with 503
// and Retry-After (counted in /metrics by reason), and --rate-limit closes a
// connection that sends faster than its token bucket allows with 1008.
// In-process servers; the environment twins are in limits-config.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { startInProcess, type InProcessServer } from '../support/in-process.ts';
import {
  delay,
  destroyAllWires,
  echoes,
  EVENT_TIMEOUT_MS,
  openConnections,
  scrape,
  waitFor,
  WireClient,
} from '../support/limits.ts';
import { closePayload, Opcode } from '../support/raw-client.ts';
import { closed, openClient, receive, terminateAll } from '../support/ws-client.ts';
import { withTimeout } from '../support/wait.ts';

const servers: InProcessServer[] = [];

async function start(flags: string[]): Promise<InProcessServer> {
  const server = await startInProcess(['--shutdown-grace', '200', ...flags]);
  servers.push(server);
  return server;
}

after(async () => {
  destroyAllWires();
  terminateAll();
  await Promise.all(servers.map((s) => s.server.close()));
});

/** Asserts `client` was refused with 503 and a Retry-After of whole seconds, and that no 101 ever came. */
async function assertRefusedForCapacity(client: WireClient): Promise<void> {
  assert.equal(client.statusCode, 503, `expected 503, got ${client.statusLine}`);
  const retryAfter = client.headers['retry-after'];
  assert.ok(retryAfter !== undefined, 'a 503 for capacity carries Retry-After');
  assert.match(
    retryAfter,
    /^[1-9]\d*$/,
    `Retry-After is a positive number of seconds, got ${JSON.stringify(retryAfter)}`,
  );
  await client.closed(EVENT_TIMEOUT_MS);
  assert.doesNotMatch(
    client.raw.toString('latin1'),
    /\b101\b|Switching Protocols|Sec-WebSocket-Accept/i,
    'a refused upgrade must never see 101',
  );
}

async function refusals(s: InProcessServer, reason: string): Promise<number> {
  return (await scrape(s.url, 'ws_echo_handshakes_refused_total', { reason })) ?? 0;
}

/** Closes `client` the polite way: a close frame, the server's close frame back, then the server ends TCP. */
async function leave(client: WireClient): Promise<void> {
  client.send({ opcode: Opcode.close, payload: closePayload(1000, 'bye') });
  const frame = await client.nextFrame(EVENT_TIMEOUT_MS);
  assert.equal(frame.opcode, Opcode.close);
  await client.closed(EVENT_TIMEOUT_MS);
}

/** Destroys every raw client and waits until the server has released all their slots. */
async function emptyOut(s: InProcessServer): Promise<void> {
  destroyAllWires();
  await waitFor('the server to release every connection', async () => (await openConnections(s.url)) === 0);
}

describe('--max-connections 3', () => {
  let s: InProcessServer;
  before(async () => {
    s = await start(['--max-connections', '3']);
  });

  it('accepts 3 upgrades and answers the 4th with 503 and Retry-After, never 101, counted as "capacity"', async () => {
    const before = await refusals(s, 'capacity');
    const inside = await Promise.all([1, 2, 3].map(() => WireClient.connect(s.port)));
    for (const client of inside) assert.equal(client.statusCode, 101, client.statusLine);
    await assertRefusedForCapacity(await WireClient.connect(s.port));
    // From another address too: the total cap is for everyone.
    await assertRefusedForCapacity(await WireClient.connect(s.port, { localAddress: '127.0.0.2' }));
    // The ones inside are unaffected.
    for (const [i, client] of inside.entries()) await echoes(client, `inside ${i}`);
    assert.equal((await refusals(s, 'capacity')) - before, 2);
    assert.equal(await refusals(s, 'capacity_per_ip'), 0);
    // Plain HTTP still works while the WebSocket slots are full.
    assert.equal(await openConnections(s.url), 3);
    await emptyOut(s);
  });

  it('accepts a new connection once one of the 3 has closed, and is full again after it', async () => {
    const before = await refusals(s, 'capacity');
    const inside = await Promise.all([1, 2, 3].map(() => WireClient.connect(s.port)));
    for (const client of inside) assert.equal(client.statusCode, 101, client.statusLine);
    await assertRefusedForCapacity(await WireClient.connect(s.port));
    const [goner, ...stay] = inside;
    assert.ok(goner);
    await leave(goner);
    await waitFor('the server to release the closed connection', async () => (await openConnections(s.url)) === 2);
    const replacement = await WireClient.connect(s.port);
    assert.equal(replacement.statusCode, 101, `after one closed, a new upgrade was refused: ${replacement.statusLine}`);
    await echoes(replacement, 'took the free slot');
    for (const client of stay) await echoes(client, 'still inside');
    await assertRefusedForCapacity(await WireClient.connect(s.port));
    assert.equal((await refusals(s, 'capacity')) - before, 2);
    await emptyOut(s);
  });
});

describe('--max-connections-per-ip 2', () => {
  let s: InProcessServer;
  before(async () => {
    s = await start(['--max-connections-per-ip', '2']);
  });

  it('refuses a 3rd from 127.0.0.1 with 503 while accepting one from 127.0.0.2, counted as "capacity_per_ip"', async () => {
    const a = await WireClient.connect(s.port, { localAddress: '127.0.0.1' });
    const b = await WireClient.connect(s.port, { localAddress: '127.0.0.1' });
    assert.equal(a.statusCode, 101, a.statusLine);
    assert.equal(b.statusCode, 101, b.statusLine);
    await assertRefusedForCapacity(await WireClient.connect(s.port, { localAddress: '127.0.0.1' }));
    const other = await WireClient.connect(s.port, { localAddress: '127.0.0.2' });
    assert.equal(other.statusCode, 101, `another IP was refused: ${other.statusLine}`);
    await echoes(other, 'from 127.0.0.2');
    await echoes(a, 'a');
    await echoes(b, 'b');
    assert.equal(await refusals(s, 'capacity_per_ip'), 1);
    assert.equal(await refusals(s, 'capacity'), 0);
    await emptyOut(s);
  });

  it('gives 127.0.0.1 its slot back when one of its connections closes, independently of other addresses', async () => {
    const before = await refusals(s, 'capacity_per_ip');
    const mine = await Promise.all([1, 2].map(() => WireClient.connect(s.port, { localAddress: '127.0.0.1' })));
    const theirs = await Promise.all([1, 2].map(() => WireClient.connect(s.port, { localAddress: '127.0.0.3' })));
    for (const client of [...mine, ...theirs]) assert.equal(client.statusCode, 101, client.statusLine);
    await assertRefusedForCapacity(await WireClient.connect(s.port, { localAddress: '127.0.0.1' }));
    await assertRefusedForCapacity(await WireClient.connect(s.port, { localAddress: '127.0.0.3' }));
    const [goner] = mine;
    assert.ok(goner);
    await leave(goner);
    await waitFor('the server to release the closed connection', async () => (await openConnections(s.url)) === 3);
    const back = await WireClient.connect(s.port, { localAddress: '127.0.0.1' });
    assert.equal(back.statusCode, 101, `127.0.0.1 did not get its slot back: ${back.statusLine}`);
    await echoes(back, 'slot returned');
    await assertRefusedForCapacity(await WireClient.connect(s.port, { localAddress: '127.0.0.3' }));
    assert.equal((await refusals(s, 'capacity_per_ip')) - before, 3);
    await emptyOut(s);
  });

  it('gives the slot back as soon as the close handshake is done, though the client never closes its side of TCP', async () => {
    const [lingerer, other] = await Promise.all(
      [1, 2].map(() => WireClient.connect(s.port, { localAddress: '127.0.0.1', neverEnds: true })),
    );
    assert.ok(lingerer && other);
    for (const client of [lingerer, other]) assert.equal(client.statusCode, 101, client.statusLine);
    lingerer.send({ opcode: Opcode.close, payload: closePayload(1000, 'bye') });
    const frame = await lingerer.nextFrame(EVENT_TIMEOUT_MS);
    assert.equal(frame.opcode, Opcode.close);
    assert.equal(frame.payload.readUInt16BE(0), 1000);
    await waitFor('the server to end TCP', async () => lingerer.serverEnded);
    assert.equal(lingerer.socket.writable, true, 'this side never ended');
    await waitFor('the server to release the finished connection', async () => (await openConnections(s.url)) === 1);
    const next = await WireClient.connect(s.port, { localAddress: '127.0.0.1' });
    assert.equal(next.statusCode, 101, `the slot was still held: ${next.statusLine}`);
    await echoes(next, "slot returned without the old client's FIN");
    await echoes(other, 'unaffected');
    await emptyOut(s);
  });
});

describe('--rate-limit 50', () => {
  const RATE = 50;
  let s: InProcessServer;
  before(async () => {
    s = await start(['--rate-limit', String(RATE)]);
  });

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
    assert.equal((await scrape(s.url, 'ws_echo_closes_total', { code: '1008' })) ?? 0, 1);
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
    it('never closes a client sending 10 messages/s for 2 s', async () => {
      const ws = await openClient(s.wsUrl);
      let closedWith: number | undefined;
      ws.once('close', (code) => (closedWith = code));
      await sendPaced(ws, 20, 100);
      assert.equal(closedWith, undefined);
      assert.equal(ws.readyState, ws.OPEN);
      ws.terminate();
    });

    it('never closes a client sending 40 messages/s for 2 s (80: more than the bucket holds, so the refill keeps it going)', async () => {
      const ws = await openClient(s.wsUrl);
      let closedWith: number | undefined;
      ws.once('close', (code) => (closedWith = code));
      await sendPaced(ws, 80, 25);
      assert.equal(closedWith, undefined);
      assert.equal(ws.readyState, ws.OPEN);
      ws.terminate();
    });
  });
});

describe('--rate-limit 0', () => {
  it('echoes 20000 messages sent at once (more than even the default 10000/s would allow)', async () => {
    const s = await start(['--rate-limit', '0']);
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
    await withTimeout(all, 10_000, `${COUNT} echoes`);
    for (let i = 0; i < COUNT; i++)
      if (got[i] !== `Received: m${i}`) assert.fail(`echo ${i} is ${JSON.stringify(got[i])}`);
    assert.equal(ws.readyState, ws.OPEN);
    ws.terminate();
  });
});

// The per-IP cap and the rate limit by exposure (server/exposure.ts), through
// real sockets: on loopback only, a local load test and a full-speed burst are
// never refused nor closed; on 0.0.0.0 (reached here at 127.0.0.1) or behind
// --trust-proxy, the 257th connection from one address gets 503 and the burst
// 1008. Explicit flags win everywhere. In-process servers; the start line that
// says which limits are on is in start-line.test.ts.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startInProcess, type InProcessServer } from '../support/in-process.ts';
import { destroyAllWires, echoes, openConnections, scrape, waitFor, WireClient } from '../support/limits.ts';
import { openClient, terminateAll } from '../support/ws-client.ts';
import { withTimeout } from '../support/wait.ts';

const servers: InProcessServer[] = [];

after(async () => {
  destroyAllWires();
  terminateAll();
  await Promise.all(servers.map((s) => s.server.close()));
});

/** An in-process server and the URLs to reach it at 127.0.0.1, whatever interface it binds. */
async function start(flags: string[]): Promise<{ port: number; url: string; wsUrl: string }> {
  const s = await startInProcess(['--shutdown-grace', '200', ...flags]);
  servers.push(s);
  return { port: s.port, url: `http://127.0.0.1:${s.port}/`, wsUrl: `ws://127.0.0.1:${s.port}/` };
}

/** Opens `count` raw connections from `localAddress`, `batch` at a time (the listen backlog is finite). */
async function connectMany(
  port: number,
  count: number,
  localAddress = '127.0.0.1',
  batch = 100,
): Promise<WireClient[]> {
  const clients: WireClient[] = [];
  while (clients.length < count) {
    const size = Math.min(batch, count - clients.length);
    clients.push(
      ...(await Promise.all(Array.from({ length: size }, () => WireClient.connect(port, { localAddress })))),
    );
  }
  return clients;
}

/** Closes every raw client and waits until the server has let go of them. */
async function emptyOut(url: string): Promise<void> {
  destroyAllWires();
  await waitFor('the server to release every connection', async () => (await openConnections(url)) === 0);
}

const BURST = 20_000;

/**
 * Sends BURST text messages at once, far above 10000 a second, and waits for
 * every echo or the close: how many came back, in order, and the close if any.
 */
async function burst(wsUrl: string): Promise<{ echoed: number; close?: { code: number; reason: string } }> {
  const ws = await openClient(wsUrl);
  let echoed = 0;
  const outcome = new Promise<{ echoed: number; close?: { code: number; reason: string } }>((resolve, reject) => {
    ws.on('message', (data) => {
      if (String(data) !== `Received: m${echoed}`)
        reject(new Error(`echo ${echoed} is ${JSON.stringify(String(data))}`));
      echoed++;
      if (echoed === BURST) resolve({ echoed });
    });
    ws.once('close', (code, reason) => resolve({ echoed, close: { code, reason: String(reason) } }));
  });
  for (let i = 0; i < BURST; i++) ws.send(`m${i}`);
  const result = await withTimeout(outcome, 10_000, `${BURST} echoes or a close`);
  ws.terminate();
  return result;
}

async function assertBurstEchoed(wsUrl: string): Promise<void> {
  const { echoed, close } = await burst(wsUrl);
  assert.equal(close, undefined, `closed after ${echoed} echoes`);
  assert.equal(echoed, BURST);
}

/** The default 10000 messages/s: the bucket's second's worth, plus what it refills while the burst is read. */
async function assertBurstClosed(wsUrl: string, rate: number): Promise<void> {
  const { echoed, close } = await burst(wsUrl);
  assert.deepEqual(close, { code: 1008, reason: 'rate limit exceeded' });
  assert.ok(echoed >= rate - 5 && echoed < BURST, `${echoed} echoes before the close`);
}

/** Asserts that `perIp` connections from 127.0.0.1 get in, the next one gets 503, and another address still gets in. */
async function assertPerIpCap(server: { port: number; url: string }, perIp: number): Promise<void> {
  const inside = await connectMany(server.port, perIp);
  assert.deepEqual(new Set(inside.map((client) => client.statusCode)), new Set([101]));
  const refused = await WireClient.connect(server.port, { localAddress: '127.0.0.1' });
  assert.equal(refused.statusCode, 503, refused.statusLine);
  assert.match(refused.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  const other = await WireClient.connect(server.port, { localAddress: '127.0.0.2' });
  assert.equal(other.statusCode, 101, `another address was refused: ${other.statusLine}`);
  await echoes(other, 'from 127.0.0.2');
  const [first] = inside;
  assert.ok(first);
  await echoes(first, 'still inside');
  assert.equal(await scrape(server.url, 'ws_echo_handshakes_refused_total', { reason: 'capacity_per_ip' }), 1);
  await emptyOut(server.url);
}

async function assertNoPerIpCap(server: { port: number; url: string }, count: number): Promise<void> {
  const clients = await connectMany(server.port, count);
  const statuses = clients.map((client) => client.statusCode);
  assert.equal(
    statuses.filter((status) => status === 101).length,
    count,
    `refused: ${statuses.filter((s) => s !== 101).length}`,
  );
  await Promise.all(clients.map((client, i) => echoes(client, `client ${i}`)));
  assert.equal(await openConnections(server.url), count);
  assert.equal((await scrape(server.url, 'ws_echo_handshakes_refused_total', { reason: 'capacity_per_ip' })) ?? 0, 0);
  await emptyOut(server.url);
}

describe('the defaults on loopback only (127.0.0.1, no --trust-proxy)', () => {
  it('accept a local load test of 1000 connections from 127.0.0.1, and each one echoes', async () => {
    await assertNoPerIpCap(await start([]), 1000);
  });

  it('echo a burst of 20000 messages without closing (the rate limit is off)', async () => {
    await assertBurstEchoed((await start([])).wsUrl);
  });

  it('are off on any 127.x address: --host 127.0.0.2', async () => {
    const s = await startInProcess(['--host', '127.0.0.2', '--shutdown-grace', '200']);
    servers.push(s);
    assert.equal(new URL(s.wsUrl).hostname, '127.0.0.2');
    await assertBurstEchoed(s.wsUrl);
  });
});

describe('the defaults when other machines can connect', () => {
  for (const [where, flags] of [
    ['--host 0.0.0.0', ['--host', '0.0.0.0']],
    ['--trust-proxy (on loopback)', ['--trust-proxy']],
  ] as const) {
    describe(where, () => {
      it('answer the 257th connection from one address with 503 and Retry-After', async () => {
        await assertPerIpCap(await start([...flags]), 256);
      });

      it('close a burst of 20000 messages with 1008 after about 10000 echoes', async () => {
        await assertBurstClosed((await start([...flags])).wsUrl, 10_000);
      });
    });
  }
});

describe('explicit limits win over the exposure', () => {
  it('on loopback: --max-connections-per-ip 2 and --rate-limit 50 apply', async () => {
    const s = await start(['--max-connections-per-ip', '2', '--rate-limit', '50']);
    await assertPerIpCap(s, 2);
    await assertBurstClosed(s.wsUrl, 50);
  });

  for (const [where, flags] of [
    ['--host 0.0.0.0', ['--host', '0.0.0.0']],
    ['--trust-proxy', ['--trust-proxy']],
  ] as const) {
    it(`${where} with --max-connections-per-ip 0 --rate-limit 0: 300 connections from one address, a burst echoed`, async () => {
      const s = await start([...flags, '--max-connections-per-ip', '0', '--rate-limit', '0']);
      await assertNoPerIpCap(s, 300);
      await assertBurstEchoed(s.wsUrl);
    });

    it(`${where} with only --rate-limit 0: the per-IP cap stays at 256`, async () => {
      const s = await start([...flags, '--rate-limit', '0']);
      await assertPerIpCap(s, 256);
      await assertBurstEchoed(s.wsUrl);
    });
  }
});

// The per-IP cap and the rate limit by exposure (server/exposure.ts), through
// real sockets: on loopback only, a local load test and a full-speed burst are
// never refused nor closed; on 0.0.0.0 (reached here at 127.0.0.1) or behind
// --trust-proxy, the 257th connection from one address gets 503 and the burst
// 1008. Explicit flags win everywhere. In-process servers; the start line that
// says which limits are on is in start-line.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertEchoes } from '../support/frame-assertions.ts';
import { openConnections } from '../support/http-request.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { destroyRawConnections, RawClient } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { waitFor, withTimeout } from '../support/wait.ts';
import { openClient } from '../support/ws-client.ts';

interface Reached {
  port: number;
  url: string;
  wsUrl: string;
}

/** An in-process server (useEchoServer), reached at 127.0.0.1 whatever interface it binds. */
function useServer(flags: string[]): Reached {
  const s = useEchoServer(['--shutdown-grace', '200', ...flags]);
  return {
    get port() {
      return s.port;
    },
    get url() {
      return `http://127.0.0.1:${s.port}/`;
    },
    get wsUrl() {
      return `ws://127.0.0.1:${s.port}/`;
    },
  };
}

/** Opens `count` raw connections from `localAddress`, `batch` at a time (the listen backlog is finite). */
async function connectMany(port: number, count: number, localAddress = '127.0.0.1', batch = 100): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  while (clients.length < count) {
    const size = Math.min(batch, count - clients.length);
    clients.push(...(await Promise.all(Array.from({ length: size }, () => RawClient.connect(port, { localAddress })))));
  }
  return clients;
}

/** Closes every raw client and waits until the server has let go of them. */
async function emptyOut(url: string): Promise<void> {
  destroyRawConnections();
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
  const result = await withTimeout(outcome, `${BURST} echoes or a close`, 10_000);
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
async function assertPerIpCap(server: Reached, perIp: number): Promise<void> {
  const inside = await connectMany(server.port, perIp);
  assert.deepEqual(new Set(inside.map((client) => client.response.statusCode)), new Set([101]));
  const refused = await RawClient.connect(server.port, { localAddress: '127.0.0.1' });
  assert.equal(refused.response.statusCode, 503, refused.response.statusLine);
  assert.match(refused.response.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  const other = await RawClient.connect(server.port, { localAddress: '127.0.0.2' });
  assert.equal(other.response.statusCode, 101, `another address was refused: ${other.response.statusLine}`);
  await assertEchoes(other, 'from 127.0.0.2');
  const [first] = inside;
  assert.ok(first);
  await assertEchoes(first, 'still inside');
  assert.equal(await scrapeValue(server.url, 'ws_echo_handshakes_refused_total', { reason: 'capacity_per_ip' }), 1);
  await emptyOut(server.url);
}

async function assertNoPerIpCap(server: Reached, count: number): Promise<void> {
  const clients = await connectMany(server.port, count);
  const statuses = clients.map((client) => client.response.statusCode);
  assert.equal(
    statuses.filter((status) => status === 101).length,
    count,
    `refused: ${statuses.filter((s) => s !== 101).length}`,
  );
  await Promise.all(clients.map((client, i) => assertEchoes(client, `client ${i}`)));
  assert.equal(await openConnections(server.url), count);
  assert.equal(
    (await scrapeValue(server.url, 'ws_echo_handshakes_refused_total', { reason: 'capacity_per_ip' })) ?? 0,
    0,
  );
  await emptyOut(server.url);
}

describe('the defaults on loopback only (127.0.0.1, no --trust-proxy)', () => {
  const loaded = useServer([]);
  const burstOn = useServer([]);
  const elsewhere = useEchoServer(['--host', '127.0.0.2', '--shutdown-grace', '200']);

  it('accept a local load test of 1000 connections from 127.0.0.1, and each one echoes', async () => {
    await assertNoPerIpCap(loaded, 1000);
  });

  it('echo a burst of 20000 messages without closing (the rate limit is off)', async () => {
    await assertBurstEchoed(burstOn.wsUrl);
  });

  it('are off on any 127.x address: --host 127.0.0.2', async () => {
    assert.equal(new URL(elsewhere.wsUrl).hostname, '127.0.0.2');
    await assertBurstEchoed(elsewhere.wsUrl);
  });
});

describe('the defaults when other machines can connect', () => {
  for (const [where, flags] of [
    ['--host 0.0.0.0', ['--host', '0.0.0.0']],
    ['--trust-proxy (on loopback)', ['--trust-proxy']],
  ] as const) {
    describe(where, () => {
      const capped = useServer([...flags]);
      const limited = useServer([...flags]);

      it('answer the 257th connection from one address with 503 and Retry-After', async () => {
        await assertPerIpCap(capped, 256);
      });

      it('close a burst of 20000 messages with 1008 after about 10000 echoes', async () => {
        await assertBurstClosed(limited.wsUrl, 10_000);
      });
    });
  }
});

describe('explicit limits win over the exposure', () => {
  const loopback = useServer(['--max-connections-per-ip', '2', '--rate-limit', '50']);

  it('on loopback: --max-connections-per-ip 2 and --rate-limit 50 apply', async () => {
    await assertPerIpCap(loopback, 2);
    await assertBurstClosed(loopback.wsUrl, 50);
  });

  for (const [where, flags] of [
    ['--host 0.0.0.0', ['--host', '0.0.0.0']],
    ['--trust-proxy', ['--trust-proxy']],
  ] as const) {
    const unlimited = useServer([...flags, '--max-connections-per-ip', '0', '--rate-limit', '0']);
    const capped = useServer([...flags, '--rate-limit', '0']);

    it(`${where} with --max-connections-per-ip 0 --rate-limit 0: 300 connections from one address, a burst echoed`, async () => {
      await assertNoPerIpCap(unlimited, 300);
      await assertBurstEchoed(unlimited.wsUrl);
    });

    it(`${where} with only --rate-limit 0: the per-IP cap stays at 256`, async () => {
      await assertPerIpCap(capped, 256);
      await assertBurstEchoed(capped.wsUrl);
    });
  }
});

// The limit flags as the built server takes them: each environment twin
// reaches a real socket on `node dist/server/main.js`, and the flag beats its
// twin. (MAX_BUFFERED_BYTES is shown in limits-backpressure.test.ts, where its
// effect can be measured; bad values are refused in config.test.ts.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { assertEchoes, expectBinaryEcho, expectCloseCode, open } from '../support/frame-assertions.ts';
import { Opcode } from '../support/frames.ts';
import { openConnections } from '../support/http-request.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { destroyRawConnections, RawClient, trickleForever } from '../support/raw-client.ts';
import { serverProcesses } from '../support/servers.ts';
import type { RunningServer, StartOptions } from '../support/spawn-server.ts';
import { waitFor } from '../support/wait.ts';
import { closed, openClient, terminateAll } from '../support/ws-client.ts';

describe('the environment twins reach a running server (child processes)', () => {
  const start = serverProcesses({ args: ['--shutdown-grace', '200'] });
  // Three servers, several limits each, started side by side (each start costs a Node boot).
  const setups = {
    // --max-connections-per-ip 3 on the command line beats MAX_CONNECTIONS_PER_IP=1.
    mixed: {
      args: ['--max-connections-per-ip', '3'],
      env: { MAX_MESSAGE_SIZE: '1024', HANDSHAKE_TIMEOUT_MS: '500', RATE_LIMIT: '5', MAX_CONNECTIONS_PER_IP: '1' },
    },
    heartbeat: { env: { HEARTBEAT_INTERVAL_MS: '200' } },
    caps: { env: { MAX_CONNECTIONS: '2', MAX_CONNECTIONS_PER_IP: '1' } },
  } satisfies Record<string, StartOptions>;
  const servers = {} as Record<keyof typeof setups, RunningServer>;
  before(async () => {
    await Promise.all(
      Object.entries(setups).map(async ([name, options]) => {
        servers[name as keyof typeof setups] = await start(options);
      }),
    );
  });

  /** Closes every client and waits until `s` has let go of all of them. */
  async function emptyOut(s: RunningServer): Promise<void> {
    destroyRawConnections();
    terminateAll();
    await waitFor('the server to release every connection', async () => (await openConnections(s.url)) === 0);
  }

  it('MAX_MESSAGE_SIZE=1024: 1024 bytes are echoed, 1025 close the connection with 1009', async () => {
    const client = await open(servers.mixed.port);
    const fits = randomBytes(1024);
    client.send({ opcode: Opcode.binary, payload: fits });
    await expectBinaryEcho(client, fits);
    client.send({ opcode: Opcode.binary, payload: randomBytes(1025) });
    await expectCloseCode(client, 1009);
    await emptyOut(servers.mixed);
  });

  it('HANDSHAKE_TIMEOUT_MS=500: a trickled handshake is dropped within 2 s, a prompt one is served', async () => {
    const slow = trickleForever(servers.mixed.port);
    const prompt = await open(servers.mixed.port);
    const elapsed = await slow.closedAfter(2_000);
    assert.ok(elapsed >= 450, `dropped after ${elapsed.toFixed(0)} ms`);
    assert.doesNotMatch(slow.raw.toString('latin1'), / 101 /);
    await assertEchoes(prompt, 'prompt');
    await emptyOut(servers.mixed);
  });

  it('RATE_LIMIT=5: 20 messages at once get close 1008 "rate limit exceeded" after about 5 echoes', async () => {
    const ws = await openClient(servers.mixed.wsUrl);
    let echoed = 0;
    ws.on('message', () => echoed++);
    const closing = closed(ws);
    for (let i = 0; i < 20; i++) ws.send(`m${i}`);
    assert.deepEqual(await closing, { code: 1008, reason: 'rate limit exceeded' });
    assert.ok(echoed >= 4 && echoed <= 7, `${echoed} echoes before the close`);
    await emptyOut(servers.mixed);
  });

  it('--max-connections-per-ip 3 beats MAX_CONNECTIONS_PER_IP=1: 3 from 127.0.0.1 are accepted, the 4th refused', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await RawClient.connect(servers.mixed.port, { localAddress: '127.0.0.1' })).response.statusCode);
    assert.deepEqual(statuses, [101, 101, 101, 503]);
    await emptyOut(servers.mixed);
  });

  it('HEARTBEAT_INTERVAL_MS=200: a client that never answers is pinged, then dropped', async () => {
    const client = await open(servers.heartbeat.port);
    const ping = await client.nextFrame(1_500);
    assert.equal(ping.opcode, Opcode.ping);
    await client.closed(1_500);
  });

  it('MAX_CONNECTIONS_PER_IP=1 and MAX_CONNECTIONS=2: a 2nd from 127.0.0.1 is refused per IP, a 3rd address for capacity', async () => {
    const s = servers.caps;
    const from = (localAddress: string) => RawClient.connect(s.port, { localAddress });
    const first = await from('127.0.0.1');
    const sameIp = await from('127.0.0.1');
    const otherIp = await from('127.0.0.2');
    const thirdIp = await from('127.0.0.3');
    assert.deepEqual(
      [first, sameIp, otherIp, thirdIp].map((client) => client.response.statusCode),
      [101, 503, 101, 503],
    );
    for (const refused of [sameIp, thirdIp]) assert.match(refused.response.headers['retry-after'] ?? '', /^[1-9]\d*$/);
    assert.equal(await scrapeValue(s.url, 'ws_echo_handshakes_refused_total', { reason: 'capacity_per_ip' }), 1);
    assert.equal(await scrapeValue(s.url, 'ws_echo_handshakes_refused_total', { reason: 'capacity' }), 1);
    await assertEchoes(otherIp, 'other address');
    await emptyOut(s);
  });
});

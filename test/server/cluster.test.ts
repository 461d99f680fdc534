// --workers: several processes share the port, behave as one server, and
// stop together.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { health } from '../support/http-request.ts';
import { sampleValue, scrape } from '../support/prometheus.ts';
import { serverProcesses } from '../support/servers.ts';
import { BOOT_TIMEOUT_MS, type RunningServer } from '../support/spawn-server.ts';
import { waitFor } from '../support/wait.ts';
import { closed, echoOf, openClient } from '../support/ws-client.ts';

const startCluster = serverProcesses({ args: ['--workers', '2', '--rate-limit', '0'] });

/** Asks /healthz until both workers have answered; the primary hands connections out round-robin. */
async function workerPids(server: RunningServer): Promise<Map<number, number>> {
  const pids = new Map<number, number>();
  for (let i = 0; i < 20 && pids.size < 2; i++) {
    const { worker, pid } = (await health(server.url)).body;
    assert.ok(worker !== undefined && pid !== undefined, 'a worker names itself in /healthz');
    pids.set(worker, pid);
  }
  return pids;
}

describe('--workers 2', () => {
  it('prints one URL line, serves from both workers and sums their metrics', async () => {
    const server = await startCluster();
    const listening = server.output.filter((line) => line.includes('"url"'));
    assert.equal(listening.length, 1, listening.join('\n'));
    assert.match(listening[0]!, /"workers":2/);
    assert.equal((await workerPids(server)).size, 2, 'both workers answer');

    const clients = await Promise.all(Array.from({ length: 6 }, () => openClient(server.wsUrl)));
    for (const [i, ws] of clients.entries()) {
      assert.equal((await echoOf(ws, `message ${i}`)).data.toString(), `Received: message ${i}`);
    }
    const metrics = await scrape(server.url);
    assert.equal(sampleValue(metrics, 'ws_echo_connections_total'), 6, 'connections of every worker, summed');
    assert.equal(sampleValue(metrics, 'ws_echo_connections_open'), 6);
    assert.equal(sampleValue(metrics, 'ws_echo_messages_received_total', { type: 'text' }), 6);
    for (const ws of clients) ws.close(1000);
  });

  it('replaces a worker that dies, and keeps echoing', async () => {
    const server = await startCluster();
    const [first] = [...(await workerPids(server)).values()];
    process.kill(first!, 'SIGKILL');
    // A new worker appears with a new pid, and both are serving again.
    const pids = await waitFor(
      'a new worker in place of the dead one',
      async () => {
        const now = await workerPids(server).catch(() => new Map<number, number>());
        return now.size === 2 && ![...now.values()].includes(first!) && now;
      },
      { timeoutMs: BOOT_TIMEOUT_MS, intervalMs: 100 },
    );
    assert.equal(pids.size, 2);
    assert.ok(![...pids.values()].includes(first!), 'the dead worker is gone');
    const ws = await openClient(server.wsUrl);
    assert.equal((await echoOf(ws, 'still here')).data.toString(), 'Received: still here');
    ws.close(1000);
  });

  it('on SIGTERM closes the clients of every worker with 1001 and exits 0', async () => {
    const server = await startCluster();
    const clients = await Promise.all(Array.from({ length: 4 }, () => openClient(server.wsUrl)));
    const closes = clients.map((ws) => closed(ws));
    const code = await server.stop('SIGTERM');
    assert.deepEqual(
      (await Promise.all(closes)).map(({ code: c, reason }) => `${c} ${reason}`),
      Array(4).fill('1001 server shutting down'),
    );
    assert.equal(code, 0);
    assert.ok(server.output.filter((line) => line.includes('"msg":"stopped"')).length === 2, 'both workers stopped');
  });
});

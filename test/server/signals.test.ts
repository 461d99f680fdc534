// What the server does with signals while it is stopping: a second signal,
// given on purpose, ends it at once; under `npm run dev`, the same signal
// twice in a moment (one Ctrl-C reaches the terminal's process group and is
// relayed by tsx) is one request to stop gracefully. Real processes, a real client.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { serverProcesses } from '../support/servers.ts';
import type { RunningServer } from '../support/spawn-server.ts';
import { delay } from '../support/wait.ts';
import { openClient } from '../support/ws-client.ts';

const start = serverProcesses();

/** The server (built, or `npm run dev`) with one client that never answers the close handshake, so stopping waits for the grace. */
async function stoppingSlowly(graceMs: number, dev = false): Promise<{ server: RunningServer; client: WebSocket }> {
  const server = await start({ dev, args: ['--shutdown-grace', String(graceMs)] });
  const client = await openClient(server.wsUrl);
  // A client that does not take part in the close: ws would answer the close frame, so stop reading.
  (client as unknown as { _socket: { pause(): void } })._socket.pause();
  return { server, client };
}

describe('signals while stopping', () => {
  it("under npm run dev, one Ctrl-C (the same SIGINT twice: the group's and tsx's relay) stops once, gracefully", async () => {
    // A stop that takes the whole 2 s grace, so the relayed copy lands while it runs.
    const { server, client } = await stoppingSlowly(2_000, true);
    // What a terminal does: SIGINT to the whole process group (npm, tsx, the server).
    process.kill(-server.child.pid!, 'SIGINT');
    // tsx's relay, late, as under load.
    await delay(50);
    process.kill(-server.child.pid!, 'SIGINT');
    await server.exited;
    assert.ok(
      server.output.some((line) => line.includes('"msg":"stopped"')),
      `the graceful stop finished:\n${server.output.join('\n')}`,
    );
    client.terminate();
  });

  it('a second signal later ends a stop that is waiting for clients, at once', async () => {
    const { server, client } = await stoppingSlowly(20_000);
    server.child.kill('SIGTERM');
    // Past the second in which a repeat counts as the same signal delivered twice.
    await delay(1_500);
    assert.equal(server.child.exitCode, null, 'still waiting for the client after the first signal');
    const started = performance.now();
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 'SIGTERM', 'died of the second signal');
    assert.ok(performance.now() - started < 5_000, 'at once, not after the 20 s grace');
    client.terminate();
  });
});

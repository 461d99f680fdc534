// What the server does with signals while it is stopping: a second signal,
// given on purpose, ends it at once; the same signal twice in a row, as one
// Ctrl-C reaches `npm run dev` (the terminal's process group and tsx's
// relay), is one request to stop gracefully. Real processes, a real client.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { serverProcesses } from '../support/servers.ts';
import type { RunningServer } from '../support/spawn-server.ts';
import { delay } from '../support/wait.ts';
import { openClient } from '../support/ws-client.ts';

const start = serverProcesses();

/** The built server with one client that never answers the close handshake, so stopping waits for the grace. */
async function stoppingSlowly(graceMs: number): Promise<{ server: RunningServer; client: WebSocket }> {
  const server = await start({ args: ['--shutdown-grace', String(graceMs)] });
  const client = await openClient(server.wsUrl);
  // A client that does not take part in the close: ws would answer the close frame, so stop reading.
  (client as unknown as { _socket: { pause(): void } })._socket.pause();
  return { server, client };
}

describe('signals while stopping', () => {
  it('the same signal twice within a moment stops once, gracefully', async () => {
    // A stop that takes the whole 2 s grace, so the repeat lands while it runs.
    const { server, client } = await stoppingSlowly(2_000);
    server.child.kill('SIGINT');
    // The relayed copy comes a little later than the group's, once the first is being handled.
    await delay(50);
    server.child.kill('SIGINT');
    assert.equal(await server.exited, 0);
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

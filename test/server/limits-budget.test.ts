// --max-buffered-total: what many clients that send large messages and read
// nothing can make the server hold. Each connection alone is bounded by
// --max-buffered (it stops being read with about two replies queued); the
// budget bounds them together: past it, every connection with replies
// waiting stops being read, so each holds only the reply it was sending when
// its client stopped reading. A client that reads is not held back. The
// built server runs as a child process so its resident memory is its own;
// the figures are the ones deploy/README.md's "Sizing" gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { residentBytes } from '../support/child-process.ts';
import { open } from '../support/frame-assertions.ts';
import { indexedFrames } from '../support/frames.ts';
import { openConnections } from '../support/http-request.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { floodWith, type RawClient } from '../support/raw-client.ts';
import { serverProcesses } from '../support/servers.ts';
import type { RunningServer } from '../support/spawn-server.ts';
import { waitFor } from '../support/wait.ts';
import { openClient, receive } from '../support/ws-client.ts';

const MiB = 1024 * 1024;
// Just under 1 MiB (the default --max-message-size): one reply does not cross
// --max-buffered (1 MiB) but two do, the most one connection can queue.
const MESSAGE = MiB - 64;
// deploy/README.md's figures are this test at the per-IP cap and the default budget:
// FLOOD_CLIENTS=256 FLOOD_BUDGET=67108864 npx tsx --test test/server/limits-budget.test.ts
const CLIENTS = Number(process.env.FLOOD_CLIENTS ?? 32);
const BUDGET = Number(process.env.FLOOD_BUDGET ?? 8 * MiB);

const start = serverProcesses({ args: ['--rate-limit', '0', '--shutdown-grace', '200'] });

interface Held {
  /** Resident memory added while flooded, per flooding connection, in MiB. */
  rssPerConnectionMiB: number;
  /** Peak resident memory while flooded, in MiB. */
  peakMiB: number;
  /** ws_echo_buffered_bytes once nothing more is read, in bytes. */
  queued: number;
  server: RunningServer;
  /** The flooding clients, to let go of. */
  flooders: RawClient[];
}

/**
 * Starts the server with `args`, connects CLIENTS raw clients that flood
 * MESSAGE-sized binary messages without reading a byte, and waits until the
 * server has stopped reading from all of them.
 */
async function floodWithoutReading(args: string[]): Promise<Held> {
  const server = await start({ args });
  const baseline = await residentBytes(server);
  const frame = indexedFrames(MESSAGE).frame(0);
  const flooders: RawClient[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const client = await open(server.port);
    client.socket.pause();
    flooders.push(client);
    floodWith(client.socket, frame, 200 * MiB);
  }
  let last = -1;
  let since = performance.now();
  let peak = 0;
  await waitFor(
    'the server to stop reading from every flooding client',
    async () => {
      peak = Math.max(peak, await residentBytes(server));
      const received = (await scrapeValue(server.url, 'ws_echo_bytes_received_total', { type: 'binary' })) ?? 0;
      if (received !== last) {
        last = received;
        since = performance.now();
        return false;
      }
      return performance.now() - since > 1_500;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  const queued = (await scrapeValue(server.url, 'ws_echo_buffered_bytes')) ?? NaN;
  return { rssPerConnectionMiB: (peak - baseline) / MiB / CLIENTS, peakMiB: peak / MiB, queued, server, flooders };
}

async function stopFlooding({ server, flooders }: Held): Promise<void> {
  for (const client of flooders) client.destroy();
  await waitFor('the flooders to be gone', async () => (await openConnections(server.url)) === 0, {
    timeoutMs: 10_000,
  });
}

describe(`${CLIENTS} clients flood ${MESSAGE}-byte messages without reading (child processes)`, () => {
  let unbudgetedRss = Infinity;

  it('without a budget (--max-buffered-total 0), each holds about two replies: the per-connection worst case', async (t) => {
    const held = await floodWithoutReading(['--max-buffered-total', '0']);
    const { rssPerConnectionMiB, peakMiB, queued, server } = held;
    t.diagnostic(
      `no budget: RSS ${peakMiB.toFixed(0)} MiB, ${rssPerConnectionMiB.toFixed(2)} MiB per connection, ${(queued / MiB).toFixed(1)} MiB queued in all`,
    );
    // Two replies each (about 2 MiB): bounded, and the counting agrees with what was held.
    const frameBytes = MESSAGE + 10;
    assert.ok(queued > CLIENTS * 1.5 * frameBytes, `${queued} bytes queued`);
    assert.ok(queued <= CLIENTS * 2 * frameBytes, `${queued} bytes queued: more than two replies per connection`);
    assert.ok(rssPerConnectionMiB < 4, `${rssPerConnectionMiB.toFixed(2)} MiB per connection`);
    unbudgetedRss = rssPerConnectionMiB;
    await stopFlooding(held);
    assert.equal(await scrapeValue(server.url, 'ws_echo_buffered_bytes'), 0, 'nothing counted once they are gone');
  });

  it(`with --max-buffered-total ${BUDGET}: the budget plus one reply per connection, and a client that reads is still echoed`, async (t) => {
    const held = await floodWithoutReading(['--max-buffered-total', String(BUDGET)]);
    const { rssPerConnectionMiB, peakMiB, queued, server } = held;
    t.diagnostic(
      `budget ${BUDGET / MiB} MiB: RSS ${peakMiB.toFixed(0)} MiB, ${rssPerConnectionMiB.toFixed(2)} MiB per connection, ${(queued / MiB).toFixed(1)} MiB queued in all`,
    );
    const frameBytes = MESSAGE + 10;
    assert.ok(
      queued <= BUDGET + CLIENTS * frameBytes,
      `${(queued / MiB).toFixed(1)} MiB queued: over the budget plus one reply per connection`,
    );
    assert.ok(queued > BUDGET, 'the flood did reach the budget');
    assert.ok(
      rssPerConnectionMiB < unbudgetedRss,
      `${rssPerConnectionMiB.toFixed(2)} MiB per connection, no less than the ${unbudgetedRss.toFixed(2)} without a budget`,
    );

    // Over budget, a client that reads its replies has none waiting: it is echoed as before, large messages too.
    // From another address: the flooders may have taken their IP's whole cap.
    const reader = await openClient(server.wsUrl, undefined, { localAddress: '127.0.0.2' });
    const replies = receive(reader, 5);
    for (let i = 0; i < 5; i++) reader.send(Buffer.alloc(MESSAGE, i));
    for (const [i, reply] of (await replies).entries()) assert.ok(reply.data.equals(Buffer.alloc(MESSAGE, i)));
    reader.terminate();

    await stopFlooding(held);
    assert.equal(await scrapeValue(server.url, 'ws_echo_buffered_bytes'), 0, 'nothing counted once they are gone');
  });
});

// --max-buffered: a client that sends but does not read must not make the
// server queue replies without bound. Above the limit the server stops
// reading from that client (TCP flow control then stalls the sender) and
// starts again once the queue drains. The memory test runs the built server
// as a child process so its resident memory is its own; the resume tests run
// in-process, where the socket's paused state can be seen directly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { assertStillServing, open } from '../support/frame-assertions.ts';
import { indexedFrames, Opcode } from '../support/frames.ts';
import { openConnections } from '../support/http-request.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { type Flood, floodWith, type RawClient } from '../support/raw-client.ts';
import { type InProcessServer, serverProcesses, useEchoServer, useServerProcess } from '../support/servers.ts';
import type { RunningServer } from '../support/spawn-server.ts';
import { waitFor } from '../support/wait.ts';
import { openClient, receive } from '../support/ws-client.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Opens a raw TCP connection, completes the upgrade, and stops reading from it at once. */
async function upgradeAndStopReading(port: number): Promise<Socket> {
  const client = await open(port);
  client.socket.pause();
  return client.socket;
}

/** Server bytes received in binary messages, from /metrics. */
async function binaryBytesReceived(baseUrl: string): Promise<number> {
  return (await scrapeValue(baseUrl, 'ws_echo_bytes_received_total', { type: 'binary' })) ?? 0;
}

interface Plateau {
  /** Binary payload bytes the server had read when it stopped. */
  received: number;
  /** Peak resident memory of the server seen while waiting, in bytes. */
  peakRss: number;
}

/**
 * Polls the server until it has stopped reading from the flood: the received
 * byte count unchanged for `stableMs` while the flooding client's writes are
 * backed up (or, for a server that never stops reading, the whole flood went
 * through). Tracks the server's peak RSS meanwhile. Fails after `timeoutMs`.
 */
async function waitForPlateau(
  server: RunningServer,
  flood: Flood,
  { stableMs = 600, timeoutMs = 10_000 } = {},
): Promise<Plateau> {
  let peakRss = 0;
  let last = -1;
  let since = performance.now();
  const pid = server.child.pid;
  assert.ok(pid !== undefined);
  return waitFor(
    'the server to stop reading from the flooding client',
    async () => {
      peakRss = Math.max(peakRss, await residentBytes(pid, server.url));
      const received = await binaryBytesReceived(server.url);
      if (received !== last) {
        last = received;
        since = performance.now();
        return undefined;
      }
      // Stopped: either the flood backed up (the server quit reading) or it all went through.
      const stable = performance.now() - since >= stableMs;
      return stable && (flood.backedUp() || flood.done()) ? { received, peakRss } : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** Round-trip times, in ms, of `count` 1 KiB text messages on a fresh ws client. */
async function roundTrips(wsUrl: string, count: number): Promise<number[]> {
  const ws = await openClient(wsUrl);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const text = `${i} `.padEnd(KiB, 'x');
    const started = performance.now();
    const reply = receive(ws, 1);
    ws.send(text);
    const [message] = await reply;
    times.push(performance.now() - started);
    assert.equal(message?.data.toString(), `Received: ${text}`);
  }
  ws.terminate();
  return times;
}

describe('--max-buffered 1048576: a client that floods without reading (child process)', () => {
  const TOTAL = 100 * MiB;
  const FRAME = indexedFrames(64 * KiB).frame(0);
  // No rate limit, so nothing but backpressure can stop the flood; a short grace, so stopping never waits on it.
  const server = useServerProcess({
    args: ['--max-buffered', String(MiB), '--rate-limit', '0', '--shutdown-grace', '200'],
  });
  const start = serverProcesses({ args: ['--rate-limit', '0', '--shutdown-grace', '200'] });

  it('stops reading from it: RSS stays bounded, the client cannot push 100 MiB, others are still echoed promptly', async (t) => {
    const pid = server.child.pid;
    assert.ok(pid !== undefined);
    // Warm up the echo path with the same 64 KiB messages, so the baseline is not a cold process.
    const warm = await openClient(server.wsUrl);
    const warmReplies = receive(warm, 20);
    for (let i = 0; i < 20; i++) warm.send(Buffer.alloc(64 * KiB, i));
    await warmReplies;
    warm.terminate();
    await waitFor('the warm-up client to be gone', async () => (await openConnections(server.url)) === 0);
    const baseline = await residentBytes(pid, server.url);
    const receivedBefore = await binaryBytesReceived(server.url);

    const socket = await upgradeAndStopReading(server.port);
    const flood = floodWith(socket, FRAME, TOTAL);
    const plateau = await waitForPlateau(server, flood);
    // The flood is held off, not cut off: the connection is still open.
    const openDuringFlood = await scrapeValue(server.url, 'ws_echo_connections_open');

    // Another client, meanwhile, is answered at once.
    const times = await roundTrips(server.wsUrl, 10);
    const slowest = Math.max(...times);

    const peakRss = Math.max(plateau.peakRss, await residentBytes(pid, server.url));
    const growth = peakRss - baseline;
    const figures = {
      baselineMiB: +(baseline / MiB).toFixed(1),
      peakMiB: +(peakRss / MiB).toFixed(1),
      growthMiB: +(growth / MiB).toFixed(1),
      clientHandedMiB: +(flood.handed() / MiB).toFixed(2),
      clientAcceptedByKernelMiB: +(flood.accepted() / MiB).toFixed(2),
      serverReceivedMiB: +((plateau.received - receivedBefore) / MiB).toFixed(2),
      otherClientSlowestRoundTripMs: +slowest.toFixed(1),
    };
    t.diagnostic(`backpressure figures: ${JSON.stringify(figures)}`);

    assert.ok(
      growth < 64 * MiB,
      `the server grew by ${figures.growthMiB} MiB while flooded: ${JSON.stringify(figures)}`,
    );
    assert.equal(flood.done(), false, 'the client pushed all 100 MiB: the server never stopped reading');
    assert.equal(flood.backedUp(), true, "the client's writes are not backed up");
    assert.ok(
      plateau.received - receivedBefore < TOTAL / 2,
      `the server read ${figures.serverReceivedMiB} MiB before stopping`,
    );
    assert.equal(socket.destroyed, false);
    assert.equal(openDuringFlood, 1, 'the server dropped the flooding connection instead of holding it off');
    assert.ok(slowest < 500, `another client waited ${slowest.toFixed(0)} ms for an echo`);

    // Once the flooder goes, the server is fine.
    socket.destroy();
    await waitFor('the flooding connection to be released', async () => (await openConnections(server.url)) === 0);
    await assertStillServing(server.port);
    const rssAfter = await residentBytes(pid, server.url);
    assert.ok(
      rssAfter - baseline < 64 * MiB,
      `after the flood the server is ${((rssAfter - baseline) / MiB).toFixed(1)} MiB above its baseline`,
    );
  });

  it('MAX_BUFFERED_BYTES=33554432 (32 MiB) moves the point where it stops reading past 32 MiB, still short of 100 MiB', async (t) => {
    const big = await start({ env: { MAX_BUFFERED_BYTES: String(32 * MiB) } });
    const socket = await upgradeAndStopReading(big.port);
    const flood = floodWith(socket, FRAME, TOTAL);
    const { received } = await waitForPlateau(big, flood);
    t.diagnostic(
      `MAX_BUFFERED_BYTES=32MiB: server read ${(received / MiB).toFixed(2)} MiB, client handed ${(flood.handed() / MiB).toFixed(2)} MiB`,
    );
    // It only pauses once more than 32 MiB of replies are queued, and it can
    // only have queued what it read; the 1 MiB server above stops far earlier.
    assert.ok(
      received > 32 * MiB,
      `the server stopped after reading ${(received / MiB).toFixed(2)} MiB: MAX_BUFFERED_BYTES was not applied`,
    );
    assert.equal(flood.done(), false, 'the client pushed all 100 MiB');
    socket.destroy();
    await assertStillServing(big.port);
  });
});

describe('--max-buffered: a slow reader gets every reply once it reads again (in-process)', () => {
  const server64k = useEchoServer(['--max-buffered', String(64 * KiB), '--rate-limit', '0', '--shutdown-grace', '200']);
  const server16k = useEchoServer(['--max-buffered', '16384', '--rate-limit', '0', '--shutdown-grace', '200']);

  /** The server-side WebSocket for the one client connected to `s`. */
  function serverSide(s: InProcessServer) {
    const [ws] = s.server.clients;
    assert.ok(ws, 'the server has the connection');
    return ws;
  }

  async function readAll(client: RawClient, count: number, payload: (index: number) => Buffer): Promise<void> {
    for (let i = 0; i < count; i++) {
      // Loopback delivers a queued reply in well under this; a reply that never comes is the failure.
      const frame = await client.nextFrame(2_000);
      assert.equal(frame.opcode, Opcode.binary, `reply ${i} has opcode 0x${frame.opcode.toString(16)}`);
      if (!frame.payload.equals(payload(i))) {
        assert.fail(
          `reply ${i} is not the echo of message ${i} (it starts with index ${frame.payload.readUInt32BE(0)}): out of order or corrupted`,
        );
      }
    }
  }

  it('with --max-buffered 65536: 256 messages of 64 KiB sent while not reading are all echoed, in order, after it resumes', async () => {
    const s = server64k;
    const COUNT = 256;
    const frames = indexedFrames(64 * KiB);
    const client = await open(s.port);
    client.socket.pause();
    client.write(Buffer.concat(Array.from({ length: COUNT }, (_, i) => frames.frame(i))));
    // 16 MiB of replies cannot all fit in the socket buffers, so the server must pause.
    await waitFor('the server to stop reading from the slow reader', () => serverSide(s).isPaused);
    const readWhilePaused = s.server.metrics.received.binary.messages;
    assert.ok(readWhilePaused < COUNT, `the server read all ${COUNT} messages without pausing`);
    client.socket.resume();
    await readAll(client, COUNT, frames.payload);
    assert.equal(serverSide(s).isPaused, false, 'the server is reading from the client again');
    client.send({ opcode: Opcode.text, payload: 'and after' });
    const last = await client.nextFrame();
    assert.equal(last.payload.toString(), 'Received: and after');
    client.destroy();
  });

  it('with --max-buffered 16384 (the smallest allowed): replies of 15 KB, one per read, all come back after it resumes', async () => {
    // Replies just under the socket's 16 KiB high-water mark, at the smallest
    // limit: the server must start reading again once the queue is empty.
    // (Below 16 KiB a socket need not emit 'drain', so smaller limits are refused.)
    const s = server16k;
    const frames = indexedFrames(15_000);
    const client = await open(s.port);
    client.socket.pause();
    const received = () => s.server.metrics.received.binary.messages;
    // One message at a time, each sent only once the server has read the one
    // before, until the server stops reading (the unread replies fill the
    // socket buffers after a few MiB; 2000 messages are 30 MB).
    let sent = 0;
    const paused = await waitFor(
      'the server to stop reading from the slow reader',
      async () => {
        if (serverSide(s).isPaused) return 'paused';
        if (sent === 2_000) return 'never paused';
        if (received() === sent) client.write(frames.frame(sent++));
        await new Promise((resolve) => setImmediate(resolve));
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 0 },
    );
    assert.equal(paused, 'paused', 'the server read 30 MB from a client that did not read a byte');
    // Two more that the paused server has not read yet.
    client.write(Buffer.concat([frames.frame(sent++), frames.frame(sent++)]));
    const queued = (serverSide(s) as unknown as { _socket: Socket })._socket;
    const note = `paused after reading ${received()} messages with ${queued.writableLength} bytes queued (needDrain ${queued.writableNeedDrain})`;
    client.socket.resume();
    await readAll(client, sent, frames.payload).catch((error: Error) => {
      throw new Error(
        `${error.message}\n  ${note}; now ${queued.writableLength} bytes queued, server paused: ${serverSide(s).isPaused}, read ${received()} of ${sent}`,
      );
    });
    assert.equal(serverSide(s).isPaused, false);
    client.destroy();
  });
});

/**
 * The resident memory of the server process, in bytes: VmRSS from
 * /proc/<pid>/status where there is a /proc, else the process collector's
 * ws_echo_process_resident_memory_bytes from /metrics.
 */
async function residentBytes(pid: number, baseUrl: string): Promise<number> {
  try {
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kib !== undefined) return Number(kib) * KiB;
  } catch {}
  const bytes = await scrapeValue(baseUrl, 'ws_echo_process_resident_memory_bytes');
  if (bytes === undefined) throw new Error('no /proc and no ws_echo_process_resident_memory_bytes in /metrics');
  return bytes;
}

// Graceful shutdown of the built server (a child process) under load: on
// SIGTERM or SIGINT every client gets the replies to what the server read
// before it began closing — a contiguous, in-order prefix of what it sent —
// then close 1001 "server shutting down"; a client that never answers the
// close is cut off after --shutdown-grace; /healthz says 503 meanwhile; exit 0.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { logEntries } from '../support/child-process.ts';
import { open } from '../support/frame-assertions.ts';
import { closePayload, Opcode, parseClose } from '../support/frames.ts';
import { RawConnection, type RawHttpResponse } from '../support/raw-client.ts';
import { serverProcesses } from '../support/servers.ts';
import { withTimeout } from '../support/wait.ts';
import { openClient } from '../support/ws-client.ts';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

// --rate-limit 0: the streamers below send as fast as loopback allows, which is
// above the default 10000 messages/s; the rate limit is not what is under test.
const start = serverProcesses({ args: ['--rate-limit', '0'] });

interface Streamer {
  ws: WebSocket;
  /** Messages sent so far: "0", "1", "2", … */
  sent(): number;
  /** Every text message received, in order. */
  replies: string[];
  /** Resolves once `count` replies are in. */
  received(count: number): Promise<void>;
  /** Resolves with the close event's code and reason (and what was sent and received by then). */
  closed: Promise<{ code: number; reason: string }>;
}

/**
 * Opens a client that pipelines numbered text messages without waiting for
 * replies, keeping at most ~32 KiB unsent, until its socket stops being OPEN.
 */
async function stream(url: string): Promise<Streamer> {
  const ws = await openClient(url, 'echo-protocol');
  let next = 0;
  const replies: string[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    replies.push(isBinary ? `(binary ${data.length} bytes)` : data.toString());
    for (const waiter of waiting.filter((w) => replies.length >= w.count)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
  const pump = () => {
    for (let batch = 0; batch < 64 && ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 32 * 1024; batch++) {
      ws.send(String(next++));
    }
    if (ws.readyState === WebSocket.OPEN) setImmediate(pump);
  };
  pump();
  return {
    ws,
    sent: () => next,
    replies,
    received: (count) =>
      withTimeout(
        replies.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve })),
        `${count} replies`,
      ),
    closed,
  };
}

/** Asserts `replies` are exactly "Received: 0" … "Received: n-1" for some n ≥ 1 not above `sent`. */
function assertContiguousPrefix(replies: readonly string[], sent: number, who: string): void {
  assert.ok(replies.length > 0, `${who} got no replies at all`);
  assert.ok(replies.length <= sent, `${who} got ${replies.length} replies to ${sent} messages`);
  const firstWrong = replies.findIndex((reply, i) => reply !== `Received: ${i}`);
  assert.equal(
    firstWrong,
    -1,
    `${who}: reply #${firstWrong} is ${JSON.stringify(replies[firstWrong])}, expected "Received: ${firstWrong}" (replies must be an in-order prefix with no gap)`,
  );
}

/** Starts an HTTP request for `path` and leaves it unfinished; `finish()` sends the rest and resolves with the response. */
function startRequest(port: number, path: string): { finish(): Promise<RawHttpResponse> } {
  const connection = new RawConnection(port);
  connection.write(`GET ${path} HTTP/1.1\r\n`);
  return {
    finish() {
      connection.write(`Host: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      return connection.httpResponse();
    },
  };
}

/** Resolves with how a fresh TCP connection to `port` ends: 'refused', or 'connected'. */
function tryConnect(port: number): Promise<string> {
  const socket = connect({ port, host: '127.0.0.1' });
  return withTimeout(
    new Promise<string>((resolve) => {
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: Error & { code?: string }) =>
        resolve(error.code === 'ECONNREFUSED' ? 'refused' : `error ${error.code}`),
      );
    }),
    'a fresh connection attempt',
  );
}

for (const signal of SIGNALS) {
  describe(`${signal} with clients streaming`, () => {
    it('gives each client an in-order, gap-free prefix of its replies, then 1001 "server shutting down", and exits 0', async () => {
      const server = await start();
      const clients = await Promise.all(Array.from({ length: 4 }, () => stream(server.wsUrl)));
      // Mid-flight: every client has had replies and is still sending.
      await Promise.all(clients.map((client) => client.received(50)));
      const sentAtSignal = clients.map((client) => client.sent());

      const started = performance.now();
      const exitCode = await withTimeout(server.stop(signal), `the server to exit after ${signal}`, 10_000);
      const elapsed = performance.now() - started;
      assert.equal(exitCode, 0, `exit code after ${signal}`);
      // Every client finished the close handshake, so the grace period (5 s) was not needed.
      assert.ok(elapsed < 4_000, `shutdown took ${Math.round(elapsed)} ms with only well-behaved clients`);

      for (const [i, client] of clients.entries()) {
        const close = await withTimeout(client.closed, `client ${i}'s close event`);
        assert.deepEqual(close, { code: 1001, reason: 'server shutting down' }, `client ${i}'s close`);
        assertContiguousPrefix(client.replies, client.sent(), `client ${i}`);
        assert.ok(
          client.replies.length >= 50,
          `client ${i} kept its ${client.replies.length} replies from before the signal`,
        );
        assert.ok(client.sent() >= sentAtSignal[i]!, 'the counter only grows');
      }
      const entries = logEntries(server);
      assert.ok(
        entries.some((e) => e.msg === 'shutting down' && e.signal === signal && e.clients === 4),
        `logs "shutting down" with ${signal} and 4 clients`,
      );
      assert.ok(
        entries.some((e) => e.msg === 'stopped'),
        'logs "stopped"',
      );
    });

    it('cuts off a client that never answers the close after --shutdown-grace 300, and still exits 0', async () => {
      const server = await start({ args: ['--shutdown-grace', '300'] });
      const silent = await open(server.port);
      const polite = await stream(server.wsUrl);
      await polite.received(10);

      const started = performance.now();
      server.child.kill(signal);
      const frame = await silent.nextFrame();
      assert.equal(frame.opcode, Opcode.close);
      assert.deepEqual(parseClose(frame), { code: 1001, reason: 'server shutting down' });
      // The polite client answers the close at once; it is not the one held to the grace period.
      assert.deepEqual(await withTimeout(polite.closed, 'the polite client to close'), {
        code: 1001,
        reason: 'server shutting down',
      });
      assertContiguousPrefix(polite.replies, polite.sent(), 'the polite client');

      // The silent client never sends its close frame: the server must drop TCP itself.
      await silent.closed();
      const cutAfter = performance.now() - started;
      const exitCode = await withTimeout(server.exited, 'the server to exit after the grace period');
      const exitedAfter = performance.now() - started;
      assert.equal(exitCode, 0);
      assert.ok(
        cutAfter >= 280,
        `the silent client was cut after ${Math.round(cutAfter)} ms, before the 300 ms grace was over`,
      );
      assert.ok(exitedAfter < 300 + 1_500, `exited ${Math.round(exitedAfter)} ms after ${signal}; grace is 300 ms`);
    });

    it('answers /healthz 503 "shutting down" to a request in flight while it waits, and refuses new connections', async () => {
      const server = await start({ args: ['--shutdown-grace', '5000'] });
      const silent = await open(server.port);
      // A load balancer's health check, begun just before the signal and finished during the shutdown.
      const check = startRequest(server.port, '/healthz');
      const before = startRequest(server.port, '/healthz');
      const beforeSignal = await before.finish();
      assert.equal(beforeSignal.statusCode, 200, 'healthy before the signal');

      server.child.kill(signal);
      // The close frame means shutdown has begun; the silent client holds it open for up to 5 s.
      const frame = await silent.nextFrame();
      assert.deepEqual(parseClose(frame), { code: 1001, reason: 'server shutting down' });

      const during = await check.finish();
      assert.equal(during.statusCode, 503, `healthz during shutdown: ${during.statusLine} ${during.body}`);
      const body = JSON.parse(during.body.toString()) as Record<string, unknown>;
      assert.equal(body.status, 'shutting down');
      assert.equal(body.connections, 1, 'the silent client is still connected');
      assert.equal(typeof body.uptimeSeconds, 'number');
      // The listener is closed as soon as shutdown begins, so a fresh health check cannot even connect.
      assert.equal(await tryConnect(server.port), 'refused');

      // Now the client answers the close, and the server finishes without waiting out the grace period.
      const answered = performance.now();
      silent.send({ opcode: Opcode.close, payload: closePayload(1001) });
      assert.equal(await withTimeout(server.exited, 'the server to exit once the last client closed'), 0);
      assert.ok(performance.now() - answered < 2_500, 'did not wait out the 5 s grace once every client had closed');
    });
  });
}

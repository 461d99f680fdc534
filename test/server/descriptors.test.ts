// Running out of file descriptors (server/descriptors.ts), for real: the
// built server in a shell whose `ulimit -n` is 128, far below the default
// --max-connections of 10,000. It must say so at start-up, answer every
// client it cannot take with 503 instead of a reset, log why, and keep
// answering /healthz and /metrics.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OUT_OF_DESCRIPTORS } from '../../server/descriptors.ts';
import { logEntries, waitForLog } from '../support/child-process.ts';
import { health } from '../support/http-request.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { RawClient, rawHttp } from '../support/raw-client.ts';
import { useServerProcess } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

// deploy/README.md's figures are this test at a plain shell's limit:
// FD_LIMIT=1024 FD_CLIENTS=1200 npx tsx --test test/server/descriptors.test.ts
const LIMIT = Number(process.env.FD_LIMIT ?? 128);
const CLIENTS = Number(process.env.FD_CLIENTS ?? 200);

type Outcome = { status: number; client: RawClient } | { reset: string };

/** Opens `count` WebSocket connections at once; each ends in a status or a reset. */
function connectAll(port: number, count: number): Promise<Outcome[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      RawClient.connect(port).then(
        (client): Outcome => ({ status: client.response.statusCode, client }),
        (error: Error): Outcome => ({ reset: error.message }),
      ),
    ),
  );
}

const onLinux = existsSync('/proc/self/limits');

describe(`ulimit -n ${LIMIT} with the default --max-connections (10000)`, {
  skip: !onLinux && 'needs Linux /proc',
}, () => {
  // All clients come from 127.0.0.1: the per-IP cap must not be what refuses them.
  const server = useServerProcess({ openFileLimit: LIMIT, args: ['--max-connections-per-ip', '100000'] });

  it('warns at start-up, naming the limit, the cap and the fix', async () => {
    const warning = await waitForLog(
      server,
      (entry) => entry.level === 40 && entry.limit === LIMIT,
      `a warning with limit ${LIMIT}`,
    );
    assert.equal(warning.maxConnections, 10_000);
    assert.match(
      String(warning.msg),
      new RegExp(`open-file limit \\(${LIMIT}\\) is below what --max-connections 10000 needs`),
    );
    assert.match(String(warning.msg), /ulimit -n \d+/);
    assert.match(String(warning.msg), /LimitNOFILE=\d+/);
  });

  it(`answers ${CLIENTS} clients at once with 101 or 503, never a reset; logs why; /healthz and /metrics still answer`, async (t) => {
    // All at once: libuv accepts the whole backlog in one go, which is where the resets came from.
    const outcomes = await connectAll(server.port, CLIENTS);
    const resets = outcomes.filter((o) => 'reset' in o);
    const accepted = outcomes.filter((o) => 'status' in o && o.status === 101);
    const refused = outcomes.filter(
      (o): o is { status: number; client: RawClient } => 'status' in o && o.status === 503,
    );
    t.diagnostic(
      `ulimit -n ${LIMIT}: ${accepted.length} upgraded, ${refused.length} refused with 503, ${resets.length} reset`,
    );
    assert.deepEqual(resets, [], 'no client was reset');
    assert.equal(accepted.length + refused.length, CLIENTS, 'every answer is 101 or 503');
    // How many the burst gets depends on how many sockets were open at once (a loaded machine accepts more per turn).
    assert.ok(accepted.length > 0, 'some were upgraded');
    assert.ok(refused.length > 0, 'some were refused');
    const [first] = refused;
    assert.equal(first?.client.response.headers['retry-after'], '5');
    await first?.client.closed();
    assert.equal(first?.client.body.toString(), OUT_OF_DESCRIPTORS);

    const healthz = await health(server.url);
    assert.equal(healthz.status, 200, '/healthz answers from the reserve');
    assert.equal(healthz.body.connections, accepted.length);
    // scrapeValue throws unless /metrics answers 200.
    const refusedCount = await scrapeValue(server.url, 'ws_echo_handshakes_refused_total', {
      reason: 'file_descriptors',
    });
    assert.equal(refusedCount, refused.length, 'every 503 counted under reason="file_descriptors"');

    // Logs are written asynchronously; whichever refusal came first is the one line logged.
    const logged = await waitForLog(
      server,
      (entry) => entry.level === 40 && /file descriptor/.test(String(entry.msg)),
      'a log line saying why',
    );
    assert.equal(logged.limit, LIMIT);
    assert.match(String(logged.msg), /ulimit -n.*LimitNOFILE/);
    const lines = logEntries(server).filter((entry) => String(entry.msg).includes('file descriptor')).length;
    assert.ok(lines <= 2, `rate-limited: ${lines} log lines for ${refused.length} refusals`);

    // One at a time, the reserve is all that is kept back: most of the limit serves WebSockets.
    const open = accepted.map((outcome) => ('client' in outcome ? outcome.client : undefined));
    for (;;) {
      const client = await RawClient.connect(server.port);
      if (client.response.statusCode !== 101) {
        assert.equal(client.response.statusCode, 503);
        break;
      }
      open.push(client);
    }
    // Now that the reserve is all that is left (the burst's refused sockets may
    // have closed since, freeing room), a page is refused as a WebSocket is.
    const page = await rawHttp(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.equal(page.statusCode, 503, 'the page too is refused, not reset');
    assert.ok(open.length >= LIMIT / 2, `${open.length} WebSockets open under a limit of ${LIMIT}`);
    t.diagnostic(`one at a time: ${open.length} WebSockets open under ulimit -n ${LIMIT}`);

    // Once clients leave, new ones are served again.
    for (const client of open) client?.destroy();
    const again = await waitFor(
      'a new client to be upgraded after the others left',
      async () => {
        const client = await RawClient.connect(server.port);
        if (client.response.statusCode === 101) return client;
        client.destroy();
        return undefined;
      },
      { intervalMs: 50 },
    );
    assert.equal(again.response.statusCode, 101);
  });
});

// Running out of file descriptors (server/descriptors.ts), for real: the
// built server in a shell whose `ulimit -n` is 128, far below the default
// --max-connections of 10,000. It must say so at start-up, answer every
// client it cannot take with 503 instead of a reset, log why, and keep
// answering /healthz and /metrics.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { OUT_OF_DESCRIPTORS } from '../../server/descriptors.ts';
import { V8_FLAGS } from '../../server/v8-flags.ts';
import { cleanEnv, type LogEntry, parseJson } from '../support/child-process.ts';
import { rawHttp } from '../support/conformance.ts';
import { destroyAllRawClients, RawClient } from '../support/raw-client.ts';
import { PROJECT_ROOT } from '../support/spawn-server.ts';
import { withTimeout } from '../support/wait.ts';
import { metricValue, waitFor } from '../support/limits.ts';

// deploy/README.md's figures are this test at a plain shell's limit:
// FD_LIMIT=1024 FD_CLIENTS=1200 npx tsx --test test/server/descriptors.test.ts
const LIMIT = Number(process.env.FD_LIMIT ?? 128);
const CLIENTS = Number(process.env.FD_CLIENTS ?? 200);

interface Limited {
  child: ChildProcess;
  port: number;
  url: string;
  logs: LogEntry[];
}

/** The built server, as npm start runs it, in a shell that first lowers the open-file limit to `limit`. */
async function startWithLimit(limit: number, args: string[] = []): Promise<Limited> {
  const node = [process.execPath, ...V8_FLAGS, 'dist/server/main.js', '--port', '0', '--log-format', 'json', ...args];
  // `ulimit -n` lowers the hard limit too, so node cannot raise it back at start-up.
  const child = spawn('sh', ['-c', `ulimit -n ${limit} && exec "$@"`, 'sh', ...node], {
    cwd: PROJECT_ROOT,
    env: cleanEnv(),
  });
  const logs: LogEntry[] = [];
  let rest = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const entry = parseJson(line);
        if (!entry) continue;
        logs.push(entry);
        if (typeof entry.url === 'string') resolve(entry.url);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => reject(new Error(`stderr: ${chunk}`)));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  const listening = await withTimeout(url, 15_000, 'the server to print its URL');
  return { child, url: listening, port: Number(new URL(listening).port), logs };
}

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
  let server: Limited;
  before(async () => {
    // All clients come from 127.0.0.1: the per-IP cap must not be what refuses them.
    server = await startWithLimit(LIMIT, ['--max-connections-per-ip', '100000']);
  });
  after(() => {
    destroyAllRawClients();
    server?.child.kill('SIGKILL');
  });

  it('warns at start-up, naming the limit, the cap and the fix', () => {
    const warning = server.logs.find((entry) => entry.level === 40 && entry.limit === LIMIT);
    assert.ok(warning, `a warning with limit ${LIMIT}: ${JSON.stringify(server.logs)}`);
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

    const health = await fetch(new URL('/healthz', server.url));
    assert.equal(health.status, 200, '/healthz answers from the reserve');
    assert.equal(((await health.json()) as { connections: number }).connections, accepted.length);
    const metrics = await fetch(new URL('/metrics', server.url));
    assert.equal(metrics.status, 200);
    const refusedCount = metricValue(await metrics.text(), 'ws_echo_handshakes_refused_total', {
      reason: 'file_descriptors',
    });
    assert.equal(refusedCount, refused.length, 'every 503 counted under reason="file_descriptors"');
    const page = await rawHttp(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
    assert.equal(page.statusCode, 503, 'the page too is refused, not reset');

    // Logs are written asynchronously; whichever refusal came first is the one line logged.
    const logged = await waitFor('a log line saying why', () =>
      server.logs.find((entry) => entry.level === 40 && /file descriptor/.test(String(entry.msg))),
    );
    assert.equal(logged.limit, LIMIT);
    assert.match(String(logged.msg), /ulimit -n.*LimitNOFILE/);
    const lines = server.logs.filter((entry) => String(entry.msg).includes('file descriptor')).length;
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
    assert.ok(open.length >= LIMIT / 2, `${open.length} WebSockets open under a limit of ${LIMIT}`);
    t.diagnostic(`one at a time: ${open.length} WebSockets open under ulimit -n ${LIMIT}`);

    // Once clients leave, new ones are served again.
    for (const client of open) client?.destroy();
    const again = await withTimeout(
      (async () => {
        for (;;) {
          const client = await RawClient.connect(server.port);
          if (client.response.statusCode === 101) return client;
          client.destroy();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })(),
      5_000,
      'a new client to be upgraded after the others left',
    );
    assert.equal(again.response.statusCode, 101);
  });
});

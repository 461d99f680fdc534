// startEchoServer (server/index.ts), the package's in-process API, as a test
// file uses it: real ws clients on ephemeral ports, and what the server side
// saw, checked against what the clients saw.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { ConfigError, type EchoServerHandle, type ReceivedMessage, startEchoServer } from '../../server/index.ts';
import { type Config, parseConfig } from '../../server/config.ts';
import { configFromOptions, OPTION_NAMES } from '../../server/options.ts';
import { makeCertificate } from '../support/certificate.ts';
import { BOOT_TIMEOUT_MS, PROJECT_ROOT } from '../support/spawn-server.ts';
import { httpGet } from '../support/http-request.ts';
import { sampleValue, scrape } from '../support/prometheus.ts';
import { withTimeout } from '../support/wait.ts';
import { closed, echoOf, openClient, receiveOne, refusedStatus, terminateAll } from '../support/ws-client.ts';

const INDEX = fileURLToPath(new URL('../../server/index.ts', import.meta.url));

const running = new Set<EchoServerHandle>();
after(async () => {
  terminateAll();
  await Promise.all([...running].map((server) => server.close()));
});

async function start(options: Parameters<typeof startEchoServer>[0] = {}): Promise<EchoServerHandle> {
  const server = await startEchoServer(options);
  running.add(server);
  return server;
}

/** Runs `source` (an ES module that may import INDEX) in a fresh node with tsx; resolves with what it printed. */
async function runScript(
  source: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await withTimeout(
    new Promise<number | null>((resolve) => child.once('close', resolve)),
    'the script to finish',
    BOOT_TIMEOUT_MS,
  );
  return { code, stdout, stderr };
}

/** For assert.rejects: a ConfigError whose one-line message matches `pattern`. */
function configError(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  };
}

describe('startEchoServer', () => {
  it('listens on a free port of 127.0.0.1 and echoes like the CLI', async () => {
    const server = await start();
    assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.httpUrl, server.url.replace(/^ws/, 'http'));
    assert.equal(server.url, `ws://127.0.0.1:${server.port}/`);
    assert.notEqual(server.port, 1234);
    const ws = await openClient(server.url, 'echo-protocol');
    assert.equal((await echoOf(ws, 'Hello')).data.toString(), 'Received: Hello');
    const health = JSON.parse((await httpGet(`${server.httpUrl}healthz`)).body) as {
      status: string;
      connections: number;
    };
    assert.deepEqual([health.status, health.connections], ['ok', 1]);
  });

  it('logs nothing unless asked, and reads no environment variable', async () => {
    const { code, stdout, stderr } = await runScript(
      `
      import { WebSocket } from 'ws';
      import { startEchoServer } from ${JSON.stringify(INDEX)};
      const server = await startEchoServer();
      const ws = new WebSocket(server.url);
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send('hi');
      await new Promise((resolve) => ws.once('message', resolve));
      if (server.port === 4321 || server.config.maxConnections === 7) throw new Error('it read the environment');
      await server.close();
    `,
      { PORT: '4321', MAX_CONNECTIONS: '7', LOG_LEVEL: 'debug' },
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '');
    assert.equal(stderr, '');
  });

  it('logs when given a logLevel, one JSON line per event', async () => {
    const { code, stdout, stderr } = await runScript(`
      import { WebSocket } from 'ws';
      import { startEchoServer } from ${JSON.stringify(INDEX)};
      const server = await startEchoServer({ logLevel: 'info', instanceId: 'loud' });
      const quiet = await startEchoServer({ instanceId: 'quiet' });
      for (const { url } of [server, quiet]) {
        const ws = new WebSocket(url);
        await new Promise((resolve) => ws.once('open', resolve));
        ws.close();
        await new Promise((resolve) => ws.once('close', resolve));
      }
      await Promise.all([server.close(), quiet.close()]);
    `);
    assert.equal(code, 0, stderr);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { instance: string; msg: string });
    assert.ok(
      lines.some((line) => line.msg === 'connection opened'),
      stdout,
    );
    // The second server's connection is not in the first one's log: no shared logger.
    assert.deepEqual([...new Set(lines.map((line) => line.instance))], ['loud']);
  });

  it("throws the CLI's one-line ConfigError for a bad value, naming the option", async () => {
    // The CLI says --port="-1" for the same value: the same parser, the option's own name.
    await assert.rejects(
      startEchoServer({ port: -1 }),
      configError(/^port="-1" is not valid; use a port from 0 to 65535$/),
    );
    await assert.rejects(startEchoServer({ maxMessageBytes: 0 }), configError(/^maxMessageBytes="0" is not valid/));
    await assert.rejects(
      startEchoServer({ allowedOrigins: ['ftp://x'] }),
      configError(/^allowedOrigins has "ftp:\/\/x", which is not an origin/),
    );
    await assert.rejects(
      startEchoServer({ trustProxy: 'yes' as unknown as boolean }),
      configError(/^trustProxy="yes" is not valid/),
    );
    for (const name of ['workers', 'dev', 'prot']) {
      await assert.rejects(
        startEchoServer({ [name]: 1 } as never),
        configError(new RegExp(`^unknown option ${name};`)),
      );
    }
  });

  it('takes every CLI setting but --workers and --dev, and makes the Config the CLI makes of its flag', () => {
    // A value unlike the default for each, written as its flag would be.
    const samples: Record<string, [value: unknown, flag: string]> = {
      port: [8081, '--port=8081'],
      host: ['0.0.0.0', '--host=0.0.0.0'],
      basePath: ['/echo', '--base-path=/echo'],
      logLevel: ['debug', '--log-level=debug'],
      logFormat: ['pretty', '--log-format=pretty'],
      subprotocols: [['graphql-ws', 'mqtt'], '--subprotocols=graphql-ws,mqtt'],
      maxMessageBytes: [4096, '--max-message-size=4096'],
      handshakeTimeoutMs: [2000, '--handshake-timeout=2000'],
      heartbeatIntervalMs: [0, '--heartbeat-interval=0'],
      maxBufferedBytes: [65536, '--max-buffered=65536'],
      maxConnections: [3, '--max-connections=3'],
      maxConnectionsPerIp: [2, '--max-connections-per-ip=2'],
      deflate: [true, '--deflate'],
      maxDeflateConnections: [7, '--max-deflate-connections=7'],
      rateLimit: [5, '--rate-limit=5'],
      allowedOrigins: [['https://app.example'], '--allowed-origins=https://app.example'],
      connectSrc: [['wss://other.example'], '--connect-src=wss://other.example'],
      shutdownGraceMs: [10, '--shutdown-grace=10'],
      trustProxy: [true, '--trust-proxy'],
      instanceId: ['api-test', '--instance-id=api-test'],
      reportsDir: [tmpdir(), `--reports-dir=${tmpdir()}`],
    };
    assert.deepEqual(
      OPTION_NAMES.filter((name) => name !== 'tls'),
      Object.keys(samples),
    );
    const cli = (...flags: string[]) => parseConfig(['--port=0', '--log-level=silent', ...flags], {}) as Config;
    const defaults = configFromOptions();
    assert.deepEqual(defaults, cli());
    for (const [name, [value, flag]] of Object.entries(samples)) {
      const config = configFromOptions({ [name]: value });
      assert.deepEqual(config[name as keyof typeof config], value, name);
      assert.notDeepEqual(defaults[name as keyof typeof defaults], value, `${name}'s sample is its default`);
      // The whole Config, defaults that follow other settings included (the limits follow host).
      assert.deepEqual(config, cli(flag), flag);
    }
    assert.equal(defaults.rateLimit, 0);
    assert.equal(configFromOptions({ host: '0.0.0.0' }).rateLimit, cli('--host=0.0.0.0').rateLimit);
    assert.notEqual(cli('--host=0.0.0.0').rateLimit, 0);
  });

  it('serves https and wss with tls', async () => {
    const certificate = await makeCertificate();
    try {
      const server = await start({ tls: { cert: certificate.cert, key: certificate.key } });
      assert.match(server.url, /^wss:\/\/127\.0\.0\.1:\d+\/$/);
      const ws = await openClient(server.url, undefined, { ca: certificate.cert });
      assert.equal((await echoOf(ws, 'secure')).data.toString(), 'Received: secure');
      await assert.rejects(
        startEchoServer({ tls: { cert: certificate.cert, key: Buffer.from('not a key') } }),
        configError(/^tls does not make a TLS identity/),
      );
    } finally {
      await certificate.remove();
    }
  });
});

describe('what a started server saw', () => {
  it('each connection: an event, nextConnection(), its URL, query, faults, protocol and address', async () => {
    const server = await start();
    const seen: number[] = [];
    server.on('connection', (connection) => seen.push(connection.id));
    const first = server.nextConnection();
    await openClient(`${server.url}raw?delay_ms=5`, 'echo-protocol');
    const connection = await withTimeout(first, 'the first connection');
    assert.equal(connection.id, 1);
    assert.equal(connection.url, '/raw?delay_ms=5');
    assert.equal(connection.path, '/raw');
    assert.deepEqual(connection.query, { delay_ms: '5' });
    assert.equal(connection.faults?.delayMs, 5);
    assert.equal(connection.protocol, 'echo-protocol');
    assert.equal(connection.remoteAddress, '127.0.0.1');
    assert.equal(connection.headers.host, `127.0.0.1:${server.port}`);

    // Arrived before anyone asked: nextConnection() still returns it, once.
    await openClient(server.url);
    const second = await withTimeout(server.nextConnection(), 'the second connection');
    assert.deepEqual([second.id, second.path, second.protocol, second.faults], [2, '/', '', undefined]);
    assert.deepEqual(seen, [1, 2]);
    assert.equal(server.connections.size, 2);
    assert.deepEqual(
      [...server.connections].map((c) => c.id),
      [1, 2],
    );
  });

  it('every message: text as a string, binary as a Buffer, in order, with its connection', async () => {
    const server = await start();
    const ws = await openClient(server.url);
    const connection = await withTimeout(server.nextConnection(), 'the connection');
    const events: ReceivedMessage[] = [];
    server.on('message', (message) => events.push(message));
    const replies = [receiveOne(ws)];
    ws.send('one');
    await replies[0];
    ws.send(Buffer.from([0, 1, 2, 255]));
    ws.send('three');

    const one = await withTimeout(server.nextMessage(), 'message one');
    assert.deepEqual([one.isBinary, one.data, one.connection], [false, 'one', connection]);
    const two = await withTimeout(server.nextMessage(), 'message two');
    assert.equal(two.isBinary, true);
    assert.ok(Buffer.isBuffer(two.data));
    assert.deepEqual([...two.data], [0, 1, 2, 255]);
    assert.equal((await withTimeout(server.nextMessage(), 'message three')).data, 'three');
    assert.deepEqual(
      events.map((m) => (m.isBinary ? m.data.toString('hex') : m.data)),
      ['one', '000102ff', 'three'],
    );
    // The connection keeps all three, and its own nextMessage() starts from its first.
    assert.deepEqual(
      connection.messages.map((m) => m.isBinary),
      [false, true, false],
    );
    assert.equal((await connection.nextMessage()).data, 'one');
  });

  it('messages() iterates what nextMessage() has not taken, and ends when the server closes', async () => {
    const server = await start();
    const ws = await openClient(server.url);
    ws.send('a');
    ws.send('b');
    assert.equal((await withTimeout(server.nextMessage(), 'a')).data, 'a');
    const got: string[] = [];
    const iterating = (async () => {
      for await (const message of server.messages()) {
        got.push(String(message.data));
        if (got.length === 2) {
          // Closing ends the iteration once nothing is left to take.
          void server.close();
        }
      }
    })();
    ws.send('c');
    await withTimeout(iterating, 'the iteration to end');
    assert.deepEqual(got, ['b', 'c']);
    await assert.rejects(server.nextMessage(), /the server closed before another message came/);
  });

  it('nextMessage() gives up when its signal aborts', async () => {
    const server = await start();
    await assert.rejects(server.nextMessage({ signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
  });
});

describe('ending connections from the server side', () => {
  it('closeAll(4001, "bye"): every client sees 4001 and bye', async () => {
    const server = await start();
    const clients = await Promise.all([openClient(server.url), openClient(server.url), openClient(server.url)]);
    const disconnects: number[] = [];
    server.on('disconnect', (_connection, info) => disconnects.push(info.code));
    const seen = clients.map((ws) => closed(ws));
    await withTimeout(server.closeAll(4001, 'bye'), 'closeAll');
    assert.deepEqual(await Promise.all(seen), Array(3).fill({ code: 4001, reason: 'bye' }));
    assert.equal(server.connections.size, 0);
    assert.deepEqual(disconnects, [4001, 4001, 4001]);
  });

  it('dropAll(): clients see 1006, no close frame', async () => {
    const server = await start();
    const clients = await Promise.all([openClient(server.url), openClient(server.url)]);
    await withTimeout(server.nextConnection(), 'the first connection');
    const seen = clients.map((ws) => closed(ws));
    await withTimeout(server.dropAll(), 'dropAll');
    assert.deepEqual(await Promise.all(seen), Array(2).fill({ code: 1006, reason: '' }));
    assert.equal(server.connections.size, 0);
  });

  it('one connection: close(code, reason) and drop(), each resolving with how it ended', async () => {
    const server = await start();
    const a = await openClient(server.url);
    const first = await withTimeout(server.nextConnection(), 'a');
    const b = await openClient(server.url);
    const second = await withTimeout(server.nextConnection(), 'b');
    const [aSaw, bSaw] = [closed(a), closed(b)];
    assert.deepEqual(await first.close(4321, 'just you'), { code: 4321, reason: 'just you' });
    assert.deepEqual(await aSaw, { code: 4321, reason: 'just you' });
    assert.equal(b.readyState, WebSocket.OPEN);
    // A code no endpoint may send is refused before anything goes out.
    await assert.rejects(second.close(1005), /valid error code/);
    assert.equal(b.readyState, WebSocket.OPEN);
    assert.equal((await second.drop()).code, 1006);
    assert.equal((await bSaw).code, 1006);
  });

  it('close(): 1001 to every client, then the port is free; twice is fine', async () => {
    const server = await start();
    const ws = await openClient(server.url);
    const seen = closed(ws);
    await withTimeout(Promise.all([server.close(), server.close()]), 'close');
    assert.deepEqual(await seen, { code: 1001, reason: 'server shutting down' });
    await assert.rejects(httpGet(`${server.httpUrl}healthz`, { timeoutMs: 2000 }), /ECONNREFUSED/);
    // What came before the close can still be taken; then waiting fails instead of hanging.
    assert.equal((await server.nextConnection()).id, 1);
    await assert.rejects(server.nextConnection(), /the server closed before another connection came/);
  });

  it('await using: leaving the block closes the server', async () => {
    let url = '';
    {
      await using server = await startEchoServer();
      url = server.httpUrl;
      assert.equal((await httpGet(`${url}healthz`)).status, 200);
    }
    await assert.rejects(httpGet(`${url}healthz`, { timeoutMs: 2000 }), /ECONNREFUSED/);
  });
});

describe('two servers in one process', () => {
  it('share no metrics and no connection caps', async () => {
    const [a, b] = await Promise.all([start({ maxConnections: 1 }), start({ maxConnections: 1 })]);
    const ws = await openClient(a.url);
    await echoOf(ws, 'only a');
    // a is full; b's cap is its own.
    assert.equal(await refusedStatus(a.url), 503);
    await openClient(b.url);
    const [fromA, fromB] = await Promise.all([scrape(a.httpUrl), scrape(b.httpUrl)]);
    const received = { type: 'text' };
    assert.equal(sampleValue(fromA, 'ws_echo_messages_received_total', received), 1);
    assert.equal(sampleValue(fromB, 'ws_echo_messages_received_total', received), 0);
    assert.equal(sampleValue(fromA, 'ws_echo_handshakes_refused_total', { reason: 'capacity' }), 1);
    assert.equal(sampleValue(fromB, 'ws_echo_handshakes_refused_total', { reason: 'capacity' }), undefined);
    assert.deepEqual([a.connections.size, b.connections.size], [1, 1]);
  });

  it('dozens a second: 50 servers started, echoed through and stopped one after another', async (t) => {
    const startedAt = performance.now();
    for (let i = 0; i < 50; i++) {
      const server = await startEchoServer();
      const ws = await openClient(server.url);
      assert.equal((await echoOf(ws, String(i))).data.toString(), `Received: ${i}`);
      await server.close();
    }
    const ms = performance.now() - startedAt;
    t.diagnostic(`50 servers started, echoed through and stopped in ${Math.round(ms)} ms`);
    // A second each would be 50 s; even a loaded CI machine stays far below this.
    assert.ok(ms < 10_000, `${Math.round(ms)} ms`);
  });
});

// The built server as a real process (node dist/server/main.js): signals,
// exit codes, a busy port, and what it logs per connection. (Bad flags and
// --help: config.test.ts.)
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { cleanEnv, logEntries, nonEmptyLines, parseJson, runServer, waitForLog } from '../support/child-process.ts';
import { open } from '../support/frame-assertions.ts';
import { Opcode, parseClose } from '../support/frames.ts';
import { serverProcesses } from '../support/servers.ts';
import { BOOT_TIMEOUT_MS, PROJECT_ROOT, type RunningServer } from '../support/spawn-server.ts';
import { withTimeout } from '../support/wait.ts';
import { closed, echoOf, openClient, receive } from '../support/ws-client.ts';

const STACK_TRACE = /^\s+at\s|Error:|node:internal/m;

const start = serverProcesses();
const children = new Set<ChildProcess>();
const blockers = new Set<Server>();

function stopWithin(server: RunningServer, signal: NodeJS.Signals, ms = 10_000): Promise<number | string | null> {
  return withTimeout(server.stop(signal), `the server to exit after ${signal}`, ms);
}

/** Opens a ws client and reports the local port it connected from (the server logs it as the peer). */
async function openWithPort(url: string, protocol?: string): Promise<{ ws: WebSocket; localPort: number }> {
  const ws = protocol === undefined ? new WebSocket(url) : new WebSocket(url, protocol);
  ws.on('error', () => {});
  const opened = new Promise<number>((resolve, reject) => {
    let port = 0;
    ws.once('upgrade', (res) => (port = res.socket.localPort ?? 0));
    ws.once('open', () => resolve(port));
    ws.once('error', reject);
  });
  const localPort = await withTimeout(opened, 'the handshake');
  return { ws, localPort };
}

function busyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    blockers.add(server);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({ server, port: address.port });
    });
  });
}

after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const blocker of blockers) blocker.close();
});

describe('signals', () => {
  it('SIGTERM closes both connected clients with 1001 "server shutting down" and exits 0', async () => {
    const server = await start();
    const clients = await Promise.all([openClient(server.wsUrl), openClient(server.wsUrl, 'echo-protocol')]);
    const closes = clients.map((ws) => closed(ws));

    assert.equal(await stopWithin(server, 'SIGTERM'), 0);
    for (const closeInfo of await Promise.all(closes)) {
      assert.deepEqual(closeInfo, { code: 1001, reason: 'server shutting down' });
    }
    const entries = logEntries(server);
    assert.ok(
      entries.some((e) => e.msg === 'shutting down' && e.signal === 'SIGTERM' && e.clients === 2),
      'logs the shutdown with the signal and the number of clients',
    );
    assert.ok(entries.some((e) => e.msg === 'stopped'));
  });

  it('SIGINT closes the client with 1001 and exits 0', async () => {
    const server = await start();
    const ws = await openClient(server.wsUrl);
    const closeInfo = closed(ws);
    assert.equal(await stopWithin(server, 'SIGINT'), 0);
    assert.deepEqual(await closeInfo, { code: 1001, reason: 'server shutting down' });
  });

  it('SIGTERM with no clients exits 0', async () => {
    const server = await start();
    const ws = await openClient(server.wsUrl);
    ws.close();
    await closed(ws);
    assert.equal(await stopWithin(server, 'SIGTERM'), 0);
  });

  it('SIGTERM sent the moment the URL is printed still exits 0 (10 servers at once)', async () => {
    // The URL line is the server's "ready" signal (spawn-server.ts, a supervisor
    // or a person waits for it), so the graceful stop must already be armed
    // when it appears; otherwise SIGTERM's default action kills the process.
    // The window is short, so several servers are raced at once.
    const results = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const child = spawn(process.execPath, ['dist/server/main.js', '--port', '0'], {
          cwd: PROJECT_ROOT,
          env: cleanEnv(),
        });
        children.add(child);
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          const first = !output.includes('"url"');
          output += chunk;
          if (first && output.includes('"url"')) child.kill('SIGTERM');
        });
        // Ten Node processes booting at once on a loaded two-core machine take a while: the boot failsafe.
        const [code, signal] = (await withTimeout(
          once(child, 'exit'),
          'the server to boot and exit',
          BOOT_TIMEOUT_MS,
        )) as [number | null, string | null];
        children.delete(child);
        return code ?? signal;
      }),
    );
    assert.deepEqual(results, Array(10).fill(0), 'every server exits 0 rather than being killed by the signal');
  });

  it('a second signal while waiting for a silent client ends the process at once', async () => {
    const server = await start({ args: ['--shutdown-grace', '60000'] });
    const silent = await open(server.port);
    server.child.kill('SIGTERM');
    const frame = await silent.nextFrame();
    assert.equal(frame.opcode, Opcode.close);
    assert.equal(parseClose(frame).code, 1001);
    // The client never answers, so without a second signal this would wait 60 s.
    const result = await stopWithin(server, 'SIGTERM', 5_000);
    assert.equal(result, 'SIGTERM');
  });
});

describe('start-up failures', () => {
  for (const format of ['json', 'pretty']) {
    it(`a port in use fails with one line naming the port and a non-zero exit (--log-format ${format})`, async () => {
      const { port } = await busyPort();
      const result = await runServer(['--port', String(port), '--log-format', format]);
      assert.notEqual(result.code, 0);
      assert.notEqual(result.code, null, `killed by ${result.signal}: the process did not exit by itself`);
      const lines = nonEmptyLines(result.stdout + result.stderr);
      assert.equal(lines.length, 1, `one line, got:\n${lines.join('\n')}`);
      assert.match(lines[0] ?? '', new RegExp(`port ${port} .*already in use`));
      assert.doesNotMatch(lines[0] ?? '', STACK_TRACE);
    });
  }

  it('an address not on this machine fails with one line naming the host and a non-zero exit', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never a local address, and no DNS is involved.
    const result = await runServer(['--port', '0', '--host', '192.0.2.1']);
    assert.notEqual(result.code, 0);
    assert.notEqual(result.code, null, `killed by ${result.signal}: the process did not exit by itself`);
    const lines = nonEmptyLines(result.stdout + result.stderr);
    assert.equal(lines.length, 1, `one line, got:\n${lines.join('\n')}`);
    assert.match(lines[0] ?? '', /cannot listen on host 192\.0\.2\.1/);
  });

  it('a port in use also ends the process in dev mode (Vite started before the listen failed)', async () => {
    const { port } = await busyPort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--dev', '--port', String(port)], {
      cwd: PROJECT_ROOT,
      env: cleanEnv(),
    });
    children.add(child);
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const reported = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('already in use')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    await withTimeout(Promise.race([reported, exited]), 'the dev server to report the busy port', BOOT_TIMEOUT_MS);
    assert.match(output, new RegExp(`port ${port} .*already in use`));
    // Having said so, it must exit; a live Vite watcher must not keep it running.
    const code = await withTimeout(exited, 'the dev server to exit after reporting the busy port');
    assert.notEqual(code, 0);
  });
});

describe('logging', () => {
  it('logs one "connection opened" and one "connection closed" line per connection and nothing per message at info', async () => {
    // An empty LOG_LEVEL counts as unset, so this is the default level whatever the shell says.
    const server = await start({ env: { LOG_LEVEL: '' } });
    const connections = [
      { protocol: 'echo-protocol', ...(await openWithPort(server.wsUrl, 'echo-protocol')) },
      { protocol: null, ...(await openWithPort(server.wsUrl)) },
    ];
    for (const { ws } of connections) {
      const replies = receive(ws, 2);
      ws.send('secret text 你好');
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      await replies;
    }
    connections[0]?.ws.close(1000, 'done');
    connections[1]?.ws.close(4000, 'custom');
    for (const { localPort } of connections) {
      await waitForLog(
        server,
        (e) => e.msg === 'connection closed' && e.peer === `127.0.0.1:${localPort}`,
        `close of :${localPort}`,
      );
    }

    const [startLine, ...logLines] = server.output;
    assert.match(startLine ?? '', /^ws-echo listening on /, 'the plain start line comes first');
    assert.ok(
      logLines.every((line) => parseJson(line) !== undefined),
      `every line after it is JSON:\n${server.output.join('\n')}`,
    );
    const entries = logEntries(server);
    const opened = entries.filter((e) => e.msg === 'connection opened');
    const closedLines = entries.filter((e) => e.msg === 'connection closed');
    assert.equal(opened.length, 2);
    assert.equal(closedLines.length, 2);
    const expectedCodes = [
      [1000, 'done'],
      [4000, 'custom'],
    ] as const;
    connections.forEach(({ localPort, protocol }, i) => {
      const peer = `127.0.0.1:${localPort}`;
      const open = opened.filter((e) => e.peer === peer);
      const close = closedLines.filter((e) => e.peer === peer);
      assert.equal(open.length, 1, `one open line for ${peer}`);
      assert.equal(close.length, 1, `one close line for ${peer}`);
      assert.equal(open[0]?.protocol, protocol);
      assert.equal(open[0]?.path, '/');
      assert.equal(close[0]?.code, expectedCodes[i]?.[0]);
      assert.equal(close[0]?.reason, expectedCodes[i]?.[1]);
    });
    assert.ok(
      entries.every((e) => typeof e.level === 'number' && e.level >= 30),
      'nothing below info is written at the default level',
    );
    assert.ok(!server.output.some((line) => line.includes('secret text')), 'message contents are not logged at info');
  });

  it('with --log-level debug logs the received text and the binary size', async () => {
    const server = await start({ args: ['--log-level', 'debug'] });
    const ws = await openClient(server.wsUrl);
    assert.equal((await echoOf(ws, 'debug me 你好')).data.toString(), 'Received: debug me 你好');
    const line = await waitForLog(server, (e) => e.received === 'debug me 你好', 'the debug line for the text');
    assert.equal(line.level, 20);
    assert.equal(line.sending, 'Received: debug me 你好');

    ws.send(Buffer.alloc(7), { binary: true });
    const binary = await waitForLog(server, (e) => e.bytes === 7, 'the debug line for the binary message');
    assert.equal(binary.level, 20);
    ws.close();
  });
});

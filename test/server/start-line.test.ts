// The first thing the built server prints: one plain line with the page's URL
// and the echo's, that a person can read and a script can take the port from
// (`--port 0`) without parsing JSON. The JSON log lines come after it.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { makeCertificate, type TestCertificate } from '../support/certificate.ts';
import { cleanEnv, parseJson } from '../support/child-process.ts';
import { httpGet } from '../support/http-request.ts';
import { PROJECT_ROOT } from '../support/spawn-server.ts';
import { withTimeout } from '../support/wait.ts';
import { V8_FLAGS } from '../../server/v8-flags.ts';

/** What a script would match: scheme, host and port of the page, then the echo on the same port. */
const START_LINE = /^ws-echo listening on (https?):\/\/127\.0\.0\.1:(\d+)\/ \(echo: (wss?):\/\/127\.0\.0\.1:(\d+)\/\)$/;

const running = new Set<ChildProcessWithoutNullStreams>();
let certificate: TestCertificate | undefined;
after(async () => {
  for (const child of running) child.kill('SIGKILL');
  await certificate?.remove();
});

interface Started {
  /** Every stdout line so far, in order. */
  stdout: string[];
  /** The port the start line names. */
  port: number;
  /** The start line's scheme and the echo's. */
  schemes: [page: string, echo: string];
  /** Resolves once stdout has `count` lines. */
  lines(count: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** Runs `node <V8_FLAGS> dist/server/main.js --port 0 <args>` and waits for its first stdout line. */
async function run(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [...V8_FLAGS, 'dist/server/main.js', '--port', '0', ...args], {
    cwd: PROJECT_ROOT,
    env: cleanEnv(),
  });
  running.add(child);
  const stdout: string[] = [];
  const onLines = new Set<() => void>();
  let rest = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    stdout.push(...lines);
    for (const check of onLines) check();
  });
  child.stderr.resume();
  const lines = (count: number) => {
    let check = () => {};
    const enough = new Promise<string[]>((resolve) => {
      check = () => {
        if (stdout.length >= count) resolve(stdout);
      };
      onLines.add(check);
      check();
    });
    return withTimeout(enough, 20_000, `${count} line(s) on stdout`).finally(() => onLines.delete(check));
  };
  const [first = ''] = await lines(1);
  const match = START_LINE.exec(first);
  assert.ok(match, `the first stdout line is the start line: ${JSON.stringify(first)}`);
  const [, pageScheme = '', port = '', echoScheme = '', echoPort = ''] = match;
  assert.equal(echoPort, port, 'the echo answers on the page’s port');
  return {
    stdout,
    port: Number(port),
    schemes: [pageScheme, echoScheme],
    lines,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await withTimeout(exited, 10_000, 'the server to exit');
      running.delete(child);
    },
  };
}

describe('the start line', () => {
  it('is the first stdout line, names the port --port 0 chose, and JSON logs follow', async () => {
    const server = await run([]);
    assert.deepEqual(server.schemes, ['http', 'ws']);
    const health = await httpGet(`http://127.0.0.1:${server.port}/healthz`);
    assert.equal(health.status, 200);
    const [, second = ''] = await server.lines(2);
    assert.equal(parseJson(second)?.url, `http://127.0.0.1:${server.port}/`, 'then the JSON listening line');
    await server.stop();
  });

  it('says https and wss with TLS', async () => {
    certificate = await makeCertificate();
    const server = await run(['--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath]);
    assert.deepEqual(server.schemes, ['https', 'wss']);
    const health = await httpGet(`https://127.0.0.1:${server.port}/healthz`, { ca: certificate.cert });
    assert.equal(health.status, 200);
    await server.stop();
  });

  it('comes first with pretty logs too, as in dev', async () => {
    const server = await run(['--log-format', 'pretty']);
    const lines = await server.lines(2);
    assert.match(lines[1] ?? '', /INFO: listening/);
    assert.equal(lines.filter((line) => line.startsWith('ws-echo listening on')).length, 1);
    await server.stop();
  });

  it('is printed even with --log-level silent, and is then all there is', async () => {
    const server = await run(['--log-level', 'silent']);
    assert.equal((await httpGet(`http://127.0.0.1:${server.port}/healthz`)).status, 200);
    await server.stop();
    assert.deepEqual(
      server.stdout.filter((line) => line !== ''),
      [server.stdout[0]],
    );
  });

  it('is printed once, by the primary, with --workers 2', async () => {
    const server = await run(['--workers', '2']);
    const [, second = ''] = await server.lines(2);
    assert.equal(parseJson(second)?.workers, 2, 'then the primary’s JSON listening line');
    // Every worker answers on the announced port.
    const workers = new Set<unknown>();
    for (let i = 0; i < 20 && workers.size < 2; i++) {
      workers.add(JSON.parse((await httpGet(`http://127.0.0.1:${server.port}/healthz`)).body).worker);
    }
    assert.equal(workers.size, 2);
    await server.stop();
    assert.equal(server.stdout.filter((line) => line.startsWith('ws-echo')).length, 1, server.stdout.join('\n'));
  });
});

describe('a server built in-process (createEchoServer)', () => {
  it('prints no start line: only main.ts announces', async () => {
    const script = [
      "import { parseConfig } from './dist/server/config.js';",
      "import { createEchoServer } from './dist/server/server.js';",
      "import { createLogger } from './dist/server/logger.js';",
      "const config = parseConfig(['--port', '0', '--log-level', 'silent'], {});",
      'const server = await createEchoServer(config, createLogger(config));',
      'await server.listen();',
      'await server.close();',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      env: cleanEnv(),
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await withTimeout(once(child, 'exit'), 10_000, 'the in-process script to finish')) as [number];
    running.delete(child);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '');
  });
});

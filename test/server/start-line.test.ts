// The first thing the built server prints: one plain line with the page's URL
// and the echo's, that a person can read and a script can take the port from
// (`--port 0`) without parsing JSON, ending with which limits are on and why.
// The JSON log lines come after it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeCertificate, type TestCertificate } from '../support/certificate.ts';
import { cleanEnv, parseJson } from '../support/child-process.ts';
import { health, httpGet } from '../support/http-request.ts';
import { serverProcesses } from '../support/servers.ts';
import { BOOT_TIMEOUT_MS, PROJECT_ROOT } from '../support/spawn-server.ts';
import { waitFor, withTimeout } from '../support/wait.ts';

/** What a script would match: scheme, host, port and path of the page, the echo on the same port, then the limits. */
const START_LINE =
  /^ws-echo listening on (https?):\/\/(127\.0\.0\.1|localhost):(\d+)(\/\S*) \(echo: (wss?):\/\/(\2):(\d+)(\/\S*)\); limits: (.+)$/;

/** docs/testing.md's CI recipe takes the port from the start line with this sed script. */
const RECIPE_SED = /^port=\$\(sed -n '([^']+)' ws-echo\.log\)$/m.exec(
  readFileSync(join(PROJECT_ROOT, 'docs/testing.md'), 'utf8'),
)?.[1];

const start = serverProcesses({ readyOn: 'start line' });
let certificate: TestCertificate | undefined;
after(() => certificate?.remove());

interface Started {
  /** Every stdout line so far, in order. */
  stdout: string[];
  /** The whole start line. */
  line: string;
  /** The host and port the start line names. */
  host: string;
  port: number;
  /** The page's path, which is the echo's too. */
  path: string;
  /** What follows `limits: `. */
  limits: string;
  /** The start line's scheme and the echo's. */
  schemes: [page: string, echo: string];
  /** Resolves once stdout has `count` lines. */
  lines(count: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** Runs `node <V8_FLAGS> dist/server/main.js --port 0 <args>` and checks its first stdout line. */
async function run(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const server = await start({ args, env });
  const [first = ''] = server.stdout;
  const match = START_LINE.exec(first);
  assert.ok(match, `the first stdout line is the start line: ${JSON.stringify(first)}`);
  const [, pageScheme = '', host = '', port = '', path = '', echoScheme = '', , echoPort = '', echoPath, limits = ''] =
    match;
  assert.equal(echoPort, port, 'the echo answers on the page’s port');
  assert.equal(echoPath, path, 'the echo answers at the page’s path');
  return {
    stdout: server.stdout,
    line: first,
    host,
    port: Number(port),
    path,
    limits,
    schemes: [pageScheme, echoScheme],
    lines: (count) => waitFor(`${count} line(s) on stdout`, () => server.stdout.length >= count && server.stdout),
    async stop() {
      await withTimeout(server.stop(), 'the server to exit');
    },
  };
}

describe('the start line', () => {
  it('is the first stdout line, names the port --port 0 chose, and JSON logs follow', async () => {
    const server = await run([]);
    assert.deepEqual(server.schemes, ['http', 'ws']);
    assert.deepEqual([server.host, server.path], ['127.0.0.1', '/']);
    assert.equal(
      server.line,
      `ws-echo listening on http://127.0.0.1:${server.port}/ (echo: ws://127.0.0.1:${server.port}/); limits: ${server.limits}`,
    );
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
      workers.add((await health(`http://127.0.0.1:${server.port}/`)).body.worker);
    }
    assert.equal(workers.size, 2);
    await server.stop();
    assert.equal(server.stdout.filter((line) => line.startsWith('ws-echo')).length, 1, server.stdout.join('\n'));
  });
});

describe('the limits on the start line', () => {
  const SEE = 'see --max-connections-per-ip, --rate-limit';
  const cases: Array<{ name: string; args: string[]; env?: Record<string, string>; limits: string }> = [
    {
      name: 'are off by default on loopback only',
      args: [],
      limits: `no per-IP cap, no rate limit (the defaults on loopback only; ${SEE})`,
    },
    {
      name: 'are on by default with --host 0.0.0.0',
      args: ['--host', '0.0.0.0'],
      limits: `256 connections per IP, 10000 messages/s per connection (the defaults on 0.0.0.0, which other machines can reach; ${SEE})`,
    },
    {
      name: 'are on by default behind --trust-proxy',
      args: ['--trust-proxy'],
      limits: `256 connections per IP, 10000 messages/s per connection (the defaults behind --trust-proxy; ${SEE})`,
    },
    {
      name: 'say which one was set and which is the default',
      args: ['--rate-limit', '50'],
      limits: 'no per-IP cap (the default on loopback only), 50 messages/s per connection (as set)',
    },
    {
      name: 'follow the environment twins too',
      args: [],
      env: { HOST: '0.0.0.0', RATE_LIMIT: '0' },
      limits: '256 connections per IP (the default on 0.0.0.0, which other machines can reach), no rate limit (as set)',
    },
  ];
  for (const { name, args, env, limits } of cases) {
    it(name, async () => {
      const server = await run(args, env);
      assert.equal(server.limits, limits);
      assert.equal((await httpGet(`http://127.0.0.1:${server.port}/healthz`)).status, 200);
      await server.stop();
    });
  }
});

describe('with --base-path', () => {
  it('names the page and the echo under the prefix', async () => {
    const server = await run(['--base-path', '/prefix']);
    assert.equal(server.path, '/prefix/');
    assert.match(server.line, new RegExp(`\\(echo: ws://127\\.0\\.0\\.1:${server.port}/prefix/\\);`));
    assert.equal((await httpGet(`http://127.0.0.1:${server.port}/prefix/healthz`)).status, 200);
    await server.stop();
  });

  it("lets docs/testing.md's CI recipe take the port from it, with or without a prefix", async () => {
    const script: string = RECIPE_SED ?? assert.fail("docs/testing.md's CI recipe has no sed line");
    for (const args of [[], ['--base-path', '/tools/ws-echo']]) {
      const server = await run(args);
      const sed = spawnSync('sed', ['-n', script], { input: `${server.line}\n`, encoding: 'utf8' });
      assert.equal(sed.stdout, `${server.port}\n`, `sed on ${server.line}`);
      await server.stop();
    }
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
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      const [code] = (await withTimeout(once(child, 'close'), 'the in-process script to finish', BOOT_TIMEOUT_MS)) as [
        number,
      ];
      assert.equal(code, 0, stderr);
      assert.equal(stdout, '');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

// The log lines at the default level (info) reach stdout whole, in order and
// all of them, however the process ends: the server's two lines per
// connection through a graceful SIGTERM, and the line sink itself
// (server/log-lines.ts) through process.exit(), an uncaught exception, the
// loop running dry and a reader that has gone away. Real processes, real pipes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { logEntries, type LogEntry } from '../support/child-process.ts';
import { serverProcesses } from '../support/servers.ts';
import { PROJECT_ROOT } from '../support/spawn-server.ts';
import { withTimeout } from '../support/wait.ts';
import { closed, openClient } from '../support/ws-client.ts';

describe('connection log lines at the default level', () => {
  const start = serverProcesses();

  it('logs every opened and closed connection, and every line reaches stdout before the process exits on SIGTERM', async () => {
    // No --log-level: the default, info.
    const server = await start();
    const clients = await Promise.all(Array.from({ length: 60 }, () => openClient(server.wsUrl, 'echo-protocol')));
    // Half close themselves; the other half are still open when the signal comes, and the server closes them (1001).
    const selfClosed = clients.slice(0, 30);
    await Promise.all(
      selfClosed.map((ws) => {
        const done = closed(ws);
        ws.close(1000, 'bye');
        return done;
      }),
    );
    const stdoutEnded = once(server.child.stdout!, 'end');
    assert.equal(await server.stop('SIGTERM'), 0);
    await withTimeout(stdoutEnded, "the server's stdout to end");

    const entries = logEntries(server);
    const opened = entries.filter((e) => e.msg === 'connection opened');
    const closedLines = entries.filter((e) => e.msg === 'connection closed');
    assert.equal(opened.length, 60, 'one "connection opened" line per client');
    assert.equal(closedLines.length, 60, 'one "connection closed" line per client, those closed by the shutdown too');
    const peers = (lines: LogEntry[]) => new Set(lines.map((e) => e.peer));
    assert.equal(peers(opened).size, 60, 'the opened lines name each client apart (ip:port)');
    assert.deepEqual(peers(closedLines), peers(opened), 'the closed lines name the same clients');
    assert.equal(closedLines.filter((e) => e.code === 1000 && e.reason === 'bye').length, 30);
    const byShutdown = closedLines.filter((e) => e.code === 1001);
    assert.equal(byShutdown.length, 30, 'closed by the shutdown with 1001');
    // In the order they happened: the signal, the connections it closed, then the end.
    const at = (entry: LogEntry | undefined) => entries.indexOf(entry!);
    assert.ok(at(entries.find((e) => e.msg === 'shutting down')) < at(byShutdown[0]));
    assert.equal(entries.at(-1)?.msg, 'stopped');
    for (const entry of entries) assert.equal(typeof entry.time, 'number', 'every line is a whole JSON object');
  });
});

// A child that writes LINES lines through the sink in one turn, then ends the given way.
const LINES = 20_000;
const ENDINGS = {
  'process.exit()': 'process.exit(0);',
  'an uncaught exception': "throw new Error('boom');",
  'the loop running dry': '',
  'a rejected promise': "Promise.reject(new Error('boom'));",
} as const;

function childScript(ending: string): string {
  return [
    "import { lineSink } from './dist/server/log-lines.js';",
    'const sink = lineSink(1);',
    `for (let i = 0; i < ${LINES}; i++) sink.write(JSON.stringify({ i, pad: 'x'.repeat(i % 200) }) + '\\n');`,
    ending,
  ].join('\n');
}

/** Runs `script` (module source, or the path of a .mjs file) in a child of its own. */
async function runChild(script: string, readStdout = true) {
  const args = script.endsWith('.mjs') ? [script] : ['--input-type=module', '-e', script];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT });
  let stdout = '';
  let stderr = '';
  if (readStdout) child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  else child.stdout.destroy();
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await withTimeout(once(child, 'close'), 'the child to exit', 20_000)) as [number | null];
  return { code, stdout, stderr };
}

describe('the line sink', () => {
  for (const [name, ending] of Object.entries(ENDINGS)) {
    it(`writes every line, whole and in order, when the process ends by ${name}`, async () => {
      const { stdout, stderr } = await runChild(childScript(ending));
      const lines = stdout.split('\n');
      assert.equal(lines.pop(), '', 'the output ends with a newline');
      assert.equal(lines.length, LINES, `all ${LINES} lines (stderr: ${stderr.slice(0, 300)})`);
      lines.forEach((line, i) => {
        if ((JSON.parse(line) as { i: number }).i !== i) assert.fail(`line ${i} is out of order: ${line}`);
      });
    });
  }

  it('keeps every line whole when cluster workers share the stdout pipe (--workers)', async () => {
    // Two workers write at once into the pipe they inherit from the primary,
    // as `--workers` does behind `| tee`, a container's log driver or journald.
    // A file of its own: cluster forks workers from the primary's script.
    const dir = await mkdtemp(join(tmpdir(), 'ws-echo-log-lines-'));
    const file = join(dir, 'workers.mjs');
    await writeFile(
      file,
      [
        "import cluster from 'node:cluster';",
        `import { lineSink } from '${pathToFileURL(join(PROJECT_ROOT, 'dist/server/log-lines.js')).href}';`,
        'if (cluster.isPrimary) {',
        '  for (let w = 0; w < 2; w++) cluster.fork();',
        '} else {',
        '  const sink = lineSink(1);',
        '  const w = cluster.worker.id;',
        `  for (let i = 0; i < ${LINES}; i++) sink.write(JSON.stringify({ w, i, pad: 'x'.repeat(i % 200) }) + '\\n');`,
        '  setTimeout(() => process.exit(0), 20);',
        '}',
      ].join('\n'),
    );
    const { stdout, stderr } = await runChild(file).finally(() => rm(dir, { recursive: true, force: true }));
    const lines = stdout.split('\n');
    assert.equal(lines.pop(), '', 'the output ends with a newline');
    const next = new Map<number, number>();
    for (const line of lines) {
      let entry: { w: number; i: number };
      try {
        entry = JSON.parse(line) as { w: number; i: number };
      } catch {
        assert.fail(`a line cut by the other worker's: ${line.slice(0, 120)}… (stderr: ${stderr.slice(0, 200)})`);
      }
      assert.equal(entry.i, next.get(entry.w) ?? 0, `worker ${entry.w}'s lines in order`);
      next.set(entry.w, entry.i + 1);
    }
    assert.deepEqual([...next.values()], [LINES, LINES], 'every line of both workers');
  });

  it('keeps the process running when nobody reads its stdout any more (EPIPE)', async () => {
    // Logs, then keeps going for a few turns, then exits 0 on its own: a broken pipe must not crash it.
    const script = childScript(
      "await new Promise((r) => setTimeout(r, 200)); sink.write('late\\n'); await new Promise((r) => setTimeout(r, 50)); process.stderr.write('alive');",
    );
    const { code, stderr } = await runChild(script, false);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'alive');
  });
});

describe('lines built later (infoLater: the two lines of every connection)', () => {
  it("are pino's own lines byte for byte, with the time they were logged at, in the order of the calls", async () => {
    // Date.now is the clock pino stamps lines with: each call happens at a known time. The path has
    // quotes, a backslash, a control character, Latin-1 and more than 100 characters; extensions is absent.
    // After the last call the loop runs dry: the last line is built on the way out.
    const script = String.raw`
      import { createLogger, infoLater } from './dist/server/logger.js';
      const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, { instance: 'vm-1', worker: 2 });
      const later = infoLater(logger);
      let now = 1000;
      Date.now = () => now;
      const opened = { peer: '127.0.0.1:5', protocol: null, path: '/a?b="c"\\d\u0001\u00e9' + 'x'.repeat(120), extensions: undefined };
      later(opened, 'connection opened');
      now = 2000;
      logger.warn({ peer: '127.0.0.1:5' }, 'in between');
      logger.info(opened, 'connection opened');
      later({ peer: '127.0.0.1:5', code: 1000, reason: 'b\u00fc"e' }, 'connection closed');
      now = 3000;
    `;
    const { code, stdout, stderr } = await runChild(script);
    assert.equal(code, 0, stderr);
    const lines = stdout.split('\n');
    assert.equal(lines.pop(), '', 'the output ends with a newline');
    assert.equal(lines.length, 4, stdout);
    const [builtLater, between, atOnce, closedLater] = lines as [string, string, string, string];
    assert.equal(builtLater, atOnce.replace('"time":2000,', '"time":1000,'), 'the same line as logger.info makes');
    assert.equal(JSON.parse(builtLater).path, `/a?b="c"\\d\u0001\u00e9${'x'.repeat(120)}`);
    assert.equal(JSON.parse(between).msg, 'in between', 'a line logged in the meantime comes after it');
    assert.equal(
      closedLater,
      String.raw`{"level":30,"time":2000,"instance":"vm-1","worker":2,"peer":"127.0.0.1:5","code":1000,"reason":"bü\"e","msg":"connection closed"}`,
    );
  });
});

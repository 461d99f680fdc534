// The log lines at the default level (info) reach stdout whole, in order and
// all of them, however the process ends: the server's two lines per
// connection through a graceful SIGTERM, and the line sink itself
// (server/log-lines.ts) through process.exit(), an uncaught exception, the
// loop running dry and a reader that has gone away. Real processes, real pipes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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

async function runChild(script: string, readStdout = true) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT_ROOT });
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

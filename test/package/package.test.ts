// The npm package, as a user installs it: what the tarball holds, the
// command (npx ws-echo-playground, node_modules/.bin/ws-echo), and the
// docs/testing.md's examples for node:test, Vitest, Jest and CommonJS, each run with
// the command the page gives, in a fresh project, against the installed
// tarball, not this source tree.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { processTree } from '../../bench/proc.ts';
import { V8_FLAGS } from '../../server/v8-flags.ts';
import { httpGet } from '../support/http-request.ts';
import { PROJECT_ROOT } from '../support/spawn-server.ts';
import { withTimeout } from '../support/wait.ts';
import { closed, openClient, receiveOne, terminateAll } from '../support/ws-client.ts';
import { type InstalledPackage, packAndInstall, type DocExample, docExamples } from './installed.ts';

const run = promisify(execFile);

/** The first line the command prints, as docs/testing.md's scripts read it. */
const LISTENING = /^ws-echo listening on (http:\/\/127\.0\.0\.1:(\d+)\/) \(echo: (ws:\/\/127\.0\.0\.1:\d+\/)\)(;|$)/;

let installed: InstalledPackage;
const children = new Set<ChildProcess>();

before(
  async () => {
    installed = await packAndInstall();
    process.stdout.write(
      `packed in ${installed.seconds.pack.toFixed(1)} s, installed in ${installed.seconds.install.toFixed(1)} s: ${installed.tarball.filename}, ${installed.tarball.size} bytes, ${installed.tarball.files.length} files\n`,
    );
  },
  { timeout: 300_000 },
);

after(async () => {
  terminateAll();
  for (const child of children) {
    // Each command runs in its own process group: take npx, its shell and the server along.
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
  await installed?.remove();
});

interface Started {
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  httpUrl: string;
  wsUrl: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `command` in the installed project, in a process group of its own (as a terminal runs it), until it prints its first line. */
async function startCommand(command: string, args: string[]): Promise<Started> {
  const child = spawn(command, args, { cwd: installed.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const first = new Promise<string>((resolve, reject) => {
    let rest = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > 0) resolve(lines[0]!);
    });
    void exited.then(({ code, signal }) => reject(new Error(`${command} exited (${code ?? signal}):\n${stderr}`)));
  });
  const line = await withTimeout(first, `the first line of ${command} ${args.join(' ')}`, 30_000);
  const match = LISTENING.exec(line);
  assert.ok(match, `first line: ${line}`);
  return { child, lines, httpUrl: match[1]!, wsUrl: match[3]!, exited };
}

/** The processes still in process group `pgid` (a command started by startCommand and all it started). */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        // After "(name)": state, ppid, pgrp, …
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

describe('the tarball', () => {
  it('holds the built server and page, README.md and LICENSE, and nothing else', () => {
    const paths = installed.tarball.files.map((file) => file.path).sort();
    const allowed = /^(package\.json|README\.md|LICENSE|dist\/client\/.+|dist\/server\/([\w-]+\/)*[\w-]+\.(js|d\.ts))$/;
    assert.deepEqual(
      paths.filter((path) => !allowed.test(path)),
      [],
    );
    for (const needed of [
      'LICENSE',
      'README.md',
      'dist/client/index.html',
      'dist/server/bin.js',
      'dist/server/index.d.ts',
      'dist/server/index.js',
      'dist/server/main.js',
      // Modules in folders of their own, which a pattern for dist/server/*.js alone would leave out.
      'dist/server/fuzzing/index.js',
      'dist/server/monitor/hub.js',
    ]) {
      assert.ok(paths.includes(needed), `${needed} is missing`);
    }
    assert.ok(
      paths.some((path) => /^dist\/client\/assets\/.+\.js$/.test(path)),
      'the page script is missing',
    );
    assert.match(readFileSync(join(PROJECT_ROOT, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) 2026 /);
  });

  it('installs without a build step or any of our dev dependencies', async () => {
    const modules = join(installed.dir, 'node_modules');
    assert.ok(existsSync(join(modules, 'ws-echo-playground/dist/client/index.html')));
    // What the package pulls in, whatever the examples' runners pull in next to it.
    const { stdout } = await run('npm', ['ls', '--all', '--json'], { cwd: installed.dir, maxBuffer: 64 * 1024 * 1024 });
    const pulled = new Set<string>();
    const walk = (node: { dependencies?: Record<string, unknown> }) => {
      for (const [name, child] of Object.entries(node.dependencies ?? {})) {
        pulled.add(name);
        walk(child as typeof node);
      }
    };
    walk((JSON.parse(stdout) as { dependencies: Record<string, object> }).dependencies['ws-echo-playground']!);
    const ours = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    assert.ok(pulled.has('ws') && pulled.has('express'), [...pulled].join(' '));
    assert.deepEqual(
      Object.keys(ours.devDependencies).filter((name) => pulled.has(name)),
      [],
    );
  });
});

describe('npx ws-echo-playground', () => {
  it('prints where it listens, answers /healthz, serves the page, echoes, and Ctrl-C closes with 1001', async () => {
    const server = await startCommand('npx', ['ws-echo-playground', '--port', '0']);
    const health = await httpGet(`${server.httpUrl}healthz`);
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.body) as { status: string }).status, 'ok');
    const page = await httpGet(server.httpUrl);
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>WebSocket Echo Test<\/title>/);
    const ws = await openClient(server.wsUrl, 'echo-protocol');
    const reply = receiveOne(ws);
    ws.send('from npx');
    assert.equal((await reply).data.toString(), 'Received: from npx');
    // Ctrl-C: the terminal sends SIGINT to the whole foreground process group.
    const seen = closed(ws);
    process.kill(-server.child.pid!, 'SIGINT');
    assert.deepEqual(await seen, { code: 1001, reason: 'server shutting down' });
    await withTimeout(server.exited, 'npx to exit', 10_000);
    assert.deepEqual(groupMembers(server.child.pid!), []);
  });
});

describe('the command itself (node_modules/.bin)', () => {
  it('runs the server with the V8 flags, and SIGTERM closes clients with 1001 and exits 0', async () => {
    const server = await startCommand(join('node_modules', '.bin', 'ws-echo-playground'), ['--port', '0']);
    // The server is the command's one child: node with the flags, relaunched.
    const [, serverPid, ...others] = processTree(server.child.pid!);
    assert.ok(serverPid !== undefined && others.length === 0, String(processTree(server.child.pid!)));
    const argv = readFileSync(`/proc/${serverPid}/cmdline`, 'utf8').split('\0');
    assert.deepEqual(argv.slice(1, 1 + V8_FLAGS.length), [...V8_FLAGS], argv.join(' '));
    // It says nothing of missing flags: the server checks its own execArgv.
    assert.deepEqual(
      server.lines.filter((line) => line.includes('"level":40')),
      [],
    );
    const ws = await openClient(server.wsUrl);
    const seen = closed(ws);
    server.child.kill('SIGTERM');
    assert.deepEqual(await seen, { code: 1001, reason: 'server shutting down' });
    assert.deepEqual(await withTimeout(server.exited, 'the command to exit', 10_000), { code: 0, signal: null });
    assert.deepEqual(groupMembers(server.child.pid!), []);
  });

  it('ws-echo --help prints the usage and exits 0; a bad flag exits 2 with one line', async () => {
    const help = await run(join('node_modules', '.bin', 'ws-echo'), ['--help'], { cwd: installed.dir });
    assert.match(help.stdout, /^Usage: ws-echo \[options\]/);
    const bad = await run(join('node_modules', '.bin', 'ws-echo'), ['--port', 'abc'], { cwd: installed.dir }).then(
      () => assert.fail('a bad --port was accepted'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'ws-echo: --port="abc" is not valid; use a port from 0 to 65535\n');
  });
});

/** The environment a user's shell would give the example: no trace of the test runner running this file. */
function exampleEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '1' };
  // Set by node --test for its child processes; node --test in the example would take itself for a nested run.
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Writes an example where docs/testing.md says it goes in the installed project. */
function writeExample({ file, source }: DocExample): void {
  const path = join(installed.dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, source);
}

describe("docs/testing.md's examples, in a fresh project", () => {
  const examples = docExamples(readFileSync(join(PROJECT_ROOT, 'docs/testing.md'), 'utf8'));

  it('are there: node:test, Vitest, Jest and CommonJS', () => {
    assert.deepEqual(
      examples.map((example) => example.file),
      ['test/echo.node.test.mjs', 'test/echo.vitest.test.ts', 'test/echo.jest.test.mjs', 'test/require.cjs'],
    );
  });

  for (const example of examples) {
    it(`${example.file}: ${example.command}`, { timeout: 180_000 }, async () => {
      writeExample(example);
      const { stdout, stderr } = await run('sh', ['-c', example.command], {
        cwd: installed.dir,
        env: exampleEnv(),
        timeout: 150_000,
      }).catch((error: { stdout: string; stderr: string; message: string }) =>
        assert.fail(`${example.command} failed:\n${error.stdout}\n${error.stderr}`),
      );
      // Each runner's own account of what passed.
      const output = stdout + stderr;
      if (example.file.endsWith('.cjs')) assert.match(stdout, /^ws:\/\/127\.0\.0\.1:\d+\/\n$/);
      else assert.match(output, /# fail 0|Tests {2}\d+ passed|Tests:\s+\d+ passed, \d+ total/, output);
      assert.doesNotMatch(output, /\bfailed\b|# fail [1-9]/, output);
    });
  }

  it("the TypeScript one type-checks against the package's own .d.ts files", async () => {
    for (const example of examples.filter(({ file }) => file.endsWith('.ts'))) writeExample(example);
    writeFileSync(
      join(installed.dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false },
        include: ['test/*.ts'],
      }),
    );
    const tsc = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');
    await run(tsc, ['-p', installed.dir], { cwd: installed.dir }).catch((error: { stdout: string }) =>
      assert.fail(`tsc failed:\n${error.stdout}`),
    );
  });
});

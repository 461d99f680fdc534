// Starting and stopping the servers under test, pinned to one core, and
// the bookkeeping that guarantees no child outlives the benchmark, whatever
// way it ends (success, failure, Ctrl-C).
import { ENV_NAMES } from '../server/config.ts';
import { V8_FLAGS } from '../server/v8-flags.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedCpus, parseCpuList, processTree } from './proc.ts';
import type { RoundResult, ScenarioName, ServerName } from './report.ts';

export type { ServerName };

/** Every child still running: servers and load generators. */
const live = new Set<ChildProcess>();

/**
 * Kills every child and everything it forked (a clustered server's workers)
 * at once; safe to call from an 'exit' handler (it is synchronous).
 */
export function killAll(): void {
  for (const child of live) {
    for (const pid of child.pid ? processTree(child.pid).reverse() : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {} // already gone
    }
  }
  live.clear();
}

/** Spawns a child that killAll() will reap. */
export function spawnTracked(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  stdout: 'pipe' | number = 'pipe',
): ChildProcess {
  const child = spawn(command[0]!, command.slice(1), { cwd, env, stdio: ['ignore', stdout, 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

/** Where the server and the generator run: distinct CPUs (taskset lists such as "0" or "0,1"), or no pinning at all. */
export type Pinning = { taskset: string; serverCpus: string; generatorCpus: string } | undefined;

/**
 * Gives the server the first `serverCount` CPUs this process may use and the
 * generator the rest, when at least one is left and taskset works; otherwise
 * everything runs unpinned.
 */
export function choosePinning(serverCount = 1): Pinning {
  const allowed = parseCpuList(allowedCpus(process.pid));
  if (allowed.length <= serverCount) return undefined;
  const serverCpus = allowed.slice(0, serverCount).join(',');
  const taskset = tasksetFor(serverCpus);
  return taskset ? { taskset, serverCpus, generatorCpus: allowed.slice(serverCount).join(',') } : undefined;
}

/** The taskset binary, when there is one and it can pin to `cpus` (a list such as "0,1"). */
export function tasksetFor(cpus: string): string | undefined {
  const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));
  return taskset && spawnSync(taskset, ['-c', cpus, 'true']).status === 0 ? taskset : undefined;
}

/** `command` pinned to the server's or the generator's CPUs, or as it is without pinning. */
export function pinned(pinning: Pinning, role: 'server' | 'generator', command: readonly string[]): string[] {
  if (!pinning) return [...command];
  return [pinning.taskset, '-c', role === 'server' ? pinning.serverCpus : pinning.generatorCpus, ...command];
}

/**
 * The project runs at its defaults: on loopback that is no per-IP cap and no
 * rate limit, 10,000 connections in all (scenario (c) opens exactly that
 * many), heartbeat pings every 30 s and info-level logging, two lines per
 * connection. 'tuned' adds only these flags, in the scenario where they make
 * a difference (the handshakes, which log).
 */
export const TUNED_FLAGS = ['--log-level', 'warn'] as const;

/** The scenarios each server runs in; every other server runs in all of them. */
export const ONLY_IN: Partial<Record<ServerName, readonly ScenarioName[]>> = {
  tuned: ['handshakes'],
  // It negotiates no compression.
  floor: ['latency', 'throughput', 'idle', 'handshakes', 'large', 'samecore'],
};

// Settings the project server reads from its environment; a stray one in the
// caller's shell (say MAX_MESSAGE_SIZE) must not change what is measured.
const PROJECT_ENV = ENV_NAMES;

/** What a scenario adds to a server's command line: (g) has every server compress. */
export const SCENARIO_FLAGS: Partial<Record<ScenarioName, Partial<Record<ServerName, readonly string[]>>>> = {
  // The project's cap on compressing connections (500) would decline most of (g)'s 1,000.
  deflate: { project: ['--deflate', '--max-deflate-connections', '20000'], ws: ['--deflate'], bun: ['--deflate'] },
};

/** What it takes to start each server: `bun` is the Bun binary, when there is one. */
export interface ServerCommands {
  workers?: string | undefined;
  bun?: string | undefined;
  /** More flags for this server (SCENARIO_FLAGS). */
  flags?: readonly string[] | undefined;
}

export function serverCommand(
  name: ServerName,
  port: number,
  { workers, bun, flags = [] }: ServerCommands = {},
): string[] {
  if (name === 'ws') return [process.execPath, 'bench/baseline-server.mjs', '--port', String(port), ...flags];
  if (name === 'floor')
    return [process.execPath, ...V8_FLAGS, 'bench/floor-server.mjs', '--port', String(port), ...flags];
  if (name === 'bun') {
    if (!bun) throw new Error('the Bun server was asked for, but there is no Bun binary');
    return [bun, 'bench/bun-server.mjs', '--port', String(port), ...flags];
  }
  // The project runs as `npm start` runs it: with its V8 flags.
  return [
    process.execPath,
    ...V8_FLAGS,
    'dist/server/main.js',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    ...(name === 'tuned' ? TUNED_FLAGS : []),
    ...(workers !== undefined ? ['--workers', workers] : []),
    ...flags,
  ];
}

export interface RunningServer {
  name: ServerName;
  /** The project folder it runs in (the generator runs there too). */
  root: string;
  pid: number;
  port: number;
  command: string[];
  /** The CPUs the kernel lets it run on, from /proc (proof of the pinning). */
  cpus: string;
  /**
   * What it printed besides its start line and info-level log lines (those
   * are counted in logLines): nothing at all in a clean run. Complete once
   * stop() has resolved.
   */
  output(): string;
  /** JSON log lines below warn it wrote to stdout (known once stop() has resolved). */
  logLines(): number;
  stop(): Promise<void>;
}

export interface StartOptions extends ServerCommands {
  root: string;
  pinning: Pinning;
}

let logFiles = 0;

export async function startServer(
  name: ServerName,
  { root, pinning, ...commands }: StartOptions,
): Promise<RunningServer> {
  const port = await freePort();
  const command = pinned(pinning, 'server', serverCommand(name, port, commands));
  const env = { ...process.env };
  for (const key of PROJECT_ENV) delete env[key];
  // stdout goes to a file, as to a log collector: the server pays for its
  // write(2)s, and no reader competes with the generator for its CPU.
  const logFile = join(tmpdir(), `ws-echo-bench-${process.pid}-${logFiles++}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawnTracked(command, root, env, fd);
  closeSync(fd);
  const stderr = tail(child);
  let logged = { lines: 0, rest: '' };
  let stopping = false;
  const output = () => [logged.rest, stderr()].filter(Boolean).join('\n');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const died = exited.then((code) => {
    if (!stopping) logged = readLog(logFile);
    throw new Error(`the ${name} server exited (code ${code}) before it listened:\n${output()}`);
  });
  died.catch(() => {});
  await Promise.race([waitForPort(port, 20_000, name), died]);
  // A clustered server accepts as soon as its first worker listens; wait for the rest.
  if (commands.workers !== undefined && (name === 'project' || name === 'tuned'))
    await Promise.race([processTreeSettled(child.pid!), died]);
  return {
    name,
    root,
    pid: child.pid!,
    port,
    command,
    cpus: allowedCpus(child.pid!),
    output,
    logLines: () => logged.lines,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // The project waits for its clients' close handshakes; ours are gone, so this is quick.
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      logged = readLog(logFile);
      rmSync(logFile, { force: true });
    },
  };
}

/** Counts the info-level (and lower) JSON lines in `file` and keeps everything else but the start line. */
function readLog(file: string): { lines: number; rest: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { lines: 0, rest: '' };
  }
  let lines = 0;
  const rest: string[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('ws-echo listening on ')) continue;
    const level = /^\{"level":(\d+)/.exec(line)?.[1];
    if (level !== undefined && Number(level) < 40) lines++;
    else rest.push(line);
  }
  return { lines, rest: rest.join('\n').slice(-8192) };
}

// One scenario in a fresh generator process on the generator's CPU; a hard time limit backs up the scenario's own bounds.
export async function runGenerator(scenario: ScenarioName, server: RunningServer, pinning: Pinning, quick: boolean) {
  const job = { scenario, quick, serverPid: server.pid, target: { host: '127.0.0.1', port: server.port } };
  // (i) is about sharing one core: the client runs on the server's.
  const command = pinned(pinning, scenario === 'samecore' ? 'server' : 'generator', [
    process.execPath,
    '--import',
    'tsx',
    'bench/generator.ts',
    JSON.stringify(job),
  ]);
  const child = spawnTracked(command, server.root);
  const output = tail(child, 64 * 1024);
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const limitMs = quick ? 120_000 : 300_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  const text = output();
  if (code !== 0) {
    const why =
      signal === 'SIGKILL' ? `was killed after the ${limitMs / 1000} s limit` : `exited with ${code ?? signal}`;
    throw new Error(`${scenario} against the ${server.name} server: the load generator ${why}:\n${text}`);
  }
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Pick<
      RoundResult,
      'figures' | 'settings' | 'generatorCpus'
    >;
  } catch {
    throw new Error(`${scenario} against the ${server.name} server: the load generator printed no result:\n${text}`);
  }
}

/** Keeps the last few KiB a child printed (for error messages) and drains its pipes so it never blocks on them. */
export function tail(child: ChildProcess, keep = 8192): () => string {
  let text = '';
  const add = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-keep);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text.trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

// Until the process tree has kept its size for 1 s (at most 15 s): every worker forked.
async function processTreeSettled(pid: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let size = processTree(pid).length;
  let stableSince = Date.now();
  while (Date.now() < deadline && Date.now() - stableSince < 1000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = processTree(pid).length;
    if (now !== size) [size, stableSince] = [now, Date.now()];
  }
}

// Polls with plain TCP connects: both servers accept only once fully set up.
async function waitForPort(port: number, timeoutMs: number, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true)).once('error', () => done(false));
      socket.setTimeout(1000, () => done(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the ${name} server did not listen on port ${port} within ${timeoutMs / 1000} s`);
}

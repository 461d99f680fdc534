// Helpers for tests that run the built server as a child process: a clean
// environment (so the developer's shell cannot change a result), running it
// to completion for the exit-code cases, and reading its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { BOOT_TIMEOUT_MS, PROJECT_ROOT, type RunningServer } from './spawn-server.ts';
import { withTimeout } from './wait.ts';
import { ENV_NAMES } from '../../server/config.ts';
import { V8_FLAGS } from '../../server/v8-flags.ts';

/** Every environment variable server/config.ts reads. */
export const CONFIG_ENV = ENV_NAMES;

/**
 * Overrides for startServer's `env`: every config variable set to '' (which
 * the server treats as unset), then `extra`.
 */
export function neutralEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...Object.fromEntries(CONFIG_ENV.map((name) => [name, ''])), ...extra };
}

/** process.env without any config variable, plus `extra`; for spawn(). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_ENV) delete env[name];
  return { ...env, ...extra };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/**
 * Runs `node <V8_FLAGS> dist/server/main.js <args>` (as npm start does) to
 * completion; kills it if it outlives `timeoutMs` (a server that accepted
 * what it should refuse would never exit; one that refuses exits as it boots).
 */
export function runServer(
  args: string[],
  { env = {}, timeoutMs = BOOT_TIMEOUT_MS }: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Finished> {
  const child = spawn(process.execPath, [...V8_FLAGS, 'dist/server/main.js', ...args], {
    cwd: PROJECT_ROOT,
    env: cleanEnv(env),
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** runServer with `--port 0 <args>`, its exit code as `status`: for the cases a server must refuse to run. */
export async function runServerToExit(args: string[], env: Record<string, string> = {}) {
  const { code, signal, stdout, stderr } = await runServer(['--port', '0', ...args], { env });
  return { status: code, signal, stdout, stderr };
}

/** Kills every child runServer started that is still running. */
export function killRunningServers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

export type LogEntry = Record<string, unknown>;

/** One JSON log line as an object, or undefined when the line is not one. */
export function parseJson(line: string): LogEntry | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as LogEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** The server's JSON log lines so far. */
export function logEntries(server: RunningServer): LogEntry[] {
  return server.output.map(parseJson).filter((entry): entry is LogEntry => entry !== undefined);
}

/** Resolves with the first log entry `match` accepts, waiting for more output as it comes. */
export function waitForLog(
  server: RunningServer,
  match: (entry: LogEntry) => boolean,
  what: string,
  timeoutMs?: number,
): Promise<LogEntry> {
  const find = () => logEntries(server).find(match);
  const found = find();
  if (found) return Promise.resolve(found);
  const { stdout, stderr } = server.child;
  let check = () => {};
  const seen = new Promise<LogEntry>((resolve) => {
    // spawn-server's own 'data' listener was added first, so `output` is current when this runs.
    check = () => {
      const entry = find();
      if (entry) resolve(entry);
    };
    stdout?.on('data', check);
    stderr?.on('data', check);
  });
  return withTimeout(seen, `the log line: ${what}`, timeoutMs).finally(() => {
    stdout?.off('data', check);
    stderr?.off('data', check);
  });
}

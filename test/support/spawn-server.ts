// Starts the real server as a child process on a free port and reads the URL
// it prints, for tests that need a separate process (browser, signals, dev mode).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { V8_FLAGS } from '../../server/v8-flags.ts';
import { withTimeout } from './wait.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How long a server process may take to boot and print its URL (a loaded machine is slow to start Node). */
export const BOOT_TIMEOUT_MS = 30_000;

export interface RunningServer {
  /** The page's URL as the server printed it, e.g. http://127.0.0.1:41234/. */
  url: string;
  /** The same origin with ws: (wss: when the URL is https:), where the echo answers. */
  wsUrl: string;
  /** The port from `url`. */
  port: number;
  /** The child process. */
  child: ChildProcess;
  /** Every stdout/stderr line so far (JSON log lines in production). */
  output: string[];
  /** The stdout lines alone, in order (the start line first). */
  stdout: string[];
  /** Resolves with the exit code (or the signal's name) when the process exits, without signalling it. */
  exited: Promise<number | string | null>;
  /**
   * Sends a signal (to the whole process group for dev) and resolves with the
   * exit code, or the signal's name when the process died of it.
   */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

export interface StartOptions {
  /** Extra flags for the server. */
  args?: string[];
  /** Extra environment. */
  env?: Record<string, string>;
  /** `npm run dev` instead of the production build. */
  dev?: boolean;
  /** node's own flags for the production build; V8_FLAGS by default, as `npm start` passes. */
  nodeFlags?: readonly string[];
  /**
   * What says the server listens: its JSON 'listening' log line (the default,
   * so the log so far is in `output`), or the plain start line before it, for
   * a server that logs no JSON (--log-level silent, --log-format pretty).
   */
  readyOn?: 'log' | 'start line';
  /**
   * The production build only: starts it from a shell that first lowers the
   * open-file limit (`ulimit -n`, the hard limit too, so node cannot raise it
   * back) to this many descriptors.
   */
  openFileLimit?: number;
}

/** Spawns the built server as `npm start` runs it (`node <V8_FLAGS> dist/server/main.js`) or `npm run dev`, on port 0 unless args say otherwise. */
export async function startServer({
  args = [],
  env = {},
  dev = false,
  nodeFlags = V8_FLAGS,
  readyOn = 'log',
  openFileLimit,
}: StartOptions = {}): Promise<RunningServer> {
  const flags = ['--port', '0', '--log-format', 'json', ...args];
  const node = [process.execPath, ...nodeFlags, 'dist/server/main.js', ...flags];
  // `exec` keeps the pid node's, so stop() signals the server itself.
  const [command, ...commandArgs] =
    openFileLimit === undefined ? node : ['sh', '-c', `ulimit -n ${openFileLimit} && exec "$@"`, 'sh', ...node];
  const child = dev
    ? // Its own process group, so stop() can signal npm, tsx and the server together, as Ctrl-C does.
      spawn('npm', ['run', '--silent', 'dev', '--', ...flags], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...env },
        detached: true,
      })
    : spawn(command!, commandArgs, {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...env },
      });
  const output: string[] = [];
  const stdout: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      const printed = readyOn === 'log' ? parseUrl(line) : START_LINE.exec(line)?.[1];
      if (printed) resolve(printed);
    };
    readLines(child.stdout!, (line) => {
      stdout.push(line);
      onLine(line);
    });
    readLines(child.stderr!, onLine);
    child.once('exit', (code, signal) =>
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${output.join('\n')}`)),
    );
    setTimeout(
      () => reject(new Error(`server did not print its URL within ${BOOT_TIMEOUT_MS} ms:\n${output.join('\n')}`)),
      BOOT_TIMEOUT_MS,
    ).unref();
  });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string | null);
  // Under npm, npm dies of Ctrl-C at once while the server (its grandchild)
  // still shuts down and logs on the same pipe: the pipe closes when the last
  // of them has exited.
  const outputClosed = dev ? once(child.stdout!, 'close') : undefined;
  return {
    url,
    // http: → ws:, https: → wss:.
    wsUrl: url.replace(/^http/, 'ws'),
    port: Number(new URL(url).port),
    child,
    output,
    stdout,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        if (dev) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }
      if (outputClosed) await withTimeout(outputClosed, "the dev server's output to end", BOOT_TIMEOUT_MS);
      return exited;
    },
  };
}

/** The page's URL in the plain line main.ts prints first. */
const START_LINE = /^ws-echo listening on (\S+) \(echo: /;

/** The URL of the line that says the whole server listens: not a worker's own 'worker listening' (debug), which comes before its siblings listen. */
function parseUrl(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { url?: unknown; msg?: unknown };
    return typeof entry.url === 'string' && typeof entry.msg === 'string' && entry.msg.startsWith('listening')
      ? entry.url
      : undefined;
  } catch {
    return undefined;
  }
}

function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  });
}

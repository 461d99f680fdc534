// nginx for the deployment tests: find it, render a shipped deploy/*.conf
// into a scratch directory (every path and port filled in, nothing written
// outside it), start it in the foreground in its own process group, and stop
// the whole group. Every process started here is written to a ledger, so
// scripts/test-deploy.ts can prove afterwards that none is left running.
import { freePort } from '../support/free-port.ts';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  accessSync,
  appendFileSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { PROJECT_ROOT } from '../support/spawn-server.ts';
import { delay, withTimeout } from '../support/wait.ts';

/** Where nginx usually lives when it is not on PATH (Debian puts it in /usr/sbin). */
const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

/** NGINX if set, else `nginx` on PATH, else the usual sbin paths; undefined when there is none. */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NGINX) return env.NGINX;
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'nginx'));
  return [...onPath, ...NGINX_CANDIDATES].find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** findNginx's answer, or an error saying how to get nginx (for a test file's `before`). */
export function requireNginx(): string {
  const found = findNginx();
  if (found) return found;
  throw new Error(
    'no nginx: run `npm run test:deploy`, which installs it as root, or `sudo apt-get install nginx-light`, or set NGINX',
  );
}

/** The directory scripts/test-deploy.ts made for this run (or a fresh one when a test file runs alone). */
export function runDirectory(): string {
  const given = process.env.WS_ECHO_DEPLOY_RUN;
  if (given) return given;
  const dir = mkdtempSync(join(tmpdir(), 'ws-echo-deploy-'));
  process.env.WS_ECHO_DEPLOY_RUN = dir;
  return dir;
}

/** One process a deployment test started, as the ledger records it. */
export interface LedgerEntry {
  what: string;
  pid: number;
  /** nginx and Chromium run in a process group of their own (their pid); the servers do not. */
  group: boolean;
}

/** Records a started process in the run's ledger (processes.jsonl). */
export function recordProcess(entry: LedgerEntry): void {
  appendFileSync(join(runDirectory(), 'processes.jsonl'), `${JSON.stringify(entry)}\n`);
}

/** Every process the ledger in `dir` lists. */
export function readLedger(dir: string): LedgerEntry[] {
  const file = join(dir, 'processes.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LedgerEntry);
}

/**
 * The ledger's processes that pgrep still finds running: nginx and Chromium
 * by process group (master and workers, browser and its helpers), a server by
 * its pid among `node dist/server/main.js` processes (so a recycled pid is not
 * mistaken for it). Zombies do not count.
 */
export function survivors(entries: readonly LedgerEntry[]): string[] {
  const servers = new Set(pgrep(['-f', 'dist/server/main\\.js']));
  const left: string[] = [];
  for (const entry of entries) {
    if (entry.group) {
      const pids = pgrep(['-g', String(entry.pid)]).filter(isRunning);
      if (pids.length > 0) left.push(`${entry.what} (process group ${entry.pid}: ${pids.join(', ')})`);
    } else if (servers.has(entry.pid) && isRunning(entry.pid)) {
      left.push(`${entry.what} (pid ${entry.pid})`);
    }
  }
  return left;
}

/**
 * False for a zombie: killed, but not yet reaped because its parent died
 * first and PID 1 does not reap (as in some containers). pgrep lists those too.
 */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** pids pgrep lists for `args`; none when it finds nothing (exit code 1). */
export function pgrep(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch (error) {
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

/** Kills whatever of `entries` is still running and fails naming it: nothing a test file started may outlive it. */
export function assertNoSurvivors(entries: readonly LedgerEntry[]): void {
  const left = survivors(entries);
  if (left.length === 0) return;
  killSurvivors(entries);
  throw new Error(`still running after the tests: ${left.join('; ')}`);
}

/** SIGKILLs whatever of the ledger is still running. */
export function killSurvivors(entries: readonly LedgerEntry[]): void {
  for (const entry of entries) {
    try {
      process.kill(entry.group ? -entry.pid : entry.pid, 'SIGKILL');
    } catch {}
  }
}

export { freePort };

/** `{{NAME}}` → value, for every placeholder in `template`; fails on any left unfilled or unused. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const rendered = template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {{${name}}}`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`the template has no {{${unused.join('}}, {{')}}}`);
  return rendered;
}

export interface NginxOptions {
  /** The shipped file, relative to the project: 'deploy/nginx.conf' or 'deploy/nginx-tls.conf'. */
  template: string;
  /** host:port of each instance, for {{UPSTREAM_1}}, {{UPSTREAM_2}}. */
  upstreams: [string, string];
  /** Placeholders beyond paths, user and upstreams, given a fresh free port each: e.g. ['LISTEN', 'LISTEN_TLS']. */
  ports: string[];
  /** Any other placeholders (e.g. TLS_CERT). */
  extra?: Record<string, string>;
}

export interface RunningNginx {
  /** The port each of `ports` got. */
  ports: Record<string, number>;
  /** The scratch directory: nginx.conf, logs/, temp/, nginx.pid. */
  dir: string;
  /** The rendered configuration. */
  conf: string;
  child: ChildProcess;
  /** nginx's stderr so far and its error.log, for failure messages. */
  diagnostics(): string;
  /** Stops the master and its workers (SIGTERM to the group, SIGKILL after 3 s); idempotent. */
  stop(): Promise<void>;
}

const nginxUser = (() => {
  // As root, nginx switches its workers to this user; otherwise it ignores the directive, with a warning.
  if (process.getuid?.() !== 0) return userInfo().username;
  // "user nobody;" alone would look for a group called nobody, which Debian names nogroup.
  const group = execFileSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).trim();
  return `nobody ${group}`;
})();

/**
 * Renders `template` into a new scratch directory and starts nginx on it as
 * the current user, `-g 'daemon off;'`, resolving once it answers on
 * {{LISTEN}} (or the first port). Retries with new ports if one was taken meanwhile.
 */
export async function startNginx(nginx: string, options: NginxOptions): Promise<RunningNginx> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(nginx, options);
    } catch (error) {
      lastError = error;
      if (!/Address already in use/.test(String(error))) throw error;
    }
  }
  throw lastError;
}

async function startOnce(
  nginx: string,
  { template, upstreams, ports: portNames, extra = {} }: NginxOptions,
): Promise<RunningNginx> {
  const dir = mkdtempSync(join(runDirectory(), 'nginx-'));
  // As root, the workers run as nobody and must reach temp/ inside this directory.
  chmodSync(runDirectory(), 0o755);
  chmodSync(dir, 0o755);
  for (const sub of ['logs', 'temp']) mkdirSync(join(dir, sub));
  const ports: Record<string, number> = {};
  for (const name of portNames) ports[name] = await freePort();
  const conf = renderTemplate(readFileSync(join(PROJECT_ROOT, template), 'utf8'), {
    NGINX_USER: nginxUser,
    PID_FILE: join(dir, 'nginx.pid'),
    LOG_DIR: join(dir, 'logs'),
    TEMP_DIR: join(dir, 'temp'),
    SERVER_NAME: '127.0.0.1',
    UPSTREAM_1: upstreams[0],
    UPSTREAM_2: upstreams[1],
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `127.0.0.1:${port}`])),
    ...extra,
  });
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);
  const args = ['-p', `${dir}/`, '-c', confPath, '-g', 'daemon off;'];
  const errorLog = () => {
    try {
      return readFileSync(join(dir, 'logs', 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };

  // nginx -t first: a configuration error then reads as one, not as "did not start".
  try {
    execFileSync(nginx, ['-t', '-q', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(
      `nginx -t rejected the rendered ${template} (${confPath}):\n${(error as { stderr?: string }).stderr ?? error}${errorLog()}`,
    );
  }

  // Its own process group, so stop() reaches the master and every worker at once.
  const child = spawn(nginx, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  recordProcess({ what: `nginx ${template}`, pid: child.pid!, group: true });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  const diagnostics = () => `nginx stderr:\n${stderr}\nerror.log:\n${errorLog()}`;
  let stopping: Promise<void> | undefined;
  const running: RunningNginx = {
    ports,
    dir,
    conf,
    child,
    diagnostics,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        signalGroup(child.pid!, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
        // The master is gone; a worker it did not take down with it would be an orphan.
        signalGroup(child.pid!, 'SIGKILL');
      })();
      return stopping;
    },
  };

  const port = ports.LISTEN ?? Object.values(ports)[0]!;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  try {
    await withTimeout(waitForPort(port, gone), `nginx to listen on 127.0.0.1:${port}`, 10_000);
    if (gone()) throw new Error(`nginx exited before listening on ${port}`);
  } catch (error) {
    await running.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${diagnostics()}`);
  }
  return running;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {}
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`, or once `gone()` says to stop trying. */
async function waitForPort(port: number, gone: () => boolean): Promise<void> {
  while (!gone()) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await delay(50);
  }
}

// The servers a node:test suite runs, each with its cleanup registered where
// it is asked for: the echo server in-process, built as main.ts builds it
// (parseConfig → createEchoServer) but logging into an array, or the built
// server as a child process with every config variable of the shell cleared.
// Call these inside `describe` (or at the top level of a file): the server
// starts before that block's tests; after them, every client the support
// modules opened is let go and the server stops, whatever a test left behind.
import { after, before } from 'node:test';
import { pino } from 'pino';
import { parseConfig } from '../../server/config.ts';
import { createEchoServer, type EchoServer } from '../../server/server.ts';
import { killRunningServers, type LogEntry, neutralEnv } from './child-process.ts';
import { terminateWatchers } from './monitor-client.ts';
import { destroyRawConnections } from './raw-client.ts';
import { startServer, type RunningServer, type StartOptions } from './spawn-server.ts';
import { terminateAll } from './ws-client.ts';

export interface InProcessServer {
  server: EchoServer;
  /** http://127.0.0.1:<port>/ */
  url: string;
  /** ws://127.0.0.1:<port>/ */
  wsUrl: string;
  port: number;
  /** Every line the server logged, as it logged it (none at the default --log-level silent). */
  log: LogEntry[];
}

/**
 * An in-process echo server on 127.0.0.1, port 0, logging nothing unless a
 * --log-level in `flags` asks (into `log`, not stdout); `flags` are appended
 * to its command line. A function is asked when the server starts, for flags
 * an earlier hook makes, such as a certificate's path; inside a describe only,
 * as node 20 runs a file's top-level `before` hooks side by side. Its fields
 * can be read once it started (in a test or a later hook). A test may close
 * it itself.
 */
export function useEchoServer(flags: string[] | (() => string[]) = []): InProcessServer {
  let started: InProcessServer | undefined;
  before(async () => {
    const extra = typeof flags === 'function' ? flags() : flags;
    const config = parseConfig(['--port', '0', '--log-level', 'silent', ...extra], {});
    if (config === 'help') throw new Error('parseConfig answered help');
    const log: LogEntry[] = [];
    // Synchronous, as pino writes to an object with write(): a line is in `log` once the server logged it.
    const logger = pino({ level: config.logLevel }, { write: (line: string) => void log.push(JSON.parse(line)) });
    const server = await createEchoServer(config, logger);
    const url = await server.listen();
    started = { server, url, wsUrl: url.replace(/^http/, 'ws'), port: Number(new URL(url).port), log };
  });
  after(async () => {
    releaseAll();
    if (started?.server.httpServer.listening) await started.server.close();
  });
  return lateBound(() => started, 'useEchoServer');
}

/** The built server as a child process (see serverProcesses), started before the block's tests. */
export function useServerProcess(options: StartOptions = {}): RunningServer {
  const start = serverProcesses();
  let started: RunningServer | undefined;
  before(async () => {
    started = await start(options);
  });
  return lateBound(() => started, 'useServerProcess');
}

/**
 * A start function for built servers that tests start themselves, as
 * `npm start` runs them, on port 0, with `defaults` before each call's
 * options; whatever is still running after the block's tests is killed.
 */
export function serverProcesses(defaults: StartOptions = {}): (options?: StartOptions) => Promise<RunningServer> {
  const running = new Set<RunningServer>();
  after(async () => {
    releaseAll();
    await Promise.all([...running].map((server) => server.stop('SIGKILL')));
  });
  return async (options = {}) => {
    const server = await startServer({
      ...defaults,
      ...options,
      args: [...(defaults.args ?? []), ...(options.args ?? [])],
      env: neutralEnv({ ...defaults.env, ...options.env }),
    });
    running.add(server);
    return server;
  };
}

/** Every client the support modules opened, and every runServer child still running. */
function releaseAll(): void {
  destroyRawConnections();
  terminateAll();
  terminateWatchers();
  killRunningServers();
}

/** `T` as the hook will have made it: reading a field before then is a mistake in the suite, said so. */
function lateBound<T extends object>(current: () => T | undefined, fixture: string): T {
  return new Proxy({} as T, {
    get(_, key) {
      const value = current();
      if (!value) throw new Error(`the server is not started yet (${fixture} belongs inside describe or at top level)`);
      return Reflect.get(value, key);
    },
  });
}

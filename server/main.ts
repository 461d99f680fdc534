// Entry point: config → logger → server → listen, and a graceful stop on
// Ctrl-C / SIGTERM. With --workers > 1 this process becomes the cluster's
// primary and every worker runs the rest. Once listening, the first thing
// on stdout is one plain line with the URLs (see announce); JSON logs follow.
import cluster from 'node:cluster';
import { joinCluster, runPrimary } from './cluster.ts';
import { ConfigError, parseConfig, USAGE, type Config } from './config.ts';
import { describeLimits } from './exposure.ts';
import { createLogger } from './logger.ts';
import { WS_PATHS } from './protocol.ts';
import { createEchoServer, type EchoServer } from './server.ts';
import { missingV8Flags } from './v8-flags.ts';

// A second signal while stopping means "now": it falls through to Node's
// default and exits at once. Under `npm run dev` one Ctrl-C arrives twice,
// though: the terminal signals the whole process group and tsx relays the
// same signal to its child, which under load may land well after the
// group's. There, a repeat within DUPLICATE_SIGNAL_MS is that echo, not a
// second press; in production every second signal counts.
const DUPLICATE_SIGNAL_MS = 1000;

const config = readConfigOrExit();
const clustered = config.workers > 1;
const logger = createLogger(config, {
  instance: config.instanceId,
  ...(cluster.worker ? { worker: cluster.worker.id } : {}),
});

if (clustered && cluster.isPrimary) runPrimary(config.workers, logger, announce);
else await serve();

async function serve(): Promise<void> {
  let server: EchoServer | undefined;
  try {
    server = await createEchoServer(config, logger);
    // Before listening: a supervisor may signal as soon as the URL is printed.
    const stop = stopOnce(server);
    if (clustered) {
      // Ctrl-C reaches every worker, and the primary asks too: the first one counts.
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    } else {
      stopOnFirstSignal(stop, config.dev ? DUPLICATE_SIGNAL_MS : 0);
    }
    const url = await server.listen();
    if (clustered) {
      logger.debug({ url }, 'worker listening');
      joinCluster(url, () => stop('shutdown requested by the primary'));
    } else {
      announce(url);
      logger.info({ url }, `listening; open ${url} in a browser`);
    }
  } catch (error) {
    process.stderr.write(`ws-echo: ${describeStartError(error)}\n`);
    process.exitCode = 1;
    // Vite's file watcher (dev) would otherwise keep the failed process alive.
    await server?.close();
    // A worker that cannot listen must not be replaced in a loop: end the whole cluster.
    if (cluster.isWorker) process.kill(process.ppid, 'SIGTERM');
  }
}

/**
 * Says where the server is, once, before any log line: one plain line a
 * person can read and a script can take the port from (`--port 0`), e.g.
 * `ws-echo listening on http://127.0.0.1:1234/ (echo: ws://127.0.0.1:1234/); limits: …`.
 * The limits that depend on exposure (exposure.ts) follow on the same line,
 * so a script that reads the first line and then JSON keeps working.
 * Printed at every log level, because a script may ask for quiet logs and
 * still need the port. Then anything worth warning about at start-up.
 */
function announce(url: string): void {
  // Relative to the page's URL, which ends with the base path and a slash.
  const echoUrl = new URL(`.${WS_PATHS.echo}`, url.replace(/^http/, 'ws')).href;
  process.stdout.write(`ws-echo listening on ${url} (echo: ${echoUrl}); limits: ${describeLimits(config)}\n`);
  // Only the announcing process checks: workers inherit its flags. Dev runs under tsx, without them.
  const missingFlags = config.dev ? [] : missingV8Flags();
  if (missingFlags.length > 0) {
    logger.warn(
      { missing: missingFlags },
      `node was started without ${missingFlags.join(' ')}: large messages run slower (see README "Performance"); start with npm start or node ${missingFlags.join(' ')} dist/server/main.js`,
    );
  }
}

function readConfigOrExit(): Config {
  try {
    const parsed = parseConfig();
    if (parsed !== 'help') return parsed;
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`ws-echo: ${error.message}\n`);
    process.exit(2);
  }
}

/** The graceful stop, run at most once however often it is asked for. */
function stopOnce(echoServer: EchoServer): (why: string) => void {
  let stopping = false;
  return (why) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: why, clients: echoServer.clients.size }, 'shutting down');
    echoServer.close().then(
      () => {
        logger.info('stopped');
        process.exitCode = 0;
        // IPC to the primary would keep a worker alive.
        if (cluster.isWorker) cluster.worker?.disconnect();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
}

function stopOnFirstSignal(stop: (why: string) => void, duplicateWithinMs: number): void {
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first === undefined) {
      first = { signal, at: performance.now() };
      stop(signal);
      return;
    }
    if (signal === first.signal && performance.now() - first.at < duplicateWithinMs) return;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function describeStartError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'EADDRINUSE')
    return `port ${config.port} on ${config.host} is already in use; choose another with --port or PORT`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return `cannot listen on host ${config.host}; use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`;
  if (code === 'EACCES') return `no permission to listen on port ${config.port}; use a port above 1023`;
  return message ?? String(error);
}

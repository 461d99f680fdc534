// Entry point: config → logger → server → listen, and a graceful stop on Ctrl-C / SIGTERM.
import { ConfigError, parseConfig, USAGE, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { createEchoServer, type EchoServer } from './server.ts';

const config = readConfigOrExit();
const logger = createLogger(config);
let server: EchoServer | undefined;

try {
  server = await createEchoServer(config, logger);
  // Before listening: a supervisor may signal as soon as the URL is printed.
  stopOnSignals(server);
  const url = await server.listen();
  logger.info({ url }, `listening; open ${url} in a browser`);
} catch (error) {
  process.stderr.write(`ws-echo: ${describeStartError(error)}\n`);
  process.exitCode = 1;
  // Vite's file watcher (dev) would otherwise keep the failed process alive.
  await server?.close();
}

function readConfigOrExit(): Config {
  try {
    const parsed = parseConfig();
    if (parsed !== 'help') return parsed;
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`ws-echo: ${error.message}\n`);
    process.exit(2);
  }
}

// A second signal while stopping falls through to Node's default: exit at once.
function stopOnSignals(echoServer: EchoServer): void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    logger.info({ signal, clients: echoServer.wss.clients.size }, 'shutting down');
    echoServer.close().then(
      () => {
        logger.info('stopped');
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function describeStartError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'EADDRINUSE') return `port ${config.port} on ${config.host} is already in use; choose another with --port or PORT`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on host ${config.host}; use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`;
  if (code === 'EACCES') return `no permission to listen on port ${config.port}; use a port above 1023`;
  return message ?? String(error);
}

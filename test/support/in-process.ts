// Starts the echo server inside the test process on an ephemeral port, built
// exactly as main.ts builds it (parseConfig → createLogger → createEchoServer).
import { parseConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { createEchoServer, type EchoServer } from '../../server/server.ts';

export interface InProcessServer {
  server: EchoServer;
  /** http://127.0.0.1:<port>/ */
  url: string;
  /** ws://127.0.0.1:<port>/ */
  wsUrl: string;
  port: number;
}

/** Listens on 127.0.0.1, port 0, logging nothing; `flags` are appended to the command line. */
export async function startInProcess(flags: string[] = []): Promise<InProcessServer> {
  const config = parseConfig(['--port', '0', '--log-level', 'silent', ...flags], {});
  if (config === 'help') throw new Error('parseConfig answered help');
  const server = await createEchoServer(config, createLogger(config));
  const url = await server.listen();
  return { server, url, wsUrl: url.replace(/^http/, 'ws'), port: Number(new URL(url).port) };
}

// pino, readable in dev and one JSON object per line in production.
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** Creates the server's logger; pretty output runs in pino's transport worker, off the main thread. */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  bindings?: Record<string, unknown>,
): Logger {
  const options = { level: config.logLevel, base: bindings };
  // Asynchronous: lines written in one tick leave in one write, off the echo's way.
  if (config.logFormat === 'json') return pino(options, pino.destination({ dest: 1, sync: false }));
  return pino({
    ...options,
    transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
  });
}

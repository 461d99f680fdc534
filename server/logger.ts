// pino, readable in dev and one JSON object per line in production.
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { lineSink } from './log-lines.ts';

export type { Logger };

/** Creates the server's logger; pretty output runs in pino's transport worker, off the main thread. */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  bindings?: Record<string, unknown>,
): Logger {
  const options = { level: config.logLevel, base: bindings };
  // The lines of one turn of the event loop leave in one write (log-lines.ts).
  if (config.logFormat === 'json') return pino(options, lineSink(1));
  return pino({
    ...options,
    transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
  });
}

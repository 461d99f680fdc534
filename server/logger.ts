// pino, readable in dev and one JSON object per line in production.
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';
import { type BuildLine, lineSink } from './log-lines.ts';

export type { Logger };

/** Logs `fields` and `msg` at info, as `logger.info(fields, msg)` does. */
export type InfoLine = (fields: object, msg: string) => void;

/** The loggers createLogger made for JSON lines, and how each logs a line at info later (infoLater). */
const laterOf = new WeakMap<Logger, InfoLine>();

/** Creates the server's logger; pretty output runs in pino's transport worker, off the main thread. */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  bindings?: Record<string, unknown>,
): Logger {
  const options = { level: config.logLevel, base: bindings };
  if (config.logFormat === 'json') {
    // The lines of one turn of the event loop leave in one write (log-lines.ts).
    const sink = lineSink(1);
    // pino's own epoch timestamp, byte for byte, except that a line built
    // later (infoLater) carries the time it was logged, not the time it was built.
    let loggedAt = 0;
    const logger = pino({ ...options, timestamp: () => `,"time":${loggedAt || Date.now()}` }, sink);
    const build: BuildLine = (time, fields, msg) => {
      loggedAt = time;
      try {
        logger.info(fields, msg);
      } finally {
        loggedAt = 0;
      }
    };
    laterOf.set(logger, (fields, msg) => sink.later(build, Date.now(), fields, msg));
    return logger;
  }
  return pino({
    ...options,
    transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
  });
}

/**
 * `logger.info(fields, msg)` for a line written on a hot path: with a logger
 * createLogger made for JSON, the line is queued and built with the others of
 * the next flush, the same line with the same time and in the same order, at
 * about a third of the cost (bench/README.md, "Handshakes at the default log
 * level"). `fields` must not change afterwards. Any other logger logs at once.
 */
export function infoLater(logger: Logger): InfoLine {
  return laterOf.get(logger) ?? ((fields, msg) => logger.info(fields, msg));
}

// The logger of an in-process server nobody asked to log: it writes nothing
// and, unlike pino at level 'silent', costs no import, stream or exit hook,
// so a test file can start dozens of servers for free.
import type { Logger } from './logger.ts';

const nothing = () => {};

/** Logs nothing; every level is off, so callers skip building their log objects too. */
export const SILENT_LOGGER: Logger = {
  level: 'silent',
  isLevelEnabled: () => false,
  fatal: nothing,
  error: nothing,
  warn: nothing,
  info: nothing,
  debug: nothing,
  trace: nothing,
  silent: nothing,
  child: () => SILENT_LOGGER,
  // The server calls only the members above; pino's Logger type has many more.
} as unknown as Logger;

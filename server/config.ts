// The one place where flags and environment become a validated Config.
// Every flag has an environment twin; the flag wins when both are given.
import { parseArgs } from 'node:util';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['pretty', 'json'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface Config {
  /** TCP port for the page, the echo and (in dev) HMR; 0 picks a free one. */
  port: number;
  /** Interface to bind; 0.0.0.0 or :: to accept connections from other machines. */
  host: string;
  /** Serve the page through Vite's middleware with HMR instead of the built files. */
  dev: boolean;
  /** Lowest pino level written; per-message lines appear at debug. */
  logLevel: LogLevel;
  /** Human-readable lines or one JSON object per line. */
  logFormat: LogFormat;
  /** Largest message, in bytes, a client may send before it is closed with 1009. */
  maxMessageBytes: number;
  /** How long, in ms, shutdown waits for clients to finish their close handshake. */
  shutdownGraceMs: number;
}

/** A flag or environment value the server cannot run with; `message` is the one line to print. */
export class ConfigError extends Error {
  readonly code = 'ERR_WS_ECHO_CONFIG';
}

interface Setting {
  flag: string;
  env: string;
  short?: string;
  boolean?: boolean;
  help: string;
  defaultText: string;
}

const SETTINGS = [
  { flag: 'port', short: 'p', env: 'PORT', help: 'port to listen on (0 = any free port)', defaultText: '1234' },
  { flag: 'host', env: 'HOST', help: 'interface to bind (0.0.0.0 or :: for all)', defaultText: '127.0.0.1' },
  { flag: 'dev', env: 'DEV', boolean: true, help: 'serve the page with Vite and HMR (npm run dev)', defaultText: 'off' },
  { flag: 'log-level', env: 'LOG_LEVEL', help: LOG_LEVELS.join('|') + '; debug logs every message', defaultText: 'info' },
  { flag: 'log-format', env: 'LOG_FORMAT', help: LOG_FORMATS.join('|'), defaultText: 'pretty with --dev, else json' },
  { flag: 'max-message-size', env: 'MAX_MESSAGE_SIZE', help: 'largest message in bytes; larger closes with 1009', defaultText: '1048576 (1 MiB)' },
  { flag: 'shutdown-grace', env: 'SHUTDOWN_GRACE_MS', help: 'ms to wait for clients to close on shutdown', defaultText: '5000' },
] as const satisfies readonly Setting[];

export const USAGE = [
  'Usage: ws-echo [options]',
  '',
  'A WebSocket echo server and browser playground. Every option has an environment twin.',
  '',
  ...SETTINGS.map((s: Setting) => {
    const name = `${s.short ? `-${s.short}, ` : '    '}--${s.flag}${s.boolean ? '' : ' <value>'}`;
    return `  ${name.padEnd(30)} ${s.env.padEnd(18)} ${s.help} [default: ${s.defaultText}]`;
  }),
  `  ${'-h, --help'.padEnd(30)} ${''.padEnd(18)} print this help`,
].join('\n');

/**
 * Parses flags and environment into a Config, or returns 'help' when asked for it.
 * Throws ConfigError naming the offending value and what is allowed.
 */
export function parseConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Config | 'help' {
  const values = readArgs(argv);
  if (values.help) return 'help';
  const pick = (s: Setting): { text: string; source: string } | undefined => {
    const flagValue = values[s.flag];
    if (typeof flagValue === 'string') return { text: flagValue, source: `--${s.flag}` };
    const envValue = env[s.env];
    if (envValue !== undefined && envValue !== '') return { text: envValue, source: s.env };
    return undefined;
  };
  const [port, host, dev, logLevel, logFormat, maxMessage, grace] = SETTINGS;
  const devFlag = values.dev === true || parseBoolean(pick(dev)) === true;
  return {
    port: parseInteger(pick(port), 1234, 0, 65535, 'a port from 0 to 65535'),
    host: pick(host)?.text ?? '127.0.0.1',
    dev: devFlag,
    logLevel: parseChoice(pick(logLevel), 'info', LOG_LEVELS),
    logFormat: parseChoice(pick(logFormat), devFlag ? 'pretty' : 'json', LOG_FORMATS),
    maxMessageBytes: parseInteger(pick(maxMessage), 1024 * 1024, 1, 2 ** 31 - 1, 'a size in bytes from 1 to 2147483647'),
    shutdownGraceMs: parseInteger(pick(grace), 5000, 0, 600_000, 'milliseconds from 0 to 600000'),
  };
}

function readArgs(argv: readonly string[]): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const s of SETTINGS as readonly Setting[]) {
    options[s.flag] = { type: s.boolean ? 'boolean' : 'string', ...(s.short ? { short: s.short } : {}) };
  }
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(describeArgsError(error));
  }
}

// parseArgs' own messages are long and mention positionals; say what matters in one line.
function describeArgsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted ?? message}; see --help for the options`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${quoted ?? message}; options start with --, see --help`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // e.g. "--port -1" or "--port --dev": parseArgs explains over three lines.
    const named = (/'(-[^']+)'/.exec(message)?.[1] ?? '').split(/[ ,]+/);
    const flag = named.find((token) => token.startsWith('--')) ?? named[0];
    if (flag) return `${flag} needs a value (write ${flag}=<value> for one that starts with -); see --help`;
    return `${message.split('\n')[0]}; see --help`;
  }
  return message;
}

function parseInteger(value: { text: string; source: string } | undefined, fallback: number, min: number, max: number, allowed: string): number {
  if (!value) return fallback;
  const n = /^\d+$/.test(value.text.trim()) ? Number(value.text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${value.source}=${JSON.stringify(value.text)} is not valid; use ${allowed}`);
  }
  return n;
}

function parseChoice<T extends string>(value: { text: string; source: string } | undefined, fallback: T, choices: readonly T[]): T {
  if (!value) return fallback;
  const text = value.text.trim().toLowerCase();
  if (!(choices as readonly string[]).includes(text)) {
    throw new ConfigError(`${value.source}=${JSON.stringify(value.text)} is not valid; use one of ${choices.join(', ')}`);
  }
  return text as T;
}

function parseBoolean(value: { text: string; source: string } | undefined): boolean | undefined {
  if (!value) return undefined;
  const text = value.text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(`${value.source}=${JSON.stringify(value.text)} is not valid; use true or false`);
}

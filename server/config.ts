// The one place where flags and environment become a validated Config.
// Every flag has an environment twin; the flag wins when both are given.
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_SIZE } from './protocol.ts';

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
  /** Time, in ms, a client has to send its whole opening handshake. */
  handshakeTimeoutMs: number;
  /** Interval, in ms, between server pings; a peer that misses one pong is dropped. 0 turns it off. */
  heartbeatIntervalMs: number;
  /** Bytes queued to one client above which the server stops reading from it until they drain. */
  maxBufferedBytes: number;
  /** Open WebSocket connections the server accepts in all. */
  maxConnections: number;
  /** Open WebSocket connections the server accepts from one IP address. */
  maxConnectionsPerIp: number;
  /** Messages per second one connection may send (a token bucket of one second's worth). 0 turns it off. */
  rateLimit: number;
  /** Browser origins allowed besides the server's own host; '*' allows every origin. */
  allowedOrigins: readonly string[] | '*';
  /** WebSocket origins the page may open besides its own server (CSP connect-src); '*' for any. */
  connectSrc: readonly string[] | '*';
  /** Certificate and key for HTTPS and wss on the same port; absent for plain HTTP. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** How long, in ms, shutdown waits for clients to finish their close handshake. */
  shutdownGraceMs: number;
  /** Processes sharing the port (node:cluster); 1 runs without a primary. */
  workers: number;
  /** Believe X-Forwarded-For/-Host/-Proto from one reverse proxy in front. */
  trustProxy: boolean;
  /** Names this instance in /healthz, /inspect and every log line. */
  instanceId: string;
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

const SETTINGS = {
  port: { flag: 'port', short: 'p', env: 'PORT', help: 'port to listen on (0 = any free port)', defaultText: '1234' },
  host: { flag: 'host', env: 'HOST', help: 'interface to bind (0.0.0.0 or :: for all)', defaultText: '127.0.0.1' },
  dev: {
    flag: 'dev',
    env: 'DEV',
    boolean: true,
    help: 'serve the page with Vite and HMR (npm run dev)',
    defaultText: 'off',
  },
  logLevel: {
    flag: 'log-level',
    env: 'LOG_LEVEL',
    help: `${LOG_LEVELS.join('|')}; debug logs every message`,
    defaultText: 'info',
  },
  logFormat: {
    flag: 'log-format',
    env: 'LOG_FORMAT',
    help: LOG_FORMATS.join('|'),
    defaultText: 'pretty with --dev, else json',
  },
  maxMessage: {
    flag: 'max-message-size',
    env: 'MAX_MESSAGE_SIZE',
    help: 'largest message in bytes; larger closes with 1009',
    defaultText: `${DEFAULT_MAX_MESSAGE_BYTES} (${DEFAULT_MAX_MESSAGE_SIZE})`,
  },
  handshakeTimeout: {
    flag: 'handshake-timeout',
    env: 'HANDSHAKE_TIMEOUT_MS',
    help: 'ms a client has to send its opening handshake',
    defaultText: '10000',
  },
  heartbeat: {
    flag: 'heartbeat-interval',
    env: 'HEARTBEAT_INTERVAL_MS',
    help: 'ms between pings; a peer missing a pong is dropped (0 = off)',
    defaultText: '30000',
  },
  maxBuffered: {
    flag: 'max-buffered',
    env: 'MAX_BUFFERED_BYTES',
    help: 'bytes queued to a client before the server stops reading from it',
    defaultText: '1048576 (1 MiB)',
  },
  maxConnections: {
    flag: 'max-connections',
    env: 'MAX_CONNECTIONS',
    help: 'open connections in all; more get 503',
    defaultText: '10000',
  },
  maxPerIp: {
    flag: 'max-connections-per-ip',
    env: 'MAX_CONNECTIONS_PER_IP',
    help: 'open connections from one IP; more get 503',
    defaultText: '256',
  },
  rateLimit: {
    flag: 'rate-limit',
    env: 'RATE_LIMIT',
    help: 'messages/s per connection; more closes with 1008 (0 = off)',
    defaultText: '10000',
  },
  origins: {
    flag: 'allowed-origins',
    env: 'ALLOWED_ORIGINS',
    help: "comma list of extra browser origins, or '*' for all",
    defaultText: "the server's own host only",
  },
  connectSrc: {
    flag: 'connect-src',
    env: 'CONNECT_SRC',
    help: "comma list of other ws(s):// servers the page may test, or '*' for any",
    defaultText: 'this server only',
  },
  tlsCert: {
    flag: 'tls-cert',
    env: 'TLS_CERT',
    help: 'PEM certificate file: serve https and wss',
    defaultText: 'none (plain http)',
  },
  tlsKey: { flag: 'tls-key', env: 'TLS_KEY', help: 'PEM private key file for --tls-cert', defaultText: 'none' },
  workers: {
    flag: 'workers',
    env: 'WORKERS',
    help: "processes sharing the port: a number or 'auto' (one per core)",
    defaultText: '1',
  },
  trustProxy: {
    flag: 'trust-proxy',
    env: 'TRUST_PROXY',
    boolean: true,
    help: 'behind a reverse proxy: use its X-Forwarded-For/-Host/-Proto',
    defaultText: 'off',
  },
  instanceId: {
    flag: 'instance-id',
    env: 'INSTANCE_ID',
    help: 'name of this instance in /healthz, /inspect and logs',
    defaultText: '<hostname>-<pid>',
  },
  grace: {
    flag: 'shutdown-grace',
    env: 'SHUTDOWN_GRACE_MS',
    help: 'ms to wait for clients to close on shutdown',
    defaultText: '5000',
  },
} as const satisfies Record<string, Setting>;

/** Every environment variable the server reads. */
export const ENV_NAMES: readonly string[] = Object.values(SETTINGS).map((s: Setting) => s.env);

/** Every flag with its environment twin, help and default, for --help and the README. */
export const USAGE = [
  'Usage: ws-echo [options]',
  '',
  'A WebSocket echo server and browser playground. Every option has an environment twin.',
  '',
  ...Object.values(SETTINGS).map((s: Setting) => {
    const name = `${s.short ? `-${s.short}, ` : '    '}--${s.flag}${s.boolean ? '' : ' <value>'}`;
    return `  ${name.padEnd(38)} ${s.env.padEnd(22)} ${s.help} [default: ${s.defaultText}]`;
  }),
  `  ${'-h, --help'.padEnd(38)} ${''.padEnd(22)} print this help`,
].join('\n');

const MiB = 1024 * 1024;
const INT32_MAX = 2 ** 31 - 1;

/**
 * Parses flags and environment into a Config, or returns 'help' when asked for it.
 * Throws ConfigError naming the offending value and what is allowed.
 */
export function parseConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Config | 'help' {
  const values = readArgs(argv);
  if (values.help) return 'help';
  const pick = (s: Setting): Value | undefined => {
    const flagValue = values[s.flag];
    if (typeof flagValue === 'string') return { text: flagValue, source: `--${s.flag}` };
    const envValue = env[s.env];
    if (envValue !== undefined && envValue !== '') return { text: envValue, source: s.env };
    return undefined;
  };
  const int = (s: Setting, fallback: number, min: number, max: number, allowed: string) =>
    parseInteger(pick(s), fallback, min, max, allowed);
  const dev = values.dev === true || parseBoolean(pick(SETTINGS.dev)) === true;
  return {
    port: int(SETTINGS.port, 1234, 0, 65535, 'a port from 0 to 65535'),
    host: pick(SETTINGS.host)?.text ?? '127.0.0.1',
    dev,
    logLevel: parseChoice(pick(SETTINGS.logLevel), 'info', LOG_LEVELS),
    logFormat: parseChoice(pick(SETTINGS.logFormat), dev ? 'pretty' : 'json', LOG_FORMATS),
    maxMessageBytes: int(
      SETTINGS.maxMessage,
      DEFAULT_MAX_MESSAGE_BYTES,
      1,
      INT32_MAX,
      `a size in bytes from 1 to ${INT32_MAX}`,
    ),
    // Node requires the headers timeout to stay below its 300 s request timeout.
    handshakeTimeoutMs: int(SETTINGS.handshakeTimeout, 10_000, 100, 299_000, 'milliseconds from 100 to 299000'),
    heartbeatIntervalMs: int(SETTINGS.heartbeat, 30_000, 0, 86_400_000, 'milliseconds from 0 (off) to 86400000'),
    // Below a socket's 16 KiB high-water mark a full queue need not emit 'drain',
    // and a paused connection would never resume.
    maxBufferedBytes: int(SETTINGS.maxBuffered, MiB, 16_384, INT32_MAX, `a size in bytes from 16384 to ${INT32_MAX}`),
    maxConnections: int(SETTINGS.maxConnections, 10_000, 1, 10_000_000, 'a count from 1 to 10000000'),
    maxConnectionsPerIp: int(SETTINGS.maxPerIp, 256, 1, 10_000_000, 'a count from 1 to 10000000'),
    rateLimit: int(SETTINGS.rateLimit, 10_000, 0, 100_000_000, 'messages per second from 0 (off) to 100000000'),
    allowedOrigins: parseOrigins(pick(SETTINGS.origins)),
    connectSrc: parseConnectSources(pick(SETTINGS.connectSrc)),
    tls: readTls(pick(SETTINGS.tlsCert), pick(SETTINGS.tlsKey)),
    shutdownGraceMs: int(SETTINGS.grace, 5000, 0, 600_000, 'milliseconds from 0 to 600000'),
    workers: parseWorkers(pick(SETTINGS.workers)),
    trustProxy: values['trust-proxy'] === true || parseBoolean(pick(SETTINGS.trustProxy)) === true,
    instanceId: parseInstanceId(pick(SETTINGS.instanceId)),
  };
}

interface Value {
  text: string;
  /** Where the value came from, as the user wrote it: `--port` or `PORT`. */
  source: string;
}

function readArgs(argv: readonly string[]): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const s of Object.values(SETTINGS) as Setting[]) {
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
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `unknown option ${quoted ?? message}; see --help for the options`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `unexpected argument ${quoted ?? message}; options start with --, see --help`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // e.g. "--port -1" or "--port --dev": parseArgs explains over three lines.
    const named = (/'(-[^']+)'/.exec(message)?.[1] ?? '').split(/[ ,]+/);
    const flag = named.find((token) => token.startsWith('--')) ?? named[0];
    if (flag) return `${flag} needs a value (write ${flag}=<value> for one that starts with -); see --help`;
    return `${message.split('\n')[0]}; see --help`;
  }
  return message;
}

function invalid(value: Value, allowed: string): ConfigError {
  return new ConfigError(`${value.source}=${JSON.stringify(value.text)} is not valid; use ${allowed}`);
}

function parseInteger(value: Value | undefined, fallback: number, min: number, max: number, allowed: string): number {
  if (!value) return fallback;
  const n = /^\d+$/.test(value.text.trim()) ? Number(value.text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(value, allowed);
  return n;
}

function parseChoice<T extends string>(value: Value | undefined, fallback: T, choices: readonly T[]): T {
  if (!value) return fallback;
  const text = value.text.trim().toLowerCase();
  if (!(choices as readonly string[]).includes(text)) throw invalid(value, `one of ${choices.join(', ')}`);
  return text as T;
}

function parseBoolean(value: Value | undefined): boolean | undefined {
  if (!value) return undefined;
  const text = value.text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw invalid(value, 'true or false');
}

// Entries are normalised to what browsers send in Origin: scheme://host[:port], or the literal null.
function parseOrigins(value: Value | undefined): readonly string[] | '*' {
  if (!value) return [];
  const entries = value.text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.includes('*')) return '*';
  return entries.map((entry) => {
    if (entry === 'null') return entry;
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {}
    if (!url || !/^https?:$/.test(url.protocol) || url.origin === 'null') {
      throw new ConfigError(
        `${value.source} has ${JSON.stringify(entry)}, which is not an origin; use scheme://host[:port] (e.g. https://example.com), null, or *`,
      );
    }
    return url.origin;
  });
}

function parseInstanceId(value: Value | undefined): string {
  if (!value) return `${hostname()}-${process.pid}`;
  const id = value.text.trim();
  if (!/^[\w.:-]{1,64}$/.test(id)) throw invalid(value, 'up to 64 letters, digits, and . _ : -');
  return id;
}

function parseWorkers(value: Value | undefined): number {
  if (value?.text.trim().toLowerCase() === 'auto') return availableParallelism();
  return parseInteger(value, 1, 1, 256, "a count from 1 to 256, or 'auto'");
}

// Entries become CSP source expressions: the ws: or wss: origin of each server.
function parseConnectSources(value: Value | undefined): readonly string[] | '*' {
  if (!value) return [];
  const entries = value.text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.includes('*')) return '*';
  return entries.map((entry) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {}
    if (!url || !/^wss?:$/.test(url.protocol)) {
      throw new ConfigError(
        `${value.source} has ${JSON.stringify(entry)}, which is not a WebSocket server; use ws://host[:port] or wss://host[:port], or *`,
      );
    }
    return `${url.protocol}//${url.host}`;
  });
}

function readTls(cert: Value | undefined, key: Value | undefined): Config['tls'] {
  if (!cert && !key) return undefined;
  if (!cert || !key) {
    const given = (cert ?? key)!;
    throw new ConfigError(
      `${given.source} needs its partner: give both --tls-cert and --tls-key (TLS_CERT and TLS_KEY)`,
    );
  }
  const pair = { cert: readPem(cert, 'CERTIFICATE'), key: readPem(key, 'PRIVATE KEY') };
  try {
    createSecureContext(pair);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `${cert.source}=${JSON.stringify(cert.text)} and ${key.source}=${JSON.stringify(key.text)} do not make a TLS identity (${reason}); use a certificate and its own private key`,
    );
  }
  return pair;
}

function readPem(value: Value, label: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(value.text);
  } catch (error) {
    const reason = (error as { code?: string }).code ?? 'unreadable';
    throw new ConfigError(
      `${value.source}=${JSON.stringify(value.text)} cannot be read (${reason}); use the path of a PEM file`,
    );
  }
  if (!pem.includes(label)) {
    throw new ConfigError(
      `${value.source}=${JSON.stringify(value.text)} holds no PEM ${label}; use a PEM-encoded file`,
    );
  }
  return pem;
}

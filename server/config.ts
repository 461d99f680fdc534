// The one place where flags and environment become a validated Config.
// Each setting is one row of SETTINGS: its flag, environment twin, default,
// parser and help. parseConfig, --help and the configuration tables (every
// setting in docs/configuration.md, the everyday ones in the README; npm run
// docs:tables) all read that row; the flag wins over its twin.
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import { defaultLimit, EXPOSED_LIMITS } from './exposure.ts';
import { type AllowedHosts, defaultAllowedHosts } from './hosts.ts';
import { markdownTable } from './markdown-table.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, SUBPROTOCOL_NAME } from './protocol.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['pretty', 'json'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A certificate and its private key, both PEM. */
export interface TlsIdentity {
  cert: Buffer;
  key: Buffer;
}

/** A flag or environment value the server cannot run with; `message` is the one line to print. */
export class ConfigError extends Error {
  readonly code = 'ERR_WS_ECHO_CONFIG';
}

/** What the user wrote for one setting, and where: `--port` or `PORT`. */
export interface Value {
  text: string;
  source: string;
}

/** One flag and its environment twin. */
export interface Input {
  flag: string;
  short?: string;
  env: string;
}

/**
 * What a computed default may read: settings whose own default is a plain
 * value, settled before any computed one.
 */
export interface Settled {
  dev: boolean;
  host: string;
  trustProxy: boolean;
}

/** One setting: how it is written, what it defaults to, how its text becomes a value, what it means. */
export interface Setting<T> extends Input {
  /** A flag that takes no value (`--dev`); its twin takes true or false. */
  boolean?: true;
  /** A second flag read with this one (the TLS key with its certificate): both are given, or neither. */
  partner?: Input;
  /** The value when neither flag nor twin is given; a function where it depends on other settings or the machine. */
  default: T | ((settled: Settled) => T);
  /** The default as --help and the docs show it (Markdown), where the value alone does not say it. */
  shown?: string;
  /** Turns what the user wrote into the value, or throws a one-line ConfigError (see `invalid`). */
  parse(value: Value, partner?: Value): T;
  /** What the setting does, for --help and the docs (Markdown code spans allowed). */
  help: string;
  /** A setting a newcomer reaches for: the README's short table lists it (docs/configuration.md lists them all). */
  everyday?: true;
}

const MiB = 1024 * 1024;
const INT32_MAX = 2 ** 31 - 1;
// Below a socket's 16 KiB high-water mark a full queue need not emit 'drain',
// and a paused connection would never resume.
const MIN_BUFFERED = 16_384;
/** --help wraps its lines to this many columns. */
const HELP_WIDTH = 120;

/** Every setting, in the order --help and the docs list them; the keys are Config's. */
export const SETTINGS = {
  port: setting({
    everyday: true,
    flag: 'port',
    short: 'p',
    env: 'PORT',
    default: 1234,
    parse: integer(0, 65535, 'a port from 0 to 65535'),
    help: 'port for the page, the echo and `/healthz`, `/metrics` (`0` = any free port)',
  }),
  host: setting({
    everyday: true,
    flag: 'host',
    env: 'HOST',
    default: '127.0.0.1',
    parse: listenHost,
    help: 'interface to bind; `0.0.0.0` or `::` for other machines (then the per-IP cap and rate limit default on)',
  }),
  basePath: setting({
    everyday: true,
    flag: 'base-path',
    env: 'BASE_PATH',
    default: '',
    shown: '`/`',
    parse: basePath,
    help: 'serve everything (page, echo, `/healthz`, `/metrics`) under this path, e.g. `/ws-echo` behind a shared ingress',
  }),
  dev: setting({
    flag: 'dev',
    env: 'DEV',
    boolean: true,
    default: false,
    parse: bool,
    help: 'serve the page through Vite with hot reload (`npm run dev`)',
  }),
  logLevel: setting<LogLevel>({
    everyday: true,
    flag: 'log-level',
    env: 'LOG_LEVEL',
    default: 'info',
    parse: choice(LOG_LEVELS),
    help: `${LOG_LEVELS.map(code).join(', ')}; \`debug\` logs every message`,
  }),
  logFormat: setting<LogFormat>({
    flag: 'log-format',
    env: 'LOG_FORMAT',
    default: ({ dev }) => (dev ? 'pretty' : 'json'),
    shown: '`pretty` with `--dev`, else `json`',
    parse: choice(LOG_FORMATS),
    help: '`pretty` or `json` (one object per line)',
  }),
  subprotocols: setting<readonly string[] | '*'>({
    everyday: true,
    flag: 'subprotocols',
    env: 'SUBPROTOCOLS',
    default: [],
    shown: '`echo-protocol` only',
    parse: subprotocols,
    help: "comma list of subprotocols accepted besides `echo-protocol` (`graphql-ws,mqtt`), or `*` for the client's first",
  }),
  maxMessageBytes: setting({
    everyday: true,
    flag: 'max-message-size',
    env: 'MAX_MESSAGE_SIZE',
    // The page mentions this limit too, so it lives in protocol.ts.
    default: DEFAULT_MAX_MESSAGE_BYTES,
    parse: integer(1, INT32_MAX, `a size in bytes from 1 to ${INT32_MAX}`),
    help: 'largest message in bytes; more closes with 1009',
  }),
  handshakeTimeoutMs: setting({
    flag: 'handshake-timeout',
    env: 'HANDSHAKE_TIMEOUT_MS',
    default: 10_000,
    // Node requires the headers timeout to stay below its 300 s request timeout.
    parse: integer(100, 299_000, 'milliseconds from 100 to 299000'),
    help: 'ms a client has to send its whole opening handshake',
  }),
  heartbeatIntervalMs: setting({
    flag: 'heartbeat-interval',
    env: 'HEARTBEAT_INTERVAL_MS',
    default: 30_000,
    parse: integer(0, 86_400_000, 'milliseconds from 0 (off) to 86400000'),
    help: 'ms between server pings; a peer that sends nothing (not even the pong) from one ping to the next is dropped (`0` = off)',
  }),
  maxBufferedBytes: setting({
    flag: 'max-buffered',
    env: 'MAX_BUFFERED_BYTES',
    default: MiB,
    parse: integer(MIN_BUFFERED, INT32_MAX, `a size in bytes from ${MIN_BUFFERED} to ${INT32_MAX}`),
    help: `replies queued to one client before the server stops reading from it (at least ${MIN_BUFFERED})`,
  }),
  maxBufferedTotal: setting({
    flag: 'max-buffered-total',
    env: 'MAX_BUFFERED_TOTAL_BYTES',
    default: 64 * MiB,
    parse: budget,
    help: 'replies queued to all clients together; above it, a client with replies waiting is not read until they drain (`0` = off)',
  }),
  maxConnections: setting({
    flag: 'max-connections',
    env: 'MAX_CONNECTIONS',
    default: 10_000,
    parse: integer(1, 10_000_000, 'a count from 1 to 10000000'),
    help: 'open WebSocket connections in all; more get 503',
  }),
  maxConnectionsPerIp: setting({
    flag: 'max-connections-per-ip',
    env: 'MAX_CONNECTIONS_PER_IP',
    default: (settled) => defaultLimit('maxConnectionsPerIp', settled),
    shown: `off on loopback only, else \`${EXPOSED_LIMITS.maxConnectionsPerIp}\``,
    parse: integer(0, 10_000_000, 'a count from 0 (off) to 10000000'),
    help: 'open WebSocket connections from one IP; more get 503 (`0` = off)',
  }),
  deflate: setting({
    everyday: true,
    flag: 'deflate',
    env: 'DEFLATE',
    boolean: true,
    default: false,
    parse: bool,
    help: 'negotiate permessage-deflate with every client that offers it, not only on URLs with `?deflate`',
  }),
  maxDeflateConnections: setting({
    flag: 'max-deflate-connections',
    env: 'MAX_DEFLATE_CONNECTIONS',
    default: 500,
    parse: integer(0, 10_000_000, 'a count from 0 (never) to 10000000'),
    help: 'connections compressing at once (~280 KiB of zlib state each); more connect uncompressed (`0` = never)',
  }),
  rateLimit: setting({
    flag: 'rate-limit',
    env: 'RATE_LIMIT',
    default: (settled) => defaultLimit('rateLimit', settled),
    shown: `off on loopback only, else \`${EXPOSED_LIMITS.rateLimit}\``,
    parse: integer(0, 100_000_000, 'messages per second from 0 (off) to 100000000'),
    help: "messages per second per connection (a second's worth may burst); more closes with 1008 (`0` = off)",
  }),
  allowedOrigins: setting<readonly string[] | '*'>({
    everyday: true,
    flag: 'allowed-origins',
    env: 'ALLOWED_ORIGINS',
    default: [],
    shown: 'own host only',
    parse: origins,
    help: 'comma list of extra browser origins (`https://app.example`, `null`), or `*` for all',
  }),
  allowedHosts: setting<AllowedHosts>({
    flag: 'allowed-hosts',
    env: 'ALLOWED_HOSTS',
    default: defaultAllowedHosts,
    shown: '`localhost` and IPs on loopback only, else `*`',
    parse: hostNames,
    help: 'comma list of `Host` names answered besides `localhost` and IPs (`app.example`, `.example.com`), or `*`; others get 403',
  }),
  connectSrc: setting<readonly string[] | '*'>({
    flag: 'connect-src',
    env: 'CONNECT_SRC',
    default: [],
    shown: 'this server only',
    parse: connectSources,
    help: 'comma list of other `ws://`/`wss://` servers the page may connect to (CSP `connect-src`), or `*`',
  }),
  tls: setting<TlsIdentity | undefined>({
    everyday: true,
    flag: 'tls-cert',
    env: 'TLS_CERT',
    partner: { flag: 'tls-key', env: 'TLS_KEY' },
    default: undefined,
    shown: 'none',
    // parseConfig gives both files or neither.
    parse: (cert, key) => readTls(cert, key!),
    help: 'PEM certificate and key: https and wss on the same port',
  }),
  shutdownGraceMs: setting({
    flag: 'shutdown-grace',
    env: 'SHUTDOWN_GRACE_MS',
    default: 5000,
    parse: integer(0, 600_000, 'milliseconds from 0 to 600000'),
    help: 'ms to wait for clients to finish the close handshake on shutdown',
  }),
  workers: setting({
    flag: 'workers',
    env: 'WORKERS',
    default: 1,
    parse: workers,
    help: 'processes sharing the port (node:cluster): a number, or `auto` for one per core',
  }),
  trustProxy: setting({
    flag: 'trust-proxy',
    env: 'TRUST_PROXY',
    boolean: true,
    default: false,
    parse: bool,
    help: "behind one reverse proxy that overwrites `X-Forwarded-For`/`-Host`: the client's address and host come from them; per-IP cap and rate limit default on",
  }),
  instanceId: setting({
    flag: 'instance-id',
    env: 'INSTANCE_ID',
    default: () => `${hostname()}-${process.pid}`,
    shown: '`<hostname>-<pid>`',
    parse: instanceId,
    help: 'names this instance in `/healthz`, `/inspect` and every log line',
  }),
  inspectShowCredentials: setting({
    flag: 'inspect-show-credentials',
    env: 'INSPECT_SHOW_CREDENTIALS',
    boolean: true,
    default: false,
    parse: bool,
    help: '`/inspect` shows the values of `Cookie`, `Authorization`, `Proxy-Authorization`, not only their length',
  }),
  reportsDir: setting<string | undefined>({
    everyday: true,
    flag: 'reports-dir',
    env: 'REPORTS_DIR',
    default: undefined,
    shown: 'none (served at `/reports/clients/` only)',
    parse: directory,
    help: 'also write the client-conformance reports to this folder (created if missing)',
  }),
};

/** The validated settings, one property per row of SETTINGS. */
export type Config = { [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };

type Row = Setting<unknown>;
const ROWS = Object.entries(SETTINGS) as Array<[keyof Config, Row]>;

/** Every flag and environment twin, the partner of a pair included. */
const INPUTS: readonly Input[] = ROWS.flatMap(([, row]) => inputsOf(row));

/** Every environment variable the server reads. */
export const ENV_NAMES: readonly string[] = INPUTS.map((input) => input.env);

/** --help: every flag with its environment twin, what it does and its default. */
export const USAGE = usage();

/**
 * Parses flags and environment into a Config, or returns 'help' when asked for it.
 * Throws ConfigError naming the offending value and what is allowed.
 */
export function parseConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Config | 'help' {
  const flags = readArgs(argv);
  if (flags.help) return 'help';
  const pick = (input: Input): Value | undefined => {
    const given = flags[input.flag];
    if (given === true) return { text: 'true', source: `--${input.flag}` };
    if (typeof given === 'string') return { text: given, source: `--${input.flag}` };
    const text = env[input.env];
    if (text !== undefined && text !== '') return { text, source: input.env };
    return undefined;
  };
  const config: Record<string, unknown> = {};
  const computed: Array<[keyof Config, (settled: Settled) => unknown]> = [];
  for (const [key, row] of ROWS) {
    const value = pick(row);
    const partner = row.partner && pick(row.partner);
    if (row.partner && !value !== !partner) throw needsPartner(row, row.partner, (value ?? partner)!);
    if (value) config[key] = row.parse(value, partner);
    else if (typeof row.default !== 'function') config[key] = row.default;
    else {
      config[key] = undefined; // keeps the properties in table order
      computed.push([key, row.default as (settled: Settled) => unknown]);
    }
  }
  // A computed default sees the settings that are not computed: --dev, --host, --trust-proxy.
  const settled = config as unknown as Settled;
  for (const [key, compute] of computed) config[key] = compute(settled);
  return config as Config;
}

/** A configuration table (Markdown, columns padded) from SETTINGS: every row (docs/configuration.md) or the everyday ones (README). */
export function renderConfigTable(which: 'all' | 'everyday' = 'all'): string {
  const rows = ROWS.filter(([, row]) => which === 'all' || row.everyday).map(([, row]) => {
    const inputs = inputsOf(row);
    const flag = inputs.map((input) => code(`${input.short ? `-${input.short}, ` : ''}--${input.flag}`)).join(', ');
    return [flag, inputs.map((input) => code(input.env)).join(', '), shownDefault(row), row.help];
  });
  return markdownTable(['flag', 'env', 'default', 'meaning'], rows);
}

function setting<T>(row: Setting<T>): Setting<T> {
  return row;
}

/** The flag and twin a row is written with, and its partner's. */
function inputsOf(row: Row): Input[] {
  return row.partner ? [row, row.partner] : [row];
}

function code(text: string): string {
  return `\`${text}\``;
}

/** The default in Markdown: `shown` if the row has one, else the value itself. */
function shownDefault(row: Row): string {
  if (row.shown !== undefined) return row.shown;
  const value = row.default;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number')
    return value % MiB === 0 ? `${code(String(value))} (${value / MiB} MiB)` : code(String(value));
  if (typeof value === 'string') return code(value);
  throw new Error(`the setting --${row.flag} needs a shown default`);
}

function usage(): string {
  const name = (input: Input, row: Row) =>
    `${input.short ? `-${input.short}, ` : '    '}--${input.flag}${row.boolean ? '' : ' <value>'}`;
  const entries = ROWS.map(([, row]) => {
    const inputs = inputsOf(row);
    return {
      names: inputs.map((input) => name(input, row)),
      envs: inputs.map((input) => input.env),
      // The default stays on one line: "[default: 1048576 (1 MiB)]".
      words: [...plain(row.help).split(' '), `[default: ${plain(shownDefault(row))}]`],
    };
  });
  entries.push({ names: ['-h, --help'], envs: [], words: ['print', 'this', 'help'] });
  const nameWidth = Math.max(...entries.flatMap((entry) => entry.names.map((n) => n.length)));
  const envWidth = Math.max(...ENV_NAMES.map((env) => env.length));
  const textWidth = HELP_WIDTH - (2 + nameWidth + 1 + envWidth + 1);
  const lines = entries.flatMap(({ names, envs, words }) => {
    const wrapped = wrap(words, textWidth);
    return Array.from({ length: Math.max(names.length, wrapped.length) }, (_, i) =>
      `  ${(names[i] ?? '').padEnd(nameWidth)} ${(envs[i] ?? '').padEnd(envWidth)} ${wrapped[i] ?? ''}`.trimEnd(),
    );
  });
  return [
    'Usage: ws-echo [options]',
    '',
    'A WebSocket echo server and browser playground. Every option has an environment twin; the option wins.',
    '',
    ...lines,
  ].join('\n');
}

/** `words` joined into lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

/** Markdown code spans as plain text, for the terminal. */
function plain(markdown: string): string {
  return markdown.replaceAll('`', '');
}

function readArgs(argv: readonly string[]): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [, row] of ROWS) {
    for (const input of inputsOf(row)) {
      options[input.flag] = {
        type: row.boolean ? 'boolean' : 'string',
        ...(input.short ? { short: input.short } : {}),
      };
    }
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
    // "--dev=maybe": a switch was given a value.
    const input = INPUTS.find((candidate) => `--${candidate.flag}` === flag);
    if (flag && input && message.includes('does not take an argument'))
      return `${flag} takes no value; write ${flag} on its own, or set ${input.env} to true or false`;
    if (flag) return `${flag} needs a value (write ${flag}=<value> for one that starts with -); see --help`;
    return `${message.split('\n')[0]}; see --help`;
  }
  return message;
}

/** The one-line error for a value outside what `allowed` describes. */
function invalid(value: Value, allowed: string): ConfigError {
  return new ConfigError(`${value.source}=${JSON.stringify(value.text)} is not valid; use ${allowed}`);
}

function needsPartner(row: Input, partner: Input, given: Value): ConfigError {
  return new ConfigError(
    `${given.source} needs its partner: give both --${row.flag} and --${partner.flag} (${row.env} and ${partner.env})`,
  );
}

function integer(min: number, max: number, allowed: string): (value: Value) => number {
  return (value) => {
    const n = /^\d+$/.test(value.text.trim()) ? Number(value.text.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(value, allowed);
    return n;
  };
}

function choice<T extends string>(choices: readonly T[]): (value: Value) => T {
  return (value) => {
    const text = value.text.trim().toLowerCase();
    if (!(choices as readonly string[]).includes(text)) throw invalid(value, `one of ${choices.join(', ')}`);
    return text as T;
  };
}

function bool(value: Value): boolean {
  const text = value.text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw invalid(value, 'true or false');
}

function commaList(value: Value): string[] {
  return value.text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

// Entries are normalised to what browsers send in Origin: scheme://host[:port], or the literal null.
function origins(value: Value): readonly string[] | '*' {
  const entries = commaList(value);
  if (entries.includes('*')) return '*';
  return entries.map((entry) => {
    if (entry === 'null') return entry;
    const url = URL.parse(entry);
    if (!url || !/^https?:$/.test(url.protocol) || url.origin === 'null') {
      throw new ConfigError(
        `${value.source} has ${JSON.stringify(entry)}, which is not an origin; use scheme://host[:port] (e.g. https://example.com), null, or *`,
      );
    }
    return url.origin;
  });
}

// Entries become CSP source expressions: the ws: or wss: origin of each server.
function connectSources(value: Value): readonly string[] | '*' {
  const entries = commaList(value);
  if (entries.includes('*')) return '*';
  return entries.map((entry) => {
    const url = URL.parse(entry);
    if (!url || !/^wss?:$/.test(url.protocol)) {
      throw new ConfigError(
        `${value.source} has ${JSON.stringify(entry)}, which is not a WebSocket server; use ws://host[:port] or wss://host[:port], or *`,
      );
    }
    return `${url.protocol}//${url.host}`;
  });
}

// Labels of letters, digits, - and _ (container names have them), up to 253 characters in all.
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/**
 * An address or name the server can try to listen on. What is not even
 * syntax (999.1.1.1, "a b") is a typo no restart will fix: refused here, so
 * it exits 2. A well-formed one that is not (yet) on this machine fails at
 * listen instead (exit 1): an interface or DNS may still come up.
 */
function listenHost(value: Value): string {
  const text = value.text.trim();
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(bare)) return bare;
  // Digits and dots that are not an IPv4 address (999.1.1.1, 1.2.3) would reach getaddrinfo as numbers.
  if (!/^[\d.]+$/.test(bare) && HOST_NAME.test(bare)) return bare;
  throw invalid(value, 'an IP address (127.0.0.1, 0.0.0.0, ::) or a host name of this machine');
}

// Entries as Host headers name them: lower case, without a port; a leading dot covers the subdomains.
function hostNames(value: Value): AllowedHosts {
  const entries = commaList(value);
  if (entries.includes('*')) return '*';
  return entries.map((entry) => {
    const name = entry.toLowerCase();
    const bare = name.startsWith('.') ? name.slice(1) : name;
    if (!isIP(bare) && !(bare.startsWith('[') && isIP(bare.slice(1, -1)) === 6) && !HOST_NAME.test(bare)) {
      throw new ConfigError(
        `${value.source} has ${JSON.stringify(entry)}, which is not a host name; use a name without scheme or port (app.example), .example.com for it and its subdomains, or *`,
      );
    }
    return name;
  });
}

// 0 turns the budget off; any other value must leave each connection its socket's high-water mark.
function budget(value: Value): number {
  if (value.text.trim() === '0') return 0;
  return integer(
    MIN_BUFFERED,
    Number.MAX_SAFE_INTEGER,
    `0 (off) or a size in bytes of at least ${MIN_BUFFERED}`,
  )(value);
}

// The conformance server writes its reports there when asked; a file in the way
// would only fail then, long after start-up, so say it now.
function directory(value: Value): string {
  const path = resolve(value.text);
  try {
    if (!statSync(path).isDirectory()) throw invalid(value, 'a folder (this is a file)');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // Missing: the conformance server creates it on its first report.
  }
  return path;
}

// Stored without its trailing slash ('' for the root), so `${basePath}/healthz` is the path.
function basePath(value: Value): string {
  const text = value.text.trim();
  const path = text.replace(/\/+$/, '');
  const segments = path.split('/').slice(1);
  if (!text.startsWith('/') || segments.some((segment) => !/^[\w.~-]+$/.test(segment) || /^\.\.?$/.test(segment)))
    throw invalid(value, 'a path such as /ws-echo: a / before each segment of letters, digits and - . _ ~');
  return path;
}

function subprotocols(value: Value): readonly string[] | '*' {
  const entries = commaList(value);
  if (entries.includes('*')) return '*';
  for (const entry of entries) {
    if (!SUBPROTOCOL_NAME.test(entry)) {
      throw new ConfigError(
        `${value.source} has ${JSON.stringify(entry)}, which is not a subprotocol name; use names of letters, digits and !#$%&'*+-.^_\`|~, comma-separated, or *`,
      );
    }
  }
  return [...new Set(entries)];
}

function instanceId(value: Value): string {
  const id = value.text.trim();
  if (!/^[\w.:-]{1,64}$/.test(id)) throw invalid(value, 'up to 64 letters, digits, and . _ : -');
  return id;
}

function workers(value: Value): number {
  if (value.text.trim().toLowerCase() === 'auto') return availableParallelism();
  return integer(1, 256, "a count from 1 to 256, or 'auto'")(value);
}

function readTls(cert: Value, key: Value): TlsIdentity {
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

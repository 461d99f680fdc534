// startEchoServer's options: the CLI's settings, camelCase and typed, made
// into a Config by the CLI's own parser, so a bad value fails with the same
// one-line ConfigError, and a setting cannot exist in one and not the other.
import { createSecureContext } from 'node:tls';
import { type Config, ConfigError, parseConfig } from './config.ts';

/** Settings that only make sense for a process of its own: --workers forks it, --dev needs the sources and Vite. */
type ProcessOnly = 'workers' | 'dev';

/**
 * Every setting of the CLI but --workers and --dev, named as in Config and all
 * optional. Unlike the CLI, port defaults to 0 (any free port) and logLevel to
 * 'silent', and no environment variable is read.
 */
export type EchoServerOptions = Partial<Omit<Config, ProcessOnly>>;

// Each option's flag. Keyed by Config's names, so a setting added to Config
// and not here fails the type check. tls is the exception: the CLI reads files.
const FLAGS: { readonly [K in Exclude<keyof EchoServerOptions, 'tls'>]-?: string } = {
  port: 'port',
  host: 'host',
  logLevel: 'log-level',
  logFormat: 'log-format',
  maxMessageBytes: 'max-message-size',
  handshakeTimeoutMs: 'handshake-timeout',
  heartbeatIntervalMs: 'heartbeat-interval',
  maxBufferedBytes: 'max-buffered',
  maxConnections: 'max-connections',
  maxConnectionsPerIp: 'max-connections-per-ip',
  rateLimit: 'rate-limit',
  allowedOrigins: 'allowed-origins',
  connectSrc: 'connect-src',
  shutdownGraceMs: 'shutdown-grace',
  trustProxy: 'trust-proxy',
  instanceId: 'instance-id',
};

/** The option names startEchoServer takes. */
export const OPTION_NAMES: readonly string[] = [...Object.keys(FLAGS), 'tls'];

/** The flag each option stands for, e.g. maxMessageBytes → --max-message-size (tls has none: the CLI reads files). */
export function flagOf(option: string): string | undefined {
  return Object.hasOwn(FLAGS, option) ? `--${FLAGS[option as keyof typeof FLAGS]}` : undefined;
}

/** The Config the options describe; throws ConfigError, as the CLI would exit 2, for a bad one. */
export function configFromOptions(options: EchoServerOptions = {}): Config {
  const { tls, ...settings }: EchoServerOptions = { port: 0, logLevel: 'silent', ...options };
  const argv: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    const flag = flagOf(name);
    if (flag === undefined) throw new ConfigError(`unknown option ${name}; use one of ${OPTION_NAMES.join(', ')}`);
    if (value === undefined) continue;
    if (typeof defaults()[name as keyof Config] === 'boolean') {
      // A switch on the command line: present or absent.
      if (typeof value !== 'boolean')
        throw new ConfigError(`${name}=${JSON.stringify(value)} is not valid; use true or false`);
      if (value) argv.push(flag);
    } else {
      // In the --flag=value form, so a value starting with - is still a value.
      argv.push(`${flag}=${Array.isArray(value) ? value.join(',') : String(value)}`);
    }
  }
  const config = parseConfig(argv, {});
  if (config === 'help') throw new Error('parseConfig answered help to options that do not ask for it');
  return { ...config, tls: checkTls(tls) };
}

// The CLI's defaults, to tell its switches (booleans) from the settings that take a value.
let cliDefaults: Config | undefined;
function defaults(): Config {
  cliDefaults ??= parseConfig([], {}) as Config;
  return cliDefaults;
}

// What the CLI checks after reading --tls-cert and --tls-key: a certificate and its own key.
function checkTls(tls: Config['tls']): Config['tls'] {
  if (tls === undefined) return undefined;
  try {
    createSecureContext(tls);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `tls does not make a TLS identity (${reason}); use a PEM certificate and its own private key`,
    );
  }
  return tls;
}

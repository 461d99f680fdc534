// startEchoServer's options: the CLI's settings (server/config.ts's SETTINGS),
// named as in Config and typed, each checked by its row's own parser, so a
// bad value throws the same one-line ConfigError the CLI exits 2 with, and a
// setting cannot exist in one and not the other.
import { createSecureContext } from 'node:tls';
import { type Config, ConfigError, parseConfig, SETTINGS, type Setting } from './config.ts';

/** Settings only a process of its own can have: --workers forks it, --dev needs the sources and Vite. */
const PROCESS_ONLY = ['workers', 'dev'] as const;

/**
 * Every setting of the CLI but --workers and --dev, named as in Config and
 * all optional. Unlike the CLI, port defaults to 0 (any free port) and
 * logLevel to 'silent', and no environment variable is read.
 */
export type EchoServerOptions = Partial<Omit<Config, (typeof PROCESS_ONLY)[number]>>;

type OptionName = keyof EchoServerOptions;

/** The option names startEchoServer takes, in the CLI's order. */
export const OPTION_NAMES: readonly OptionName[] = (Object.keys(SETTINGS) as Array<keyof Config>).filter(
  (name): name is OptionName => !(PROCESS_ONLY as readonly string[]).includes(name),
);

/** The Config the options describe; throws ConfigError for a bad one, as the CLI would exit 2. */
export function configFromOptions(options: EchoServerOptions = {}): Config {
  const argv: string[] = [];
  let tls: Config['tls'];
  for (const [name, value] of Object.entries({ port: 0, logLevel: 'silent', ...options })) {
    if (!(OPTION_NAMES as readonly string[]).includes(name))
      throw new ConfigError(`unknown option ${name}; use one of ${OPTION_NAMES.join(', ')}`);
    if (value === undefined) continue;
    // The CLI reads a certificate and key from files; here they come as PEM.
    if (name === 'tls') tls = checkTls(value as Config['tls']);
    else argv.push(...asFlag(name as Exclude<OptionName, 'tls'>, value));
  }
  // Then the CLI's own assembly, so the defaults that follow other settings
  // (the limits that follow --host) follow them here too. No environment.
  return { ...(parseConfig(argv, {}) as Config), tls };
}

/** One option as its flag, once its setting's parser has accepted the value. */
function asFlag(name: Exclude<OptionName, 'tls'>, value: unknown): string[] {
  const row = SETTINGS[name] as Setting<unknown>;
  if (row.boolean) {
    if (typeof value !== 'boolean')
      throw new ConfigError(`${name}=${JSON.stringify(value)} is not valid; use true or false`);
    return value ? [`--${row.flag}`] : [];
  }
  const text = Array.isArray(value) ? value.join(',') : String(value);
  // Errors name the option as written here: `port="-1" is not valid; use a port from 0 to 65535`.
  row.parse({ text, source: name });
  // In the --flag=value form, so a value starting with - is still a value.
  return [`--${row.flag}=${text}`];
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

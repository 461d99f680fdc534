// parseConfig over server/config.ts's SETTINGS: defaults, flags and their
// environment twins, the one-line ConfigError for every value the server
// cannot run with (in-process), and once each on the built server: that error
// reaching the shell with exit code 2, and --help. Also checks that README.md's
// configuration table is the one SETTINGS renders.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { TABLES, tableIn } from '../../scripts/docs-tables.ts';
import {
  ConfigError,
  ENV_NAMES,
  parseConfig,
  renderConfigTable,
  SETTINGS,
  USAGE,
  type Config,
  type Setting,
} from '../../server/config.ts';
import { makeCertificate, type TestCertificate } from '../support/certificate.ts';
import { runServer, runServerToExit } from '../support/child-process.ts';

const STACK_TRACE = /^\s+at\s|Error:|node:internal/m;

function parse(argv: string[], env: NodeJS.ProcessEnv = {}): Config {
  const config = parseConfig(argv, env);
  if (config === 'help') throw new Error('unexpected help');
  return config;
}

describe('parseConfig defaults', () => {
  it('uses the documented defaults: port 1234 on 127.0.0.1 at /, JSON logs, 1 MiB messages, 10 s handshakes, 30 s heartbeat, no per-IP cap or rate limit on loopback', () => {
    const { instanceId, ...rest } = parse([], {});
    assert.match(instanceId, /^[\w.:-]+-\d+$/, 'hostname-pid');
    assert.deepEqual(rest, {
      port: 1234,
      host: '127.0.0.1',
      basePath: '',
      dev: false,
      logLevel: 'info',
      logFormat: 'json',
      subprotocols: [],
      maxMessageBytes: 1024 * 1024,
      handshakeTimeoutMs: 10_000,
      heartbeatIntervalMs: 30_000,
      maxBufferedBytes: 1024 * 1024,
      maxConnections: 10_000,
      maxConnectionsPerIp: 0,
      deflate: false,
      maxDeflateConnections: 500,
      rateLimit: 0,
      allowedOrigins: [],
      connectSrc: [],
      tls: undefined,
      shutdownGraceMs: 5000,
      workers: 1,
      trustProxy: false,
      reportsDir: undefined,
    });
  });

  it('logs pretty with --dev, and with DEV=true', () => {
    assert.deepEqual([parse(['--dev']).dev, parse(['--dev']).logFormat], [true, 'pretty']);
    assert.deepEqual([parse([], { DEV: 'true' }).dev, parse([], { DEV: 'true' }).logFormat], [true, 'pretty']);
    assert.equal(parse([], { DEV: '0' }).dev, false);
  });

  it('keeps an explicit log format in dev', () => {
    assert.equal(parse(['--dev', '--log-format', 'json']).logFormat, 'json');
    assert.equal(parse([], { DEV: 'yes', LOG_FORMAT: 'json' }).logFormat, 'json');
  });

  it('treats an empty environment value as unset, for every variable it reads', () => {
    assert.ok(ENV_NAMES.length >= 20, `ENV_NAMES lists every twin (${ENV_NAMES.length})`);
    assert.deepEqual(parse([], Object.fromEntries(ENV_NAMES.map((name) => [name, '']))), parse([], {}));
  });

  it('returns "help" for --help and -h', () => {
    assert.equal(parseConfig(['--help'], {}), 'help');
    assert.equal(parseConfig(['-h'], {}), 'help');
  });
});

describe('the per-IP cap and rate limit default by exposure', () => {
  const limits = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const { maxConnectionsPerIp, rateLimit } = parse(argv, env);
    return { maxConnectionsPerIp, rateLimit };
  };
  const OFF = { maxConnectionsPerIp: 0, rateLimit: 0 };
  const ON = { maxConnectionsPerIp: 256, rateLimit: 10_000 };

  it('are off when every address bound is loopback and no proxy is trusted', () => {
    for (const host of [
      '127.0.0.1',
      '127.0.0.2',
      '127.255.0.9',
      '::1',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      'localhost',
      'LOCALHOST',
    ])
      assert.deepEqual(limits(['--host', host]), OFF, `--host ${host}`);
    assert.deepEqual(limits([], { HOST: '::1' }), OFF, 'HOST=::1');
  });

  it('are 256 connections per IP and 10000 messages/s on any other interface', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '192.0.2.1',
      '10.0.0.1',
      '128.0.0.1',
      '::ffff:10.0.0.1',
      'example.com',
      'localhost.example',
    ])
      assert.deepEqual(limits(['--host', host]), ON, `--host ${host}`);
    assert.deepEqual(limits([], { HOST: '0.0.0.0' }), ON, 'HOST=0.0.0.0');
  });

  it('are on behind a trusted proxy, even on loopback', () => {
    assert.deepEqual(limits(['--trust-proxy']), ON);
    assert.deepEqual(limits(['--host', '::1'], { TRUST_PROXY: 'true' }), ON);
    assert.deepEqual(limits(['--host', '0.0.0.0', '--trust-proxy']), ON);
  });

  it('give way to an explicit value, flag or twin, in every combination', () => {
    const exposures: Array<[string, string[], NodeJS.ProcessEnv]> = [
      ['loopback', [], {}],
      ['0.0.0.0', ['--host', '0.0.0.0'], {}],
      ['::', [], { HOST: '::' }],
      ['a trusted proxy', ['--trust-proxy'], {}],
    ];
    for (const [where, argv, env] of exposures) {
      for (const [perIp, rate] of [
        ['0', '0'],
        ['3', '0'],
        ['0', '50'],
        ['256', '10000'],
        ['1', '1'],
      ] as const) {
        const expected = { maxConnectionsPerIp: Number(perIp), rateLimit: Number(rate) };
        const fromFlags = limits([...argv, '--max-connections-per-ip', perIp, '--rate-limit', rate], env);
        assert.deepEqual(fromFlags, expected, `${where} with flags ${perIp}/${rate}`);
        const fromEnv = limits(argv, { ...env, MAX_CONNECTIONS_PER_IP: perIp, RATE_LIMIT: rate });
        assert.deepEqual(fromEnv, expected, `${where} with the twins ${perIp}/${rate}`);
      }
      // One given, the other still follows the exposure.
      const base = where === 'loopback' ? OFF : ON;
      assert.deepEqual(limits([...argv, '--rate-limit', '7'], env), { ...base, rateLimit: 7 }, `${where}, rate only`);
      assert.deepEqual(
        limits([...argv, '--max-connections-per-ip', '7'], env),
        { ...base, maxConnectionsPerIp: 7 },
        `${where}, per-IP only`,
      );
    }
  });
});

describe('--base-path', () => {
  it('normalises a base path to a leading slash and no trailing one; / alone is the root', () => {
    assert.equal(parse(['--base-path', '/prefix']).basePath, '/prefix');
    assert.equal(parse(['--base-path', '/prefix/']).basePath, '/prefix');
    assert.equal(parse(['--base-path', ' /tools/ws-echo// ']).basePath, '/tools/ws-echo');
    assert.equal(parse(['--base-path', '/a.b_c~d-e']).basePath, '/a.b_c~d-e');
    assert.equal(parse(['--base-path', '/']).basePath, '');
    assert.equal(parse([], { BASE_PATH: '/from-env/' }).basePath, '/from-env');
    assert.equal(parse(['--base-path', '/flag'], { BASE_PATH: '/env' }).basePath, '/flag');
  });
});

describe('--subprotocols', () => {
  it('reads subprotocols as a comma list without repeats, or * for any', () => {
    assert.deepEqual(parse(['--subprotocols', 'graphql-ws, mqtt,,graphql-ws']).subprotocols, ['graphql-ws', 'mqtt']);
    assert.deepEqual(parse([], { SUBPROTOCOLS: 'v12.stomp' }).subprotocols, ['v12.stomp']);
    assert.equal(parse(['--subprotocols', '*']).subprotocols, '*');
    assert.equal(parse(['--subprotocols', 'mqtt,*']).subprotocols, '*');
    assert.deepEqual(parse(['--subprotocols', 'mqtt'], { SUBPROTOCOLS: '*' }).subprotocols, ['mqtt']);
  });
});

describe('parseConfig flags and environment', () => {
  const pairs: Array<{
    flag: string[];
    env: NodeJS.ProcessEnv;
    key: keyof Config;
    fromFlag: unknown;
    fromEnv: unknown;
  }> = [
    { flag: ['--port', '8080'], env: { PORT: '9090' }, key: 'port', fromFlag: 8080, fromEnv: 9090 },
    { flag: ['--host', '0.0.0.0'], env: { HOST: '::' }, key: 'host', fromFlag: '0.0.0.0', fromEnv: '::' },
    { flag: ['--log-level', 'debug'], env: { LOG_LEVEL: 'warn' }, key: 'logLevel', fromFlag: 'debug', fromEnv: 'warn' },
    {
      flag: ['--log-format', 'pretty'],
      env: { LOG_FORMAT: 'json' },
      key: 'logFormat',
      fromFlag: 'pretty',
      fromEnv: 'json',
    },
    {
      flag: ['--max-message-size', '2048'],
      env: { MAX_MESSAGE_SIZE: '4096' },
      key: 'maxMessageBytes',
      fromFlag: 2048,
      fromEnv: 4096,
    },
    {
      flag: ['--shutdown-grace', '0'],
      env: { SHUTDOWN_GRACE_MS: '250' },
      key: 'shutdownGraceMs',
      fromFlag: 0,
      fromEnv: 250,
    },
  ];
  for (const { flag, env, key, fromFlag, fromEnv } of pairs) {
    const [name = ''] = flag;
    const [envName = ''] = Object.keys(env);
    it(`${name} beats ${envName}, and ${envName} is used without the flag`, () => {
      assert.equal(parse(flag, env)[key], fromFlag);
      assert.equal(parse([], env)[key], fromEnv);
      assert.equal(parse(flag, {})[key], fromFlag);
    });
  }

  it('accepts -p and --port=N', () => {
    assert.equal(parse(['-p', '4000']).port, 4000);
    assert.equal(parse(['--port=4001']).port, 4001);
  });

  it('accepts the ends of each range', () => {
    assert.equal(parse(['--port', '0']).port, 0);
    assert.equal(parse(['--port', '65535']).port, 65535);
    assert.equal(parse(['--max-message-size', '1']).maxMessageBytes, 1);
    assert.equal(parse(['--max-message-size', '2147483647']).maxMessageBytes, 2147483647);
    assert.equal(parse(['--shutdown-grace', '600000']).shutdownGraceMs, 600000);
  });

  it('accepts every log level and ignores case', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      assert.equal(parse(['--log-level', level]).logLevel, level);
    }
    assert.equal(parse([], { LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
  });

  it('does not read an environment value that a flag overrides, even an invalid one', () => {
    assert.equal(parse(['--port', '8080'], { PORT: 'abc' }).port, 8080);
  });
});

/** Asserts that `run` throws a one-line ConfigError and returns its message. */
function configError(run: () => unknown): string {
  let message = '';
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`);
    assert.equal(error.code, 'ERR_WS_ECHO_CONFIG');
    assert.doesNotMatch(error.message, /\n/, 'the message is one line');
    message = error.message;
    return true;
  });
  return message;
}

const notValid = (allowed: string) => (source: string, text: string) =>
  `${source}=${JSON.stringify(text)} is not valid; use ${allowed}`;

interface BadValues {
  /** The one line the server answers with, for a value from `source` (`--port` or `PORT`) quoting `quoted`. */
  message(source: string, quoted: string): string;
  /** Each bad value, or [value, the part of it the message quotes] for comma lists. */
  values: Array<string | [text: string, quoted: string]>;
}

/**
 * Values the server cannot run with, for every setting but --host (any text is
 * a host name to try) and the TLS pair (two files; below). A new setting fails
 * the typecheck until it is added here, and the test below until it is in SETTINGS.
 */
const BAD: Record<Exclude<keyof Config, 'host' | 'tls'>, BadValues> = {
  port: {
    message: notValid('a port from 0 to 65535'),
    values: ['abc', '70000', '65536', '-1', '1e3', '0x50', '80 80'],
  },
  basePath: {
    message: notValid('a path such as /ws-echo: a / before each segment of letters, digits and - . _ ~'),
    values: ['prefix', 'http://x/prefix', '/a b', '/a//b', '/..', '/a/./b', '/x?y', '/x#y', '/%41', '\\x'],
  },
  subprotocols: {
    message: (source, quoted) =>
      `${source} has ${JSON.stringify(quoted)}, which is not a subprotocol name; use names of letters, digits and !#$%&'*+-.^_\`|~, comma-separated, or *`,
    values: ['graphql ws', ['mqtt,a;b', 'a;b'], ['x"y', 'x"y'], ['ok,(bad)', '(bad)'], ['a/b', 'a/b']],
  },
  dev: { message: notValid('true or false'), values: ['maybe'] },
  logLevel: { message: notValid('one of fatal, error, warn, info, debug, trace, silent'), values: ['loud', 'verbose'] },
  logFormat: { message: notValid('one of pretty, json'), values: ['xml'] },
  maxMessageBytes: { message: notValid('a size in bytes from 1 to 2147483647'), values: ['0', '2147483648'] },
  handshakeTimeoutMs: { message: notValid('milliseconds from 100 to 299000'), values: ['5', '299001'] },
  heartbeatIntervalMs: { message: notValid('milliseconds from 0 (off) to 86400000'), values: ['1.5', '86400001'] },
  maxBufferedBytes: {
    message: notValid('a size in bytes from 16384 to 2147483647'),
    values: ['-5', '16383', '1023'],
  },
  maxConnections: { message: notValid('a count from 1 to 10000000'), values: ['0'] },
  maxConnectionsPerIp: {
    message: notValid('a count from 0 (off) to 10000000'),
    values: ['1e3', '-1', '10000001', 'off'],
  },
  deflate: { message: notValid('true or false'), values: ['maybe', 'deflate'] },
  maxDeflateConnections: { message: notValid('a count from 0 (never) to 10000000'), values: ['-1', '10000001', 'all'] },
  rateLimit: {
    message: notValid('messages per second from 0 (off) to 100000000'),
    values: ['abc', '100000001', 'off'],
  },
  allowedOrigins: {
    message: (source, quoted) =>
      `${source} has ${JSON.stringify(quoted)}, which is not an origin; use scheme://host[:port] (e.g. https://example.com), null, or *`,
    values: ['ftp://x', 'notaurl', ['https://ok.example,file:///etc/passwd', 'file:///etc/passwd']],
  },
  connectSrc: {
    message: (source, quoted) =>
      `${source} has ${JSON.stringify(quoted)}, which is not a WebSocket server; use ws://host[:port] or wss://host[:port], or *`,
    values: ['http://example.com', ['ws://ok.example,https://other.example', 'https://other.example']],
  },
  shutdownGraceMs: { message: notValid('milliseconds from 0 to 600000'), values: ['600001', '1.5'] },
  workers: { message: notValid("a count from 1 to 256, or 'auto'"), values: ['0', 'many', '1.5'] },
  trustProxy: { message: notValid('true or false'), values: ['maybe'] },
  instanceId: { message: notValid('up to 64 letters, digits, and . _ : -'), values: ['a b', 'x'.repeat(65)] },
  // A file where the reports folder should be (this very test file).
  reportsDir: { message: notValid('a folder (this is a file)'), values: [fileURLToPath(import.meta.url)] },
};

describe('a bad value is refused with one line naming it and what is allowed', () => {
  it('has bad values for every setting that can be bad', () => {
    assert.deepEqual(Object.keys(SETTINGS).sort(), [...Object.keys(BAD), 'host', 'tls'].sort());
  });

  for (const [key, { message, values }] of Object.entries(BAD) as Array<[keyof typeof BAD, BadValues]>) {
    const row: Setting<unknown> = SETTINGS[key];
    for (const value of values) {
      const [text, quoted] = typeof value === 'string' ? [value, value] : value;
      it(`--${row.flag}=${JSON.stringify(text)} and ${row.env}=${JSON.stringify(text)}`, () => {
        assert.equal(
          configError(() => parseConfig([], { [row.env]: text })),
          message(row.env, quoted),
        );
        // A switch takes no value on the command line; only its twin is read as true or false.
        const fromFlag = row.boolean
          ? `--${row.flag} takes no value; write --${row.flag} on its own, or set ${row.env} to true or false`
          : message(`--${row.flag}`, quoted);
        assert.equal(
          configError(() => parseConfig([`--${row.flag}=${text}`], {})),
          fromFlag,
        );
      });
    }
  }

  const commandLine: Array<{ argv: string[]; names: string[] }> = [
    { argv: ['--bogus'], names: ['unknown option --bogus'] },
    { argv: ['--no-such-flag', 'x'], names: ['--no-such-flag'] },
    // One letter short of --allowed-origins.
    { argv: ['--allowed-origin', 'x'], names: ['--allowed-origin'] },
    { argv: ['extra'], names: ['unexpected argument extra'] },
    { argv: ['stray'], names: ['stray'] },
    { argv: ['--port'], names: ['--port needs a value'] },
    { argv: ['--port', ''], names: ['--port=""', '0 to 65535'] },
    // A value starting with '-' is "ambiguous" to parseArgs, whose message spans three lines.
    { argv: ['--port', '-1'], names: ['--port needs a value', '--port=<value>'] },
    { argv: ['--port', '--dev'], names: ['--port needs a value'] },
  ];
  for (const { argv, names } of commandLine) {
    it(`${argv.map((arg) => JSON.stringify(arg)).join(' ')} names ${names.join(', ')}`, () => {
      const message = configError(() => parseConfig(argv, {}));
      for (const name of names) assert.ok(message.includes(name), `${JSON.stringify(message)} names ${name}`);
      assert.match(message, /\buse\b|--help/, 'says what is allowed or where to look');
    });
  }
});

describe('bad TLS settings are refused with one line', () => {
  let certificate: TestCertificate;
  before(async () => {
    certificate = await makeCertificate();
  });
  after(() => certificate?.remove());

  it('reads a certificate and its own key (the twins too)', () => {
    const fromFlags = parse(['--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath]).tls;
    assert.deepEqual(fromFlags, { cert: certificate.cert, key: certificate.key });
    assert.deepEqual(parse([], { TLS_CERT: certificate.certPath, TLS_KEY: certificate.keyPath }).tls, fromFlags);
  });

  const cases: Array<{
    name: string;
    setup: () => Promise<{ argv?: string[]; env?: NodeJS.ProcessEnv; names: string[] }>;
  }> = [
    {
      name: 'a certificate path that does not exist',
      setup: async () => {
        const missing = `${certificate.dir}/no-such-cert.pem`;
        return { argv: ['--tls-cert', missing, '--tls-key', certificate.keyPath], names: ['--tls-cert', missing] };
      },
    },
    {
      name: 'a certificate path that is a directory',
      setup: async () => ({
        argv: ['--tls-cert', certificate.dir, '--tls-key', certificate.keyPath],
        names: ['--tls-cert', certificate.dir],
      }),
    },
    {
      name: 'a key path that does not exist (TLS_KEY)',
      setup: async () => {
        const missing = `${certificate.dir}/no-such-key.pem`;
        return { env: { TLS_CERT: certificate.certPath, TLS_KEY: missing }, names: ['TLS_KEY', missing] };
      },
    },
    {
      name: 'a certificate file that is not PEM',
      setup: async () => {
        const path = await certificate.writeFile('not-pem.txt', 'this is not a certificate\n');
        return { argv: ['--tls-cert', path, '--tls-key', certificate.keyPath], names: ['--tls-cert', path] };
      },
    },
    {
      name: 'the key given as the certificate (PEM, but no CERTIFICATE in it)',
      setup: async () => ({
        argv: ['--tls-cert', certificate.keyPath, '--tls-key', certificate.keyPath],
        names: ['--tls-cert', certificate.keyPath],
      }),
    },
    {
      name: 'a PEM certificate block with garbage inside',
      setup: async () => {
        const path = await certificate.writeFile(
          'garbage-cert.pem',
          '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        );
        return { argv: ['--tls-cert', path, '--tls-key', certificate.keyPath], names: ['--tls-cert'] };
      },
    },
    {
      name: 'only --tls-cert, without --tls-key',
      setup: async () => ({ argv: ['--tls-cert', certificate.certPath], names: ['--tls-cert', '--tls-key'] }),
    },
    {
      name: 'only --tls-key, without --tls-cert',
      setup: async () => ({ argv: ['--tls-key', certificate.keyPath], names: ['--tls-key', '--tls-cert'] }),
    },
    {
      name: 'only TLS_CERT in the environment',
      setup: async () => ({ env: { TLS_CERT: certificate.certPath }, names: ['TLS_CERT'] }),
    },
    {
      name: 'a key that does not match the certificate',
      setup: async () => {
        const other = await certificate.otherKey();
        return { argv: ['--tls-cert', certificate.certPath, '--tls-key', other], names: ['--tls-cert', '--tls-key'] };
      },
    },
  ];
  for (const { name, setup } of cases) {
    it(name, async () => {
      const { argv = [], env = {}, names } = await setup();
      const message = configError(() => parseConfig(argv, env));
      for (const value of names) assert.ok(message.includes(value), `${JSON.stringify(message)} names ${value}`);
      assert.match(message, /\buse\b|give/, 'says what to do instead');
    });
  }
});

describe('the built server (child processes)', () => {
  it('prints a bad value as one line on stderr and exits 2, without starting', async () => {
    const expected = configError(() => parseConfig(['--workers', 'many'], {}));
    const result = await runServerToExit(['--workers', 'many']);
    assert.equal(result.status, 2, `exit code; stderr: ${result.stderr}`);
    assert.equal(result.stdout, '', 'nothing on stdout: the server never started');
    assert.equal(result.stderr, `ws-echo: ${expected}\n`);
    assert.doesNotMatch(result.stderr, STACK_TRACE);
  });

  it('--help exits 0 and lists every flag with its environment twin and the default it really uses', async () => {
    // Even with a bad value in the environment, help wins.
    const result = await runServer(['--help'], { env: { PORT: 'not a port' } });
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, `${USAGE}\n`);
    const options = helpOptions(result.stdout);
    const defaults = parse([], {});
    for (const [key, row] of Object.entries(SETTINGS) as Array<[keyof Config, Setting<unknown>]>) {
      const inputs = row.partner ? [row, row.partner] : [row];
      for (const input of inputs) {
        const text = options.get(input.flag);
        assert.ok(text, `a help entry for --${input.flag}:\n${result.stdout}`);
        assert.ok(text.startsWith(input.short ? `-${input.short}, --${input.flag}` : `--${input.flag}`), text);
        assert.match(text, new RegExp(`\\s${input.env}\\s`), `--${input.flag}'s line names ${input.env}`);
      }
      const text = inputs.map((input) => options.get(input.flag)).join(' ');
      const shown = /\[default: ([^\]]*)\]/.exec(text)?.[1];
      assert.ok(shown !== undefined, `--${row.flag} shows a default: ${text}`);
      const value = defaults[key];
      if (row.shown !== undefined) assert.equal(shown, row.shown.replaceAll('`', ''), `--${row.flag}'s default`);
      else if (typeof value === 'number') assert.match(shown, new RegExp(`^${value}\\b`), `--${row.flag}'s default`);
      else if (typeof value === 'boolean') assert.equal(shown, value ? 'on' : 'off', `--${row.flag}'s default`);
      else assert.equal(shown, value, `--${row.flag}'s default`);
    }
    assert.ok(options.has('help'), '--help lists itself');
  });
});

/** --help's options by flag: each option's line joined with the lines that continue its text. */
function helpOptions(usage: string): Map<string, string> {
  const options = new Map<string, string>();
  let flag: string | undefined;
  for (const line of usage.split('\n')) {
    const starts = /^ {2}(?:-\w, | {4})--([a-z-]+)/.exec(line);
    if (starts) flag = starts[1]!;
    if (flag === undefined || line.trim() === '') continue;
    options.set(flag, starts ? line.trim() : `${options.get(flag)} ${line.trim()}`);
  }
  return options;
}

describe("README.md's configuration table", () => {
  it('is the one SETTINGS renders', async () => {
    assert.equal(
      tableIn(TABLES.config),
      renderConfigTable(),
      'README.md differs from server/config.ts: run `npm run docs:tables`',
    );
  });
});

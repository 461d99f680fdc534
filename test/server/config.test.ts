// parseConfig: defaults, flags, their environment twins, and the one-line
// ConfigError for every value the server cannot run with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig, type Config } from '../../server/config.ts';

function parse(argv: string[], env: NodeJS.ProcessEnv = {}): Config {
  const config = parseConfig(argv, env);
  if (config === 'help') throw new Error('unexpected help');
  return config;
}

describe('parseConfig defaults', () => {
  it('uses the documented defaults: port 1234 on 127.0.0.1, JSON logs, 1 MiB messages, 10 s handshakes, 30 s heartbeat', () => {
    const { instanceId, ...rest } = parse([], {});
    assert.match(instanceId, /^[\w.:-]+-\d+$/, 'hostname-pid');
    assert.deepEqual(rest, {
      port: 1234,
      host: '127.0.0.1',
      dev: false,
      logLevel: 'info',
      logFormat: 'json',
      maxMessageBytes: 1024 * 1024,
      handshakeTimeoutMs: 10_000,
      heartbeatIntervalMs: 30_000,
      maxBufferedBytes: 1024 * 1024,
      maxConnections: 10_000,
      maxConnectionsPerIp: 256,
      rateLimit: 10_000,
      allowedOrigins: [],
      connectSrc: [],
      tls: undefined,
      shutdownGraceMs: 5000,
      workers: 1,
      trustProxy: false,
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

  it('treats an empty environment value as unset', () => {
    assert.deepEqual(
      parse([], {
        PORT: '',
        HOST: '',
        DEV: '',
        LOG_LEVEL: '',
        LOG_FORMAT: '',
        MAX_MESSAGE_SIZE: '',
        SHUTDOWN_GRACE_MS: '',
      }),
      parse([], {}),
    );
  });

  it('returns "help" for --help and -h', () => {
    assert.equal(parseConfig(['--help'], {}), 'help');
    assert.equal(parseConfig(['-h'], {}), 'help');
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

describe('parseConfig errors', () => {
  const cases: Array<{ argv: string[]; env?: NodeJS.ProcessEnv; names: string[] }> = [
    { argv: [], env: { PORT: 'abc' }, names: ['PORT', 'abc', '0 to 65535'] },
    { argv: ['--port', '70000'], names: ['--port', '70000', '0 to 65535'] },
    { argv: ['--port', '65536'], names: ['--port', '65536'] },
    { argv: ['--port=-1'], names: ['--port', '-1'] },
    { argv: ['--port', '1e3'], names: ['--port', '1e3'] },
    { argv: ['--port', '0x50'], names: ['--port', '0x50'] },
    { argv: ['--port', ''], names: ['--port'] },
    { argv: [], env: { PORT: '80 80' }, names: ['PORT', '80 80'] },
    { argv: ['--log-level', 'loud'], names: ['--log-level', 'loud', 'debug'] },
    { argv: [], env: { LOG_LEVEL: 'verbose' }, names: ['LOG_LEVEL', 'verbose'] },
    { argv: ['--log-format', 'xml'], names: ['--log-format', 'xml', 'pretty', 'json'] },
    { argv: [], env: { MAX_MESSAGE_SIZE: '0' }, names: ['MAX_MESSAGE_SIZE', '0'] },
    { argv: ['--max-message-size', '2147483648'], names: ['--max-message-size', '2147483648'] },
    { argv: [], env: { SHUTDOWN_GRACE_MS: '600001' }, names: ['SHUTDOWN_GRACE_MS', '600001'] },
    { argv: [], env: { DEV: 'maybe' }, names: ['DEV', 'maybe'] },
    { argv: ['--bogus'], names: ['--bogus'] },
    { argv: ['extra'], names: ['extra'] },
    { argv: ['--port'], names: ['--port'] },
    // A value starting with '-' is "ambiguous" to parseArgs, whose message spans three lines.
    { argv: ['--port', '-1'], names: ['--port'] },
  ];
  for (const { argv, env = {}, names } of cases) {
    const shown = [
      ...Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
      ...argv.map((a) => JSON.stringify(a)),
    ].join(' ');
    it(`${shown} throws a one-line ConfigError naming ${names.join(', ')}`, () => {
      assert.throws(
        () => parseConfig(argv, env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`);
          assert.equal(error.code, 'ERR_WS_ECHO_CONFIG');
          for (const name of names)
            assert.ok(error.message.includes(name), `${JSON.stringify(error.message)} names ${name}`);
          assert.doesNotMatch(error.message, /\n/, 'the message is one line');
          return true;
        },
      );
    });
  }
});

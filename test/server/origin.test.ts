// The Origin policy against cross-site WebSocket hijacking, on the built server
// as a child process: no Origin (tools) and the server's own host are
// accepted; any other browser origin gets HTTP 403 (never 101), is logged with
// its origin and counted under reason="origin"; --allowed-origins and its
// ALLOWED_ORIGINS twin add origins, `null` or `*`. (Bad entries: config.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logEntries, waitForLog } from '../support/child-process.ts';
import { acceptFor, Opcode } from '../support/frames.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { RawClient, rawHttp, upgradeRequest } from '../support/raw-client.ts';
import { serverProcesses, useServerProcess } from '../support/servers.ts';
import type { RunningServer } from '../support/spawn-server.ts';

/** The key Ruan Yifeng's tutorial prints; its page, opened from disk, sends `Origin: null`. */
const RUAN_YIFENG_KEY = 'sN9cRrP/n9NdMgdcy2VJFQ==';

const start = serverProcesses();

/** Handshakes with `origin` (none when undefined); resolves with the client, whatever the server answered. */
function handshake(
  server: RunningServer,
  origin: string | undefined,
  extra: Record<string, string> = {},
): Promise<RawClient> {
  return RawClient.connect(server.port, { headers: { ...(origin === undefined ? {} : { Origin: origin }), ...extra } });
}

/** Asserts the handshake became a WebSocket that echoes, then closes it. */
async function assertAccepted(server: RunningServer, origin: string | undefined): Promise<void> {
  const client = await handshake(server, origin);
  try {
    assert.equal(
      client.response.statusCode,
      101,
      `Origin ${origin ?? '(none)'} should be accepted; got ${client.response.statusLine}`,
    );
    const token = `hello from ${origin ?? 'no origin'}`;
    client.send({ opcode: Opcode.text, payload: token });
    const frame = await client.nextFrame();
    assert.equal(frame.opcode, Opcode.text);
    assert.equal(frame.payload.toString(), `Received: ${token}`);
  } finally {
    client.destroy();
  }
}

/** Asserts the handshake was answered with a plain HTTP 403 and the connection closed, no WebSocket. */
async function assertRefused(server: RunningServer, origin: string): Promise<void> {
  const client = await handshake(server, origin);
  try {
    assert.equal(
      client.response.statusCode,
      403,
      `Origin ${origin} should be refused with 403; got ${client.response.statusLine}`,
    );
    assert.equal(client.response.headers['sec-websocket-accept'], undefined, 'no accept header on a refusal');
    assert.equal(client.response.headers.upgrade, undefined, 'no Upgrade header on a refusal');
    await client.closed();
    assert.equal(client.body.toString(), 'Forbidden');
  } finally {
    client.destroy();
  }
}

async function refusedFor(server: RunningServer, reason: string): Promise<number> {
  return (await scrapeValue(server.url, 'ws_echo_handshakes_refused_total', { reason })) ?? 0;
}

describe('default policy (own host only)', () => {
  const server = useServerProcess();

  it('accepts a handshake with no Origin (tools, not browsers)', async () => {
    await assertAccepted(server, undefined);
  });

  it("accepts an Origin whose host is the Host header's (the server's own page)", async () => {
    await assertAccepted(server, `http://127.0.0.1:${server.port}`);
  });

  it('accepts its own host under whatever name the client used for it (Host: localhost:<port>)', async () => {
    const response = await rawHttp(
      server.port,
      upgradeRequest(server.port, {
        headers: { Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` },
      }),
    );
    assert.equal(response.statusCode, 101, response.statusLine);
    response.socket.destroy();
  });

  it('refuses a foreign Origin with 403 and logs the refusal with that origin', async () => {
    await assertRefused(server, 'http://evil.example');
    const line = await waitForLog(
      server,
      (e) => e.msg === 'upgrade refused' && e.origin === 'http://evil.example',
      'the refusal of http://evil.example',
    );
    assert.equal(line.status, 403);
    assert.equal(line.reason, 'origin');
    assert.equal(line.path, '/');
    assert.equal(line.level, 30, 'logged at info');
  });

  it('compares host and port exactly: same host on another port, or another name for it, is foreign', async () => {
    const otherPort = server.port === 65535 ? 65534 : server.port + 1;
    await assertRefused(server, `http://127.0.0.1:${otherPort}`);
    await assertRefused(server, `http://localhost:${server.port}`);
    await assertRefused(server, 'http://127.0.0.1');
  });

  it("refuses Ruan Yifeng's tutorial's handshake (its page opened from disk sends Origin: null)", async () => {
    const client = await handshake(server, 'null', { 'Sec-WebSocket-Protocol': 'echo-protocol' });
    assert.equal(client.response.statusCode, 403, client.response.statusLine);
    client.destroy();
    await waitForLog(server, (e) => e.msg === 'upgrade refused' && e.origin === 'null', 'the refusal of Origin null');
  });

  it('refuses an Origin that is not a URL at all', async () => {
    await assertRefused(server, 'garbage');
  });

  it('counts every origin refusal in ws_echo_handshakes_refused_total{reason="origin"} and nothing else', async () => {
    const originBefore = await refusedFor(server, 'origin');
    const pathBefore = await refusedFor(server, 'path');
    await assertRefused(server, 'https://evil.example');
    await assertRefused(server, 'http://attacker.example:8080');
    await assertAccepted(server, undefined);
    assert.equal(await refusedFor(server, 'origin'), originBefore + 2);
    assert.equal(await refusedFor(server, 'path'), pathBefore);
    // Every origin refusal in this describe was logged, once each.
    const refusals = () =>
      logEntries(server).filter((e) => e.msg === 'upgrade refused' && e.reason === 'origin').length;
    await waitForLog(server, () => refusals() >= originBefore + 2, `${originBefore + 2} origin refusals in the log`);
    assert.equal(refusals(), originBefore + 2);
  });
});

describe('--allowed-origins null', () => {
  const server = useServerProcess({ args: ['--allowed-origins', 'null'] });

  it("accepts Ruan Yifeng's tutorial's exact handshake: its key, Origin: null, echo-protocol", async () => {
    const tutorial = await RawClient.connect(server.port, {
      key: RUAN_YIFENG_KEY,
      protocol: 'echo-protocol',
      headers: { Origin: 'null' },
    });
    try {
      assert.equal(tutorial.response.statusCode, 101, tutorial.response.statusLine);
      assert.equal(tutorial.response.headers['sec-websocket-accept'], acceptFor(RUAN_YIFENG_KEY));
      assert.equal(tutorial.response.headers['sec-websocket-accept'], 'fFBooB7FAkLlXgRSz0BT3v4hq5s=');
      assert.equal(tutorial.response.headers['sec-websocket-protocol'], 'echo-protocol');
      tutorial.send({ opcode: Opcode.text, payload: 'Hello, world!' });
      assert.equal((await tutorial.nextFrame()).payload.toString(), 'Received: Hello, world!');
    } finally {
      tutorial.destroy();
    }
  });

  it('still accepts its own host and no Origin, and still refuses other sites', async () => {
    await assertAccepted(server, `http://127.0.0.1:${server.port}`);
    await assertAccepted(server, undefined);
    await assertRefused(server, 'http://evil.example');
  });
});

describe('--allowed-origins https://app.example,http://localhost:3000', () => {
  const server = useServerProcess({ args: ['--allowed-origins', 'https://app.example,http://localhost:3000'] });

  for (const origin of ['https://app.example', 'http://localhost:3000']) {
    it(`accepts ${origin}`, async () => {
      await assertAccepted(server, origin);
    });
  }

  it('still accepts its own host and no Origin', async () => {
    await assertAccepted(server, `http://127.0.0.1:${server.port}`);
    await assertAccepted(server, undefined);
  });

  // Near misses: another scheme, port, subdomain or suffix of an allowed origin.
  for (const origin of [
    'http://app.example',
    'https://app.example:8443',
    'https://www.app.example',
    'https://app.example.evil.example',
    'http://localhost:3001',
    'https://localhost:3000',
    'http://evil.example',
    'null',
  ]) {
    it(`refuses ${origin}`, async () => {
      await assertRefused(server, origin);
    });
  }
});

describe("--allowed-origins '*'", () => {
  const server = useServerProcess({ args: ['--allowed-origins', '*'] });

  for (const origin of ['http://evil.example', 'null', 'https://anything.example:1234', 'garbage', undefined]) {
    it(`accepts ${origin ?? 'no Origin'}`, async () => {
      await assertAccepted(server, origin);
    });
  }

  it('counts no origin refusals', async () => {
    assert.equal(await refusedFor(server, 'origin'), 0);
  });
});

describe('ALLOWED_ORIGINS (the environment twin)', () => {
  // Written loosely: case, a default port, a trailing slash and spaces are normalised to what browsers send.
  const server = useServerProcess({ env: { ALLOWED_ORIGINS: ' https://App.Example:443/ , null ' } });

  it('accepts the listed origins as browsers write them', async () => {
    await assertAccepted(server, 'https://app.example');
    await assertAccepted(server, 'null');
  });

  it('refuses origins not listed', async () => {
    await assertRefused(server, 'http://evil.example');
    await assertRefused(server, 'http://app.example');
  });

  it('the flag wins over the environment', async () => {
    const flagged = await start({
      args: ['--allowed-origins', 'http://flag.example'],
      env: { ALLOWED_ORIGINS: 'http://env.example' },
    });
    await assertAccepted(flagged, 'http://flag.example');
    await assertRefused(flagged, 'http://env.example');
  });
});

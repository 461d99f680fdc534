// --trust-proxy and --instance-id, tested directly (test/deploy/ tests them
// behind a real nginx): forwarded headers count only when the proxy is trusted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeCertificate, type TestCertificate } from '../support/certificate.ts';
import { logEntries, waitForLog } from '../support/child-process.ts';
import { open } from '../support/frame-assertions.ts';
import { health, httpGet } from '../support/http-request.ts';
import { RawClient } from '../support/raw-client.ts';
import { serverProcesses, useEchoServer, useServerProcess } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';

const trusted = useEchoServer(['--trust-proxy']);

/** The first message on /inspect, parsed. */
async function inspect(
  port: number,
  headers: Record<string, string>,
): Promise<{ remoteAddress: string; instance: string }> {
  const client = await open(port, { path: '/inspect', headers });
  const report = JSON.parse((await client.nextFrame()).payload.toString()) as {
    remoteAddress: string;
    instance: string;
  };
  client.destroy();
  return report;
}

describe('without --trust-proxy', () => {
  const s = useEchoServer(['--max-connections-per-ip', '1']);

  it('ignores X-Forwarded-For for /inspect and the per-IP cap, and X-Forwarded-Host for the Origin check', async () => {
    assert.equal((await inspect(s.port, { 'X-Forwarded-For': '203.0.113.9' })).remoteAddress, '127.0.0.1');
    const first = await open(s.port, { headers: { 'X-Forwarded-For': '203.0.113.1' } });
    const second = await RawClient.connect(s.port, { headers: { 'X-Forwarded-For': '203.0.113.2' } });
    assert.equal(second.response.statusCode, 503, 'a claimed address does not dodge the per-IP cap');
    first.destroy();
    const spoofedHost = await RawClient.connect(s.port, {
      headers: { Origin: 'http://public.example', 'X-Forwarded-Host': 'public.example' },
    });
    assert.equal(spoofedHost.response.statusCode, 403);
  });
});

describe('with --trust-proxy', () => {
  const capped = useEchoServer(['--trust-proxy', '--max-connections-per-ip', '1']);

  it("takes the client's address from the last X-Forwarded-For entry, the one the proxy added", async () => {
    assert.equal(
      (await inspect(trusted.port, { 'X-Forwarded-For': '10.9.9.9, 198.51.100.7' })).remoteAddress,
      '198.51.100.7',
    );
    assert.equal((await inspect(trusted.port, {})).remoteAddress, '127.0.0.1', 'no header: the socket address');
  });

  it('caps connections per forwarded address', async () => {
    const from = (address: string) => RawClient.connect(capped.port, { headers: { 'X-Forwarded-For': address } });
    const a = await from('198.51.100.1');
    const b = await from('198.51.100.2');
    const a2 = await from('198.51.100.1');
    assert.deepEqual([a.response.statusCode, b.response.statusCode, a2.response.statusCode], [101, 101, 503]);
    a.destroy();
    await a.closed();
    // The cap is released when that client's connection closes.
    const again = await waitFor('the forwarded address to get its slot back', async () => {
      const client = await from('198.51.100.1');
      return client.response.statusCode === 101 && client;
    });
    assert.equal(again.response.statusCode, 101);
  });

  it('checks Origin against the forwarded host', async () => {
    await open(trusted.port, {
      headers: { Origin: 'https://public.example', 'X-Forwarded-Host': 'public.example' },
    });
    const foreign = await RawClient.connect(trusted.port, {
      headers: { Origin: 'https://evil.example', 'X-Forwarded-Host': 'public.example' },
    });
    assert.equal(foreign.response.statusCode, 403);
  });
});

describe('the heartbeat names the client as the echo does', () => {
  const start = serverProcesses({ args: ['--heartbeat-interval', '100'] });

  /** A raw client that never answers pings; resolves with the 'connection opened' and the drop log lines. */
  async function dropped(args: string[], headers: Record<string, string>) {
    const server = await start({ args });
    const client = await RawClient.connect(server.port, { headers });
    assert.equal(client.response.statusCode, 101);
    const localPort = client.socket.localPort;
    // The only connection to this server, so the only open and drop lines.
    const opened = await waitForLog(server, (e) => e.msg === 'connection opened', 'the open line');
    const drop = await waitForLog(server, (e) => String(e.msg).startsWith('no pong'), 'the heartbeat drop line');
    await client.closed();
    return { opened, drop, localPort };
  }

  it('with --trust-proxy: the forwarded address, not the socket it came through', async () => {
    const { opened, drop } = await dropped(['--trust-proxy'], { 'X-Forwarded-For': '10.9.9.9, 198.51.100.7' });
    assert.equal(opened.peer, '198.51.100.7');
    assert.equal(drop.peer, opened.peer);
  });

  it('without it: the socket address and port, the same as the open line', async () => {
    const { opened, drop, localPort } = await dropped([], { 'X-Forwarded-For': '198.51.100.7' });
    assert.equal(opened.peer, `127.0.0.1:${localPort}`);
    assert.equal(drop.peer, opened.peer);
  });
});

describe('--instance-id', () => {
  const server = useServerProcess({ args: ['--instance-id', 'edge-a'] });

  it('names the instance in /healthz, /inspect and every log line', async () => {
    assert.equal((await health(server.url)).body.instance, 'edge-a');
    assert.equal((await inspect(server.port, {})).instance, 'edge-a');
    await waitForLog(server, (entry) => entry.msg === 'connection closed', 'the close log line');
    const entries = logEntries(server);
    assert.ok(entries.length >= 3);
    for (const entry of entries) assert.equal(entry.instance, 'edge-a', JSON.stringify(entry));
  });
});

describe('the page behind a trusted TLS-terminating proxy', () => {
  const direct = useEchoServer();
  let certificate: TestCertificate;
  before(async () => {
    certificate = await makeCertificate();
  });
  after(() => certificate?.remove());
  const tls = useEchoServer(() => [
    '--trust-proxy',
    '--tls-cert',
    certificate.certPath,
    '--tls-key',
    certificate.keyPath,
  ]);

  it("names the forwarded wss:// origin in the CSP's connect-src", async () => {
    const response = await httpGet(trusted.url, {
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'echo.example:8443' },
    });
    assert.match(
      String(response.headers['content-security-policy']),
      /connect-src 'self' wss:\/\/echo\.example:8443[;]/,
    );
    const ignored = await httpGet(direct.url, {
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'echo.example:8443' },
    });
    assert.match(
      String(ignored.headers['content-security-policy']),
      new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${direct.port};`),
    );
  });

  it('reads the same entry of a listed X-Forwarded-Proto and -Host as the upgrade router: the last one', async () => {
    const forwarded = { 'X-Forwarded-Proto': 'http, https', 'X-Forwarded-Host': 'evil.example, echo.example:8443' };
    const page = await httpGet(trusted.url, { headers: forwarded });
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self' wss:\/\/echo\.example:8443[;]/);
    const echo = await RawClient.connect(trusted.port, {
      headers: { ...forwarded, Origin: 'https://echo.example:8443' },
    });
    assert.equal(echo.response.statusCode, 101, 'the page’s own origin may open the echo');
    const first = await RawClient.connect(trusted.port, { headers: { ...forwarded, Origin: 'https://evil.example' } });
    assert.equal(first.response.statusCode, 403, 'the first, client-supplied entry counts for neither');
  });

  it('decides HSTS on the same forwarded host: the last X-Forwarded-Host entry, not a loopback name before it', async () => {
    const get = (host: string) =>
      httpGet(tls.url, { ca: certificate.cert, servername: 'localhost', headers: { 'X-Forwarded-Host': host } });
    const behindProxy = await get('localhost, echo.example');
    assert.match(String(behindProxy.headers['strict-transport-security']), /max-age=\d+/);
    const local = await get('echo.example, localhost');
    assert.equal(local.headers['strict-transport-security'], undefined, 'the proxy says localhost: no HSTS');
  });
});

// --trust-proxy and --instance-id, tested directly (test/deploy/ tests them
// behind a real nginx): forwarded headers count only when the proxy is trusted.
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { logEntries, neutralEnv, waitForLog } from '../support/child-process.ts';
import { makeCertificate } from '../support/certificate.ts';
import { httpGet } from '../support/http-request.ts';
import { startInProcess, type InProcessServer } from '../support/in-process.ts';
import { destroyAllRawClients, RawClient } from '../support/raw-client.ts';
import { startServer, type RunningServer } from '../support/spawn-server.ts';

const started: InProcessServer[] = [];
const children: RunningServer[] = [];
afterEach(() => destroyAllRawClients());
after(async () => {
  await Promise.all(started.map((s) => s.server.close()));
  await Promise.all(children.map((c) => c.stop('SIGKILL')));
});

async function start(flags: string[]): Promise<InProcessServer> {
  const s = await startInProcess(flags);
  started.push(s);
  return s;
}

/** The first message on /inspect, parsed. */
async function inspect(
  port: number,
  headers: Record<string, string>,
): Promise<{ remoteAddress: string; instance: string }> {
  const client = await RawClient.connect(port, { path: '/inspect', headers });
  assert.equal(client.response.statusCode, 101);
  const report = JSON.parse((await client.nextFrame()).payload.toString()) as {
    remoteAddress: string;
    instance: string;
  };
  client.destroy();
  return report;
}

describe('without --trust-proxy', () => {
  it('ignores X-Forwarded-For for /inspect and the per-IP cap, and X-Forwarded-Host for the Origin check', async () => {
    const s = await start(['--max-connections-per-ip', '1']);
    assert.equal((await inspect(s.port, { 'X-Forwarded-For': '203.0.113.9' })).remoteAddress, '127.0.0.1');
    const first = await RawClient.connect(s.port, { headers: { 'X-Forwarded-For': '203.0.113.1' } });
    assert.equal(first.response.statusCode, 101);
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
  it("takes the client's address from the last X-Forwarded-For entry, the one the proxy added", async () => {
    const s = await start(['--trust-proxy']);
    assert.equal(
      (await inspect(s.port, { 'X-Forwarded-For': '10.9.9.9, 198.51.100.7' })).remoteAddress,
      '198.51.100.7',
    );
    assert.equal((await inspect(s.port, {})).remoteAddress, '127.0.0.1', 'no header: the socket address');
  });

  it('caps connections per forwarded address', async () => {
    const s = await start(['--trust-proxy', '--max-connections-per-ip', '1']);
    const a = await RawClient.connect(s.port, { headers: { 'X-Forwarded-For': '198.51.100.1' } });
    const b = await RawClient.connect(s.port, { headers: { 'X-Forwarded-For': '198.51.100.2' } });
    const a2 = await RawClient.connect(s.port, { headers: { 'X-Forwarded-For': '198.51.100.1' } });
    assert.deepEqual([a.response.statusCode, b.response.statusCode, a2.response.statusCode], [101, 101, 503]);
    a.destroy();
    await a.closed();
    // The cap is released when that client's connection closes.
    let again: RawClient | undefined;
    for (let i = 0; i < 50 && again?.response.statusCode !== 101; i++) {
      again = await RawClient.connect(s.port, { headers: { 'X-Forwarded-For': '198.51.100.1' } });
      if (again.response.statusCode !== 101) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(again?.response.statusCode, 101);
  });

  it('checks Origin against the forwarded host', async () => {
    const s = await start(['--trust-proxy']);
    const through = await RawClient.connect(s.port, {
      headers: { Origin: 'https://public.example', 'X-Forwarded-Host': 'public.example' },
    });
    assert.equal(through.response.statusCode, 101);
    const foreign = await RawClient.connect(s.port, {
      headers: { Origin: 'https://evil.example', 'X-Forwarded-Host': 'public.example' },
    });
    assert.equal(foreign.response.statusCode, 403);
  });
});

describe('the heartbeat names the client as the echo does', () => {
  /** A raw client that never answers pings; resolves with the 'connection opened' and the drop log lines. */
  async function dropped(flags: string[], headers: Record<string, string>) {
    const server = await startServer({ args: ['--heartbeat-interval', '100', ...flags], env: neutralEnv() });
    children.push(server);
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
  it('names the instance in /healthz, /inspect and every log line', async () => {
    const server = await startServer({ args: ['--instance-id', 'edge-a'], env: neutralEnv() });
    children.push(server);
    const health = JSON.parse((await httpGet(`${server.url}healthz`)).body) as { instance: string };
    assert.equal(health.instance, 'edge-a');
    assert.equal((await inspect(Number(new URL(server.url).port), {})).instance, 'edge-a');
    await waitForLog(server, (entry) => entry.msg === 'connection closed', 'the close log line');
    const entries = logEntries(server);
    assert.ok(entries.length >= 3);
    for (const entry of entries) assert.equal(entry.instance, 'edge-a', JSON.stringify(entry));
  });
});

describe('the page behind a trusted TLS-terminating proxy', () => {
  it("names the forwarded wss:// origin in the CSP's connect-src", async () => {
    const s = await start(['--trust-proxy']);
    const response = await httpGet(s.url, {
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'echo.example:8443' },
    });
    assert.match(
      String(response.headers['content-security-policy']),
      /connect-src 'self' wss:\/\/echo\.example:8443[;]/,
    );
    const direct = await start([]);
    const ignored = await httpGet(direct.url, {
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'echo.example:8443' },
    });
    assert.match(
      String(ignored.headers['content-security-policy']),
      new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${direct.port};`),
    );
  });

  it('reads the same entry of a listed X-Forwarded-Proto and -Host as the upgrade router: the last one', async () => {
    const s = await start(['--trust-proxy']);
    const forwarded = { 'X-Forwarded-Proto': 'http, https', 'X-Forwarded-Host': 'evil.example, echo.example:8443' };
    const page = await httpGet(s.url, { headers: forwarded });
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self' wss:\/\/echo\.example:8443[;]/);
    const echo = await RawClient.connect(s.port, { headers: { ...forwarded, Origin: 'https://echo.example:8443' } });
    assert.equal(echo.response.statusCode, 101, 'the page’s own origin may open the echo');
    const first = await RawClient.connect(s.port, { headers: { ...forwarded, Origin: 'https://evil.example' } });
    assert.equal(first.response.statusCode, 403, 'the first, client-supplied entry counts for neither');
  });

  it('decides HSTS on the same forwarded host: the last X-Forwarded-Host entry, not a loopback name before it', async () => {
    const certificate = await makeCertificate();
    try {
      const s = await start(['--trust-proxy', '--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath]);
      const get = (host: string) =>
        httpGet(s.url, { ca: certificate.cert, servername: 'localhost', headers: { 'X-Forwarded-Host': host } });
      const behindProxy = await get('localhost, echo.example');
      assert.match(String(behindProxy.headers['strict-transport-security']), /max-age=\d+/);
      const local = await get('echo.example, localhost');
      assert.equal(local.headers['strict-transport-security'], undefined, 'the proxy says localhost: no HSTS');
    } finally {
      await certificate.remove();
    }
  });
});

// --trust-proxy and --instance-id, tested directly (test/deploy/ tests them
// behind a real nginx): forwarded headers count only when the proxy is trusted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logEntries, nonEmptyLines, runServer, waitForLog } from '../support/child-process.ts';
import { health, httpGet } from '../support/http-request.ts';
import { open } from '../support/frame-assertions.ts';
import { RawClient } from '../support/raw-client.ts';
import { useEchoServer, useServerProcess } from '../support/servers.ts';
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

  it('refuses an id with spaces or other characters in one line, exit 2', async () => {
    const result = await runServer(['--instance-id', 'a b']);
    assert.equal(result.code, 2);
    assert.equal(nonEmptyLines(result.stderr).length, 1);
    assert.match(result.stderr, /--instance-id="a b" is not valid/);
  });
});

describe('the page behind a trusted TLS-terminating proxy', () => {
  const direct = useEchoServer();

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
});

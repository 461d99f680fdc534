// Which Host the server answers to (server/hosts.ts), through raw TCP so the
// Host header is exactly what a rebound browser would send: on loopback a
// page, /healthz, /metrics and every WebSocket upgrade named with a foreign
// host are refused with 403, unless --allowed-hosts lists it; two Host
// headers get 400 everywhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scrapeValue } from '../support/prometheus.ts';
import { type RawHttpResponse, rawHttp, upgradeRequest } from '../support/raw-client.ts';
import { type InProcessServer, useEchoServer } from '../support/servers.ts';

/** GET `path` with exactly these header lines (Host included), over raw TCP. */
function get(port: number, path: string, headerLines: string[]): Promise<RawHttpResponse> {
  return rawHttp(port, `GET ${path} HTTP/1.1\r\n${[...headerLines, 'Connection: close'].join('\r\n')}\r\n\r\n`);
}

/** A WebSocket upgrade on / naming `host`, with the Origin a page served from that host sends. */
function upgrade(port: number, host: string, extra: Record<string, string> = {}): Promise<RawHttpResponse> {
  return rawHttp(port, upgradeRequest(port, { headers: { Host: host, Origin: `http://${host}`, ...extra } }));
}

async function refusals(s: InProcessServer, reason: string): Promise<number> {
  return (await scrapeValue(s.url, 'ws_echo_handshakes_refused_total', { reason })) ?? 0;
}

describe('bound to 127.0.0.1 (the default)', () => {
  const s = useEchoServer();

  it('refuses a rebound name: the upgrade, the page, /healthz and /metrics get 403 with a line naming --allowed-hosts', async () => {
    const refusedBefore = await refusals(s, 'host');
    const evil = `evil.example:${s.port}`;
    const answers = {
      upgrade: await upgrade(s.port, evil),
      page: await get(s.port, '/', [`Host: ${evil}`]),
      healthz: await get(s.port, '/healthz', [`Host: ${evil}`]),
      metrics: await get(s.port, '/metrics', [`Host: ${evil}`]),
    };
    for (const [what, response] of Object.entries(answers)) {
      assert.equal(response.statusCode, 403, `${what}: ${response.statusLine}`);
      const body = response.body.toString();
      assert.equal(
        body,
        'Blocked request. This host ("evil.example") is not allowed; start the server with --allowed-hosts "evil.example" to allow it',
        what,
      );
      assert.match(response.headers['content-type'] ?? '', /^text\/plain/, what);
      await response.closed();
    }
    assert.equal(await refusals(s, 'host'), refusedBefore + 1, 'the refused upgrade is counted under reason="host"');
  });

  it('answers loopback names and IP addresses: localhost, app.localhost, 127.0.0.1, [::1], another IP', async () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '192.0.2.7', 'LOCALHOST']) {
      const named = `${host}:${s.port}`;
      assert.equal((await upgrade(s.port, named)).statusCode, 101, `upgrade with Host: ${named}`);
      assert.equal((await get(s.port, '/healthz', [`Host: ${named}`])).statusCode, 200, `/healthz with Host: ${named}`);
    }
    // Host without a port (the default port) too.
    assert.equal((await get(s.port, '/', ['Host: localhost'])).statusCode, 200);
  });

  it('refuses names that only look local: localhost.evil.example, 127.0.0.1.nip.io, a bracket that is not IPv6', async () => {
    for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', 'localhost.', '[evil.example]']) {
      assert.equal((await upgrade(s.port, host)).statusCode, 403, `Host: ${host}`);
      assert.equal((await get(s.port, '/', [`Host: ${host}`])).statusCode, 403, `page with Host: ${host}`);
    }
  });
});

describe('--allowed-hosts evil.example', () => {
  const s = useEchoServer(['--allowed-hosts', 'evil.example']);

  it('lets that name in, and only it', async () => {
    assert.equal((await upgrade(s.port, `evil.example:${s.port}`)).statusCode, 101);
    assert.equal((await get(s.port, '/metrics', [`Host: evil.example:${s.port}`])).statusCode, 200);
    assert.equal((await upgrade(s.port, `sub.evil.example:${s.port}`)).statusCode, 403);
    assert.equal((await upgrade(s.port, `other.example:${s.port}`)).statusCode, 403);
    assert.equal((await upgrade(s.port, `localhost:${s.port}`)).statusCode, 101, 'loopback names still');
  });
});

describe('--allowed-hosts app.test,.example.com', () => {
  const s = useEchoServer(['--allowed-hosts', 'app.test,.example.com']);

  it('a leading dot allows the name and its subdomains', async () => {
    for (const host of ['example.com', 'a.example.com', 'a.b.example.com', 'app.test'])
      assert.equal((await upgrade(s.port, host)).statusCode, 101, `Host: ${host}`);
    for (const host of ['badexample.com', 'example.com.evil', 'x.app.test'])
      assert.equal((await upgrade(s.port, host)).statusCode, 403, `Host: ${host}`);
  });
});

describe('--allowed-hosts *', () => {
  const s = useEchoServer(['--allowed-hosts', '*']);

  it('allows any host', async () => {
    assert.equal((await upgrade(s.port, 'evil.example')).statusCode, 101);
    assert.equal((await get(s.port, '/', ['Host: evil.example'])).statusCode, 200);
  });
});

describe('bound to 0.0.0.0: the operator decides', () => {
  const open = useEchoServer(['--host', '0.0.0.0']);
  const listed = useEchoServer(['--host', '0.0.0.0', '--allowed-hosts', 'public.example']);

  it('any host is answered unless --allowed-hosts is given', async () => {
    assert.equal((await upgrade(open.port, 'public.example')).statusCode, 101);
    assert.equal((await get(open.port, '/healthz', ['Host: public.example'])).statusCode, 200);
    assert.equal((await upgrade(listed.port, 'public.example')).statusCode, 101);
    assert.equal((await upgrade(listed.port, 'evil.example')).statusCode, 403);
  });
});

describe('behind --trust-proxy: the operator decides', () => {
  const proxied = useEchoServer(['--trust-proxy']);
  const listed = useEchoServer(['--trust-proxy', '--allowed-hosts', 'public.example']);

  it('the forwarded host is what --allowed-hosts checks; without a list nothing is', async () => {
    assert.equal(
      (await upgrade(proxied.port, 'public.example', { 'X-Forwarded-Host': 'public.example' })).statusCode,
      101,
    );
    const forwarded = (host: string) =>
      rawHttp(
        listed.port,
        upgradeRequest(listed.port, { headers: { 'X-Forwarded-Host': host, Origin: `https://${host}` } }),
      );
    assert.equal((await forwarded('public.example')).statusCode, 101);
    assert.equal((await forwarded('evil.example')).statusCode, 403);
    assert.equal(
      (await get(listed.port, '/healthz', ['Host: 127.0.0.1', 'X-Forwarded-Host: evil.example'])).statusCode,
      403,
    );
  });
});

describe('two Host headers (RFC 9112 section 3.2)', () => {
  const any = useEchoServer(['--allowed-hosts', '*']);
  const s = useEchoServer();

  it('are refused with 400 on an upgrade, counted as invalid_handshake, before Node takes the first', async () => {
    const refusedBefore = await refusals(any, 'invalid_handshake');
    const request = upgradeRequest(any.port).replace('\r\n\r\n', `\r\nHost: other.example\r\n\r\n`);
    assert.equal((request.match(/^Host:/gim) ?? []).length, 2);
    const response = await rawHttp(any.port, request);
    assert.equal(response.statusCode, 400);
    assert.equal(response.body.toString(), 'Bad Request: more than one Host header');
    await response.closed();
    assert.equal(await refusals(any, 'invalid_handshake'), refusedBefore + 1);
  });

  it('are refused with 400 on the page and /healthz, even when both name this server', async () => {
    for (const path of ['/', '/healthz']) {
      const response = await get(s.port, path, [`Host: 127.0.0.1:${s.port}`, `host: 127.0.0.1:${s.port}`]);
      assert.equal(response.statusCode, 400, path);
      assert.equal(response.body.toString(), 'Bad Request: more than one Host header', path);
    }
  });
});

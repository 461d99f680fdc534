// Which Host the server answers to (server/hosts.ts), through raw TCP so the
// Host header is exactly what a rebound browser would send: on loopback a
// page, /healthz, /metrics and every WebSocket upgrade named with a foreign
// host are refused with 403, unless --allowed-hosts lists it; two Host
// headers get 400 everywhere.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { destroyAllRawHttp, rawHttp, upgradeRequest, type RawHttpResponse } from '../support/conformance.ts';
import { startInProcess, type InProcessServer } from '../support/in-process.ts';
import { parseMetrics, sampleValue } from '../support/prometheus.ts';

const servers = new Set<InProcessServer>();

async function start(flags: string[] = []): Promise<InProcessServer> {
  const s = await startInProcess(flags);
  servers.add(s);
  return s;
}

after(async () => {
  destroyAllRawHttp();
  await Promise.all([...servers].map((s) => s.server.close()));
});

/** GET `path` with exactly these header lines (Host included), over raw TCP. */
function get(port: number, path: string, headerLines: string[]): Promise<RawHttpResponse> {
  return rawHttp(port, `GET ${path} HTTP/1.1\r\n${[...headerLines, 'Connection: close'].join('\r\n')}\r\n\r\n`);
}

/** A WebSocket upgrade on / naming `host`, with the Origin a page served from that host sends. */
function upgrade(port: number, host: string, extra: Record<string, string> = {}): Promise<RawHttpResponse> {
  return rawHttp(port, upgradeRequest(port, { headers: { Host: host, Origin: `http://${host}`, ...extra } }));
}

async function refusals(s: InProcessServer, reason: string): Promise<number | undefined> {
  const response = await fetch(new URL('/metrics', s.url));
  return sampleValue(parseMetrics(await response.text()), 'ws_echo_handshakes_refused_total', { reason });
}

describe('bound to 127.0.0.1 (the default)', () => {
  it('refuses a rebound name: the upgrade, the page, /healthz and /metrics get 403 with a line naming --allowed-hosts', async () => {
    const s = await start();
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
    assert.equal(await refusals(s, 'host'), 1, 'the refused upgrade is counted under reason="host"');
  });

  it('answers loopback names and IP addresses: localhost, app.localhost, 127.0.0.1, [::1], another IP', async () => {
    const s = await start();
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '192.0.2.7', 'LOCALHOST']) {
      const named = `${host}:${s.port}`;
      assert.equal((await upgrade(s.port, named)).statusCode, 101, `upgrade with Host: ${named}`);
      assert.equal((await get(s.port, '/healthz', [`Host: ${named}`])).statusCode, 200, `/healthz with Host: ${named}`);
    }
    // Host without a port (the default port) too.
    assert.equal((await get(s.port, '/', ['Host: localhost'])).statusCode, 200);
  });

  it('refuses names that only look local: localhost.evil.example, 127.0.0.1.nip.io, a bracket that is not IPv6', async () => {
    const s = await start();
    for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', 'localhost.', '[evil.example]']) {
      assert.equal((await upgrade(s.port, host)).statusCode, 403, `Host: ${host}`);
      assert.equal((await get(s.port, '/', [`Host: ${host}`])).statusCode, 403, `page with Host: ${host}`);
    }
  });

  it('--allowed-hosts evil.example lets that name in, and only it', async () => {
    const s = await start(['--allowed-hosts', 'evil.example']);
    assert.equal((await upgrade(s.port, `evil.example:${s.port}`)).statusCode, 101);
    assert.equal((await get(s.port, '/metrics', [`Host: evil.example:${s.port}`])).statusCode, 200);
    assert.equal((await upgrade(s.port, `sub.evil.example:${s.port}`)).statusCode, 403);
    assert.equal((await upgrade(s.port, `other.example:${s.port}`)).statusCode, 403);
  });

  it('a leading dot allows the name and its subdomains; * allows any host', async () => {
    const dotted = await start(['--allowed-hosts', 'app.test,.example.com']);
    for (const host of ['example.com', 'a.example.com', 'a.b.example.com', 'app.test'])
      assert.equal((await upgrade(dotted.port, host)).statusCode, 101, `Host: ${host}`);
    for (const host of ['badexample.com', 'example.com.evil', 'x.app.test'])
      assert.equal((await upgrade(dotted.port, host)).statusCode, 403, `Host: ${host}`);
    const any = await start(['--allowed-hosts', '*']);
    assert.equal((await upgrade(any.port, 'evil.example')).statusCode, 101);
    assert.equal((await get(any.port, '/', ['Host: evil.example'])).statusCode, 200);
  });
});

describe('bound elsewhere, or behind a proxy: the operator decides', () => {
  it('bound to 0.0.0.0, any host is answered unless --allowed-hosts is given', async () => {
    const open = await start(['--host', '0.0.0.0']);
    assert.equal((await upgrade(open.port, 'public.example')).statusCode, 101);
    assert.equal((await get(open.port, '/healthz', ['Host: public.example'])).statusCode, 200);
    const listed = await start(['--host', '0.0.0.0', '--allowed-hosts', 'public.example']);
    assert.equal((await upgrade(listed.port, 'public.example')).statusCode, 101);
    assert.equal((await upgrade(listed.port, 'evil.example')).statusCode, 403);
  });

  it('with --trust-proxy, the forwarded host is what --allowed-hosts checks; without a list nothing is', async () => {
    const proxied = await start(['--trust-proxy']);
    assert.equal(
      (await upgrade(proxied.port, 'public.example', { 'X-Forwarded-Host': 'public.example' })).statusCode,
      101,
    );
    const listed = await start(['--trust-proxy', '--allowed-hosts', 'public.example']);
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
  it('are refused with 400 on an upgrade, counted as invalid_handshake, before Node takes the first', async () => {
    const s = await start(['--allowed-hosts', '*']);
    const request = upgradeRequest(s.port).replace('\r\n\r\n', `\r\nHost: other.example\r\n\r\n`);
    assert.equal((request.match(/^Host:/gim) ?? []).length, 2);
    const response = await rawHttp(s.port, request);
    assert.equal(response.statusCode, 400);
    assert.equal(response.body.toString(), 'Bad Request: more than one Host header');
    await response.closed();
    assert.equal(await refusals(s, 'invalid_handshake'), 1);
  });

  it('are refused with 400 on the page and /healthz, even when both name this server', async () => {
    const s = await start();
    for (const path of ['/', '/healthz']) {
      const response = await get(s.port, path, [`Host: 127.0.0.1:${s.port}`, `host: 127.0.0.1:${s.port}`]);
      assert.equal(response.statusCode, 400, path);
      assert.equal(response.body.toString(), 'Bad Request: more than one Host header', path);
    }
  });
});

// TLS on the built server (a child process) with a self-signed certificate
// for localhost/127.0.0.1 made by openssl while the tests run: https for the
// page and the operations endpoints, wss for the echo, on one port; plain
// http on that port gets nothing. (Bad certificate settings: config.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { makeCertificate, type TestCertificate } from '../support/certificate.ts';
import { httpGet, parseCsp } from '../support/http-request.ts';
import { RawClient, RawConnection } from '../support/raw-client.ts';
import { serverProcesses } from '../support/servers.ts';
import type { RunningServer } from '../support/spawn-server.ts';
import { withTimeout } from '../support/wait.ts';
import { closed, echoOf, openClient, receive, refusedStatus } from '../support/ws-client.ts';

let certificate: TestCertificate;
before(async () => {
  certificate = await makeCertificate();
});
after(() => certificate?.remove());

const start = serverProcesses();

describe('--tls-cert and --tls-key', () => {
  let server: RunningServer;
  before(async () => {
    server = await start({ args: ['--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath] });
  });

  it('prints an https URL, and the ws URL derived from it is wss', () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.wsUrl, `wss://127.0.0.1:${server.port}/`);
  });

  it('serves the page over https with a CSP that allows wss back to this host and upgrades insecure requests', async () => {
    const response = await httpGet(server.url, { ca: certificate.cert });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /<title>WebSocket Echo Test<\/title>/);
    const csp = parseCsp(response.headers['content-security-policy'] as string | undefined);
    assert.deepEqual(csp.get('connect-src'), ["'self'", `wss://127.0.0.1:${server.port}`]);
    assert.deepEqual(csp.get('upgrade-insecure-requests'), []);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });

  it('sends Strict-Transport-Security (at least a year) when the page is reached by a real host name', async () => {
    // The certificate is for localhost; the Host header is what the server sees as the page's name.
    const response = await httpGet(server.url, {
      ca: certificate.cert,
      servername: 'localhost',
      headers: { Host: `echo.example:${server.port}` },
    });
    assert.equal(response.status, 200);
    const hsts = String(response.headers['strict-transport-security'] ?? '');
    const maxAge = Number(/(?:^|;\s*)max-age=(\d+)/.exec(hsts)?.[1] ?? NaN);
    assert.ok(
      maxAge >= 365 * 24 * 60 * 60,
      `Strict-Transport-Security with max-age of a year or more, got ${JSON.stringify(hsts)}`,
    );
    const csp = parseCsp(response.headers['content-security-policy'] as string | undefined);
    assert.deepEqual(csp.get('connect-src'), ["'self'", `wss://echo.example:${server.port}`]);
  });

  it('sends no Strict-Transport-Security to loopback names, where it would pin every local server to https (README)', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`]) {
      const response = await httpGet(server.url, {
        ca: certificate.cert,
        servername: 'localhost',
        headers: { Host: host },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers['strict-transport-security'], undefined, `no HSTS for Host: ${host}`);
    }
  });

  it('answers /healthz and /metrics over https', async () => {
    const health = await httpGet(new URL('/healthz', server.url).href, { ca: certificate.cert });
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.body) as { status: string }).status, 'ok');
    const metrics = await httpGet(new URL('/metrics', server.url).href, { ca: certificate.cert });
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^ws_echo_connections_open \d+$/m);
  });

  it('echoes over wss with the certificate trusted, negotiating echo-protocol', async () => {
    const ws = await openClient(server.wsUrl, 'echo-protocol', { ca: certificate.cert });
    assert.equal(ws.protocol, 'echo-protocol');
    const replies = receive(ws, 2);
    ws.send('Hello, world!');
    ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    const [text, binary] = await replies;
    assert.deepEqual(
      { data: text?.data.toString(), isBinary: text?.isBinary },
      { data: 'Received: Hello, world!', isBinary: false },
    );
    assert.deepEqual(binary, { data: Buffer.from([0, 1, 2, 255]), isBinary: true });
    const closing = closed(ws);
    ws.close(1000, 'done');
    assert.deepEqual(await closing, { code: 1000, reason: 'done' });
  });

  it('echoes over wss with certificate checks off (rejectUnauthorized: false), and without an offered protocol picks none', async () => {
    const ws = await openClient(server.wsUrl, undefined, { rejectUnauthorized: false });
    assert.equal(ws.protocol, '');
    assert.equal((await echoOf(ws, 'insecure but encrypted')).data.toString(), 'Received: insecure but encrypted');
    ws.close();
  });

  it('is really TLS: a client that does not trust the certificate fails the handshake', async () => {
    const ws = new WebSocket(server.wsUrl);
    const failed = new Promise<Error & { code?: string }>((resolve, reject) => {
      ws.once('error', resolve);
      ws.once('open', () => reject(new Error('a wss handshake with an untrusted self-signed certificate succeeded')));
    });
    const error = await withTimeout(failed, 'the untrusted handshake to fail');
    assert.match(String(error.code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    ws.terminate();
  });

  it('keeps the Origin policy over wss: the own https origin is accepted, another site gets 403', async () => {
    const own = await openClient(server.wsUrl, undefined, {
      ca: certificate.cert,
      origin: `https://127.0.0.1:${server.port}`,
    });
    own.close();
    assert.equal(await refusedStatus(server.wsUrl, { ca: certificate.cert, origin: 'https://evil.example' }), 403);
  });

  it('does not serve the page to plain http on the TLS port', async () => {
    const plain = new RawConnection(server.port);
    plain.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
    await plain.closed(); // a reset ends the exchange like a close
    const text = plain.raw.toString('latin1');
    assert.doesNotMatch(text, /^HTTP\/1\.[01] 200/, 'no 200 over plain http');
    assert.doesNotMatch(text, /WebSocket Echo Test/, 'no page over plain http');
  });

  it('does not open a plain ws:// connection on the TLS port', async () => {
    await assert.rejects(RawClient.connect(server.port), /closed before the response head|timed out/);
    const plain = new WebSocket(server.wsUrl.replace(/^wss:/, 'ws:'));
    plain.on('error', () => {});
    const outcome = new Promise<string>((resolve) => {
      plain.once('open', () => resolve('open'));
      plain.once('unexpected-response', (req, res) => {
        res.resume();
        req.destroy();
        resolve(`HTTP ${res.statusCode}`);
      });
      plain.once('error', (error) => resolve(`error: ${error.message}`));
    });
    assert.match(await withTimeout(outcome, 'the plain ws handshake to end'), /^error: /);
    plain.terminate();
  });

  it('after all that, still echoes over wss', async () => {
    const ws = await openClient(server.wsUrl, 'echo-protocol', { ca: certificate.cert });
    assert.equal((await echoOf(ws, 'still here')).data.toString(), 'Received: still here');
    ws.close();
  });
});

describe('TLS_CERT and TLS_KEY (the environment twins)', () => {
  it('serve https and wss like the flags', async () => {
    const server = await start({ env: { TLS_CERT: certificate.certPath, TLS_KEY: certificate.keyPath } });
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await httpGet(server.url, { ca: certificate.cert });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>WebSocket Echo Test<\/title>/);
    const ws = await openClient(server.wsUrl, 'echo-protocol', { ca: certificate.cert });
    assert.equal(ws.protocol, 'echo-protocol');
    assert.equal((await echoOf(ws, 'over env TLS')).data.toString(), 'Received: over env TLS');
    ws.close();
  });
});

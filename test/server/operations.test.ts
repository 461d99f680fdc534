// What operators see: GET /healthz and GET /metrics (in-process, each describe
// on its own fresh server so counts are exact) and the page's security
// headers. (The command line's --help and errors: config.test.ts.)
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { open } from '../support/frame-assertions.ts';
import { closePayload, Opcode } from '../support/frames.ts';
import { health, httpGet, openConnections, parseCsp } from '../support/http-request.ts';
import { type Exposition, parseMetrics, sampleValue, scrape } from '../support/prometheus.ts';
import { RawClient, rawHttp, upgradeRequest } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { waitFor } from '../support/wait.ts';
import { closed, openClient, receive } from '../support/ws-client.ts';

describe('GET /healthz', () => {
  const s = useEchoServer();

  it('answers 200 JSON {status: "ok", instance, uptimeSeconds, connections: 0} on a fresh server', async () => {
    const { status, contentType, body } = await health(s.url);
    assert.equal(status, 200);
    assert.match(contentType, /^application\/json/);
    assert.deepEqual(Object.keys(body).sort(), ['connections', 'instance', 'status', 'uptimeSeconds']);
    assert.equal(body.status, 'ok');
    assert.equal(body.instance, `${hostname()}-${process.pid}`, 'the default instance id: host and pid');
    assert.ok(
      Number.isInteger(body.uptimeSeconds) && body.uptimeSeconds >= 0 && body.uptimeSeconds < 60,
      `uptimeSeconds ${body.uptimeSeconds}`,
    );
    assert.equal(body.connections, 0);
  });

  it('counts open WebSocket connections as they open and close', async () => {
    const first = await openClient(s.wsUrl);
    const second = await openClient(s.wsUrl, 'echo-protocol');
    // The server has the connection before it answers 101, so the count is already right.
    assert.equal(await openConnections(s.url), 2);

    const firstClosed = closed(first);
    first.close(1000);
    await firstClosed;
    await waitFor('healthz to count 1 connection', async () => (await openConnections(s.url)) === 1);

    const refused = await RawClient.connect(s.port, { path: '/not-here' });
    assert.equal(refused.response.statusCode, 404);
    refused.destroy();
    assert.equal(await openConnections(s.url), 1, 'a refused upgrade is not a connection');

    second.terminate();
    const last = await waitFor('healthz to count 0 connections', async () => {
      const h = await health(s.url);
      return h.body.connections === 0 && h;
    });
    assert.equal(last.status, 200);
    assert.equal(last.body.status, 'ok');
  });
});

describe('GET /metrics', () => {
  const s = useEchoServer();

  const texts = ['a', 'hello', 'héllo wörld ✓'];
  const binaries = [Buffer.from([1, 2, 3]), Buffer.alloc(1000, 7)];
  const textBytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
  const binaryBytes = binaries.reduce((sum, b) => sum + b.length, 0);

  /** Closes `ws` with `code`; resolves with the first /metrics that counts that code once. */
  async function closeAndCount(ws: WebSocket, code: number, reason: string): Promise<Exposition> {
    const closing = closed(ws);
    ws.close(code, reason);
    await closing;
    return waitFor(`ws_echo_closes_total{code="${code}"} to be 1`, async () => {
      const m = await scrape(s.url);
      return sampleValue(m, 'ws_echo_closes_total', { code: String(code) }) === 1 && m;
    });
  }

  it('is Prometheus text (text/plain; version=0.0.4) with HELP and TYPE for each ws_echo_ metric', async () => {
    const response = await fetch(new URL('/metrics', s.url));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4(;|$)/);
    const exposition = parseMetrics(await response.text());
    const expected: Record<string, string> = {
      ws_echo_connections_open: 'gauge',
      ws_echo_connections_total: 'counter',
      ws_echo_messages_received_total: 'counter',
      ws_echo_bytes_received_total: 'counter',
      ws_echo_messages_sent_total: 'counter',
      ws_echo_bytes_sent_total: 'counter',
      ws_echo_closes_total: 'counter',
      ws_echo_handshakes_refused_total: 'counter',
      ws_echo_nodejs_eventloop_lag_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      assert.equal(exposition.types.get(name), type, `# TYPE ${name} ${type}`);
      assert.ok(exposition.help.get(name), `# HELP ${name}`);
    }
  });

  it('starts at zero on a fresh server', async () => {
    const m = await scrape(s.url);
    assert.equal(sampleValue(m, 'ws_echo_connections_open'), 0);
    assert.equal(sampleValue(m, 'ws_echo_connections_total'), 0);
    for (const name of [
      'ws_echo_messages_received_total',
      'ws_echo_bytes_received_total',
      'ws_echo_messages_sent_total',
      'ws_echo_bytes_sent_total',
    ]) {
      for (const type of ['text', 'binary']) assert.equal(sampleValue(m, name, { type }), 0, `${name}{type="${type}"}`);
    }
    assert.equal(m.samples.filter((x) => x.name === 'ws_echo_closes_total').length, 0, 'no closes yet');
    assert.equal(m.samples.filter((x) => x.name === 'ws_echo_handshakes_refused_total').length, 0, 'no refusals yet');
  });

  it('counts the traffic exactly: 3 text and 2 binary messages in, and the replies out with the 10-byte "Received: " prefix', async () => {
    const ws = await openClient(s.wsUrl, 'echo-protocol');
    const replies = receive(ws, texts.length + binaries.length);
    for (const text of texts) ws.send(text);
    for (const bytes of binaries) ws.send(bytes, { binary: true });
    const got = await replies;
    assert.deepEqual(
      got.map((r) => (r.isBinary ? r.data.length : r.data.toString())),
      [...texts.map((t) => `Received: ${t}`), ...binaries.map((b) => b.length)],
    );

    const open = await scrape(s.url);
    assert.equal(sampleValue(open, 'ws_echo_connections_open'), 1);
    assert.equal(sampleValue(open, 'ws_echo_connections_total'), 1);
    assert.equal(sampleValue(open, 'ws_echo_messages_received_total', { type: 'text' }), 3);
    assert.equal(sampleValue(open, 'ws_echo_messages_received_total', { type: 'binary' }), 2);
    assert.equal(sampleValue(open, 'ws_echo_bytes_received_total', { type: 'text' }), textBytes);
    assert.equal(sampleValue(open, 'ws_echo_bytes_received_total', { type: 'binary' }), binaryBytes);
    assert.equal(sampleValue(open, 'ws_echo_messages_sent_total', { type: 'text' }), 3);
    assert.equal(sampleValue(open, 'ws_echo_messages_sent_total', { type: 'binary' }), 2);
    assert.equal(sampleValue(open, 'ws_echo_bytes_sent_total', { type: 'text' }), textBytes + 3 * 'Received: '.length);
    assert.equal(sampleValue(open, 'ws_echo_bytes_sent_total', { type: 'binary' }), binaryBytes);

    const afterClose = await closeAndCount(ws, 1000, 'done');
    assert.equal(sampleValue(afterClose, 'ws_echo_connections_open'), 0);
    assert.equal(
      sampleValue(afterClose, 'ws_echo_connections_total'),
      1,
      'a closed connection stays counted in the total',
    );
    assert.equal(
      afterClose.samples.filter((x) => x.name === 'ws_echo_closes_total').length,
      1,
      'only code 1000 so far',
    );
    assert.equal(
      sampleValue(afterClose, 'ws_echo_messages_received_total', { type: 'text' }),
      3,
      'the close frame is not a message',
    );
  });

  it('counts a client-chosen close code under its own label', async () => {
    const m = await closeAndCount(await openClient(s.wsUrl), 4001, 'custom');
    assert.equal(sampleValue(m, 'ws_echo_closes_total', { code: '1000' }), 1);
    assert.equal(sampleValue(m, 'ws_echo_connections_total'), 2);
  });

  it('counts refused handshakes by reason: an unknown path (404) and a bad version (426)', async () => {
    const notFound = await RawClient.connect(s.port, { path: '/no-such-path' });
    assert.equal(notFound.response.statusCode, 404);
    notFound.destroy();
    const badVersion = await rawHttp(s.port, upgradeRequest(s.port, { headers: { 'Sec-WebSocket-Version': '8' } }));
    assert.equal(badVersion.statusCode, 426);
    assert.equal(badVersion.headers['sec-websocket-version'], '13');
    const badVersion2 = await rawHttp(s.port, upgradeRequest(s.port, { headers: { 'Sec-WebSocket-Version': '14' } }));
    assert.equal(badVersion2.statusCode, 426);

    const m = await scrape(s.url);
    assert.equal(sampleValue(m, 'ws_echo_handshakes_refused_total', { reason: 'path' }), 1);
    assert.equal(sampleValue(m, 'ws_echo_handshakes_refused_total', { reason: 'version' }), 2);
    assert.equal(
      sampleValue(m, 'ws_echo_handshakes_refused_total', { reason: 'origin' }),
      undefined,
      'nothing refused for origin',
    );
    assert.equal(sampleValue(m, 'ws_echo_connections_total'), 2, 'refusals are not connections');
  });

  it('reports the event-loop lag (ws_echo_nodejs_eventloop_lag_seconds) as a small non-negative number', async () => {
    const m = await scrape(s.url);
    const lag = sampleValue(m, 'ws_echo_nodejs_eventloop_lag_seconds');
    assert.ok(lag !== undefined && Number.isFinite(lag) && lag >= 0 && lag < 5, `lag ${lag}`);
    // Node's process metrics come with the same prefix.
    assert.ok(
      m.samples.some(
        (x) => x.name === 'ws_echo_process_resident_memory_bytes' || x.name === 'ws_echo_nodejs_heap_size_used_bytes',
      ),
    );
  });
});

describe('GET /metrics while closing', () => {
  const s = useEchoServer(['--shutdown-grace', '5000']);

  it('does not count a reply as sent when the connection is already closing and nothing goes out', async () => {
    const client = await open(s.port);
    const stopping = s.server.close();
    const frame = await client.nextFrame();
    assert.equal(frame.opcode, Opcode.close, 'the server began closing');

    // RFC 6455 §5.5.1: the client may still send data until it sends its own close frame.
    client.send({ opcode: Opcode.text, payload: 'after the close frame' });
    await waitFor('the server to read the message', () => s.server.metrics.received.text.messages === 1);
    // The server's close frame was its last (RFC 6455 §5.5.1), so the reply was dropped, not sent.
    const next = await client.nextFrame(200).then(
      (f) => `opcode 0x${f.opcode.toString(16)}`,
      () => 'nothing',
    );
    assert.equal(next, 'nothing', 'no frame after the close frame');
    client.send({ opcode: Opcode.close, payload: closePayload(1001) });
    await stopping;
    assert.deepEqual(
      { messages: s.server.metrics.sent.text.messages, bytes: s.server.metrics.sent.text.bytes },
      { messages: 0, bytes: 0 },
      'ws_echo_messages_sent_total / ws_echo_bytes_sent_total count a reply that never left the server',
    );
  });
});

describe('security headers on the page (production build)', () => {
  const s = useEchoServer();
  const named = useEchoServer(['--connect-src', 'ws://localhost:9000, wss://echo.example/path']);
  const any = useEchoServer(['--connect-src', '*']);

  it("has a CSP of only 'self' for scripts and styles, ws back to this host, no plugins and no framing, and nosniff", async () => {
    const response = await httpGet(s.url);
    assert.equal(response.status, 200);
    const csp = parseCsp(response.headers['content-security-policy'] as string | undefined);
    assert.deepEqual(csp.get('default-src'), ["'self'"]);
    assert.deepEqual(csp.get('script-src'), ["'self'"]);
    assert.deepEqual(csp.get('style-src'), ["'self'"]);
    assert.deepEqual(csp.get('connect-src'), ["'self'", `ws://127.0.0.1:${s.port}`]);
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.equal(csp.has('upgrade-insecure-requests'), false, 'no upgrade to an https that is not there');
    assert.doesNotMatch(String(response.headers['content-security-policy']), /unsafe-inline|unsafe-eval|\*/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['strict-transport-security'], undefined, 'no HSTS over plain http');
    assert.equal(response.headers['x-powered-by'], undefined);
  });

  it('names the ws origin from the Host the client used (ws://localhost:<port>)', async () => {
    const response = await httpGet(s.url, { headers: { Host: `localhost:${s.port}` } });
    assert.deepEqual(parseCsp(response.headers['content-security-policy'] as string | undefined).get('connect-src'), [
      "'self'",
      `ws://localhost:${s.port}`,
    ]);
  });

  it('cannot be given extra CSP directives through a crafted Host header', async () => {
    const response = await httpGet(s.url, { headers: { Host: `127.0.0.1:${s.port}; script-src 'unsafe-inline' *` } });
    const header = String(response.headers['content-security-policy'] ?? '');
    assert.ok(header, 'still has a CSP');
    const csp = parseCsp(header); // throws on a duplicated directive
    assert.deepEqual(csp.get('script-src'), ["'self'"]);
    // What is left of the Host is at most a harmless bogus source inside connect-src: no quoted keyword, no wildcard.
    assert.doesNotMatch(header, /'unsafe-inline'|'unsafe-eval'/);
    for (const [name, sources] of csp) assert.ok(!sources.includes('*'), `${name} has no * source: ${header}`);
    assert.equal(csp.get('connect-src')?.length, 2, `connect-src is 'self' and one ws origin: ${header}`);
  });

  it('lets the page reach the other servers named with --connect-src, or any ws/wss server with *', async () => {
    const connectSrc = async (url: string) =>
      parseCsp((await httpGet(url)).headers['content-security-policy'] as string | undefined).get('connect-src');
    assert.deepEqual(await connectSrc(named.url), [
      "'self'",
      `ws://127.0.0.1:${named.port}`,
      'ws://localhost:9000',
      'wss://echo.example',
    ]);
    assert.deepEqual(await connectSrc(any.url), ["'self'", `ws://127.0.0.1:${any.port}`, 'ws:', 'wss:']);
  });

  it('sends nosniff with the scripts and styles too, with their real types', async () => {
    const page = await httpGet(s.url);
    // Relative (./assets/…), so the same build works under --base-path.
    const assets = [...page.body.matchAll(/(?:src|href)="(\.\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    assert.ok(
      assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')),
      `the page links its script and style: ${assets.join(', ')}`,
    );
    for (const asset of assets) {
      const response = await httpGet(new URL(asset, s.url).href);
      assert.equal(response.status, 200, asset);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', asset);
      assert.match(
        String(response.headers['content-type']),
        asset.endsWith('.js') ? /^text\/javascript|^application\/javascript/ : /^text\/css/,
      );
    }
  });
});

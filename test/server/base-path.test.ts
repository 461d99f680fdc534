// --base-path: the page and its assets, the WebSocket paths, /healthz and
// /metrics all answer under the prefix and nowhere else; the bare prefix
// redirects to itself with a slash, so the page's relative URLs resolve under
// it. In-process servers with the built page (npm run build first).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { parseMetrics, sampleValue } from '../support/prometheus.ts';
import { RawClient } from '../support/raw-client.ts';
import { type InProcessServer, useEchoServer } from '../support/servers.ts';
import { EVENT_TIMEOUT_MS } from '../support/wait.ts';
import { echoOf, openClient, receiveOne, refusedStatus } from '../support/ws-client.ts';

/** GET without following redirects. */
function get(s: InProcessServer, path: string): Promise<Response> {
  return fetch(new URL(path, s.url), { redirect: 'manual', signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) });
}

/** Every src and href in the page's HTML. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
}

describe('--base-path /prefix', () => {
  const s = useEchoServer(['--base-path', '/prefix/']);
  const origin = () => new URL(s.url).origin;

  it('listens at the prefixed URL', () => {
    assert.equal(s.url, `${origin()}/prefix/`);
  });

  it('serves the client-conformance endpoints and reports under the prefix too, not outside it', async () => {
    // The count comes right after the open, so listen before it.
    const count = new WebSocket(`${s.wsUrl}getCaseCount`);
    const [data] = (await once(count, 'message')) as [Buffer];
    assert.match(data.toString(), /^\d+$/);
    assert.equal(await refusedStatus(`${origin().replace(/^http/, 'ws')}/getCaseCount`), 404);
    assert.equal((await get(s, '/prefix/reports/clients/index.json')).status, 200);
    assert.equal((await get(s, '/reports/clients/index.json')).status, 404);
  });

  it('routes an absolute-form request target (RFC 9112 3.2.2) to the conformance endpoints as to the echo paths', async () => {
    for (const path of ['/prefix/getCaseCount', '/prefix/raw']) {
      const client = await RawClient.connect(s.port, { path: `${origin()}${path}` });
      assert.equal(client.response.statusCode, 101, path);
      client.destroy();
    }
  });

  it('serves the page at /prefix/, and every script, style and icon it references loads under /prefix/', async () => {
    const page = await get(s, '/prefix/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<title>[^<]*WebSocket[^<]*<\/title>/);
    const local = referencedUrls(html).filter((url) => !/^[a-z]+:|^#/.test(url));
    const types = new Map<string, string>();
    for (const url of local) {
      const resolved = new URL(url, `${origin()}/prefix/`);
      assert.ok(resolved.pathname.startsWith('/prefix/'), `${url} resolves under the prefix: ${resolved.pathname}`);
      const response = await fetch(resolved, { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) });
      assert.equal(response.status, 200, `GET ${resolved.pathname}`);
      types.set(resolved.pathname.replace(/.*\./, ''), response.headers.get('content-type') ?? '');
    }
    assert.match(types.get('js') ?? '', /javascript/, 'the page script');
    assert.match(types.get('css') ?? '', /^text\/css/, 'the stylesheet');
  });

  it('redirects /prefix to /prefix/, keeping the query', async () => {
    for (const [path, location] of [
      ['/prefix', '/prefix/'],
      ['/prefix?x=1', '/prefix/?x=1'],
    ]) {
      const response = await get(s, path ?? '');
      assert.equal(response.status, 301, path);
      assert.equal(response.headers.get('location'), location, path);
    }
  });

  it('answers /prefix/healthz and /prefix/metrics', async () => {
    const health = await get(s, '/prefix/healthz');
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status?: unknown }).status, 'ok');
    const metrics = await get(s, '/prefix/metrics');
    assert.equal(metrics.status, 200);
    assert.equal(sampleValue(parseMetrics(await metrics.text()), 'ws_echo_connections_open'), 0);
  });

  it('answers nothing outside the prefix: the page, assets, /healthz and /metrics unprefixed get 404', async () => {
    const html = await (await get(s, '/prefix/')).text();
    const script = referencedUrls(html).find((url) => url.endsWith('.js')) ?? '';
    for (const path of [
      '/',
      '/index.html',
      '/favicon.svg',
      `/${script.replace(/^\.\//, '')}`,
      '/healthz',
      '/metrics',
    ]) {
      assert.equal((await get(s, path)).status, 404, path);
    }
    for (const path of ['/PREFIX/', '/prefixed/', '/prefix-other/healthz', '/other/prefix/'])
      assert.equal((await get(s, path)).status, 404, path);
  });

  it('echoes on /prefix/ and /prefix/raw', async () => {
    const echo = await openClient(s.wsUrl, 'echo-protocol');
    assert.equal(echo.url, `ws://${new URL(s.url).host}/prefix/`);
    assert.equal(String((await echoOf(echo, 'Hello, world!')).data), 'Received: Hello, world!');
    const raw = await openClient(`${s.wsUrl}raw`);
    assert.equal(String((await echoOf(raw, 'as is')).data), 'as is');
  });

  it('reports the prefixed request line on /prefix/inspect, and pushes on /prefix/push', async () => {
    const client = await RawClient.connect(s.port, { path: '/prefix/inspect?delay_ms=0' });
    const report = JSON.parse((await client.nextFrame()).payload.toString()) as { requestLine?: unknown };
    assert.equal(report.requestLine, 'GET /prefix/inspect?delay_ms=0 HTTP/1.1');
    client.destroy();
    const push = await openClient(`${s.wsUrl}push?interval=100`);
    const message = JSON.parse(String((await receiveOne(push)).data)) as { type?: unknown };
    assert.equal(message.type, 'push');
  });

  it('takes URL parameters under the prefix: /prefix/?reject=418', async () => {
    assert.equal(await refusedStatus(`${s.wsUrl}?reject=418`), 418);
  });

  it('refuses the WebSocket paths outside the prefix with 404', async () => {
    const base = `ws://${new URL(s.url).host}`;
    for (const path of ['/', '/raw', '/inspect', '/push', '/prefix', '/prefixraw', '/PREFIX/', '/prefix/other'])
      assert.equal(await refusedStatus(`${base}${path}`), 404, path);
  });
});

describe('--base-path with several segments, and /', () => {
  const deep = useEchoServer(['--base-path', '/tools/ws-echo']);
  const root = useEchoServer(['--base-path', '/']);

  it('serves /tools/ws-echo/ and its echo', async () => {
    assert.equal(new URL(deep.url).pathname, '/tools/ws-echo/');
    assert.equal((await get(deep, '/tools/ws-echo/')).status, 200);
    assert.equal((await get(deep, '/tools/ws-echo/healthz')).status, 200);
    assert.equal((await get(deep, '/tools/')).status, 404);
    const ws = await openClient(`${deep.wsUrl}raw`);
    assert.equal(String((await echoOf(ws, 'deep')).data), 'deep');
  });

  it('/ is the root, as without the flag', async () => {
    assert.equal(new URL(root.url).pathname, '/');
    assert.equal((await get(root, '/healthz')).status, 200);
    assert.equal((await get(root, '/')).status, 200);
  });
});

// deploy/nginx.conf as shipped, in front of two real instances
// (`--trust-proxy --instance-id a|b`), checked only through nginx: the page
// and /healthz, the echo and the Origin check, how connections spread, what
// the server believes about the client, the page in Chromium, and what
// happens to clients when one instance stops or dies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expect } from '@playwright/test';
import type { WebSocket } from 'ws';
import { logEntries } from '../support/child-process.ts';
import { httpGet, parseCsp } from '../support/http-request.ts';
import { logRows, readyState, sendButton, socketUrl } from '../support/page-controls.ts';
import { delay, waitFor } from '../support/wait.ts';
import { echoOf, openClient } from '../support/ws-client.ts';
import {
  closeOf,
  headerOf,
  inspectReports,
  instanceOfReport,
  openInspect,
  openPage,
  refusedStatus,
  useDeployment,
} from './clients.ts';

// (f) Nothing this file started may outlive it, whatever failed: useDeployment's cleanup proves it.
/** http://127.0.0.1:<nginx port> and ws://127.0.0.1:<nginx port>, no trailing slash. */
let base = '';
let wsBase = '';
const deployment = useDeployment({
  nginx: () => ({ template: 'deploy/nginx.conf', ports: ['LISTEN'] }),
  started: ({ nginx }) => {
    base = `http://127.0.0.1:${nginx.ports.LISTEN}`;
    wsBase = `ws://127.0.0.1:${nginx.ports.LISTEN}`;
  },
});
const { instances } = deployment;

/**
 * Which instances answer GET /healthz through nginx, over `count` requests.
 * `waitMs`: how long a 502 ("no live upstreams") may last, for right after
 * the only live instance came back (see the end of test (e)).
 */
async function healthzInstances(count: number, waitMs = 0): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + waitMs;
  for (let i = 0; i < count; i++) {
    let res = await httpGet(`${base}/healthz`);
    while (res.status === 502 && Date.now() < deadline) {
      await delay(200);
      res = await httpGet(`${base}/healthz`);
    }
    assert.equal(res.status, 200, `GET /healthz through nginx: ${res.status} ${res.body}`);
    const body = JSON.parse(res.body) as { status: string; instance: string };
    assert.equal(body.status, 'ok');
    seen.push(body.instance);
  }
  return seen;
}

test('(a) GET / serves the page and /healthz answers from both instances, through nginx', async () => {
  const page = await httpGet(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /<title>WebSocket Echo Test<\/title>/);
  // Host reached the server with its port ($http_host): the CSP lets the page open its socket to nginx.
  assert.ok(
    parseCsp(page.headers['content-security-policy'] as string)
      .get('connect-src')
      ?.includes(`${wsBase}`),
    String(page.headers['content-security-policy']),
  );
  assert.equal(page.headers.server, 'nginx', 'server_tokens off: no version');

  const seen = await healthzInstances(6);
  assert.deepEqual([...new Set(seen)].sort(), ['a', 'b'], `healthz answered from ${seen.join(', ')}`);
  // Per-instance metrics are not published through the proxy.
  assert.equal((await httpGet(`${base}/metrics`)).status, 403);
});

test('(b) the echo works through nginx; an Origin naming nginx is accepted, a foreign one refused 403', async () => {
  const ws = await openClient(`${wsBase}/`, 'echo-protocol', { origin: base });
  assert.equal(ws.protocol, 'echo-protocol');
  assert.equal((await echoOf(ws, 'Hello, world!')).data.toString(), 'Received: Hello, world!');
  ws.close();

  assert.equal(await refusedStatus(`${wsBase}/`, { origin: 'http://evil.example' }), 403);
  // nginx sets X-Forwarded-Host itself, so claiming to be evil.example does not help.
  assert.equal(
    await refusedStatus(`${wsBase}/`, {
      origin: 'http://evil.example',
      headers: { 'X-Forwarded-Host': 'evil.example' },
      localAddress: '127.0.0.3',
    }),
    403,
  );
  // The refusal is logged by the instance that got it, with its name and the client's address
  // as nginx saw it (127.0.0.3), not nginx's own (127.0.0.1).
  const refusal = await waitFor(
    'an "upgrade refused" log line with the forwarded address 127.0.0.3',
    () =>
      [...instances.values()]
        .flatMap(logEntries)
        .find(
          (entry) =>
            entry.msg === 'upgrade refused' &&
            entry.origin === 'http://evil.example' &&
            Object.values(entry).includes('127.0.0.3'),
        ),
    { intervalMs: 100 },
  );
  assert.ok(refusal.instance === 'a' || refusal.instance === 'b', JSON.stringify(refusal));
  assert.equal(refusal.status, 403);
});

test('(c) connections spread over both instances, and /inspect sees the client address nginx forwarded', async () => {
  // From 127.0.0.3, so the forwarded address differs from nginx's own (127.0.0.1).
  const opened = await Promise.all(
    Array.from({ length: 10 }, () => openInspect(`${wsBase}/inspect`, { localAddress: '127.0.0.3' })),
  );
  const counts = new Map<string, number>();
  for (const { report } of opened) counts.set(report.instance, (counts.get(report.instance) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), ['a', 'b'], `instances: ${JSON.stringify([...counts])}`);
  // least_conn with a shared zone: ten sockets held open split about evenly.
  for (const [instance, count] of counts) assert.ok(count >= 3, `${instance} got ${count} of 10`);
  // /healthz counts them too, per instance.
  const connections = new Map<string, number>();
  for (let i = 0; i < 4; i++) {
    const body = JSON.parse((await httpGet(`${base}/healthz`)).body) as { instance: string; connections: number };
    connections.set(body.instance, body.connections);
  }
  assert.deepEqual(Object.fromEntries(connections), Object.fromEntries(counts));

  for (const { report } of opened) {
    assert.equal(report.remoteAddress, '127.0.0.3', 'the address nginx forwarded, not its own 127.0.0.1');
    assert.equal(headerOf(report, 'X-Forwarded-For'), '127.0.0.3');
    assert.equal(headerOf(report, 'X-Forwarded-Proto'), 'http');
    assert.equal(headerOf(report, 'X-Forwarded-Host'), `127.0.0.1:${deployment.nginx.ports.LISTEN}`);
    assert.equal(headerOf(report, 'Host'), `127.0.0.1:${deployment.nginx.ports.LISTEN}`);
    assert.equal(headerOf(report, 'Upgrade'), 'websocket');
    assert.equal(headerOf(report, 'Connection'), 'upgrade');
  }
  for (const { ws } of opened) ws.close();

  // A plain client from 127.0.0.1 is 127.0.0.1; a client that sends its own
  // X-Forwarded-For gets nginx's entry appended, and the server believes only that one.
  const plain = await openInspect(`${wsBase}/inspect`);
  assert.equal(plain.report.remoteAddress, '127.0.0.1');
  assert.equal(headerOf(plain.report, 'X-Forwarded-For'), '127.0.0.1');
  const spoofing = await openInspect(`${wsBase}/inspect`, {
    headers: { 'X-Forwarded-For': '203.0.113.7' },
    localAddress: '127.0.0.3',
  });
  assert.equal(headerOf(spoofing.report, 'X-Forwarded-For'), '203.0.113.7, 127.0.0.3');
  assert.equal(spoofing.report.remoteAddress, '127.0.0.3');
  plain.ws.close();
  spoofing.ws.close();
});

test('(d) the playground behind nginx: connects by itself, echoes, path buttons and the handshake explainer use the proxy', async () => {
  const { page, problems } = await openPage(deployment.chromium.browser);
  try {
    await page.goto(`${base}/`);
    await expect(readyState(page)).toHaveText('1 OPEN');
    await expect(socketUrl(page)).toHaveText(`${wsBase}/`);
    await sendButton(page).click();
    await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);

    for (const [button, path] of [
      ['/raw', 'raw'],
      ['/inspect', 'inspect'],
      ['/push', 'push'],
      ['/ echo', ''],
    ] as const) {
      await page.getByRole('button', { name: button, exact: true }).click();
      await expect(socketUrl(page)).toHaveText(`${wsBase}/${path}`);
      await expect(page.getByLabel('Endpoint', { exact: true })).toHaveValue(`${wsBase}/${path}`);
      await expect(readyState(page)).toHaveText('1 OPEN');
    }

    await page.getByRole('button', { name: 'Inspect handshake', exact: true }).click();
    await expect(page.getByLabel('Match', { exact: true })).toHaveText(
      '✓ match: the browser computes what the server sent',
    );
    await expect(
      page.getByText(`Inspected ${wsBase}/inspect over a socket of its own, closed again.`, { exact: true }),
    ).toBeVisible();
    const headers = page.getByRole('table', { name: 'Request headers as the server saw them' });
    const header = (name: string) =>
      headers
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name, exact: true }) })
        .getByRole('cell');
    await expect(header('X-Forwarded-For')).toHaveText('127.0.0.1');
    await expect(header('X-Forwarded-Proto')).toHaveText('http');
    await expect(header('X-Forwarded-Host')).toHaveText(`127.0.0.1:${deployment.nginx.ports.LISTEN}`);
    await expect(header('Host')).toHaveText(`127.0.0.1:${deployment.nginx.ports.LISTEN}`);
    await expect(header('Origin')).toHaveText(base);
    await expect(readyState(page)).toHaveText('1 OPEN');
    assert.deepEqual(problems, []);
  } finally {
    await page.context().close();
  }
});

test('(e) an instance that stops (1001) or dies (1006) drops only its clients; the page reconnects to the other one', async () => {
  const { page } = await openPage(deployment.chromium.browser);
  try {
    await page.goto(`${base}/`);
    await expect(readyState(page)).toHaveText('1 OPEN');
    await page.getByLabel('Auto-reconnect', { exact: true }).check();
    // On /inspect, every (re)connection tells the page which instance it reached.
    await page.getByRole('button', { name: '/inspect', exact: true }).click();
    await expect(inspectReports(page)).toHaveCount(1);
    const first = await instanceOfReport(page, 0);
    const other = first === 'a' ? 'b' : 'a';

    // SIGTERM: the graceful stop. Its clients get 1001, the other instance's keep going.
    const clients = await Promise.all(Array.from({ length: 6 }, () => openInspect(`${wsBase}/inspect`)));
    const onFirst = clients.filter(({ report }) => report.instance === first).map(({ ws }) => ws);
    const onOther = clients.filter(({ report }) => report.instance === other).map(({ ws }) => ws);
    assert.ok(
      onFirst.length > 0 && onOther.length > 0,
      `clients on ${first}: ${onFirst.length}, on ${other}: ${onOther.length}`,
    );
    const closes = onFirst.map((ws) => closeOf(ws));
    assert.equal(await instances.get(first)!.stop('SIGTERM'), 0);
    for (const close of await Promise.all(closes))
      assert.deepEqual(close, { code: 1001, reason: 'server shutting down' });
    await assertEchoes(onOther);

    await expect(logRows(page, 'event', /^close: code 1001 \(Going Away\), reason "server shutting down"/)).toHaveCount(
      1,
    );
    await expect(inspectReports(page)).toHaveCount(2, { timeout: 15_000 });
    await expect(readyState(page)).toHaveText('1 OPEN');
    assert.equal(await instanceOfReport(page, 1), other);
    assert.deepEqual([...new Set(await healthzInstances(4))], [other]);
    await sendButton(page).click();
    await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);

    // Back on the same port, the stopped instance rejoins; then SIGKILL the other:
    // no close frame, so its clients see 1006, and the page moves back.
    const port = instances.get(first)!.port;
    await deployment.restart(first, port);
    const killedCloses = onOther.map((ws) => closeOf(ws));
    assert.equal(await instances.get(other)!.stop('SIGKILL'), 'SIGKILL');
    for (const close of await Promise.all(killedCloses)) assert.equal(close.code, 1006);

    await expect(logRows(page, 'error', /^close: code 1006 \(Abnormal Closure\)/).first()).toBeVisible();
    await expect(inspectReports(page)).toHaveCount(3, { timeout: 20_000 });
    await expect(readyState(page)).toHaveText('1 OPEN');
    assert.equal(await instanceOfReport(page, 2), first);
    // nginx counts an instance as recovered only when a request to it ends: while
    // the page's socket (its first success since the restart) stays open, the
    // instance stays marked failed, so with the other one dead nginx may answer
    // 502 "no live upstreams" until fail_timeout (2 s) lets the next request through.
    assert.deepEqual([...new Set(await healthzInstances(4, 5_000))], [first]);
  } finally {
    await page.context().close();
  }
});

async function assertEchoes(sockets: WebSocket[]): Promise<void> {
  for (const ws of sockets) {
    assert.equal((await echoOf(ws, 'still here')).data.toString(), 'Received: still here');
  }
}

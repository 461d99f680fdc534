// deploy/nginx-tls.conf as shipped: nginx terminates TLS with a throwaway
// certificate and proxies to two plain-http instances with --trust-proxy.
// Checked through nginx only: https page, http → https redirect, wss echo
// and Origin check, X-Forwarded-Proto https, and the page in Chromium on wss.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { expect } from '@playwright/test';
import { makeCertificate, type TestCertificate } from '../support/certificate.ts';
import { httpGet } from '../support/http-request.ts';
import { logRows, readyState, sendButton, socketUrl } from '../support/page-controls.ts';
import { echoOf, openClient } from '../support/ws-client.ts';
import { headerOf, openInspect, openPage, refusedStatus, useDeployment } from './clients.ts';

let certificate: TestCertificate | undefined;
/** https://127.0.0.1:<tls port>, wss://…, http://127.0.0.1:<plain port>; no trailing slash. */
let base = '';
let wssBase = '';
let plainBase = '';
const deployment = useDeployment({
  nginx: async () => {
    certificate = await makeCertificate();
    return {
      template: 'deploy/nginx-tls.conf',
      ports: ['LISTEN_TLS', 'LISTEN'],
      extra: { TLS_CERT: certificate.certPath, TLS_KEY: certificate.keyPath },
    };
  },
  started: ({ nginx: { ports } }) => {
    base = `https://127.0.0.1:${ports.LISTEN_TLS}`;
    wssBase = `wss://127.0.0.1:${ports.LISTEN_TLS}`;
    plainBase = `http://127.0.0.1:${ports.LISTEN}`;
  },
});
after(() => certificate?.remove());

test('TLS: the page over https from both instances; plain http redirects to https', async () => {
  const page = await httpGet(`${base}/`, { ca: certificate!.cert });
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>WebSocket Echo Test<\/title>/);
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const res = await httpGet(`${base}/healthz`, { ca: certificate!.cert });
    assert.equal(res.status, 200);
    seen.add((JSON.parse(res.body) as { instance: string }).instance);
  }
  assert.deepEqual([...seen].sort(), ['a', 'b']);

  const redirect = await httpGet(`${plainBase}/inspect?x=1`);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, 'https://127.0.0.1/inspect?x=1');
});

test('TLS: wss echo with an https Origin naming nginx; a foreign Origin 403; X-Forwarded-Proto is https', async () => {
  const ws = await openClient(`${wssBase}/`, 'echo-protocol', { origin: base, ca: certificate!.cert });
  assert.equal((await echoOf(ws, 'Hello, world!')).data.toString(), 'Received: Hello, world!');
  ws.close();
  assert.equal(await refusedStatus(`${wssBase}/`, { origin: 'https://evil.example', ca: certificate!.cert }), 403);

  const { ws: inspecting, report } = await openInspect(`${wssBase}/inspect`, {
    ca: certificate!.cert,
    localAddress: '127.0.0.3',
  });
  assert.equal(report.remoteAddress, '127.0.0.3');
  assert.equal(headerOf(report, 'X-Forwarded-Proto'), 'https');
  assert.equal(headerOf(report, 'X-Forwarded-Host'), `127.0.0.1:${deployment.nginx.ports.LISTEN_TLS}`);
  inspecting.close();
});

test('TLS: the page served over https connects to wss:// by itself and echoes', async () => {
  // The certificate is self-signed; the browser is told to accept it.
  const { page, problems } = await openPage(deployment.chromium.browser, { ignoreHTTPSErrors: true });
  try {
    await page.goto(`${base}/`);
    await expect(readyState(page)).toHaveText('1 OPEN');
    await expect(socketUrl(page)).toHaveText(`${wssBase}/`);
    await sendButton(page).click();
    await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
    assert.deepEqual(problems, []);
  } finally {
    await page.context().close();
  }
});

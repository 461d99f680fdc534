// The monitor behind the shipped deploy/nginx.conf and deploy/nginx-tls.conf,
// in front of the same two instances: a connection with ?monitor=<token> and
// its watcher on /monitor?monitor=<token> must reach the same instance (nginx
// hashes both on the token), or the watcher would wait forever. Checked
// through nginx only, for many tokens, so both instances take their share.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ClientOptions } from 'ws';
import type { MonitorHandshake } from '../../server/protocol.ts';
import { makeCertificate, type TestCertificate } from '../support/certificate.ts';
import { MonitorWatcher, newToken } from '../support/monitor-client.ts';
import { echoOf } from '../support/ws-client.ts';
import { headerOf, openInspect, useDeployment } from './clients.ts';

let certificate: TestCertificate | undefined;
/** ws://127.0.0.1:<nginx.conf port> and wss://127.0.0.1:<nginx-tls.conf port>. */
let wsBase = '';
let wssBase = '';
useDeployment({
  nginx: async () => {
    certificate = await makeCertificate();
    return [
      { template: 'deploy/nginx.conf', ports: ['LISTEN'] },
      {
        template: 'deploy/nginx-tls.conf',
        ports: ['LISTEN_TLS', 'LISTEN'],
        extra: { TLS_CERT: certificate.certPath, TLS_KEY: certificate.keyPath },
      },
    ];
  },
  chromium: false,
  started: ({ proxies: [plain, tls] }) => {
    wsBase = `ws://127.0.0.1:${plain!.ports.LISTEN}`;
    wssBase = `wss://127.0.0.1:${tls!.ports.LISTEN_TLS}`;
  },
});
after(() => certificate?.remove());

/**
 * One token through `base`: the watcher first (or after the connection, when
 * `watcherLast`), a /inspect connection that names its instance and echoes
 * once; the watcher must see that connection's frames. Returns the instance.
 */
async function watchOne(base: string, options: ClientOptions, watcherLast: boolean): Promise<string> {
  const token = newToken();
  let watcher = watcherLast ? undefined : await MonitorWatcher.open(base, token, options);
  const { ws, report } = await openInspect(`${base}/inspect?monitor=${token}`, options);
  watcher ??= await MonitorWatcher.open(base, token, options);
  assert.equal((await echoOf(ws, 'through nginx')).data.toString(), 'Received: through nginx');
  await watcher.until(
    () => watcher.frames({ direction: 'server', text: 'Received: through nginx' }).length === 1,
    `the watcher of a connection on instance ${report.instance} (token ${token})`,
  );
  const handshake = watcher.events[0] as MonitorHandshake;
  assert.equal(handshake.type, 'handshake');
  // What the instance saw: the request as nginx forwarded it.
  assert.ok(handshake.request.startsWith(`GET /inspect?monitor=${token} HTTP/1.1\r\n`), handshake.request);
  assert.match(handshake.request, /\r\nX-Forwarded-For: 127\.0\.0\.1\r\n/);
  assert.deepEqual(
    watcher.frames({ direction: 'client' }).map((frame) => [frame.text, frame.masked]),
    [['through nginx', true]],
  );
  assert.equal(headerOf(report, 'X-Forwarded-Host'), new URL(base).host);
  ws.close();
  watcher.ws.close();
  return report.instance;
}

for (const [name, base, options] of [
  ['deploy/nginx.conf', () => wsBase, () => ({})],
  ['deploy/nginx-tls.conf', () => wssBase, () => ({ ca: certificate!.cert })],
] as const) {
  test(`${name}: a connection with ?monitor= and its /monitor watcher reach the same instance, whichever it is`, async () => {
    const seen = new Map<string, number>();
    // Tokens hash to either instance about equally: keep going until both
    // were used (one-sided 20 times in a row has odds of 1 in 500,000).
    for (let i = 0; i < 20 && (seen.size < 2 || i < 6); i++) {
      const instance = await watchOne(base(), options(), i % 2 === 1);
      seen.set(instance, (seen.get(instance) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ['a', 'b'], `instances: ${JSON.stringify([...seen])}`);
  });
}

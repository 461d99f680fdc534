// The page over https: the built server started with a self-signed
// certificate (made with openssl for this run), Chromium told to accept it,
// and the page connecting by itself with wss:// back to where it came from.
import { makeCertificate, type TestCertificate } from '../test/support/certificate.ts';
import { neutralEnv } from '../test/support/child-process.ts';
import { cspViolations, recordCspViolations } from '../test/support/csp-violations.ts';
import { startServer, type RunningServer } from '../test/support/spawn-server.ts';
import { expect, logRows, readyState, sendButton, test as base } from './fixtures.ts';

interface TlsWorkerFixtures {
  /** The production server with --tls-cert/--tls-key, shared by this file's tests in a worker. */
  tlsServer: RunningServer;
}

const test = base.extend<Record<never, never>, TlsWorkerFixtures>({
  tlsServer: [
    async ({}, use) => {
      let certificate: TestCertificate | undefined;
      let server: RunningServer | undefined;
      try {
        certificate = await makeCertificate();
        server = await startServer({
          args: ['--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath],
          env: neutralEnv(),
        });
        await use(server);
      } finally {
        await server?.stop();
        await certificate?.remove();
      }
    },
    { scope: 'worker' },
  ],
  // Pages go to the TLS server; the plain server from fixtures.ts is not started.
  baseURL: async ({ tlsServer }, use) => {
    await use(tlsServer.url);
  },
});

// The certificate is self-signed; the browser is told to accept it, as a person would click through.
test.use({ ignoreHTTPSErrors: true });

test('the page served over https connects by itself with wss:// and echoes', async ({
  page,
  tlsServer,
  consoleLines,
  problems,
}) => {
  expect(tlsServer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  const wssUrl = `wss://127.0.0.1:${tlsServer.port}/`;
  await recordCspViolations(page);

  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  expect(new URL(page.url()).protocol).toBe('https:');

  await expect(readyState(page)).toHaveText('1 OPEN');
  await expect(page.getByLabel('URL', { exact: true })).toHaveText(wssUrl);
  await expect(page.getByLabel('Subprotocol', { exact: true })).toHaveText('echo-protocol');
  await expect(logRows(page, 'event', `open: connected to ${wssUrl}, subprotocol echo-protocol`)).toHaveCount(1);

  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await expect
    .poll(() => consoleLines)
    .toEqual([`connected to ${wssUrl}`, 'message received: Received: Hello, world!']);

  expect(await cspViolations(page)).toEqual([]);
  expect(problems).toEqual([]);
});

test('the https page carries a CSP naming wss:// for its socket, and no HSTS on 127.0.0.1', async ({
  page,
  tlsServer,
}) => {
  const response = await page.goto('/');
  const headers = response!.headers();
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toMatch(new RegExp(`(^|;)\\s*connect-src 'self' wss://127\\.0\\.0\\.1:${tlsServer.port}\\s*(;|$)`));
  expect(csp).toMatch(/(^|;)\s*upgrade-insecure-requests\s*(;|$)/);
  // README: HSTS on a loopback name would pin every local server in this browser to https.
  expect(headers['strict-transport-security']).toBeUndefined();
  await expect(readyState(page)).toHaveText('1 OPEN');
});

test('binary echoes work over wss too', async ({ page, problems }) => {
  await page.goto('/');
  await expect(readyState(page)).toHaveText('1 OPEN');
  await page.getByRole('button', { name: 'Send canvas pixels' }).click();
  await expect(logRows(page, 'received', 'Blob, 512000 bytes')).toHaveCount(1);
  expect(problems).toEqual([]);
});

// The handshake explainer: /inspect's report for a real handshake, the
// accept checked in the browser with WebCrypto, and the calculator on the
// keys the Go tutorial and Ruan Yifeng's tutorial print.
import { createHash } from 'node:crypto';
import { expect, openConnected, test } from './fixtures.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const acceptFor = (key: string) =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64');

test('Inspect handshake shows the request, and the browser computes the same accept as the server ✓', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  await page.getByRole('button', { name: 'Inspect handshake', exact: true }).click();
  await expect(page.getByLabel('Match', { exact: true })).toHaveText(
    '✓ match: the browser computes what the server sent',
  );

  await expect(page.getByLabel('Request line', { exact: true })).toHaveText('GET /inspect HTTP/1.1');
  const key = (await page.getByLabel('Key', { exact: true }).textContent())!;
  expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  await expect(page.getByLabel("Server's accept", { exact: true })).toHaveText(acceptFor(key));
  await expect(page.getByLabel("Browser's accept", { exact: true })).toHaveText(acceptFor(key));
  await expect(page.getByLabel('Protocol', { exact: true })).toHaveText('echo-protocol');

  const headers = page.getByRole('table', { name: 'Request headers as the server saw them' });
  const header = (name: string) =>
    headers.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expect(header('Sec-WebSocket-Key').getByRole('cell')).toHaveText(key);
  await expect(header('Sec-WebSocket-Version').getByRole('cell')).toHaveText('13');
  await expect(header('Sec-WebSocket-Protocol').getByRole('cell')).toHaveText('echo-protocol');
  await expect(header('Upgrade').getByRole('cell')).toHaveText('websocket');
  await expect(
    page.getByText(/^Inspected ws:\/\/127\.0\.0\.1:\d+\/inspect over a socket of its own, closed again\.$/),
  ).toBeVisible();
  // The page's own connection was left alone.
  await expect(page.getByLabel('readyState', { exact: true })).toHaveText('1 OPEN');

  // Each inspection is a new handshake with a new key.
  await page.getByRole('button', { name: 'Inspect handshake', exact: true }).click();
  await expect(page.getByLabel('Key', { exact: true })).not.toHaveText(key);
  await expect(page.getByLabel('Match', { exact: true })).toHaveText(/^✓ match/);
  expect(problems).toEqual([]);
});

test('the accept calculator gives the tutorials’ accepts for the tutorials’ keys, and any other key’s', async ({
  page,
  problems,
}) => {
  await page.goto('/');
  const key = page.getByLabel('Sec-WebSocket-Key', { exact: true });
  const accept = page.getByLabel('Sec-WebSocket-Accept', { exact: true });
  await expect(key).toHaveValue('f7cb4ezEAl6C3wRaU6JORA==');
  await expect(accept).toHaveText('rE91AJhfC+6JdVcVXOGJEADEJdQ=');

  await page.getByRole('button', { name: "Ruan Yifeng's key", exact: true }).click();
  await expect(key).toHaveValue('sN9cRrP/n9NdMgdcy2VJFQ==');
  await expect(accept).toHaveText('fFBooB7FAkLlXgRSz0BT3v4hq5s=');
  await page.getByRole('button', { name: "Go tutorial's key", exact: true }).click();
  await expect(accept).toHaveText('rE91AJhfC+6JdVcVXOGJEADEJdQ=');

  await key.fill('dGhlIHNhbXBsZSBub25jZQ==');
  await key.press('Enter');
  // RFC 6455's own example.
  await expect(accept).toHaveText('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  expect(problems).toEqual([]);
});

test('without crypto.subtle (no secure context) the panel says why instead of failing', async ({ page, problems }) => {
  await page.addInitScript(() => Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined }));
  await openConnected(page);
  await expect(page.getByText(/crypto\.subtle exists only in secure contexts/)).toBeVisible();
  await expect(page.getByLabel('Sec-WebSocket-Accept', { exact: true })).toHaveText(
    'needs a secure context (see below)',
  );

  await page.getByRole('button', { name: 'Inspect handshake', exact: true }).click();
  await expect(page.getByLabel('Match', { exact: true })).toHaveText('cannot check here');
  const key = (await page.getByLabel('Key', { exact: true }).textContent())!;
  await expect(page.getByLabel("Server's accept", { exact: true })).toHaveText(acceptFor(key));
  expect(problems).toEqual([]);
});

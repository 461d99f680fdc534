// Connecting as a bench does it: other paths of this server, close codes and
// reasons with their meaning, auto-reconnect after the server comes back,
// and the stats that count it all.
import { startServer, type RunningServer } from '../test/support/spawn-server.ts';
import { expect, logRows, openConnected, readyState, sendButton, test } from './fixtures.ts';
import { allRows, connectTo, freePort, rttOf } from './playground-helpers.ts';

test('/raw echoes without the prefix, and its replies get round-trip times', async ({ page, server, problems }) => {
  await openConnected(page);
  await page.getByRole('button', { name: '/raw', exact: true }).click();
  await expect(page.getByLabel('URL', { exact: true })).toHaveText(`${server.wsUrl}raw`);
  await expect(readyState(page)).toHaveText('1 OPEN');
  await expect(page.getByLabel('Endpoint', { exact: true })).toHaveValue(`${server.wsUrl}raw`);
  // Switching closed the old socket first, as the page's own close.
  await expect(
    logRows(page, 'event', 'close: code 1000 (Normal Closure), reason "switching endpoint", wasClean true'),
  ).toHaveCount(1);

  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Hello, world!')).toHaveCount(1);
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(0);
  await expect(rttOf(page, 'received', 'Hello, world!')).toHaveText(/^rtt \d+(\.\d+)? ms$/);
  // /raw gives back even this server's own JSON shapes as replies.
  await page.getByLabel('Message', { exact: true }).fill('{"type":"push","counter":1}');
  await sendButton(page).click();
  await expect(rttOf(page, 'received', '{"type":"push","counter":1}')).toHaveText(/^rtt /);
  expect(problems).toEqual([]);
});

test('/push?interval=200 delivers server messages that are not echo replies', async ({ page, server, problems }) => {
  await openConnected(page);
  await connectTo(page, `${server.wsUrl}push?interval=200`);
  const pushes = logRows(page, 'received', /^\{"type":"push","counter":\d+,"serverTime":"[^"]+"\}$/);
  await expect.poll(() => pushes.count()).toBeGreaterThanOrEqual(3);
  await expect(pushes.getByText(/^rtt /)).toHaveCount(0);
  await expect(pushes.first()).toContainText('"counter":1,');

  await sendButton(page).click();
  await expect(rttOf(page, 'received', 'Received: Hello, world!')).toHaveText(/^rtt /);
  expect(problems).toEqual([]);
});

test('/inspect sends its handshake report first, which is not a reply either', async ({ page, problems }) => {
  await openConnected(page);
  await page.getByRole('button', { name: '/inspect', exact: true }).click();
  const report = logRows(page, 'received', /^\{"type":"inspect",/);
  await expect(report).toHaveCount(1);
  await expect(report.getByText(/^rtt /)).toHaveCount(0);
  await sendButton(page).click();
  await expect(rttOf(page, 'received', 'Received: Hello, world!')).toHaveText(/^rtt /);
  expect(problems).toEqual([]);
});

test('closing with 4000 "bye" shows the server’s close frame: 4000, "bye", Private use, wasClean true', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  await page.getByLabel('Close code', { exact: true }).fill('4000');
  await page.getByLabel('Close reason', { exact: true }).fill('bye');
  await expect(page.getByText('3 of 123 bytes', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Close with code', exact: true }).click();

  await expect(readyState(page)).toHaveText('3 CLOSED');
  await expect(page.getByLabel('Last close', { exact: true })).toHaveText(
    'code 4000 (Private use), reason "bye", wasClean true',
  );
  await expect(page.getByText(/^Closed with 4000, reason "bye", wasClean true: the server answered/)).toContainText(
    '4000 Private use: 4000–4999 are for an application and its server to agree on',
  );
  await expect(logRows(page, 'event', 'close: code 4000 (Private use), reason "bye", wasClean true')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Close with code', exact: true })).toBeDisabled();
  expect(problems).toEqual([]);
});

test('close codes a page may not send, and over-long reasons, are refused with the rule', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  const code = page.getByLabel('Close code', { exact: true });
  const reason = page.getByLabel('Close reason', { exact: true });
  const close = page.getByRole('button', { name: 'Close with code', exact: true });
  const alert = page.getByRole('alert');

  for (const [typed, explanation] of [
    [
      '1001',
      '1001 (Going Away) is for browsers and servers to send or report; a page may only close with 1000 or 3000–4999.',
    ],
    ['2000', '2000 is reserved for future RFCs; a page may only close with 1000 or 3000–4999.'],
    ['5000', '5000 is outside the close codes (1000–4999); a page may only close with 1000 or 3000–4999.'],
    ['bye', 'Enter a whole number: 1000, or one from 3000 to 4999.'],
  ] as const) {
    await code.fill(typed);
    await close.click();
    await expect(alert).toHaveText(explanation);
    await expect(code).toHaveAttribute('aria-invalid', 'true');
  }
  await code.fill('3000');
  // 62 × "é" is 124 UTF-8 bytes: one too many, though only 62 characters.
  await reason.fill('é'.repeat(62));
  await expect(page.getByText('124 of 123 bytes', { exact: true })).toBeVisible();
  await close.click();
  await expect(alert).toHaveText('The reason is 124 bytes in UTF-8; a close frame has room for 123.');
  await expect(reason).toHaveAttribute('aria-invalid', 'true');
  await expect(code).not.toHaveAttribute('aria-invalid');
  await expect(readyState(page)).toHaveText('1 OPEN');

  await reason.fill(`${'é'.repeat(61)}x`);
  await close.click();
  await expect(page.getByLabel('Last close', { exact: true })).toHaveText(
    `code 3000 (Registered), reason "${'é'.repeat(61)}x", wasClean true`,
  );
  expect(problems).toEqual([]);
});

test('auto-reconnect retries with backoff while the server is down and is OPEN again once it is back', async ({
  page,
}) => {
  const port = await freePort();
  const start = () => startServer({ args: ['--port', String(port)] });
  let server: RunningServer = await start();
  try {
    await openConnected(page, server.url);
    await page.getByLabel('Auto-reconnect', { exact: true }).check();
    await expect(page.getByText(/^on: retries 0\.5 s, 1 s, 2 s/)).toBeVisible();

    await server.stop('SIGKILL');
    await expect(readyState(page)).not.toHaveText('1 OPEN');
    await expect(page.getByText(/^connection lost; next attempt #\d+ at \d\d:\d\d:\d\d\.\d{3}$/)).toBeVisible();
    // A failed attempt is followed by a later one with a higher number.
    await expect(page.getByText(/^connection lost; next attempt #[2-9] at /)).toBeVisible({ timeout: 10_000 });

    server = await start();
    await expect(readyState(page)).toHaveText('1 OPEN', { timeout: 15_000 });
    await expect(page.getByText(/^on: retries/)).toBeVisible();
    await sendButton(page).click();
    await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);

    // Disconnect is final: nothing is scheduled after it.
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect(readyState(page)).toHaveText('3 CLOSED');
    await expect(page.getByText(/^on: retries/)).toBeVisible();
    await expect(page.getByText(/next attempt/)).toHaveCount(0);
  } finally {
    await server.stop('SIGKILL');
  }
});

test('stats count messages and bytes each way, round trips, and a ticking uptime', async ({ page, problems }) => {
  await openConnected(page);
  const sent = page.getByLabel('Sent', { exact: true });
  const received = page.getByLabel('Received', { exact: true });
  const rtt = page.getByLabel('Round trip', { exact: true });
  const uptime = page.getByLabel('Uptime', { exact: true });
  await expect(sent).toHaveText('0 messages, 0 B');
  await expect(rtt).toHaveText('—');

  await sendButton(page).click();
  await expect(received).toHaveText('1 message, 23 B');
  await expect(sent).toHaveText('1 message, 13 B');
  await expect(rtt).toHaveText(/^last \d+(\.\d+)? ms, mean \d+(\.\d+)? ms over 1 reply$/);

  await page.getByLabel('Hex bytes', { exact: true }).fill('de ad be ef');
  await page.getByRole('button', { name: 'Send bytes', exact: true }).click();
  await expect(received).toHaveText('2 messages, 27 B');
  await expect(sent).toHaveText('2 messages, 17 B');
  await expect(rtt).toHaveText(/ over 2 replies$/);

  await expect(uptime).toHaveText(/^0:00:0\d$/);
  const first = await uptime.textContent();
  await expect(uptime).not.toHaveText(first!);
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(uptime).toHaveText('not connected');
  expect(await allRows(page).count()).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test('a bad endpoint or subprotocol is refused inline; another host is blocked by the CSP, and the page says so', async ({
  page,
  server,
}) => {
  await openConnected(page);
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(readyState(page)).toHaveText('3 CLOSED');
  const endpoint = page.getByLabel('Endpoint', { exact: true });
  const subprotocols = page.getByLabel('Subprotocols to offer (comma separated)', { exact: true });
  const connect = page.getByRole('button', { name: 'Connect', exact: true });
  const alert = page.getByRole('alert');

  await endpoint.fill('http://127.0.0.1/');
  await connect.click();
  await expect(alert).toHaveText('A WebSocket URL starts with ws:// or wss://, not http://.');
  await expect(endpoint).toHaveAttribute('aria-invalid', 'true');
  await endpoint.fill('not a url');
  await connect.click();
  await expect(alert).toHaveText('"not a url" is not a URL; write e.g. ws://127.0.0.1:1234/raw.');
  await endpoint.fill(server.wsUrl);
  await subprotocols.fill('echo-protocol, two words');
  await connect.click();
  await expect(alert).toHaveText('"two words" is not a valid subprotocol name (no spaces or separators).');
  await expect(readyState(page)).toHaveText('3 CLOSED');

  // No subprotocol offered: the server chooses none, and still echoes.
  await subprotocols.fill('');
  await connect.click();
  await expect(readyState(page)).toHaveText('1 OPEN');
  await expect(alert).toBeHidden();
  await expect(page.getByLabel('Subprotocol', { exact: true })).toHaveText('(none)');
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();

  // Same server, other host name: the page's CSP (connect-src) does not allow it.
  await endpoint.fill(server.wsUrl.replace('127.0.0.1', 'localhost'));
  await connect.click();
  await expect(alert).toContainText("This page's Content-Security-Policy only allows sockets to this server;");
  await expect(readyState(page)).toHaveText('3 CLOSED');
});

// The text echo as a user meets it: the page connects by itself, sends on
// click and on Enter, tells the Go tutorial's story on the console, disconnects
// and reconnects, and shows whatever comes back as text, never as HTML.
import { expect, logOf, logRows, openConnected, readyState, sendButton, test } from './fixtures.ts';

test('opens the socket on load and shows readyState 1 OPEN with the echo-protocol subprotocol', async ({
  page,
  server,
  problems,
}) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'WebSocket Echo Test' })).toBeVisible();
  await expect(readyState(page)).toHaveText('1 OPEN');
  await expect(page.getByLabel('Subprotocol', { exact: true })).toHaveText('echo-protocol');
  await expect(page.getByLabel('URL', { exact: true })).toHaveText(server.wsUrl);
  await expect(page.getByLabel('Message', { exact: true })).toHaveValue('Hello, world!');
  await expect(sendButton(page)).toBeEnabled();
  await expect(logRows(page, 'event', `open: connected to ${server.wsUrl}, subprotocol echo-protocol`)).toHaveCount(1);
  expect(problems).toEqual([]);
});

test('Send Message and Enter in the box both send, and the echo shows in the log', async ({ page, problems }) => {
  await openConnected(page);
  await sendButton(page).click();
  await expect(logRows(page, 'sent', 'Hello, world!')).toHaveCount(1);
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);

  const box = page.getByLabel('Message', { exact: true });
  await box.fill('sent with Enter');
  await box.press('Enter');
  await expect(logRows(page, 'received', 'Received: sent with Enter')).toHaveCount(1);
  // Still one: Enter sent only what was in the box, and the page did not reload.
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
  expect(problems).toEqual([]);
});

test("the console says what the Go tutorial's page says: connected, message received, connection closed", async ({
  page,
  server,
  consoleLines,
  problems,
}) => {
  await openConnected(page);
  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(readyState(page)).toHaveText('3 CLOSED');
  await expect
    .poll(() => consoleLines)
    .toEqual([`connected to ${server.wsUrl}`, 'message received: Received: Hello, world!', 'connection closed (1000)']);
  expect(server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
  expect(problems).toEqual([]);
});

test('Disconnect closes with 1000 and disables sending; Connect opens a new socket that echoes', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  const connect = page.getByRole('button', { name: 'Connect', exact: true });
  const disconnect = page.getByRole('button', { name: 'Disconnect', exact: true });
  await expect(connect).toBeDisabled();

  await disconnect.click();
  await expect(readyState(page)).toHaveText('3 CLOSED');
  await expect(page.getByLabel('Last close', { exact: true })).toHaveText(
    'code 1000 (Normal Closure), reason "Disconnect clicked", wasClean true',
  );
  await expect(sendButton(page)).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Send canvas pixels' })).toBeDisabled();
  await expect(page.getByLabel('Send a file (as a Blob)')).toBeDisabled();
  await expect(disconnect).toBeDisabled();

  const box = page.getByLabel('Message', { exact: true });
  await box.fill('typed while closed');
  await box.press('Enter');

  await connect.click();
  await expect(readyState(page)).toHaveText('1 OPEN');
  await box.fill('after reconnecting');
  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: after reconnecting')).toHaveCount(1);
  // Enter while CLOSED sent nothing, not even once the socket was back.
  await expect(logRows(page, 'sent', 'typed while closed')).toHaveCount(0);
  await expect(logRows(page, 'received', 'Received: typed while closed')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('an HTML payload comes back as literal text and never runs', async ({ page, problems }) => {
  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await openConnected(page);
  await page.getByLabel('Message', { exact: true }).fill(payload);
  await sendButton(page).click();

  await expect(logRows(page, 'received', `Received: ${payload}`)).toBeVisible();
  await expect(logRows(page, 'sent', payload)).toBeVisible();
  await expect(logOf(page).locator('img, script')).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  // An <img src=x> that made it into the DOM would also have asked the server for /x.
  expect(problems).toEqual([]);
});

// At phone width (360 CSS px) everything fits: no sideways scrolling, every
// control on screen, long echoes wrapped, every panel in use.
import { expect, logRows, openConnected, sendButton, test } from './fixtures.ts';

const WIDTH = 360;
test.use({ viewport: { width: WIDTH, height: 740 }, isMobile: true, hasTouch: true });

test('at 360 px the page has no horizontal scroll and every control is visible', async ({ page, problems }) => {
  await openConnected(page);
  // An echo with no spaces must wrap in the log instead of widening the page.
  const long = 'x'.repeat(300);
  await page.getByLabel('Message', { exact: true }).fill(long);
  await sendButton(page).click();
  await expect(logRows(page, 'received', `Received: ${long}`)).toHaveCount(1);
  // Fill the panels that grow: a hex dump, the inspected handshake's table, a close explained.
  await page.getByLabel('Hex bytes', { exact: true }).fill('de ad be ef '.repeat(40));
  await page.getByRole('button', { name: 'Send bytes', exact: true }).click();
  await expect(page.getByLabel('Hex dump', { exact: true })).toContainText('de ad be ef');
  await page.getByRole('button', { name: 'Inspect handshake', exact: true }).click();
  await expect(page.getByLabel('Match', { exact: true })).toHaveText(/^✓/);

  const controls = [
    page.getByRole('heading', { level: 1, name: 'WebSocket Echo Test' }),
    page.getByLabel('Message', { exact: true }),
    sendButton(page),
    page.getByRole('button', { name: 'Connect', exact: true }),
    page.getByRole('button', { name: 'Disconnect', exact: true }),
    page.getByLabel('Blob', { exact: true }),
    page.getByLabel('ArrayBuffer', { exact: true }),
    page.getByLabel('Send a file (as a Blob)'),
    page.getByRole('img', { name: 'Client and server exchanging ripples' }),
    page.getByRole('button', { name: 'Send canvas pixels', exact: true }),
    page.getByRole('log'),
    page.getByLabel('Check JSON before sending', { exact: true }),
    page.getByRole('button', { name: 'Pretty-print JSON', exact: true }),
    page.getByLabel('Saved', { exact: true }),
    page.getByLabel('Name', { exact: true }),
    page.getByRole('button', { name: 'Save template', exact: true }),
    page.getByLabel('Endpoint', { exact: true }),
    page.getByRole('button', { name: '/ echo', exact: true }),
    page.getByRole('button', { name: '/raw', exact: true }),
    page.getByRole('button', { name: '/inspect', exact: true }),
    page.getByRole('button', { name: '/push', exact: true }),
    page.getByLabel('Subprotocols to offer (comma separated)', { exact: true }),
    page.getByLabel('Auto-reconnect', { exact: true }),
    page.getByLabel('Sent', { exact: true }),
    page.getByLabel('Uptime', { exact: true }),
    page.getByLabel('Show', { exact: true }),
    page.getByLabel('Search', { exact: true }),
    page.getByRole('button', { name: 'Clear', exact: true }),
    page.getByRole('button', { name: 'Export JSON', exact: true }),
    page.getByLabel('Hex dump', { exact: true }),
    page.getByLabel('Hex bytes', { exact: true }),
    page.getByRole('button', { name: 'Send bytes', exact: true }),
    page.getByLabel('Close code', { exact: true }),
    page.getByLabel('Close reason', { exact: true }),
    page.getByRole('button', { name: 'Close with code', exact: true }),
    page.getByRole('button', { name: 'Inspect handshake', exact: true }),
    page.getByRole('table', { name: 'Request headers as the server saw them' }),
    page.getByLabel('Sec-WebSocket-Key', { exact: true }),
    page.getByRole('button', { name: "Go tutorial's key", exact: true }),
    page.getByRole('button', { name: "Ruan Yifeng's key", exact: true }),
    page.getByLabel('Sec-WebSocket-Accept', { exact: true }),
    page.getByLabel('Latest reply', { exact: true }),
    page.getByLabel('Path', { exact: true }),
    page.getByLabel('close', { exact: true }),
    page.getByLabel('Value of close', { exact: true }),
    page.getByRole('button', { name: 'Connect to this URL', exact: true }),
    page.getByRole('region', { name: 'Frames, newest last' }),
  ];
  for (const control of controls) {
    await expect(control).toBeVisible();
    const box = await control.boundingBox();
    expect(box, 'has a layout box').not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(WIDTH);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
  // Nor does the log itself scroll sideways: the long echo wrapped. Only the
  // hex dump may, inside its own box: 16 bytes a row do not fit 360 px legibly.
  const log = page.getByRole('log');
  expect(await log.evaluate((box) => box.scrollWidth - box.clientWidth)).toBeLessThanOrEqual(0);
  const headers = page.getByRole('region', { name: 'Request headers' });
  expect(await headers.evaluate((box) => box.scrollWidth - box.clientWidth)).toBeLessThanOrEqual(0);
  // Nor the frame view: each frame's table and fields fit, the long echo's payload wraps.
  const frames = page.getByRole('region', { name: 'Frames, newest last' });
  await expect(frames.getByRole('listitem').first()).toBeVisible();
  expect(await frames.evaluate((box) => box.scrollWidth - box.clientWidth)).toBeLessThanOrEqual(0);
  expect(problems).toEqual([]);
});

test('at 360 px the reply to Send Message and the state show on the first screen, right under the form', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  await sendButton(page).click();
  const reply = page.getByLabel('Latest reply', { exact: true });
  await expect(reply).toHaveText('Received: Hello, world!');
  // On the first screen as it is: nothing scrolled, the whole reply in view.
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  await expect(reply).toBeInViewport({ ratio: 1 });
  await expect(page.getByLabel('State', { exact: true })).toHaveText('1 OPEN');
  await expect(page.getByLabel('State', { exact: true })).toBeInViewport({ ratio: 1 });
  // The log below still has it all.
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await expect(logRows(page, 'sent', 'Hello, world!')).toHaveCount(1);

  // A dropped connection shows there too, with its code.
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(page.getByLabel('State', { exact: true })).toHaveText('3 CLOSED, code 1000 (Normal Closure)');
  expect(problems).toEqual([]);
});

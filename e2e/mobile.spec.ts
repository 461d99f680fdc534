// At phone width (360 CSS px) everything fits: no sideways scrolling, every
// control on screen, long echoes wrapped.
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
  ];
  for (const control of controls) {
    await expect(control).toBeVisible();
    const box = await control.boundingBox();
    expect(box, 'has a layout box').not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(WIDTH);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
  // Nor does the log itself scroll sideways: the long echo wrapped.
  const log = page.getByRole('log');
  expect(await log.evaluate((box) => box.scrollWidth - box.clientWidth)).toBeLessThanOrEqual(0);
  expect(problems).toEqual([]);
});

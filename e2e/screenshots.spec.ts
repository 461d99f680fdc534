// `npm run screenshots`: regenerates the README's pictures from the built
// page after a text and a canvas round trip. Not part of `npm test`.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../test/support/spawn-server.ts';
import { expect, logRows, openConnected, sendButton, test } from './fixtures.ts';
import type { Page } from '@playwright/test';

const DOCS = join(PROJECT_ROOT, 'docs');

async function sendTextAndCanvas(page: Page): Promise<void> {
  await openConnected(page);
  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await page.getByRole('button', { name: 'Send canvas pixels', exact: true }).click();
  await expect(logRows(page, 'received', 'Blob, 512000 bytes')).toHaveCount(1);
  // Clicking scrolled the page; from the top, the sticky log sits where a reader first sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
}

test('desktop, about 1000 px wide', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 900 });
  await sendTextAndCanvas(page);
  await page.screenshot({ path: join(DOCS, 'screenshot.png'), fullPage: true });
});

test('phone, 360 px wide', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await sendTextAndCanvas(page);
  await page.screenshot({ path: join(DOCS, 'screenshot-mobile.png'), fullPage: true });
});

// Dark mode is checked by eye, not published: it lands in test-results/.
test('desktop in dark mode', async ({ page }, testInfo) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1000, height: 900 });
  await sendTextAndCanvas(page);
  const path = testInfo.outputPath('screenshot-dark.png');
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach('screenshot-dark', { path, contentType: 'image/png' });
});

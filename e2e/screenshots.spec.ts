// `npm run screenshots`: regenerates the README's pictures from the built
// page after some activity: a text echo, a hex message in the binary view,
// and an inspected handshake; in English, and once in Chinese for the
// README's 简体中文 section. Each is what a reader sees first (the page is
// several screens long now): the top 1,000 px on a desktop, the first
// screen on a phone. Not part of `npm test`.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../test/support/spawn-server.ts';
import { expect, openConnected, sendButton, test } from './fixtures.ts';
import { CHINESE, ENGLISH, rowsIn, type Words } from './i18n-helpers.ts';
import type { Page } from '@playwright/test';

const DOCS = join(PROJECT_ROOT, 'docs');
/** The top of a desktop page: the form with its latest reply, the connection, the log and the binary view. */
const DESKTOP_TOP = { x: 0, y: 0, width: 1200, height: 1000 };

async function showActivity(page: Page, words: Words = ENGLISH): Promise<void> {
  await openConnected(page);
  await sendButton(page).click();
  await expect(rowsIn(page, words, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await page
    .getByLabel(words('binary.hexBytes'), { exact: true })
    .fill('57 65 62 53 6f 63 6b 65 74 20 e2 9c 93 00 01 02 03 ff fe');
  await page.getByRole('button', { name: words('binary.sendBytes'), exact: true }).click();
  await expect(rowsIn(page, words, 'received', /^Blob/)).toHaveCount(1);
  await page.getByRole('button', { name: words('handshake.inspect'), exact: true }).click();
  await expect(page.getByLabel(words('handshake.match'), { exact: true })).toHaveText(/^✓/);
  // Clicking scrolled the page; from the top is where a reader first sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
}

test('desktop, about 1200 px wide', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 900 });
  await showActivity(page);
  await page.screenshot({ path: join(DOCS, 'screenshot.png'), clip: DESKTOP_TOP });
});

test('phone, 360 px wide', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await showActivity(page);
  await page.screenshot({ path: join(DOCS, 'screenshot-mobile.png') });
});

test('desktop in dark mode', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1200, height: 900 });
  await showActivity(page);
  await page.screenshot({ path: join(DOCS, 'screenshot-dark.png'), clip: DESKTOP_TOP });
});

test.describe('in Chinese', () => {
  test.use({ locale: 'zh-CN' });

  test('desktop, about 1200 px wide', async ({ page }) => {
    await page.setViewportSize({ width: 1200, height: 900 });
    await showActivity(page, CHINESE);
    await page.screenshot({ path: join(DOCS, 'screenshot-zh.png'), clip: DESKTOP_TOP });
  });
});

// axe-core on the whole page, light and dark, after enough activity that
// every panel has content (log rows of each kind, control frames among them,
// a hex dump, an inspected handshake, the frame view, Misbehave's history, an
// error line); and the page used from the keyboard alone.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, logRows, openConnected, sendButton, test } from './fixtures.ts';
import { misbehave } from './wire-helpers.ts';

async function fillEveryPanel(page: Page): Promise<void> {
  // Every card in use, then axe over all of them: past 90 s together on a loaded two-core machine.
  test.setTimeout(150_000);
  await openConnected(page);
  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await page.getByLabel('Hex bytes', { exact: true }).fill('de ad be ef');
  await page.getByRole('button', { name: 'Send bytes', exact: true }).click();
  await expect(page.getByLabel('Hex dump', { exact: true })).toContainText('de ad be ef');
  await page.getByRole('button', { name: 'Inspect handshake', exact: true }).click();
  await expect(page.getByLabel('Match', { exact: true })).toHaveText(/^✓/);
  // Control frames and fragments in the log and the frame view, then back to a quiet connection for axe.
  await misbehave(page, { fragment: '8', ping_ms: '1000' });
  await expect(logRows(page, 'sent', 'pong, payload "1"')).toHaveCount(1);
  await sendButton(page).click();
  await expect(logRows(page, 'received', /^the server sent this message as 3 fragments/)).toHaveCount(1);
  await page.getByLabel('fragment', { exact: true }).uncheck();
  await page.getByLabel('ping_ms', { exact: true }).uncheck();
  await misbehave(page, {});
  await page.getByLabel('Close code', { exact: true }).fill('1001');
  await page.getByRole('button', { name: 'Close with code', exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
}

async function violations(page: Page): Promise<string[]> {
  // axe walks every node of a full page: ~8 s alone, past 30 s on a loaded two-core machine.
  test.slow();
  const results = await new AxeBuilder({ page }).analyze();
  // One line per failing element, so a failure says what and where.
  return results.violations.flatMap((v) =>
    v.nodes.map((node) => `${v.id}: ${node.target.join(' ')} — ${node.failureSummary ?? v.help}`),
  );
}

test('axe finds no violations in light mode', async ({ page }) => {
  await fillEveryPanel(page);
  expect(await violations(page)).toEqual([]);
});

test('axe finds no violations in dark mode', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await fillEveryPanel(page);
  expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
  expect(await violations(page)).toEqual([]);
});

test('the keyboard alone reaches the message box, sends with Enter, and focus is visible', async ({
  page,
  problems,
}) => {
  await openConnected(page);
  // The message box is the first stop: the message form is at the top.
  await page.keyboard.press('Tab');
  const box = page.getByLabel('Message', { exact: true });
  await expect(box).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('from the keyboard');
  await page.keyboard.press('Enter');
  await expect(logRows(page, 'received', 'Received: from the keyboard')).toHaveCount(1);

  await page.keyboard.press('Tab');
  await expect(sendButton(page)).toBeFocused();
  const outline = await sendButton(page).evaluate((button) => getComputedStyle(button).outlineStyle);
  expect(outline).toBe('solid');
  await page.keyboard.press('Enter');
  await expect(logRows(page, 'received', 'Received: from the keyboard')).toHaveCount(2);
  expect(problems).toEqual([]);
});

// axe-core on the whole page, light and dark, after enough activity that
// every panel has content (e2e/axe-helpers.ts); and the page used from the
// keyboard alone. The Chinese page's scan is in e2e/language.spec.ts.
import { fillEveryPanel, violations } from './axe-helpers.ts';
import { expect, logRows, openConnected, sendButton, test } from './fixtures.ts';

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
  // The header's language switch is the first stop, named in both languages;
  // the message box is the next: the message form is at the top.
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Language · 语言', { exact: true })).toBeFocused();
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

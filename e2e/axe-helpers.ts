// axe-core on the whole page after enough activity that every panel has
// content (log rows of each kind, a hex dump, an inspected handshake, an
// error line, conformance verdicts), in whichever language the page is in.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, openConnected, sendButton, test } from './fixtures.ts';
import { ENGLISH, rowsIn, type Words } from './i18n-helpers.ts';

/** Uses every panel, finding the controls by their names in `words`' language. */
export async function fillEveryPanel(page: Page, words: Words = ENGLISH): Promise<void> {
  await openConnected(page);
  await sendButton(page).click();
  await expect(rowsIn(page, words, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await page.getByLabel(words('binary.hexBytes'), { exact: true }).fill('de ad be ef');
  await page.getByRole('button', { name: words('binary.sendBytes'), exact: true }).click();
  await expect(page.getByLabel(words('hexView.dump'), { exact: true })).toContainText('de ad be ef');
  await page.getByRole('button', { name: words('handshake.inspect'), exact: true }).click();
  await expect(page.getByLabel(words('handshake.match'), { exact: true })).toHaveText(/^✓/);
  await page.getByLabel(words('close.code'), { exact: true }).fill('1001');
  await page.getByRole('button', { name: words('close.send'), exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  // A quick conformance run (category 2 only), with a category and a case opened.
  // The conformance card is not translated yet, so its words are English in every language.
  test.slow();
  const conformance = page.getByRole('region', { name: 'Client conformance', exact: true });
  for (const box of await conformance.getByRole('checkbox').all())
    await box.setChecked((await box.getAttribute('value')) === '2');
  await conformance.getByRole('button', { name: 'Test this browser', exact: true }).click();
  await expect(conformance.getByRole('status')).toHaveText(/^Ran /, { timeout: 60_000 });
  await conformance.locator('summary', { hasText: /^2 Pings\/Pongs / }).click();
  await conformance.locator('summary', { hasText: /^2\.1 / }).click();
  await expect(conformance.getByRole('link', { name: 'JSON report', exact: true })).toBeVisible();
}

/** One line per failing element, so a failure says what and where. */
export async function violations(page: Page): Promise<string[]> {
  // axe walks every node of a full page: ~8 s alone, past 30 s on a loaded two-core machine.
  test.slow();
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.flatMap((v) =>
    v.nodes.map((node) => `${v.id}: ${node.target.join(' ')} — ${node.failureSummary ?? v.help}`),
  );
}

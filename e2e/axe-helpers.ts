// axe-core on the whole page after enough activity that every panel has
// content (log rows of each kind, control frames among them, a hex dump, an
// inspected handshake, the frame view, Misbehave's history, an error line,
// conformance verdicts), in whichever language the page is in.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, openConnected, sendButton, test } from './fixtures.ts';
import { ENGLISH, rowsIn, type Words } from './i18n-helpers.ts';
import { misbehave } from './wire-helpers.ts';

/** Uses every panel, finding the controls by their names in `words`' language. */
export async function fillEveryPanel(page: Page, words: Words = ENGLISH): Promise<void> {
  // Every card in use, then axe over all of them: past 90 s together on a loaded two-core machine.
  test.setTimeout(150_000);
  await openConnected(page);
  await sendButton(page).click();
  await expect(rowsIn(page, words, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await page.getByLabel(words('binary.hexBytes'), { exact: true }).fill('de ad be ef');
  await page.getByRole('button', { name: words('binary.sendBytes'), exact: true }).click();
  await expect(page.getByLabel(words('hexView.dump'), { exact: true })).toContainText('de ad be ef');
  await page.getByRole('button', { name: words('handshake.inspect'), exact: true }).click();
  await expect(page.getByLabel(words('handshake.match'), { exact: true })).toHaveText(/^✓/);
  // Control frames and fragments in the log and the frame view, then back to a quiet connection for axe.
  await misbehave(page, { fragment: '8', ping_ms: '1000' }, words);
  const pong = words('wire.payload').replace('{shown}', '"1"');
  await expect(rowsIn(page, words, 'sent', `pong${words('list.gap')}${pong}`)).toHaveCount(1);
  await sendButton(page).click();
  const fragmented = words('wire.fragmentsQuoted')
    .split('{sizes}')[0]!
    .replace('{sender}', words('wire.sender.server'))
    .replace('{count}', '3');
  await expect(rowsIn(page, words, 'received', new RegExp(`^${escapeRegExp(fragmented)}`))).toHaveCount(1);
  await page.getByLabel('fragment', { exact: true }).uncheck();
  await page.getByLabel('ping_ms', { exact: true }).uncheck();
  await misbehave(page, {}, words);
  // Compressed, so Extensions has something to show.
  await page.getByLabel(words('connection.compress'), { exact: true }).check();
  await page.getByLabel(words('close.code'), { exact: true }).fill('1001');
  await page.getByRole('button', { name: words('close.send'), exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  // A quick conformance run (category 2 only), with a category and a case opened.
  test.slow();
  const conformance = page.getByRole('region', { name: words('conformance.heading'), exact: true });
  for (const box of await conformance.getByRole('checkbox').all())
    await box.setChecked((await box.getAttribute('value')) === '2');
  await conformance.getByRole('button', { name: words('conformance.run'), exact: true }).click();
  const ran = new RegExp(`^${words('conformance.finished').split('{')[0]}`);
  await expect(conformance.getByRole('status')).toHaveText(ran, { timeout: 60_000 });
  const category = new RegExp(`^2 ${escapeRegExp(words('conformance.category.2'))} `);
  await conformance.locator('summary', { hasText: category }).click();
  await conformance.locator('summary', { hasText: /^2\.1 / }).click();
  await expect(conformance.getByRole('link', { name: words('conformance.jsonReport'), exact: true })).toBeVisible();
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The Client conformance card: Test this browser plays the server's
// conformance cases against the page's own WebSocket and shows the server's
// verdicts by category, each case expandable, with working report links.
// Quick categories only; the full run is measured by hand (server/fuzzing/README.md).
import type { Locator, Page } from '@playwright/test';
import { CASES, shortDescription } from '../server/fuzzing/cases/index.ts';
import { startServer } from '../test/support/spawn-server.ts';
import { expect, openConnected, test } from './fixtures.ts';

/** What Chromium logs when it fails a case's connection itself, as some cases require. */
const RUN_CASE_FAILED =
  /^console error: WebSocket connection to 'ws:\/\/[^']+\/runCase\?case=\d+&agent=[^']+' failed: /;

/** The card, by its heading. */
function card(page: Page): Locator {
  return page.getByRole('region', { name: 'Client conformance', exact: true });
}

/** Leaves only `categories` checked. */
async function choose(page: Page, categories: readonly string[]): Promise<void> {
  for (const box of await card(page).getByRole('checkbox').all()) {
    const category = (await box.getAttribute('value')) ?? '';
    await box.setChecked(categories.includes(category));
  }
}

function casesOf(category: string) {
  return CASES.filter((spec) => spec.id.split('.')[0] === category);
}

test('Test this browser runs categories 1 and 2 with the page’s WebSocket: Chromium passes every case', async ({
  page,
  problems,
  request,
}) => {
  test.slow();
  await openConnected(page);
  await expect(card(page).getByRole('checkbox')).toHaveCount(11);
  await choose(page, ['1', '2']);
  await card(page).getByRole('button', { name: 'Test this browser', exact: true }).click();

  const ran = casesOf('1').length + casesOf('2').length;
  const status = card(page).getByRole('status');
  await expect(status).toHaveText(
    new RegExp(`^Ran ${ran} cases in \\d+:\\d\\d:\\d\\d as “Chromium \\d+ \\([a-z0-9]{4}\\)”\\.$`),
    {
      timeout: 60_000,
    },
  );
  const agent = /“(.+)”/.exec((await status.textContent()) ?? '')![1]!;
  await expect(card(page).getByRole('button', { name: 'Test this browser', exact: true })).toBeEnabled();
  await expect(card(page).getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();

  // What Chromium really gets on these two categories: every case OK, closing included.
  await expect(card(page).locator('.conformance-total')).toHaveText(`${ran} OK`);
  const categories = card(page).locator('.conformance-category > summary');
  await expect(categories).toHaveText([
    `1 Framing ${casesOf('1').length} OK`,
    `2 Pings/Pongs ${casesOf('2').length} OK`,
  ]);

  await categories.filter({ hasText: '1 Framing' }).click();
  const first = card(page).locator('.conformance-case').first();
  await expect(first.locator('summary')).toHaveText('1.1.1 OK');
  await first.locator('summary').click();
  const field = (term: string) => first.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('+ dd');
  await expect(field('Description')).toHaveText(shortDescription(CASES[0]!));
  await expect(field('Behavior')).toHaveText('OK');
  await expect(field('Close behavior')).toHaveText('OK');
  await expect(field('Close code the browser sent')).toHaveText('1000');
  await expect(field('Duration')).toHaveText(/^\d+ ms$/);
  // 1.1.1 sends one empty text message.
  await expect(field('The browser reported')).toHaveText(
    'close code 1000, wasClean true; 1 message received, 1 sent back',
  );

  const json = await first.getByRole('link', { name: 'JSON report', exact: true }).getAttribute('href');
  const report = await request.get(json!);
  expect(report.status()).toBe(200);
  expect(report.headers()['content-type']).toMatch(/^application\/json/);
  expect(await report.json()).toMatchObject({ agent, id: '1.1.1', behavior: 'OK', behaviorClose: 'OK' });
  const summary = await first.getByRole('link', { name: 'in the summary', exact: true }).getAttribute('href');
  expect(summary).toMatch(/\/reports\/clients\/index\.html#case-1-1-1$/);
  const html = await request.get(summary!);
  expect(html.status()).toBe(200);
  expect(await html.text()).toContain(agent);
  // Chromium logs each connection it fails itself (2.5: a ping over 125 bytes); nothing else may go wrong.
  expect(problems.filter((line) => !RUN_CASE_FAILED.test(line))).toEqual([]);
});

test('Stop cuts the case being played short and shows the verdicts of the cases that finished', async ({
  page,
  problems,
}) => {
  test.slow();
  await openConnected(page);
  await choose(page, ['6']);
  await card(page).getByRole('button', { name: 'Test this browser', exact: true }).click();
  // The server gives each of 6.4.1–6.4.4 a second to fail fast: time to press Stop in, watched every frame.
  await page.waitForFunction(
    () => /^Case 6\.4\.[1-3] /.test(document.getElementById('conformance-current')?.textContent ?? ''),
    null,
    { polling: 'raf', timeout: 60_000 },
  );
  await card(page).getByRole('button', { name: 'Stop', exact: true }).click();
  const status = card(page).getByRole('status');
  await expect(status).toHaveText(
    /^Stopped after \d+ cases \(\d+:\d\d:\d\d\) as “.+”; the verdicts of those are below\.$/,
  );
  const finished = Number(/after (\d+) cases/.exec((await status.textContent()) ?? '')![1]);
  // The case being played when Stop was pressed (6.4.1, 6.4.2 or 6.4.3, or the next) is left out.
  const ids = casesOf('6').map((spec) => spec.id);
  expect(finished).toBeGreaterThanOrEqual(ids.indexOf('6.4.1'));
  expect(finished).toBeLessThanOrEqual(ids.indexOf('6.4.4'));
  await expect(card(page).locator('.conformance-category > summary')).toHaveText([`6 UTF-8 Handling ${finished} OK`]);
  await expect(card(page).locator('.conformance-case > summary > .mono')).toHaveText(ids.slice(0, finished));
  await expect(card(page).getByRole('progressbar')).toBeHidden();
  await expect(card(page).getByRole('button', { name: 'Test this browser', exact: true })).toBeEnabled();
  expect(problems.filter((line) => !RUN_CASE_FAILED.test(line))).toEqual([]);
});

test('a server that goes away stops the run with the reason', async ({ page }) => {
  test.slow();
  const leaving = await startServer();
  try {
    await openConnected(page, leaving.url);
    await choose(page, ['9']);
    await card(page).getByRole('button', { name: 'Test this browser', exact: true }).click();
    await expect(card(page).getByText(/^Case 9\.1\.\d /)).toBeVisible({ timeout: 60_000 });
  } finally {
    await leaving.stop();
  }
  await expect(card(page).getByRole('alert')).toHaveText(
    'The run stopped: the connection closed with 1006 before any message.',
    { timeout: 30_000 },
  );
  await expect(card(page).getByRole('status')).toHaveText('');
  await expect(card(page).getByRole('button', { name: 'Test this browser', exact: true })).toBeEnabled();
  await expect(card(page).getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();
});

test('a run needs at least one category', async ({ page }) => {
  await openConnected(page);
  await choose(page, []);
  await card(page).getByRole('button', { name: 'Test this browser', exact: true }).click();
  await expect(card(page).getByRole('alert')).toHaveText('Choose at least one category to run.');
});

test('under --base-path the run, the reports and their links stay under the prefix', async ({
  page,
  problems,
  request,
}) => {
  test.slow();
  const prefixed = await startServer({ args: ['--base-path', '/prefix'] });
  try {
    await openConnected(page, prefixed.url);
    await choose(page, ['10']);
    await card(page).getByRole('button', { name: 'Test this browser', exact: true }).click();
    await expect(card(page).getByRole('status')).toHaveText(/^Ran 1 case in /, { timeout: 60_000 });
    await expect(card(page).locator('.conformance-category > summary')).toHaveText(['10 Misc 1 OK']);
    const summary = card(page).getByRole('link', { name: 'HTML summary of every agent', exact: true });
    expect(await summary.getAttribute('href')).toBe(`${prefixed.url}reports/clients/index.html`);
    await card(page).locator('.conformance-category > summary').click();
    await card(page).locator('.conformance-case > summary').click();
    const json = await card(page).getByRole('link', { name: 'JSON report', exact: true }).getAttribute('href');
    expect(json).toMatch(new RegExp(`^${prefixed.url}reports/clients/[a-z0-9_]+_case_10_1_1\\.json$`));
    expect((await request.get(json!)).status()).toBe(200);
    expect(problems).toEqual([]);
  } finally {
    await prefixed.stop();
  }
});

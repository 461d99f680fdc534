// The cards the page loads after its first paint (client/deferred.ts) may not
// come: the server was updated since the page loaded (the chunk's hashed name
// is gone), or the network dropped. The page then says so and to reload, in
// its language, and what loaded first goes on working.
import type { Page } from '@playwright/test';
import { expect, logRows, openConnected, readyState, sendButton, test } from './fixtures.ts';
import { CHINESE, ENGLISH, type Words } from './i18n-helpers.ts';

/** The later cards' chunk, as the build names it (assets/deferred-<hash>.js). */
const DEFERRED_CHUNK = /\/assets\/deferred-[\w-]+\.js$/;

/** Every request for the later cards' chunk fails, as a dropped network makes it. */
async function failLaterCards(page: Page): Promise<void> {
  await page.route(DEFERRED_CHUNK, (route) => route.abort('internetdisconnected'));
}

/** The failed chunk, the browser's console line for it and the page's; nothing else went wrong. */
function expectOnlyTheChunkFailed(problems: string[]): void {
  expect(problems).toHaveLength(3);
  expect(problems).toContainEqual(expect.stringMatching(/^request failed: \S+\/assets\/deferred-[\w-]+\.js /));
  expect(problems).toContainEqual('console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED');
  expect(problems).toContainEqual(
    expect.stringMatching(/^console error: TypeError: Failed to fetch dynamically imported module: \S+\/deferred-/),
  );
}

const note = (page: Page, words: Words) => page.getByRole('alert').filter({ hasText: words('page.laterFailed') });

test('when the later cards do not load, the page says to reload, and sending and the log still work', async ({
  page,
  problems,
}) => {
  await failLaterCards(page);
  await openConnected(page);
  await expect(note(page, ENGLISH)).toBeVisible();
  await expect(note(page, ENGLISH)).toHaveText(ENGLISH('page.laterFailed'));

  // The first paint's cards: the echo, the log, and the connection's own controls.
  await sendButton(page).click();
  await expect(logRows(page, 'received', 'Received: Hello, world!')).toHaveCount(1);
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(readyState(page)).toHaveText('3 CLOSED');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(readyState(page)).toHaveText('1 OPEN');
  expectOnlyTheChunkFailed(problems);
});

test('the page says nothing of the kind when the later cards load', async ({ page, problems }) => {
  await openConnected(page);
  // The Misbehave card's presets come with the later chunk: once they are there, it has loaded.
  await expect(page.locator('#misbehave-presets button').first()).toBeVisible();
  await expect(page.locator('#later-failed')).toBeHidden();
  expect(problems).toEqual([]);
});

test.describe('with the browser in zh-CN', () => {
  test.use({ locale: 'zh-CN' });

  test('the note is in Chinese', async ({ page, problems }) => {
    await failLaterCards(page);
    await openConnected(page);
    await expect(note(page, CHINESE)).toHaveText(CHINESE('page.laterFailed'));
    expectOnlyTheChunkFailed(problems);
  });
});

// The page served under --base-path /prefix/, as behind a shared ingress: the
// same build as at the root (its asset URLs are relative), connecting to the
// echo under the prefix by itself. Production, then dev mode (Vite's base).
import { expect, logRows, readyState, sendButton, test } from './fixtures.ts';
import { startServer, type RunningServer } from '../test/support/spawn-server.ts';
import { openWithHmr } from './dev-page.ts';

test.describe('npm start -- --base-path /prefix', () => {
  let prefixed: RunningServer;
  test.beforeAll(async () => {
    prefixed = await startServer({ args: ['--base-path', '/prefix'] });
  });
  test.afterAll(async () => {
    await prefixed.stop();
  });

  test('the page echoes under /prefix/, and its path buttons and handshake inspector stay there', async ({
    page,
    problems,
  }) => {
    expect(new URL(prefixed.url).pathname).toBe('/prefix/');
    await page.goto(prefixed.url);
    await expect(readyState(page)).toHaveText('1 OPEN');
    await expect(page.getByLabel('URL', { exact: true })).toHaveText(prefixed.wsUrl);
    await sendButton(page).click();
    await expect(logRows(page, 'received', 'Received: Hello, world!')).toBeVisible();

    await page.getByRole('button', { name: '/raw', exact: true }).click();
    await expect(page.getByLabel('Endpoint', { exact: true })).toHaveValue(`${prefixed.wsUrl}raw`);
    await expect(readyState(page)).toHaveText('1 OPEN');
    await page.getByRole('button', { name: 'Inspect handshake', exact: true }).click();
    await expect(page.getByText(/^Inspected ws:\/\/127\.0\.0\.1:\d+\/prefix\/inspect over a socket/)).toBeVisible();
    expect(problems).toEqual([]);
  });
});

test.describe('npm run dev -- --base-path /prefix', () => {
  let dev: RunningServer;
  test.beforeAll(async () => {
    dev = await startServer({ dev: true, args: ['--base-path', '/prefix'] });
  });
  test.afterAll(async () => {
    await dev.stop('SIGINT');
  });

  test('Vite serves the page under /prefix/, connects HMR there, and the page echoes', async ({ page }) => {
    const consoleErrors = await openWithHmr(page, dev.url);
    await sendButton(page).click();
    await expect(logRows(page, 'received', 'Received: Hello, world!')).toBeVisible();
    expect(consoleErrors).toEqual([]);
  });
});

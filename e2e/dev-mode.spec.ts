// `npm run dev` is one process on one port: the page through Vite's
// middleware, Vite's HMR socket and the echo all share it.
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { PROJECT_ROOT, startServer, type RunningServer } from '../test/support/spawn-server.ts';
import { openWithHmr } from './dev-page.ts';

let dev: RunningServer;

test.beforeAll(async () => {
  dev = await startServer({ dev: true });
});

test.afterAll(async () => {
  // Ctrl-C reaches npm, tsx and the server; npm itself then dies of the signal,
  // so the server's own last log line is what says it stopped cleanly.
  await dev.stop('SIGINT');
  expect(dev.output.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
});

test('npm run dev serves the page, connects HMR and echoes on the same port', async ({ page }) => {
  const consoleErrors = await openWithHmr(page, dev.url);
  await page.getByRole('button', { name: 'Send Message' }).click();
  await expect(page.getByText('Received: Hello, world!')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('a stylesheet edit hot-reloads without a full page reload', async ({ page }) => {
  const stylesheet = join(PROJECT_ROOT, 'client', 'style.css');
  const original = await readFile(stylesheet, 'utf8');
  // Restored afterwards with its old times too: a newer mtime would make the
  // next `npm start` think the sources changed and rebuild.
  const { atime, mtime } = await stat(stylesheet);
  await openWithHmr(page, dev.url);
  // A full reload would wipe this marker; a hot update keeps it.
  await page.evaluate(() => Object.assign(window, { hmrMarker: true }));
  const probe = () =>
    page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--hmr-probe').trim());
  expect(await probe()).toBe('');
  try {
    await writeFile(stylesheet, `${original}\n:root { --hmr-probe: edited; }\n`);
    await expect.poll(probe).toBe('edited');
    expect(await page.evaluate(() => 'hmrMarker' in window)).toBe(true);
  } finally {
    await writeFile(stylesheet, original);
    await utimes(stylesheet, atime, mtime);
  }
});

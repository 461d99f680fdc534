// The page as `npm run dev` serves it: opened once Vite's HMR client in it
// has connected, with the console errors it logs collected as they come.
import type { Page } from '@playwright/test';

/** Opens `url` and resolves once the page logged "[vite] connected"; the returned list fills with console errors. */
export async function openWithHmr(page: Page, url: string): Promise<string[]> {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const hmrConnected = page.waitForEvent('console', (message) => message.text().includes('[vite] connected'));
  await page.goto(url);
  await hmrConnected;
  return consoleErrors;
}

// Playwright's `test` plus what the browser tests share: the built server (one
// per worker, so `page.goto('/')` reaches it), the page's console lines, and
// everything that went wrong while it loaded or ran.
import { test as base, expect, type Page } from '@playwright/test';
import { readyState } from '../test/support/page-controls.ts';
import { collectProblems } from '../test/support/page-problems.ts';
import { startServer, type RunningServer } from '../test/support/spawn-server.ts';

export { expect };
export { logOf, logRows, readyState, sendButton } from '../test/support/page-controls.ts';

interface TestFixtures {
  /** Every console.log line the page wrote, in order. */
  consoleLines: string[];
  /** Console errors, uncaught exceptions, failed requests and HTTP errors; normal use has none. */
  problems: string[];
}

interface WorkerFixtures {
  /** The production server (`node dist/server/main.js`), shared by the worker's tests. */
  server: RunningServer;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    async ({}, use) => {
      const server = await startServer();
      try {
        await use(server);
      } finally {
        await server.stop();
      }
    },
    { scope: 'worker' },
  ],

  baseURL: async ({ server }, use) => {
    await use(server.url);
  },

  consoleLines: async ({ page }, use) => {
    const lines: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'log') lines.push(message.text());
    });
    await use(lines);
  },

  problems: async ({ page }, use) => {
    await use(collectProblems(page));
  },
});

/** Opens the page and waits until its socket is OPEN. */
export async function openConnected(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await expect(readyState(page)).toHaveText('1 OPEN');
}

// Browser tests run the real built page in Chromium against the real server,
// which each test file starts itself (see e2e/fixtures.ts).
import { defineConfig, devices } from '@playwright/test';
import { findChromium } from './scripts/find-chromium.ts';

const executablePath = findChromium();

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: !!process.env.CI,
  // One retry in CI, where a loaded machine can slow a browser past a timeout;
  // Playwright still reports such a test as flaky, so it stays visible.
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    // The page speaks the browser's language (client/i18n/); the specs read
    // its English unless they ask for another, whatever this machine's locale.
    locale: 'en-US',
    launchOptions: executablePath ? { executablePath } : {},
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'e2e', testIgnore: /screenshots\.spec\.ts/ },
    // `npm run screenshots` regenerates the README's pictures; not part of npm test.
    { name: 'screenshots', testMatch: /screenshots\.spec\.ts/ },
  ],
});

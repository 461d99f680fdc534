// Finds a Chromium for Playwright: CHROMIUM_PATH, then the system's, then
// Playwright's own download. Throws a how-to-fix message when there is none.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The browser binary to launch, or undefined to let Playwright use its own. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (existsSync(chosen)) return chosen;
    throw new Error(`CHROMIUM_PATH=${chosen} does not exist; point it at a Chromium or Chrome binary, or unset it`);
  }
  const system = SYSTEM_CHROMIUMS.find((path) => existsSync(path));
  if (system) return system;
  if (existsSync(chromium.executablePath())) return undefined;
  throw new Error(
    'no Chromium found for the browser tests. Install one: `sudo apt-get install chromium` (Debian/Ubuntu), ' +
      'or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium/Chrome binary.',
  );
}

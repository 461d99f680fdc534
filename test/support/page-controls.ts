// The playground's controls as a user finds them, by role and label, for the
// browser tests (e2e/) and the deployment tests (test/deploy/). Types only
// from Playwright, so it loads outside Playwright's runner too.
import type { Locator, Page } from '@playwright/test';

/** The page's log. */
export function logOf(page: Page): Locator {
  return page.getByRole('log');
}

export type Direction = 'sent' | 'received' | 'event' | 'error';

/** Log rows going `direction` whose content is `content` (exactly, for a string). */
export function logRows(page: Page, direction: Direction, content: string | RegExp): Locator {
  return logRowsLabelled(page, direction, content);
}

/** Log rows whose direction reads `label` (a direction as the page's language writes it) and whose content is `content`. */
export function logRowsLabelled(page: Page, label: string, content: string | RegExp): Locator {
  const text = typeof content === 'string' ? page.getByText(content, { exact: true }) : page.getByText(content);
  return logOf(page)
    .getByRole('listitem')
    .filter({ has: page.getByText(label, { exact: true }) })
    .filter({ has: text });
}

/** The live readyState, e.g. "1 OPEN". */
export function readyState(page: Page): Locator {
  return page.getByLabel('readyState', { exact: true });
}

/** The URL the page's socket is connected to. */
export function socketUrl(page: Page): Locator {
  return page.getByLabel('URL', { exact: true });
}

/** The Send Message button. */
export function sendButton(page: Page): Locator {
  return page.getByRole('button', { name: 'Send Message', exact: true });
}

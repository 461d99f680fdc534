// What the playground specs share beyond e2e/fixtures.ts: the log's RTT
// cells, the export, a free port, and switching the page's endpoint.
import type { Download, Locator, Page } from '@playwright/test';
import { expect, logOf, readyState } from './fixtures.ts';

/** Every log row (li) currently in the DOM. */
export function allRows(page: Page): Locator {
  return logOf(page).getByRole('listitem');
}

/** The round-trip cell of the log row whose content is exactly `content`. */
export function rttOf(page: Page, direction: 'sent' | 'received', content: string): Locator {
  return allRows(page)
    .filter({ has: page.getByText(direction, { exact: true }) })
    .filter({ has: page.getByText(content, { exact: true }) })
    .getByText(/^rtt /);
}

/** The exported session file, parsed. */
export interface SessionExport {
  url: string;
  entryCount: number;
  droppedEntries: number;
  entries: Array<{
    id: number;
    time: string;
    direction: 'sent' | 'received' | 'event';
    kind: 'text' | 'binary' | 'event';
    size: number;
    rtt: number | null;
    url: string;
    text?: string;
    hexPreview?: string;
  }>;
}

/** Clicks Export JSON and parses the downloaded file. */
export async function exportSession(page: Page): Promise<{ download: Download; data: SessionExport }> {
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON', exact: true }).click();
  const download = await downloading;
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { download, data: JSON.parse(Buffer.concat(chunks).toString('utf8')) as SessionExport };
}

/** Types `url` into Endpoint and connects there (disconnecting first when open). */
export async function connectTo(page: Page, url: string): Promise<void> {
  const disconnect = page.getByRole('button', { name: 'Disconnect', exact: true });
  if (await disconnect.isEnabled()) {
    await disconnect.click();
    await expect(readyState(page)).toHaveText('3 CLOSED');
  }
  await page.getByLabel('Endpoint', { exact: true }).fill(url);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(readyState(page)).toHaveText('1 OPEN');
  await expect(page.getByLabel('URL', { exact: true })).toHaveText(url);
}

export { freePort } from '../test/support/free-port.ts';

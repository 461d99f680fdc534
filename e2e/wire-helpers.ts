// What the specs of the frame view and the Misbehave panel share: the frame
// list, one frame's table cells and fields, and connecting through the panel.
import { createHash } from 'node:crypto';
import type { Locator, Page } from '@playwright/test';
import { expect, readyState } from './fixtures.ts';
import { ENGLISH, type Words } from './i18n-helpers.ts';

/** The frame view's list, newest last, named in `words`' language. */
export function frameList(page: Page, words: Words = ENGLISH): Locator {
  return page.getByRole('region', { name: words('frames.listHeading') });
}

/** Frames going `direction` (as the page words it: 'browser → server') whose fields show `text` somewhere (e.g. their payload as text). */
export function frames(page: Page, direction: string, text: string | RegExp, words: Words = ENGLISH): Locator {
  return frameList(page, words)
    .getByRole('listitem')
    .filter({ has: page.getByText(direction, { exact: true }) })
    .filter({ hasText: text });
}

/** The value of a frame's field, by its name in the list under the RFC's table. */
export function field(frame: Locator, name: string): Locator {
  return frame
    .locator('dt', { hasText: new RegExp(`^${name.replace(/[()]/g, '\\$&')}$`) })
    .locator('xpath=following-sibling::dd[1]');
}

/** The handshake's bytes as the frame view shows them. */
export function handshakeBytes(
  page: Page,
  which: 'Request (browser → server)' | 'Response (server → browser)',
): Locator {
  return page.getByRole('figure', { name: which, exact: true }).locator('pre');
}

/** Ticks Misbehave's parameters (a value of '' ticks one that takes none) and connects there, in `words`' language. */
export async function misbehave(page: Page, parameters: Record<string, string>, words: Words = ENGLISH): Promise<void> {
  for (const [name, value] of Object.entries(parameters)) {
    await page.getByLabel(name, { exact: true }).check();
    const valueLabel = words('misbehave.valueOf').replace('{name}', name);
    if (value !== '') await page.getByLabel(valueLabel, { exact: true }).fill(value);
  }
  await page.getByRole('button', { name: words('misbehave.connect'), exact: true }).click();
  await expect(page.getByLabel('URL', { exact: true })).toHaveText(/[?&]monitor=[\w-]{22}$/);
  await expect(readyState(page)).toHaveText('1 OPEN');
}

/** Hex pairs, spaced, as the frame view writes them. */
export function hex(bytes: Uint8Array | string): string {
  return [...(typeof bytes === 'string' ? Buffer.from(bytes) : bytes)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join(' ');
}

/** What RFC 6455 §5.3 says the wire carries: each payload byte XOR the key's byte at its position mod 4. */
export function masked(payload: string, keyHex: string): string {
  const key = Buffer.from(keyHex.replace(/ /g, ''), 'hex');
  return hex(Buffer.from(payload).map((byte, i) => byte ^ key[i % 4]!));
}

/** base64(SHA-1(key + GUID)), computed here independently of the page and the server. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

// What the browser tests share about the page's languages: each catalogue's
// words (so a spec in Chinese finds its controls by what a Chinese reader
// sees), the log rows by their on-screen direction, and index.html's marked
// texts as the page shows them.
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { en, enPage } from '../client/i18n/en.ts';
import { type Direction, logRowsLabelled } from '../test/support/page-controls.ts';

export type Key = keyof typeof enPage | keyof typeof en;
type Entry = string | { other: string };

/** A catalogue's text for a key, as the page shows it before its {placeholders} are filled (a plural's `other`). */
export type Words = (key: Key) => string;

export const ENGLISH: Words = wordsOf({ ...enPage, ...en });

export const CHINESE: Words = wordsOf(
  JSON.parse(readFileSync(new URL('../client/i18n/zh-CN.json', import.meta.url), 'utf8')) as Record<string, Entry>,
);

/** Log rows going `direction`, labelled in `words`' language, whose content is exactly `content`. */
export function rowsIn(page: Page, words: Words, direction: Direction, content: string | RegExp): Locator {
  return logRowsLabelled(page, words(`log.direction.${direction}`), content);
}

/**
 * Every element index.html marks with data-i18n, by key, as a template: its
 * text with each data-slot child written {name}, whitespace collapsed; and
 * each marked attribute's value by its key. What a catalogue's entry should be.
 */
export async function markedTexts(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const found: Record<string, string> = {};
    for (const element of document.querySelectorAll('[data-i18n]')) {
      let text = '';
      for (const node of element.childNodes) {
        const slot = node instanceof Element ? node.getAttribute('data-slot') : null;
        text += slot === null ? (node.textContent ?? '') : `{${slot}}`;
      }
      found[element.getAttribute('data-i18n') ?? ''] = text.replace(/\s+/g, ' ').trim();
    }
    for (const attribute of ['aria-label', 'title', 'placeholder', 'content']) {
      for (const element of document.querySelectorAll(`[data-i18n-${attribute}]`)) {
        found[element.getAttribute(`data-i18n-${attribute}`) ?? ''] = element.getAttribute(attribute) ?? '';
      }
    }
    return found;
  });
}

function wordsOf(catalogue: Record<string, Entry>): Words {
  return (key) => {
    const entry = catalogue[key];
    if (entry === undefined) throw new Error(`no "${key}" in the catalogue`);
    return typeof entry === 'string' ? entry : entry.other;
  };
}

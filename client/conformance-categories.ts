// The categories of the client-conformance cases by name, in the page's
// language: server/protocol.ts has the categories (and their English names,
// which the server's reports use), the catalogues have a
// 'conformance.category.<number>' key for each (test/client/i18n.test.ts
// holds the two together). No DOM.
import './i18n/later.ts';
import { CONFORMANCE_CATEGORIES } from '../server/protocol.ts';
import { enLater } from './i18n/en-later.ts';
import { t } from './i18n/translate.ts';

type CategoryKey = Extract<keyof typeof enLater, `conformance.category.${string}`>;

/** "Framing" for "1" on an English page; '' for a category the page does not know. */
export function categoryName(category: string): string {
  const key = `conformance.category.${category}`;
  return Object.hasOwn(CONFORMANCE_CATEGORIES, category) && isCategoryKey(key) ? t(key) : '';
}

function isCategoryKey(key: string): key is CategoryKey {
  return Object.hasOwn(enLater, key);
}

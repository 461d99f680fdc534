// The languages the page comes in, which one a visitor gets, and the choice
// made on the page, kept in localStorage. A new language is its catalogue
// file plus one row here. No DOM: the Storage comes in as a parameter.
import { asError } from '../errors.ts';
import { en } from './en.ts';
import type { Catalogue, LoadedCatalogue } from './translate.ts';
import type zhCN from './zh-CN.json';

/**
 * Each language: its name in itself (the switch shows it), and how its
 * catalogue arrives. English is bundled. Every other language is a JSON file
 * fetched when first shown, so English readers download none of it. JSON,
 * not a module loaded by import(): Vite wraps any import() in a preload
 * helper that would cost the first load more than the catalogues' whole
 * loading code, and plain data is what translation tools edit.
 */
export const LANGUAGES = {
  // Without index.html's texts: the HTML holds those in English.
  en: { name: 'English', load: async (): Promise<LoadedCatalogue> => en },
  // In the two tutorials' words where they have one: 握手, 子协议, 帧, 密钥, and
  // Ruan Yifeng's 正在连接 / 连接成功 / 正在关闭 / 连接关闭 for the readyStates.
  'zh-CN': { name: '简体中文', load: () => fetchCatalogue(new URL('./zh-CN.json', import.meta.url)) },
} as const satisfies Record<string, { name: string; load: () => Promise<LoadedCatalogue> }>;

/**
 * Each JSON catalogue's type, held to English's keys: a key missing from one
 * (or a plural where English has a text) is a type error here. Keys English
 * does not have are caught by test/client/i18n.test.ts.
 */
export type CheckedCatalogues = { 'zh-CN': Complete<typeof zhCN> };
type Complete<T extends Catalogue> = T;

/** A BCP 47 tag the page has a catalogue for, as `<html lang>` takes it. */
export type Language = keyof typeof LANGUAGES;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.hasOwn(LANGUAGES, value);
}

/**
 * The language to show: the one picked on this page before (`stored`), else
 * the first of the browser's (`navigator.languages`) the page has, else
 * English. Chinese written in Traditional characters (zh-TW, zh-HK, zh-MO,
 * zh-Hant) is not Simplified Chinese, so it does not match zh-CN: those readers
 * get the next language they list. Only if they list none the page has do
 * they get Simplified Chinese, which is closer to them than English and is
 * the script the tutorials are written in.
 */
export function chooseLanguage(stored: string | null | undefined, preferred: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const language = languageFor(tag);
    if (language) return language;
  }
  return preferred.some((tag) => subtagsOf(tag)[0] === 'zh') ? 'zh-CN' : 'en';
}

const KEY = 'ws-echo.language';

/** What was picked on this page before, as stored (checked by chooseLanguage); null when nothing or unreadable. */
export function storedLanguage(storage: Storage | undefined): string | null {
  try {
    return storage?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
}

/** Keeps the language picked on the page for the next visit; the Error says why the browser would not. */
export function rememberLanguage(storage: Storage | undefined, language: Language): Error | undefined {
  try {
    storage?.setItem(KEY, language);
    return undefined;
  } catch (error) {
    return asError(error);
  }
}

// The catalogue for a browser language tag, if there is one: same primary
// language, and for Chinese the same script.
function languageFor(tag: string): Language | undefined {
  const [primary, ...rest] = subtagsOf(tag);
  if (primary === 'zh') {
    const script = isTraditional(rest) ? 'zh-TW' : 'zh-CN';
    return isLanguage(script) ? script : undefined;
  }
  return (Object.keys(LANGUAGES) as Language[]).find((language) => subtagsOf(language)[0] === primary);
}

// zh-Hant-…, or a region that writes Traditional characters, unless zh-Hans-… says otherwise.
function isTraditional(subtags: readonly string[]): boolean {
  if (subtags.includes('hans')) return false;
  return subtags.includes('hant') || subtags.some((subtag) => TRADITIONAL_REGIONS.has(subtag));
}

const TRADITIONAL_REGIONS = new Set(['tw', 'hk', 'mo']);

// A catalogue's JSON; rejects with why it did not come (the page then stays in its language).
async function fetchCatalogue(url: URL): Promise<LoadedCatalogue> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return (await response.json()) as Catalogue;
}

function subtagsOf(tag: string): string[] {
  return tag.toLowerCase().split(/[-_]/);
}

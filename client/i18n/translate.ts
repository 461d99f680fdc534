// The page's words in the language it shows: t(key, params) looks a key up
// in the current catalogue, with English (client/i18n/en.ts) as the source of
// the keys and of their parameters' names, so a wrong key or a missing
// parameter is a type error. One language at a time, for the whole page;
// useLanguage() switches it and tells whoever listens. No DOM.
import { Emitter } from '../emitter.ts';
import { asError } from '../errors.ts';
import { en, type enPage } from './en.ts';
import { LANGUAGES, type Language } from './languages.ts';

type English = typeof enPage & typeof en;

/** Every key a catalogue has: English's, index.html's (enPage) and the code's (en). */
export type Key = keyof English;

/** The keys code asks t() for; index.html's are looked up by views/static-texts.ts. */
export type CodeKey = keyof typeof en;

/** A text whose words depend on a count: the forms Intl.PluralRules names, `other` always. */
export type Plural = { readonly [Form in Exclude<Intl.LDMLPluralRule, 'other'>]?: string } & {
  readonly other: string;
};

type Entry<K extends Key> = English[K] extends string ? string : Plural;

/** What a language's file must hold: every key of English, each a text or, where English has one, a Plural. */
export type Catalogue = { readonly [K in Key]: Entry<K> };

/**
 * What a language has once loaded: at least the code's texts. English's
 * bundled catalogue has only those, since index.html holds its own English.
 */
export type LoadedCatalogue = { readonly [K in CodeKey]: Entry<K> } & Partial<Catalogue>;

/** The `{name}`s in a text: 'open: connected to {url}' has 'url'. */
type Placeholders<Text> = Text extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;
type NamesOf<K extends CodeKey> = Placeholders<English[K] extends { other: infer Other } ? Other : English[K]>;

/** The values for a key's placeholders; `count` also picks a Plural's form. */
export type Params<K extends CodeKey> = { readonly [Name in NamesOf<K>]: string | number };

// t('none') takes no parameters; t('log.open', { url, protocol }) must have both.
type ParamsArgument<K extends CodeKey> = [NamesOf<K>] extends [never] ? [] : [params: Params<K>];

export interface TranslateEvents {
  /** The page's language changed and its catalogue is loaded: re-render what is on screen. */
  change: (language: Language) => void;
}

class Translator extends Emitter<TranslateEvents> {
  language: Language = 'en';
  catalogue: LoadedCatalogue = en;
  plurals = new Intl.PluralRules('en');
  // The latest language asked for: a slow catalogue must not undo a later choice.
  requested: Language = 'en';

  switched(language: Language, catalogue: LoadedCatalogue): void {
    this.language = language;
    this.catalogue = catalogue;
    this.plurals = new Intl.PluralRules(language);
    this.emit('change', language);
  }
}

const translator = new Translator();

/** The text for `key` in the page's language, its `{placeholders}` filled from `params`. */
export function t<K extends CodeKey>(key: K, ...[params]: ParamsArgument<K>): string {
  const entry: string | Plural = translator.catalogue[key];
  const values = params as Readonly<Record<string, string | number>> | undefined;
  const text =
    typeof entry === 'string' ? entry : (entry[translator.plurals.select(Number(values?.count))] ?? entry.other);
  // One pass, so a value that itself contains "{x}" (a URL, a file name) is left as it is.
  return values ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole)) : text;
}

/**
 * index.html's text for `key` (a data-i18n value), its `{slots}` unfilled;
 * undefined when the language has none, as English's bundled catalogue has
 * none: the HTML's own text is the English.
 */
export function pageText(key: string): string | undefined {
  const catalogue: Partial<Record<string, string | Plural>> = translator.catalogue;
  const entry = Object.hasOwn(catalogue, key) ? catalogue[key] : undefined;
  return typeof entry === 'object' ? entry.other : entry;
}

/** The language the page is shown in; 'en' until useLanguage() says otherwise. */
export function currentLanguage(): Language {
  return translator.language;
}

/** Calls `listener` after every change of language; returns the unsubscribe. */
export function onLanguageChange(listener: (language: Language) => void): () => void {
  return translator.on('change', listener);
}

/**
 * Loads `language`'s catalogue (English is bundled; the others are fetched on
 * first use) and switches the page to it. On failure (the file did not load)
 * the page stays in the language it had, and the Error says why.
 */
export async function useLanguage(language: Language): Promise<Error | undefined> {
  translator.requested = language;
  let catalogue: LoadedCatalogue;
  try {
    catalogue = await LANGUAGES[language].load();
  } catch (error) {
    return asError(error);
  }
  if (translator.requested === language && translator.language !== language) translator.switched(language, catalogue);
  return undefined;
}

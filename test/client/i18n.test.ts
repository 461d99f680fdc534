// The page's languages without a browser: every catalogue has English's keys
// and placeholders, index.html marks exactly the page's keys, which language
// a visitor gets and what is remembered, and t() in English and in Chinese.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { closeCodeName } from '../../client/close-codes.ts';
import { categoryName } from '../../client/conformance-categories.ts';
import { parseHex } from '../../client/hex.ts';
import { en, enPage } from '../../client/i18n/en.ts';
import { enLater } from '../../client/i18n/en-later.ts';
import {
  LANGUAGES,
  chooseLanguage,
  rememberLanguage,
  storedLanguage,
  type Language,
} from '../../client/i18n/languages.ts';
import { currentLanguage, onLanguageChange, pageText, t, useLanguage } from '../../client/i18n/translate.ts';
import { CONFORMANCE_CATEGORIES } from '../../server/protocol.ts';
import { servingCatalogues } from './catalogues.ts';

type Entry = string | Readonly<Record<string, string>>;
const ENGLISH: Readonly<Record<string, Entry>> = { ...enPage, ...en, ...enLater };
const OTHERS = (Object.keys(LANGUAGES) as Language[]).filter((language) => language !== 'en');

function catalogueOf(language: Language): Readonly<Record<string, Entry>> {
  const file = new URL(`../../client/i18n/${language}.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Entry>;
}

/** The sorted {names} in a text, or in every form of a plural. */
function placeholders(entry: Entry): string[] {
  const texts = typeof entry === 'string' ? [entry] : Object.values(entry);
  return [...new Set(texts.flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)))].sort();
}

describe('the catalogues', () => {
  it('keep what index.html says apart from what the code says, and the bundled code apart from the lazy', () => {
    const keys = [...Object.keys(enPage), ...Object.keys(en), ...Object.keys(enLater)];
    assert.deepEqual(
      keys.filter((key, i) => keys.indexOf(key) !== i),
      [],
    );
  });

  it('mark in index.html exactly the keys of enPage', () => {
    const html = readFileSync(new URL('../../client/index.html', import.meta.url), 'utf8');
    const marked = [...html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual([...new Set(marked)].sort(), Object.keys(enPage).sort());
  });

  it("name every conformance category, in English as server/protocol.ts (and so the server's reports) does", () => {
    const prefix = 'conformance.category.';
    const named = Object.fromEntries(
      Object.entries(enLater)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, name]) => [key.slice(prefix.length), name]),
    );
    assert.deepEqual(named, CONFORMANCE_CATEGORIES);
  });

  for (const language of OTHERS) {
    const catalogue = catalogueOf(language);

    it(`${language} has every key of English and no other`, () => {
      assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(ENGLISH).sort());
    });

    it(`${language} has English's placeholders in every text, and a plural where English has one`, () => {
      for (const [key, english] of Object.entries(ENGLISH)) {
        const translated = catalogue[key]!;
        assert.equal(typeof translated, typeof english, key);
        assert.deepEqual(placeholders(translated), placeholders(english), key);
        if (typeof translated !== 'string') assert.equal(typeof translated.other, 'string', key);
      }
    });
  }
});

describe('chooseLanguage', () => {
  it('takes what was picked on the page over what the browser says', () => {
    assert.equal(chooseLanguage('zh-CN', ['en-US']), 'zh-CN');
    assert.equal(chooseLanguage('en', ['zh-CN']), 'en');
  });

  it('ignores a stored value that is no language of the page', () => {
    for (const stored of ['fr', 'zh', '', 'constructor', null, undefined]) {
      assert.equal(chooseLanguage(stored, ['zh-CN']), 'zh-CN', String(stored));
    }
  });

  it("takes the first of the browser's languages the page has", () => {
    assert.equal(chooseLanguage(null, ['en-US', 'zh-CN']), 'en');
    assert.equal(chooseLanguage(null, ['fr-FR', 'zh-CN', 'en']), 'zh-CN');
    assert.equal(chooseLanguage(null, ['en-GB']), 'en');
    assert.equal(chooseLanguage(null, ['fr', 'de']), 'en');
    assert.equal(chooseLanguage(null, []), 'en');
  });

  it('reads Simplified Chinese in zh, zh-CN, zh-SG and zh-Hans, whatever the case', () => {
    for (const tag of ['zh', 'zh-CN', 'zh-cn', 'zh-SG', 'zh-Hans', 'zh-Hans-CN', 'zh-Hans-HK', 'zh_CN']) {
      assert.equal(chooseLanguage(null, [tag, 'en']), 'zh-CN', tag);
    }
  });

  it('gives readers of Traditional Chinese their next language, else Simplified Chinese rather than English', () => {
    for (const tag of ['zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-TW']) {
      assert.equal(chooseLanguage(null, [tag, 'en-US']), 'en', tag);
      assert.equal(chooseLanguage(null, [tag]), 'zh-CN', tag);
      assert.equal(chooseLanguage(null, [tag, 'fr']), 'zh-CN', tag);
    }
  });
});

describe('the stored choice', () => {
  it('comes back as it was stored', () => {
    const storage = new MemoryStorage();
    assert.equal(storedLanguage(storage), null);
    assert.equal(rememberLanguage(storage, 'zh-CN'), undefined);
    assert.equal(storedLanguage(storage), 'zh-CN');
    assert.equal(chooseLanguage(storedLanguage(storage), ['en-US']), 'zh-CN');
  });

  it('is nothing where storage is missing or refuses, and the refusal is an Error', () => {
    assert.equal(storedLanguage(undefined), null);
    const full = new MemoryStorage(new DOMException('quota', 'QuotaExceededError'));
    assert.equal(storedLanguage(full), null);
    const refused = rememberLanguage(full, 'en');
    assert.ok(refused instanceof Error);
    assert.equal(refused.name, 'QuotaExceededError');
  });
});

describe('t()', () => {
  const stopServing = servingCatalogues();
  after(async () => {
    await useLanguage('en');
    stopServing();
  });

  it('fills placeholders once, so a value holding "{x}" stays as it is, and picks English plurals', () => {
    assert.equal(currentLanguage(), 'en');
    assert.equal(
      t('log.open', { url: 'ws://h/{url}', protocol: 'echo-protocol' }),
      'open: connected to ws://h/{url}, subprotocol echo-protocol',
    );
    assert.equal(t('stats.traffic', { count: 1, bytes: '13 B' }), '1 message, 13 B');
    assert.equal(t('stats.traffic', { count: 2, bytes: '26 B' }), '2 messages, 26 B');
    assert.equal(t('log.count', { count: 0 }), '0 entries.');
    assert.equal(categoryName('1'), 'Framing');
    assert.equal(categoryName('8'), '');
    // English's bundled catalogue leaves index.html's texts to the HTML.
    assert.equal(pageText('text.heading'), undefined);
  });

  it('speaks Chinese once zh-CN is loaded, and tells the listeners', async () => {
    const heard: string[] = [];
    const stop = onLanguageChange((language) => heard.push(language));
    assert.equal(await useLanguage('zh-CN'), undefined);
    stop();
    assert.deepEqual(heard, ['zh-CN']);
    assert.equal(currentLanguage(), 'zh-CN');
    assert.equal(t('stats.traffic', { count: 1, bytes: '13 B' }), '1 条消息，13 B');
    assert.equal(closeCodeName(1000), '正常关闭');
    assert.equal(categoryName('6'), 'UTF-8 处理');
    assert.deepEqual(parseHex('dea'), new Error('这是 3 个十六进制数字；每个字节需要两个。'));
    assert.equal(pageText('text.heading'), '文本');
    assert.equal(pageText('no.such.key'), undefined);
    assert.equal(pageText('constructor'), undefined);
  });

  it('stays in its language when a catalogue does not load, and says why', async () => {
    await useLanguage('en');
    stopServing();
    const problem = await useLanguage('zh-CN');
    assert.ok(problem instanceof Error);
    assert.equal(currentLanguage(), 'en');
    assert.equal(t('none'), '(none)');
  });
});

/** A Storage in memory; with `refusal`, one whose every read and write throws it, as a blocked or full one does. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  readonly #refusal: Error | undefined;

  constructor(refusal?: Error) {
    this.#refusal = refusal;
  }

  get length(): number {
    return this.#items.size;
  }

  clear(): void {
    this.#items.clear();
  }

  getItem(key: string): string | null {
    if (this.#refusal) throw this.#refusal;
    return this.#items.get(key) ?? null;
  }

  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }

  removeItem(key: string): void {
    this.#items.delete(key);
  }

  setItem(key: string, value: string): void {
    if (this.#refusal) throw this.#refusal;
    this.#items.set(key, value);
  }
}

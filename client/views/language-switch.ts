// The page's language: at start-up the one picked here before, else the
// browser's (client/i18n/languages.ts decides); afterwards whatever the
// header's switch picks, remembered in localStorage. A switch re-renders in
// place: the static texts and <html lang> here, every view through its own
// onLanguageChange listener; the connection and the log stay as they are.
import {
  LANGUAGES,
  chooseLanguage,
  isLanguage,
  rememberLanguage,
  storedLanguage,
  type Language,
} from '../i18n/languages.ts';
import { currentLanguage, onLanguageChange, useLanguage } from '../i18n/translate.ts';
import { find, localStorageOf } from './dom.ts';
import { translateStaticTexts } from './static-texts.ts';

// How long the page waits for its language's catalogue before the views
// start in English; they switch when it comes. On any working network it
// comes well within this, and a stalled request must not hold the socket back.
const CATALOGUE_WAIT_MS = 1000;

/**
 * Shows the page in its language and wires the switch. `preferred` is
 * navigator.languages. Resolves once the page is in that language, so views
 * set up afterwards draw their first words in it; or, should the catalogue
 * be slow, after CATALOGUE_WAIT_MS, or should it fail, at once, in English.
 */
export async function setupLanguageSwitch(doc: Document, preferred: readonly string[]): Promise<void> {
  const storage = localStorageOf(doc);
  const wrapper = find(doc, 'language-switch', HTMLElement);
  const select = find(wrapper, 'language', HTMLSelectElement);

  select.replaceChildren(
    ...Object.entries(LANGUAGES).map(([language, { name }]) => {
      const option = doc.createElement('option');
      option.value = language;
      option.textContent = name;
      // Each name in its own language, so a screen reader pronounces it right.
      option.lang = language;
      return option;
    }),
  );

  // Registered before any view's listener, so the static texts are in place when the views redraw theirs.
  onLanguageChange((language) => {
    translateStaticTexts(doc);
    doc.documentElement.lang = language;
    select.value = language;
  });

  select.addEventListener('change', async () => {
    const picked = select.value;
    if (!isLanguage(picked)) return;
    const problem = await useLanguage(picked);
    if (problem) {
      select.value = currentLanguage();
      return reportUnloaded(picked, problem);
    }
    // Only a choice a later one did not overtake; a browser that will not store it still switches, for this visit.
    if (currentLanguage() === picked) rememberLanguage(storage, picked);
  });

  select.value = currentLanguage();
  wrapper.hidden = false;
  const language = chooseLanguage(storedLanguage(storage), preferred);
  const shown = useLanguage(language).then((problem) => problem && reportUnloaded(language, problem));
  await Promise.race([shown, new Promise((resolve) => setTimeout(resolve, CATALOGUE_WAIT_MS))]);
}

// The page stays usable in the language it has; DevTools says why it did not switch.
function reportUnloaded(language: Language, problem: Error): void {
  console.error(`The ${LANGUAGES[language].name} texts did not load: ${problem.message}`);
}

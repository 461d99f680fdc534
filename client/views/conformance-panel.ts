// The Client conformance card as the page loads: one checkbox per category of
// cases and the Test this browser button. The runner and its results view
// load on the first click: they are most of the card's code, and most
// visits never run them.
import '../i18n/later.ts';
import { CONFORMANCE_CATEGORIES } from '../../server/protocol.ts';
import { asError } from '../errors.ts';
import { categoryName } from '../conformance-categories.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import { find, showError } from './dom.ts';

export function setupConformancePanel(root: Element): void {
  const form = find(root, 'conformance-form', HTMLFormElement);
  const fieldset = find(root, 'conformance-categories', HTMLFieldSetElement);
  const run = find(root, 'conformance-run', HTMLButtonElement);
  const error = find(root, 'conformance-error', HTMLElement);
  const boxes = Object.keys(CONFORMANCE_CATEGORIES).map((category) =>
    categoryBox(root.ownerDocument, fieldset, category),
  );
  const reword = () => {
    for (const { box, name } of boxes) name.data = ` ${box.value} ${categoryName(box.value)}`;
  };
  onLanguageChange(reword);
  reword();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = new Set(boxes.filter(({ box }) => box.checked).map(({ box }) => box.value));
    showError(error, chosen.size === 0 ? new Error(t('conformance.noCategory')) : undefined);
    if (chosen.size === 0) return;
    run.disabled = true;
    for (const { box } of boxes) box.disabled = true;
    try {
      const { runInPanel } = await import('./conformance-run.ts');
      await runInPanel(root, chosen);
    } catch (thrown) {
      showError(error, new Error(t('conformance.notLoaded', { message: asError(thrown).message })));
    } finally {
      run.disabled = false;
      for (const { box } of boxes) box.disabled = false;
    }
  });
}

/** A checked checkbox for `category`, added to `fieldset`, with the text node that names it ("1 Framing"). */
function categoryBox(
  doc: Document,
  fieldset: HTMLFieldSetElement,
  category: string,
): { box: HTMLInputElement; name: Text } {
  const label = doc.createElement('label');
  label.className = 'check';
  const box = doc.createElement('input');
  box.type = 'checkbox';
  box.name = 'category';
  box.value = category;
  box.checked = true;
  const name = doc.createTextNode('');
  label.append(box, name);
  fieldset.append(label);
  return { box, name };
}

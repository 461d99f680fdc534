// The Client conformance card as the page loads: one checkbox per category of
// cases and the Test this browser button. The runner and its results view
// load on the first click: they are most of the card's code, and most
// visits never run them.
import '../conformance.css';
import { CONFORMANCE_CATEGORIES } from '../../server/protocol.ts';
import { asError } from '../errors.ts';
import { find, showError } from './dom.ts';

const TEXT = {
  noCategory: 'Choose at least one category to run.',
  notLoaded: (message: string) => `The test runner could not be loaded: ${message}`,
} as const;

export function setupConformancePanel(root: Element): void {
  const form = find(root, 'conformance-form', HTMLFormElement);
  const fieldset = find(root, 'conformance-categories', HTMLFieldSetElement);
  const run = find(root, 'conformance-run', HTMLButtonElement);
  const error = find(root, 'conformance-error', HTMLElement);
  const boxes = Object.entries(CONFORMANCE_CATEGORIES).map(([category, name]) =>
    categoryBox(root.ownerDocument, fieldset, category, name),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
    showError(error, chosen.size === 0 ? new Error(TEXT.noCategory) : undefined);
    if (chosen.size === 0) return;
    run.disabled = true;
    for (const box of boxes) box.disabled = true;
    try {
      const { runInPanel } = await import('./conformance-run.ts');
      await runInPanel(root, chosen);
    } catch (thrown) {
      showError(error, new Error(TEXT.notLoaded(asError(thrown).message)));
    } finally {
      run.disabled = false;
      for (const box of boxes) box.disabled = false;
    }
  });
}

/** A checked checkbox labelled e.g. "1 Framing", added to `fieldset`. */
function categoryBox(doc: Document, fieldset: HTMLFieldSetElement, category: string, name: string): HTMLInputElement {
  const label = doc.createElement('label');
  label.className = 'check';
  const box = doc.createElement('input');
  box.type = 'checkbox';
  box.name = 'category';
  box.value = category;
  box.checked = true;
  label.append(box, ` ${category} ${name}`);
  fieldset.append(label);
  return box;
}

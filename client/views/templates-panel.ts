// Saved messages: save what the Message box holds under a name, pick one to
// fill the box again, delete it. Kept in localStorage (client/templates.ts).
import { t } from '../i18n/translate.ts';
import { deleteTemplate, loadTemplates, saveTemplate, type Template } from '../templates.ts';
import { find, localStorageOf, showError } from './dom.ts';

export function setupTemplates(root: Element): void {
  const box = find(root, 'message', HTMLTextAreaElement);
  const pick = find(root, 'template-pick', HTMLSelectElement);
  const name = find(root, 'template-name', HTMLInputElement);
  const save = find(root, 'template-save', HTMLButtonElement);
  const remove = find(root, 'template-delete', HTMLButtonElement);
  const error = find(root, 'template-error', HTMLElement);
  const storage = localStorageOf(root.ownerDocument);
  if (!storage) {
    showError(error, new Error(t('templates.noStorage')));
    for (const control of [pick, name, save, remove]) control.disabled = true;
    return;
  }

  const render = (templates: Template[] | Error, selected = '') => {
    if (templates instanceof Error) return showError(error, templates);
    showError(error, undefined);
    const placeholder = pick.options[0]!;
    pick.replaceChildren(placeholder, ...templates.map((t) => option(root.ownerDocument, t.name, t.name === selected)));
    remove.disabled = pick.value === '';
  };
  render(loadTemplates(storage));

  pick.addEventListener('change', () => {
    const template = loadTemplates(storage).find((t) => t.name === pick.value);
    if (template) {
      box.value = template.text;
      name.value = template.name;
    }
    remove.disabled = pick.value === '';
  });
  save.addEventListener('click', () => {
    const chosen = name.value.trim();
    if (chosen === '') return showError(error, new Error(t('templates.nameFirst')), name);
    showError(error, undefined, name);
    render(saveTemplate(storage, chosen, box.value), chosen);
  });
  remove.addEventListener('click', () => {
    if (pick.value !== '') render(deleteTemplate(storage, pick.value));
  });
}

// Text, never markup: a template's name is whatever the user typed.
function option(doc: Document, name: string, selected: boolean): HTMLOptionElement {
  const element = doc.createElement('option');
  element.value = name;
  element.textContent = name;
  element.selected = selected;
  return element;
}

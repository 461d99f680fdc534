// Saved messages, kept in localStorage so they outlive the tab. Takes the
// Storage as a parameter (no DOM), and survives storage that is full,
// disabled or holding something that is not ours.
import { t } from './i18n/translate.ts';

export interface Template {
  name: string;
  text: string;
}

const KEY = 'ws-echo.templates';

/** The saved templates, sorted by name; [] when storage is empty, unreadable or not ours. */
export function loadTemplates(storage: Storage): Template[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (t): t is Template =>
        typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.text === 'string',
    );
  } catch {
    return [];
  }
}

/** Saves (or replaces) the template called `name`; returns the new list, or why storage refused. */
export function saveTemplate(storage: Storage, name: string, text: string): Template[] | Error {
  const templates = loadTemplates(storage).filter((t) => t.name !== name);
  templates.push({ name, text });
  templates.sort((a, b) => a.name.localeCompare(b.name));
  return write(storage, templates);
}

/** Deletes the template called `name`; returns the new list, or why storage refused. */
export function deleteTemplate(storage: Storage, name: string): Template[] | Error {
  return write(
    storage,
    loadTemplates(storage).filter((t) => t.name !== name),
  );
}

function write(storage: Storage, templates: Template[]): Template[] | Error {
  try {
    storage.setItem(KEY, JSON.stringify(templates));
    return templates;
  } catch (error) {
    return new Error(
      t('templates.refused', { reason: error instanceof Error ? error.name : t('templates.storageError') }),
    );
  }
}

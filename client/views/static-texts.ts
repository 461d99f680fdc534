// The texts index.html itself holds, in the page's language: each element
// marked data-i18n="key" gets the catalogue's text for that key, and
// data-i18n-aria-label (-title, -placeholder, -content) the attribute. The
// HTML's own text is the English (kept for browsers without JavaScript, and
// so that English needs no copy of it in the bundle), taken down before the
// first switch. Text only, never markup: elements inside a sentence
// (data-slot="name") are moved to where the translation says {name}, so a
// language may reorder them.
import { pageText } from '../i18n/translate.ts';

/** The attributes index.html may mark for translation, as data-i18n-<attribute>="key". */
const ATTRIBUTES = ['aria-label', 'title', 'placeholder', 'content'] as const;

/** An element as index.html has it: its English text with {slot}s, the slots, its English attributes. */
interface Original {
  text: string;
  slots: ReadonlyMap<string, Element>;
  attributes: ReadonlyMap<string, string>;
}

const originals = new WeakMap<Element, Original>();

/** Puts the page's language into every marked element under `root`. */
export function translateStaticTexts(root: ParentNode): void {
  const marked = ATTRIBUTES.map((attribute) => `[data-i18n-${attribute}]`).join(', ');
  for (const element of root.querySelectorAll(`[data-i18n], ${marked}`)) {
    const original = originalOf(element);
    const key = element.getAttribute('data-i18n');
    if (key !== null) fill(element, pageText(key) ?? original.text, original.slots);
    for (const [attribute, english] of original.attributes) {
      element.setAttribute(attribute, pageText(element.getAttribute(`data-i18n-${attribute}`) ?? '') ?? english);
    }
  }
}

function fill(element: Element, text: string, slots: ReadonlyMap<string, Element>): void {
  if (slots.size === 0) {
    element.textContent = text;
    return;
  }
  // "a {x} b".split(/\{(\w+)\}/) is ["a ", "x", " b"]: text at even indexes, slot names at odd.
  const parts = text.split(/\{(\w+)\}/);
  element.replaceChildren(...parts.map((part, i) => (i % 2 === 1 ? (slots.get(part) ?? `{${part}}`) : part)));
}

// Read once, before any translation replaces it; a language that leaves a slot out must not lose it.
function originalOf(element: Element): Original {
  const known = originals.get(element);
  if (known) return known;
  const slots = new Map<string, Element>();
  let text = '';
  for (const node of element.childNodes) {
    const slot = node instanceof Element ? node.getAttribute('data-slot') : null;
    if (slot !== null && node instanceof Element) slots.set(slot, node);
    text += slot === null ? (node.textContent ?? '') : `{${slot}}`;
  }
  const attributes = new Map<string, string>();
  for (const attribute of ATTRIBUTES) {
    const english = element.getAttribute(attribute);
    if (element.hasAttribute(`data-i18n-${attribute}`) && english !== null) attributes.set(attribute, english);
  }
  const original = { text: text.replace(/\s+/g, ' ').trim(), slots, attributes };
  originals.set(element, original);
  return original;
}

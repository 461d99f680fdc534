// What every view needs from the page: its elements by id, looked up inside
// the root it was given and checked once at startup, new elements with their
// class and content, the inline error line next to a control, and the
// browser's localStorage where there is one.

/** Fails loudly at startup when index.html and a view disagree, instead of leaving a dead control. */
export function find<T extends HTMLElement>(root: ParentNode, id: string, type: { new (): T; prototype: T }): T {
  const element = root.querySelector(`#${CSS.escape(id)}`);
  if (!(element instanceof type))
    throw new Error(`index.html has no ${type.name} with id "${id}" inside this view's element`);
  return element;
}

/** A new `tag` element with `className` (when given) and `content` as a child: a string goes in as text, never markup. */
export function element<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className?: string,
  content?: string | Node,
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.append(content);
  return node;
}

/**
 * Shows `error`'s message in an error line (role=alert, so it is read out),
 * or hides the line when there is none; marks `control` invalid meanwhile.
 */
export function showError(line: HTMLElement, error: Error | undefined, control?: HTMLElement): void {
  line.textContent = error?.message ?? '';
  line.hidden = error === undefined;
  if (control) {
    if (error === undefined) control.removeAttribute('aria-invalid');
    else control.setAttribute('aria-invalid', 'true');
  }
}

/** The document's localStorage; undefined where storage is blocked, since reading it then throws. */
export function localStorageOf(doc: Document): Storage | undefined {
  try {
    return doc.defaultView?.localStorage;
  } catch {
    return undefined;
  }
}

/** Replaces the playground with the explanation, for browsers without WebSocket. */
export function showUnsupported(root: ParentNode): void {
  find(root, 'playground', HTMLElement).hidden = true;
  find(root, 'unsupported', HTMLElement).hidden = false;
}

/**
 * Says that the cards loaded after the first paint did not come (a server
 * updated since, a dropped network), so a reload is the answer; the reason
 * goes to the console for whoever looks.
 */
export function showLaterFailed(root: ParentNode, error: unknown): void {
  find(root, 'later-failed', HTMLElement).hidden = false;
  console.error(error);
}

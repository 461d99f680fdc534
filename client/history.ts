// The message box's history, shell style: ↑ walks back through what was sent,
// ↓ walks forward and finally returns what was being typed. No DOM.

const MAX_ITEMS = 100;

export class TextHistory {
  readonly #items: string[] = [];
  // items.length means "not browsing": the box holds the user's own draft.
  #index = 0;
  #draft = '';

  /** Remembers a sent text (not twice in a row) and stops browsing. */
  add(text: string): void {
    if (text !== '' && this.#items.at(-1) !== text) this.#items.push(text);
    if (this.#items.length > MAX_ITEMS) this.#items.shift();
    this.#index = this.#items.length;
  }

  /** The text before the one shown, given what the box holds now; undefined at the oldest. */
  previous(current: string): string | undefined {
    if (this.#index === 0) return undefined;
    if (this.#index === this.#items.length) this.#draft = current;
    return this.#items[--this.#index];
  }

  /** The text after the one shown, then the draft; undefined when not browsing. */
  next(): string | undefined {
    if (this.#index >= this.#items.length) return undefined;
    this.#index++;
    return this.#index === this.#items.length ? this.#draft : this.#items[this.#index];
  }
}

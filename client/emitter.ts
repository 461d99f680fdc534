// The one way the page's objects report what happened: a typed emitter whose
// events are an interface of listener signatures, one doc comment each. It
// calls listeners synchronously and in order, so the log, the counters and
// the console all see an event before the next one happens. No DOM.

/** Maps each event name to the signature of its listeners. */
export type EventMap<Events> = { [K in keyof Events]: (...args: never[]) => void };

export class Emitter<Events extends EventMap<Events>> {
  // Each list is replaced, never changed in place, so a listener that
  // subscribes or unsubscribes another changes the next event, not this one.
  readonly #listeners = new Map<keyof Events, ReadonlyArray<Events[keyof Events]>>();

  /** Subscribes to one event; listeners run in the order they were added. Returns the unsubscribe. */
  on<K extends keyof Events>(name: K, listener: Events[K]): () => void {
    this.#listeners.set(name, [...(this.#listeners.get(name) ?? []), listener]);
    return () => {
      const listeners = this.#listeners.get(name) ?? [];
      this.#listeners.set(
        name,
        listeners.filter((l) => l !== listener),
      );
    };
  }

  /** Calls each listener of `name` with `args`; one that throws stops the rest, as in a plain call. */
  protected emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      (listener as (...a: Parameters<Events[K]>) => void)(...args);
    }
  }
}

// A queue a test can wait on: items in arrival order, each taken once, by
// next() or by async iteration. Once closed, what is queued can still be
// taken; after that, next() rejects and iteration ends.

interface Waiter<T> {
  resolve(item: T): void;
  reject(error: unknown): void;
}

export class Inbox<T> {
  readonly #items: T[] = [];
  readonly #waiting = new Set<Waiter<T>>();
  #closedBecause: string | undefined;

  /** Hands `item` to the oldest waiter, or queues it. */
  push(item: T): void {
    const [waiter] = this.#waiting;
    if (!waiter) {
      this.#items.push(item);
      return;
    }
    this.#waiting.delete(waiter);
    waiter.resolve(item);
  }

  /** Resolves with the oldest item not yet taken, waiting for one if need be; `signal` gives up waiting. */
  next(signal?: AbortSignal): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    if (this.#closedBecause !== undefined) return Promise.reject(new Error(this.#closedBecause));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.#waiting.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter<T> = {
        resolve: (item) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(item);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.#waiting.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** No more items will come: waiters fail with `why`, iteration ends once the queue is empty. */
  close(why: string): void {
    if (this.#closedBecause !== undefined) return;
    this.#closedBecause = why;
    for (const waiter of this.#waiting) waiter.reject(new Error(why));
    this.#waiting.clear();
  }

  /** Every item not yet taken, as it arrives, until the inbox is closed and empty. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      if (this.#items.length === 0 && this.#closedBecause !== undefined) return;
      try {
        yield await this.next();
      } catch (error) {
        if (this.#closedBecause !== undefined && this.#items.length === 0) return;
        throw error;
      }
    }
  }
}

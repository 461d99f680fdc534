// Round-trip times by order: an echo answers messages in the order they were
// sent, so each reply belongs to the oldest send still waiting (FIFO). What
// the server says on its own (/inspect's report, /push's ticks) is no reply
// and must not consume a waiting send. No DOM.
import { SERVER_MESSAGE_TYPES, WS_PATHS } from '../server/protocol.ts';

/** Sends still waiting beyond this are forgotten, so a server that never answers cannot grow the queue forever. */
const MAX_PENDING = 10_000;

export class RoundTrips {
  #pending: number[] = [];
  #head = 0;

  /** Notes a send at `at` (ms, performance.now()). */
  sent(at: number): void {
    this.#pending.push(at);
    if (this.#pending.length - this.#head > MAX_PENDING) this.#head++;
    this.#compact();
  }

  /** A reply arrived at `at`: the round-trip time of the oldest waiting send, or undefined when none waits. */
  replied(at: number): number | undefined {
    if (this.#head >= this.#pending.length) return undefined;
    const sentAt = this.#pending[this.#head++]!;
    this.#compact();
    return at - sentAt;
  }

  /** How many sends wait for their reply. */
  get waiting(): number {
    return this.#pending.length - this.#head;
  }

  /** Forgets every waiting send: a new connection answers none of them. */
  reset(): void {
    this.#pending = [];
    this.#head = 0;
  }

  // Dropping the consumed head now and then keeps shift() off the hot path.
  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Decides which received messages are echo replies on the connection to `url`.
 * /raw echoes everything as is, so everything there is a reply; elsewhere
 * this server's own JSON messages (type "inspect" or "push") are not.
 */
export function replyTestFor(url: string): (data: string | Blob | ArrayBuffer) => boolean {
  // endsWith: under --base-path, /raw is /prefix/raw.
  if (pathOf(url).endsWith(WS_PATHS.raw)) return () => true;
  return (data) => typeof data !== 'string' || !isServerMessage(data);
}

/** True for this server's own JSON messages: `{"type":"inspect",…}` and `{"type":"push",…}`. */
export function isServerMessage(text: string): boolean {
  if (!text.startsWith('{"type":')) return false;
  try {
    const type = (JSON.parse(text) as { type?: unknown }).type;
    return typeof type === 'string' && SERVER_MESSAGE_TYPES.has(type);
  } catch {
    return false;
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

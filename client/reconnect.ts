// Auto-reconnect with exponential backoff and jitter, no DOM. The clock and
// the randomness come in from outside, so the timing can be tested without
// waiting for it.
import { Emitter } from './emitter.ts';

export interface Backoff {
  /** Delay before the first attempt, ms. */
  initialMs: number;
  /** Largest delay before jitter, ms. */
  maxMs: number;
  /** Each failed attempt multiplies the delay by this. */
  factor: number;
  /** ± this fraction of randomness, so clients dropped together do not return together. */
  jitter: number;
}

/** 0.5 s doubling up to 30 s, ±20 %. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** The wait before attempt `attempt` (1, 2, …); `random` is in [0, 1) like Math.random(). */
export function backoffDelay(attempt: number, random: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - backoff.jitter + 2 * backoff.jitter * random));
}

/** What the reconnector is doing, for the page to show. */
export type ReconnectStatus =
  | { phase: 'off' }
  | { phase: 'idle' }
  | { phase: 'waiting'; attempt: number; delayMs: number; at: number }
  | { phase: 'connecting'; attempt: number };

export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ReconnectEvents {
  /** The reconnector started waiting, connecting, or went idle or off. */
  status: (status: ReconnectStatus) => void;
}

const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Calls `connect` again after each connection lost while enabled, waiting
 * longer after each failed attempt; an open connection starts the count anew.
 * The page tells it what happened: lost(), opened(), stop().
 */
export class Reconnector extends Emitter<ReconnectEvents> {
  readonly #connect: () => void;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #backoff: Backoff;
  #enabled = false;
  #attempt = 0;
  #timer: unknown;
  #status: ReconnectStatus = { phase: 'off' };

  constructor(connect: () => void, { clock = REAL_CLOCK, random = Math.random, backoff = DEFAULT_BACKOFF } = {}) {
    super();
    this.#connect = connect;
    this.#clock = clock;
    this.#random = random;
    this.#backoff = backoff;
  }

  get status(): ReconnectStatus {
    return this.#status;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Turning it off cancels a waiting attempt; turning it on waits for the next loss. */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    if (!enabled) this.#cancel();
    this.#report(enabled ? { phase: 'idle' } : { phase: 'off' });
  }

  /** The connection ended without the user asking: schedule the next attempt. */
  lost(): void {
    if (!this.#enabled) return;
    this.#cancel();
    const attempt = ++this.#attempt;
    const delayMs = backoffDelay(attempt, this.#random(), this.#backoff);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#report({ phase: 'connecting', attempt });
      this.#connect();
    }, delayMs);
    this.#report({ phase: 'waiting', attempt, delayMs, at: this.#clock.now() + delayMs });
  }

  /** A connection opened: the next loss starts again from the shortest delay. */
  opened(): void {
    this.#attempt = 0;
    this.#cancel();
    if (this.#enabled) this.#report({ phase: 'idle' });
  }

  /** The user disconnected, or connected by hand: no attempt of ours should follow. */
  stop(): void {
    this.#attempt = 0;
    this.#cancel();
    this.#report(this.#enabled ? { phase: 'idle' } : { phase: 'off' });
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #report(status: ReconnectStatus): void {
    this.#status = status;
    this.emit('status', status);
  }
}

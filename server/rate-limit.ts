// A token bucket: `rate` tokens a second, holding at most one second's worth,
// so short bursts pass and a sustained flood does not.
export class TokenBucket {
  readonly #rate: number;
  #tokens: number;
  #refilledAt = performance.now();

  constructor(ratePerSecond: number) {
    this.#rate = ratePerSecond;
    this.#tokens = ratePerSecond;
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#refilledAt) * this.#rate) / 1000);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

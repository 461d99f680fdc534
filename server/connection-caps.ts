// Caps on open WebSocket connections, in all and per client IP. The router
// admits before the handshake; whoever ends the connection releases it.
/** Which cap a new connection would break. */
export type CapExceeded = 'capacity' | 'capacity_per_ip';

export class ConnectionCaps {
  readonly #maxTotal: number;
  readonly #maxPerIp: number;
  readonly #perIp = new Map<string, number>();
  #total = 0;

  /** `maxPerIp` 0: no cap per IP. */
  constructor(maxTotal: number, maxPerIp: number) {
    this.#maxTotal = maxTotal;
    this.#maxPerIp = maxPerIp;
  }

  /** Counts one connection from `ip`, or returns which cap is full and counts nothing. */
  admit(ip: string): CapExceeded | undefined {
    if (this.#total >= this.#maxTotal) return 'capacity';
    // No per-IP cap (0): nothing to count per address.
    if (this.#maxPerIp === 0) {
      this.#total++;
      return undefined;
    }
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.#maxPerIp) return 'capacity_per_ip';
    this.#total++;
    this.#perIp.set(ip, fromIp + 1);
    return undefined;
  }

  /** Gives back what admit() counted for `ip`. */
  release(ip: string): void {
    this.#total--;
    if (this.#maxPerIp === 0) return;
    const left = (this.#perIp.get(ip) ?? 1) - 1;
    if (left > 0) this.#perIp.set(ip, left);
    else this.#perIp.delete(ip);
  }
}

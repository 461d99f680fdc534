// --max-buffered-total: one budget for the replies queued to every client.
// --max-buffered bounds one connection (about two messages, with the reply
// that crosses it), but a client may open hundreds: 256 connections that send
// 1 MiB messages and read nothing pin over 600 MiB. Past the budget, every
// connection that still has replies waiting stops being read until they
// drain. A client that reads its replies never has any waiting, so it is not
// slowed; one that does not read is held to the reply it is owed.
/** Where a connection's share is kept: on its state (connection-state.ts). */
export interface Holder {
  /** Bytes this connection has queued, as last counted. */
  queued: number;
}

export class BufferBudget {
  readonly #limit: number;
  #total = 0;

  /** `limit` in bytes; 0 for no budget. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes queued to all clients, as last counted. */
  get total(): number {
    return this.#total;
  }

  /** Counts `bytes` as what `holder` has queued now; true when all clients together are over the budget. */
  hold(holder: Holder, bytes: number): boolean {
    this.#total += bytes - holder.queued;
    holder.queued = bytes;
    return this.#limit > 0 && this.#total > this.#limit;
  }
}

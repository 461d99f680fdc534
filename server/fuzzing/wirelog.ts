// What a case report says happened on the wire: the frames each way, the
// timers that fired, and counts of frames and reads, in the rows and fields
// the fuzzing server's reports use. Everything here is bounded, because a
// client decides how much it sends.
import { preview } from './utf8.ts';

/** A wire log row: ["TF" | "RF" | "KL" | ..., ...details], as the fuzzing server writes them. */
export type WireLogRow = readonly unknown[];

/** Rows kept per case; a case that runs longer keeps its first rows and counts the rest. */
export const MAX_WIRELOG_ROWS = 128;
/** Distinct read sizes counted per case; a client that sends every size cannot grow the report. */
const MAX_OCTET_SIZES = 64;

export class WireLog {
  readonly rows: WireLogRow[] = [];
  /** Rows not kept because the log was full. */
  dropped = 0;
  /** False while a case turns logging off (the bulk transfers of category 9). */
  enabled = true;

  /** A frame the server sent: payload length and preview, opcode, fin, rsv, mask, repeat length, chop size, sync. */
  sent(
    payload: Buffer,
    opcode: number,
    fin: boolean,
    rsv: number,
    repeatTo: number | null,
    chop: number | null,
    sync: boolean,
  ): void {
    if (this.#wants())
      this.#push(['TF', [payload.length, preview(payload)], opcode, fin, rsv, null, repeatTo, chop, sync]);
  }

  /** A frame the client sent: payload length and preview, opcode, fin, rsv, masked, masking key. */
  received(payload: Buffer, opcode: number, fin: boolean, rsv: number, maskKey: string | undefined): void {
    if (this.#wants())
      this.#push(['RF', [payload.length, preview(payload)], opcode, fin, rsv, maskKey !== undefined, maskKey ?? null]);
  }

  /** A timer or a mode change: ["KL", delay], ["KLE"], ["TI", delay], ["TIE"], ["CT", delay, tag], ["CTE", tag], ["WLM", on]. */
  event(...row: unknown[]): void {
    this.#add(row);
  }

  /** Turns frame logging on or off, noting the change as the fuzzing server does. */
  enable(on: boolean): void {
    if (on === this.enabled) return;
    this.enabled = on;
    this.#push(['WLM', on]);
  }

  #add(row: WireLogRow): void {
    if (this.#wants()) this.#push(row);
  }

  /** Whether a row would be kept: previews of large payloads are not worth making for nothing. */
  #wants(): boolean {
    if (this.enabled && this.rows.length < MAX_WIRELOG_ROWS) return true;
    if (this.enabled) this.dropped++;
    return false;
  }

  #push(row: WireLogRow): void {
    if (this.rows.length < MAX_WIRELOG_ROWS) this.rows.push(row);
    else this.dropped++;
  }
}

/** Frames by opcode and reads/writes by size, each way. */
export class TrafficCounts {
  readonly rxFrames: Record<string, number> = {};
  readonly txFrames: Record<string, number> = {};
  readonly rxOctets: Record<string, number> = {};
  readonly txOctets: Record<string, number> = {};

  frameIn(opcode: number): void {
    count(this.rxFrames, opcode, Number.POSITIVE_INFINITY);
  }

  frameOut(opcode: number): void {
    count(this.txFrames, opcode, Number.POSITIVE_INFINITY);
  }

  read(bytes: number): void {
    count(this.rxOctets, bytes, MAX_OCTET_SIZES);
  }

  wrote(bytes: number): void {
    count(this.txOctets, bytes, MAX_OCTET_SIZES);
  }
}

function count(table: Record<string, number>, key: number, maxKeys: number): void {
  const name = String(key);
  if (name in table) table[name]!++;
  else if (Object.keys(table).length < maxKeys) table[name] = 1;
}

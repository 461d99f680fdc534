// The phases of every scenario that measures over a stretch of time ((b),
// (e), (i)): load runs unmeasured for a warm-up, then for `seconds` inside a
// CPU window (measureWindow), then senders stop and the run waits for what is
// still in flight, so every reply is checked before the connections go.
// The reply handlers read `measuring` and `stopping` and count `measured`.
import { measureWindow, sleep, within, type WindowResult } from './common.ts';

export interface PhaseSettings {
  warmupSeconds: number;
  seconds: number;
}

export class Phases {
  /** True inside the measurement window: replies count. */
  measuring = false;
  /** True once the window has ended: send nothing more. */
  stopping = false;
  /** Replies counted in the window. */
  measured = 0;
  #window: (() => WindowResult) | undefined;
  #result: WindowResult | undefined;
  #drained: (() => void) | undefined;

  /**
   * Warm-up, window, drain; resolves with the window's figures once
   * `inFlight()` is 0 (reported through drained()), or fails after `drainMs`.
   */
  async run(
    serverPid: number,
    { warmupSeconds, seconds }: PhaseSettings,
    inFlight: () => number,
    drainMs: number,
    label: string,
  ): Promise<WindowResult> {
    await sleep(warmupSeconds * 1000);
    this.measured = 0;
    this.#window = measureWindow(serverPid);
    this.measuring = true;
    await sleep(seconds * 1000);
    this.end();
    const allBack = new Promise<void>((resolve) => (this.#drained = resolve));
    if (inFlight() === 0) this.drained();
    await within(allBack, drainMs, `${label}: not every in-flight reply came back`);
    return this.#result!;
  }

  /** Ends the window now (its time is up, or a count bound was reached): senders stop. */
  end(): void {
    if (!this.measuring || !this.#window) return;
    this.measuring = false;
    this.stopping = true;
    this.#result = this.#window();
  }

  /** A reply handler says nothing is in flight any more (once stopping). */
  drained(): void {
    this.#drained?.();
  }
}

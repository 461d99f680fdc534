// Waiting in tests: for an event (withTimeout), for a state no event
// announces (waitFor polls), or for time itself (delay). The event or state is
// what a test waits for; the timeout only turns a hang into a readable failure.

/** The failsafe for any one awaited event or state; far above what loopback needs, even on a busy machine. */
export const EVENT_TIMEOUT_MS = 5_000;

/** Resolves or rejects like `promise`, or rejects after `timeoutMs` naming what never happened. */
export function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = EVENT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `probe` until it returns something other than undefined or false, and
 * resolves with that; rejects naming `what` once `timeoutMs` has passed.
 * For states no event announces (a counter, memory, a log line, a pause).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = EVENT_TIMEOUT_MS, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

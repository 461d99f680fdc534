// Failsafe timeouts for tests that await real events: the event is what the
// test waits for; the timer only turns a hang into a readable failure.

/** Resolves or rejects like `promise`, or rejects after `ms` naming what never happened. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

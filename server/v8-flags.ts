// The V8 flags the server runs with: `npm start`, the systemd units in
// deploy/, the Dockerfile's CMD and the benchmark all pass exactly these (a
// test keeps them in step).
//
// Why: V8 starts an incremental mark-compact whenever the old generation's
// headroom is smaller than the young generation's capacity. With the default
// 16 MiB semi-spaces, this server's ~8 MiB heap (Express, pino, prom-client)
// and a young generation kept full by the ArrayBuffers of large messages, that
// is after nearly every scavenge: echoing 64 KiB and 1 MiB messages for 11 s
// measured ~165 mark-compacts (raw ws, whose smaller heap stays under V8's
// 8 MiB marking threshold: 0) and 0.75× raw ws's MB/s. 2 MiB semi-spaces keep
// the headroom above the young generation: ~12 mark-compacts, MB/s on par with
// raw ws, and a smaller young generation also lowers memory per connection.
// Small-message throughput loses nothing measurable. Handshakes pay about 5%
// (scavenges come 6-7x as often and catch more connections mid-handshake):
// over 8 alternating runs, 0.89x raw ws's handshakes/s against 0.94x with the
// default. Large messages gain a third, so the trade stands. Tried instead:
// default semi-spaces with --incremental-marking-soft-trigger=80 (marking
// starts at 80% of the headroom): handshakes 0.97x, large messages 1.01x,
// but 1.09x raw ws's memory per idle connection (0.69x with this flag).
// See README "Performance" for the figures.
export const V8_FLAGS = ['--max-semi-space-size=2'] as const;

/**
 * The V8_FLAGS this process was started without. A flag counts as given in
 * any form node accepts (on the command line or in NODE_OPTIONS, `_` for
 * `-`) and with any value: a different value is the operator's choice.
 */
export function missingV8Flags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(flagName));
  return V8_FLAGS.filter((flag) => !given.has(flagName(flag)));
}

function flagName(arg: string): string {
  return arg.split('=')[0]!.replaceAll('_', '-');
}

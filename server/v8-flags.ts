// The V8 flags the server runs with: `npm start`, the systemd units in
// deploy/, the Dockerfile's CMD and the benchmark all pass exactly these (a
// test keeps them in step).
//
// Why: with V8's default 16 MiB semi-spaces, this server's ~8 MiB heap and the
// buffers of large messages make V8 mark-compact after nearly every scavenge,
// and 64 KiB–1 MiB messages echo at 0.75x raw ws's speed; at 2 MiB they are on
// par, for a few percent of handshake rate. The measurements, and what else
// was tried: bench/README.md, "2 MiB semi-spaces".
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

// (i) Round trips with client and server on one core: one connection, one
// 32-byte text message in flight, the generator pinned to the server's CPU.
// Every round trip is then two hand-offs between the two processes on that
// core, so what is measured is what a message costs both ends together,
// scheduling included: a client and server on one small machine, or a test
// suite that talks to a local echo.
import { BenchFailure, cpuFigures, type ScenarioContext, type ScenarioResult } from './common.ts';
import { Phases } from './phases.ts';
import { openPingPong, type PingPong } from './ping-pong.ts';

export const SETTINGS = {
  full: { warmupSeconds: 1, seconds: 5, maxRoundTrips: 10_000_000 },
  quick: { warmupSeconds: 0.5, seconds: 2, maxRoundTrips: 10_000_000 },
};

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const phases = new Phases();
  let inFlight = 0;
  let connection: PingPong | undefined;
  connection = await openPingPong(ctx, 'same-core connection', () => {
    inFlight--;
    if (phases.measuring && ++phases.measured >= settings.maxRoundTrips) phases.end();
    if (phases.stopping) phases.drained();
    else {
      inFlight++;
      connection!.send();
    }
  });
  inFlight++;
  connection.send();
  const result = await phases.run(ctx.serverPid, settings, () => inFlight, 10_000, 'same-core');
  connection.close();
  if (phases.measured === 0) throw new BenchFailure('same-core: no round trip in the measurement window');
  return {
    figures: { round_trips_per_s: phases.measured / result.seconds, ...cpuFigures(result) },
    settings,
  };
}

// (a) Round-trip latency: one connection, one 32-byte text message in flight.
// Each RTT is timed with process.hrtime.bigint from just before the write to
// the moment the whole reply has been parsed and checked.
import { Samples, mean, percentile } from '../stats.ts';
import {
  BenchFailure,
  cpuFigures,
  measureWindow,
  within,
  type ScenarioContext,
  type ScenarioResult,
  type WindowResult,
} from './common.ts';
import { openPingPong, type PingPong } from './ping-pong.ts';

export const SETTINGS = {
  full: { warmup: 2_000, samples: 20_000, maxSeconds: 30 },
  quick: { warmup: 1_000, samples: 5_000, maxSeconds: 10 },
};

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const samples = new Samples(settings.samples);
  const total = settings.warmup + settings.samples;
  const deadline = Date.now() + settings.maxSeconds * 1000;
  let sentAt = 0n;
  let window: (() => WindowResult) | undefined;
  let connection: PingPong | undefined;
  const send = () => {
    sentAt = process.hrtime.bigint();
    connection!.send();
  };
  let finished = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  connection = await openPingPong(ctx, 'latency connection', () => {
    const rttUs = Number(process.hrtime.bigint() - sentAt) / 1000;
    const sent = connection!.sent;
    if (sent > settings.warmup) samples.add(rttUs);
    else if (sent === settings.warmup) window = measureWindow(ctx.serverPid);
    // Bounded by count and by time: a very slow server still stops.
    if (sent < total && Date.now() < deadline) send();
    else finished();
  });
  send();
  await within(done, (settings.maxSeconds + 10) * 1000, 'latency: the last reply did not come');
  const cpu = window?.();
  connection.close();
  if (samples.length === 0) throw new BenchFailure('latency: no samples within the time limit');

  const rtt = samples.ascending();
  return {
    figures: {
      p50_us: percentile(rtt, 50),
      p99_us: percentile(rtt, 99),
      p999_us: percentile(rtt, 99.9),
      mean_us: mean(rtt),
      samples: rtt.length,
      ...(cpu ? cpuFigures(cpu) : {}),
    },
    settings,
  };
}

// (a) Round-trip latency: one connection, one 32-byte text message in flight.
// Each RTT is timed with process.hrtime.bigint from just before the write to
// the moment the whole reply has been parsed and checked.
import { clientFrame, FrameParser, OP_TEXT, openWebSocket, upgradeRequest } from '../frames.ts';
import { Samples, mean, percentile } from '../stats.ts';
import {
  BenchFailure,
  cpuFigures,
  EchoChecker,
  failOnUnexpectedClose,
  resetAll,
  measureWindow,
  textPayload,
  textReply,
  within,
  type ScenarioContext,
  type ScenarioResult,
  type WindowResult,
} from './common.ts';

export const SETTINGS = {
  full: { warmup: 2_000, samples: 20_000, maxSeconds: 30 },
  quick: { warmup: 1_000, samples: 5_000, maxSeconds: 10 },
};

// Distinct payloads, so a stale or misrouted reply cannot pass as the right one.
const RING = 64;

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const payloads = Array.from({ length: RING }, (_, slot) => textPayload(0, slot));
  const frames = payloads.map((payload) => clientFrame(OP_TEXT, payload));
  const { socket, read } = await openWebSocket(ctx.target, upgradeRequest(ctx.target), '127.0.0.1');
  let ending = false;
  failOnUnexpectedClose(socket, 'latency connection', () => ending);

  const samples = new Samples(settings.samples);
  const total = settings.warmup + settings.samples;
  const deadline = Date.now() + settings.maxSeconds * 1000;
  let sent = 0;
  let sentAt = 0n;
  let window: (() => WindowResult) | undefined;
  const send = () => {
    sentAt = process.hrtime.bigint();
    socket.write(frames[sent++ % RING]!);
  };

  const done = new Promise<void>((resolve) => {
    const checker = new EchoChecker('latency connection', payloads.map(textReply), false, () => {
      const rttUs = Number(process.hrtime.bigint() - sentAt) / 1000;
      if (sent > settings.warmup) samples.add(rttUs);
      else if (sent === settings.warmup) window = measureWindow(ctx.serverPid);
      // Bounded by count and by time: a very slow server still stops.
      if (sent < total && Date.now() < deadline) send();
      else resolve();
    });
    const parser = new FrameParser(checker);
    read((bytes) => parser.push(bytes));
    send();
  });
  await within(done, (settings.maxSeconds + 10) * 1000, 'latency: the last reply did not come');
  const cpu = window?.();
  ending = true;
  resetAll([socket]);
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

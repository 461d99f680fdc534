// (e) Large binary messages: 64 KiB and 1 MiB, one connection, a few in
// flight. MB/s is payload bytes echoed back per second (1 MB = 10^6 bytes).
// Replies are compared piece by piece as they stream in, never reassembled.
import { randomFillSync } from 'node:crypto';
import { clientFrame, FrameParser, OP_BINARY, openWebSocket, upgradeRequest } from '../frames.ts';
import {
  BenchFailure,
  cpuFigures,
  EchoChecker,
  failOnUnexpectedClose,
  resetAll,
  type ScenarioContext,
  type ScenarioResult,
} from './common.ts';
import { Phases } from './phases.ts';

export const SETTINGS = {
  full: { inFlight: 4, warmupSeconds: 1, seconds: 4, maxMessages: 1_000_000 },
  quick: { inFlight: 4, warmupSeconds: 0.5, seconds: 1.5, maxMessages: 1_000_000 },
};

// 1 MiB is exactly the project server's default --max-message-size, which it allows.
const SIZES = [
  { name: '64k', bytes: 64 * 1024 },
  { name: '1m', bytes: 1024 * 1024 },
];
const RING = 8; // distinct random payloads: a reply swapped with another one fails the check

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const figures: Record<string, number> = {};
  for (const size of SIZES) {
    const r = await measureSize(ctx, size.bytes, settings);
    figures[`mb_per_s_${size.name}`] = r.mbPerSecond;
    Object.assign(figures, cpuFigures(r, `_${size.name}`));
  }
  return { figures, settings };
}

async function measureSize(ctx: ScenarioContext, bytes: number, settings: typeof SETTINGS.full) {
  const payloads = Array.from({ length: RING }, () => randomFillSync(Buffer.allocUnsafe(bytes)));
  const frames = payloads.map((payload) => clientFrame(OP_BINARY, payload));
  const { socket, read } = await openWebSocket(ctx.target, upgradeRequest(ctx.target), '127.0.0.1');
  const label = `${bytes}-byte binary connection`;
  let ending = false;
  failOnUnexpectedClose(socket, label, () => ending);

  const phases = new Phases();
  let sent = 0;
  let inFlight = 0;
  const send = () => {
    inFlight++;
    socket.write(frames[sent++ % RING]!);
  };
  const parser = new FrameParser(
    new EchoChecker(label, payloads, true, () => {
      inFlight--;
      if (phases.measuring && ++phases.measured >= settings.maxMessages) phases.end();
      if (!phases.stopping) send();
      else if (inFlight === 0) phases.drained();
    }),
  );
  read((bytes) => parser.push(bytes));
  for (let i = 0; i < settings.inFlight; i++) send();

  const result = await phases.run(ctx.serverPid, settings, () => inFlight, 20_000, label);
  ending = true;
  resetAll([socket]);
  const { measured } = phases;
  if (measured === 0) throw new BenchFailure(`${label}: no reply in the measurement window`);
  return { mbPerSecond: (measured * bytes) / 1e6 / result.seconds, ...result };
}

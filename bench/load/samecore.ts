// (i) Round trips with client and server on one core: one connection, one
// 32-byte text message in flight, the generator pinned to the server's CPU.
// Every round trip is then two hand-offs between the two processes on that
// core, so what is measured is what a message costs both ends together,
// scheduling included: a client and server on one small machine, or a test
// suite that talks to a local echo.
import { clientFrame, FrameParser, OP_TEXT, openWebSocket, upgradeRequest } from '../frames.ts';
import {
  BenchFailure,
  cpuFigures,
  EchoChecker,
  failOnUnexpectedClose,
  measureWindow,
  resetAll,
  sleep,
  textPayload,
  textReply,
  within,
  type ScenarioContext,
  type ScenarioResult,
} from './common.ts';

export const SETTINGS = {
  full: { warmupSeconds: 1, seconds: 5, maxRoundTrips: 10_000_000 },
  quick: { warmupSeconds: 0.5, seconds: 2, maxRoundTrips: 10_000_000 },
};

// Distinct payloads, so a stale or misrouted reply cannot pass as the right one.
const RING = 64;

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const payloads = Array.from({ length: RING }, (_, slot) => textPayload(0, slot));
  const frames = payloads.map((payload) => clientFrame(OP_TEXT, payload));
  const { socket, read } = await openWebSocket(ctx.target, upgradeRequest(ctx.target), '127.0.0.1');
  let ending = false;
  failOnUnexpectedClose(socket, 'same-core connection', () => ending);

  let sent = 0;
  let measuring = false;
  let stopping = false;
  let measured = 0;
  let lastBack = () => {};
  const send = () => socket.write(frames[sent++ % RING]!);
  const parser = new FrameParser(
    new EchoChecker('same-core connection', payloads.map(textReply), false, () => {
      if (measuring && ++measured >= settings.maxRoundTrips) stopping = true;
      if (stopping) lastBack();
      else send();
    }),
  );
  read((bytes) => parser.push(bytes));
  send();

  await sleep(settings.warmupSeconds * 1000);
  measured = 0;
  const window = measureWindow(ctx.serverPid);
  measuring = true;
  await sleep(settings.seconds * 1000);
  measuring = false;
  const result = window();
  const back = new Promise<void>((resolve) => (lastBack = resolve));
  stopping = true;
  await within(back, 10_000, 'same-core: the last reply did not come');
  ending = true;
  resetAll([socket]);
  if (measured === 0) throw new BenchFailure('same-core: no round trip in the measurement window');
  return {
    figures: { round_trips_per_s: measured / result.seconds, ...cpuFigures(result) },
    settings,
  };
}

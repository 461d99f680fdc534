// (b) Throughput: 50 connections × 16 messages in flight, 32-byte text.
// Each reply immediately triggers the next message on its connection. All the
// replies in one TCP read are answered with one write (a slice of pre-built
// frames), so the generator spends one syscall per read, not per message.
import { clientFrame, FrameParser, OP_TEXT, openWebSocket, upgradeRequest, type OpenSocket } from '../frames.ts';
import { Samples, mean, percentile } from '../stats.ts';
import {
  BenchFailure,
  cpuFigures,
  EchoChecker,
  failOnUnexpectedClose,
  resetAll,
  measureWindow,
  sleep,
  within,
  textPayload,
  textReply,
  type ScenarioContext,
  type ScenarioResult,
} from './common.ts';

export const SETTINGS = {
  full: { connections: 50, inFlight: 16, warmupSeconds: 1, seconds: 5, maxMessages: 5_000_000 },
  quick: { connections: 50, inFlight: 16, warmupSeconds: 0.5, seconds: 2, maxMessages: 2_000_000 },
};

const RING = 64; // distinct payloads per connection; more than in flight, so reordering shows

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const request = upgradeRequest(ctx.target);
  const opened = await Promise.all(
    Array.from({ length: settings.connections }, () => openWebSocket(ctx.target, request, '127.0.0.1')),
  );

  const base = process.hrtime.bigint();
  const samples = new Samples(settings.maxMessages);
  let measuring = false;
  let stopping = false; // no new messages; waiting for the last replies
  let ending = false; // the scenario closes the sockets itself
  let measured = 0;
  let reads = 0; // TCP reads in the window: measured / reads is the replies each write answers
  let inFlight = 0;

  const drive = ({ socket, read }: OpenSocket, c: number) => {
    const payloads = Array.from({ length: RING }, (_, slot) => textPayload(c, slot));
    const frameBytes = clientFrame(OP_TEXT, payloads[0]!).length;
    // The ring twice over: any run of up to RING consecutive frames is one slice.
    const ring = Buffer.concat([...payloads, ...payloads].map((payload) => clientFrame(OP_TEXT, payload)));
    const sentAt = new Float64Array(RING);
    let sendSeq = 0;
    let replySeq = 0;
    let now = 0;
    let toSend = 0;
    const label = `throughput connection ${c}`;
    failOnUnexpectedClose(socket, label, () => ending);
    const checker = new EchoChecker(label, payloads.map(textReply), false, () => {
      const rttUs = (now - sentAt[replySeq++ % RING]!) / 1000;
      inFlight--;
      if (measuring) {
        measured++;
        if (!samples.add(rttUs)) endWindow(); // count bound reached
      }
      if (!stopping) toSend++;
    });
    const parser = new FrameParser(checker);
    const send = (n: number) => {
      const start = sendSeq % RING;
      for (let i = 0; i < n; i++) sentAt[(sendSeq + i) % RING] = now;
      sendSeq += n;
      inFlight += n;
      socket.write(ring.subarray(start * frameBytes, (start + n) * frameBytes));
    };
    read((bytes) => {
      now = Number(process.hrtime.bigint() - base); // one clock read per TCP read
      if (measuring) reads++;
      parser.push(bytes);
      if (toSend) send(toSend);
      toSend = 0;
      if (stopping && inFlight === 0) drained();
    });
    now = Number(process.hrtime.bigint() - base);
    send(settings.inFlight);
  };

  let window: ReturnType<typeof measureWindow> | undefined;
  let result: ReturnType<ReturnType<typeof measureWindow>> | undefined;
  let drained = () => {};
  const endWindow = () => {
    if (!measuring || !window) return;
    measuring = false;
    stopping = true;
    result = window();
  };

  opened.forEach(drive);
  await sleep(settings.warmupSeconds * 1000);
  measured = 0;
  reads = 0;
  window = measureWindow(ctx.serverPid);
  measuring = true;
  await sleep(settings.seconds * 1000);
  endWindow();
  // Let the messages still in flight come back (and be checked), but not forever.
  const allBack = new Promise<void>((resolve) => (drained = resolve));
  if (inFlight === 0) drained();
  await within(allBack, 10_000, 'throughput: not every in-flight reply came back');
  ending = true;
  resetAll(opened.map((o) => o.socket));
  if (!result || samples.length === 0) throw new BenchFailure('throughput: no replies in the measurement window');

  const rtt = samples.ascending();
  return {
    figures: {
      msgs_per_s: measured / result.seconds,
      // What one core of the server would do if the generator could keep up: a server that is
      // not CPU-bound (the generator's core ran out first) shows its capacity here.
      msgs_per_cpu_s: measured / ((result.seconds * result.serverCpuPct) / 100),
      mean_us: mean(rtt),
      p99_us: percentile(rtt, 99),
      messages: measured,
      replies_per_read: measured / reads,
      ...cpuFigures(result),
    },
    settings,
  };
}

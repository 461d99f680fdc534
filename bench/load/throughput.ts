// (b) Throughput: 50 connections × 16 messages in flight, 32-byte text.
// Each reply immediately triggers the next message on its connection. All the
// replies in one TCP read are answered with one write (a slice of pre-built
// frames), so the generator spends one syscall per read, not per message.
// (g) drives the same load with other messages over other wires (deflate.ts).
import {
  clientFrame,
  FrameParser,
  OP_TEXT,
  openWebSocket,
  upgradeRequest,
  type MessageSink,
  type OpenSocket,
} from '../frames.ts';
import { Samples, mean, percentile } from '../stats.ts';
import {
  BenchFailure,
  cpuFigures,
  failOnUnexpectedClose,
  resetAll,
  textChecker,
  textPayload,
  type EchoChecker,
  type ScenarioContext,
  type ScenarioResult,
} from './common.ts';
import { Phases } from './phases.ts';

export const SETTINGS = {
  full: { connections: 50, inFlight: 16, warmupSeconds: 1, seconds: 5, maxMessages: 5_000_000 },
  quick: { connections: 50, inFlight: 16, warmupSeconds: 0.5, seconds: 2, maxMessages: 2_000_000 },
};

const RING = 64; // distinct payloads per connection; more than in flight, so reordering shows

/** How the messages are made and the replies read; (b) sends 32-byte text frames as they are. */
export interface Wire {
  /** The upgrade request every connection sends. */
  request: Buffer;
  /** The Sec-WebSocket-Extensions the server must answer ('' for none). */
  extensions: string;
  /** The message for (connection, slot): distinct, so a misrouted or reordered reply shows. */
  payload(connection: number, slot: number): Buffer;
  /** The client frame that carries `payload`. */
  frame(payload: Buffer): Buffer;
  /** What the frame parser of one connection feeds, around the reply checker. */
  sink(checker: EchoChecker): MessageSink;
}

/** 32-byte text, uncompressed. */
export function plainWire(ctx: ScenarioContext): Wire {
  return {
    request: upgradeRequest(ctx.target),
    extensions: '',
    payload: textPayload,
    frame: (payload) => clientFrame(OP_TEXT, payload),
    sink: (checker) => checker,
  };
}

export function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  return measureThroughput(ctx, ctx.quick ? SETTINGS.quick : SETTINGS.full, plainWire(ctx));
}

/** The throughput load over `wire`, with (b)'s figures. */
export async function measureThroughput(
  ctx: ScenarioContext,
  settings: (typeof SETTINGS)['full'],
  wire: Wire,
): Promise<ScenarioResult> {
  const opened = await Promise.all(
    Array.from({ length: settings.connections }, () => openWebSocket(ctx.target, wire.request, '127.0.0.1')),
  );
  for (const { extensions } of opened) {
    if (extensionParameters(extensions) !== extensionParameters(wire.extensions))
      throw new BenchFailure(
        `throughput: the server answered extensions ${JSON.stringify(extensions)}, expected ${JSON.stringify(wire.extensions)}`,
      );
  }

  const base = process.hrtime.bigint();
  const samples = new Samples(settings.maxMessages);
  const phases = new Phases();
  let ending = false; // the scenario closes the sockets itself
  let reads = 0; // TCP reads in the window: measured / reads is the replies each write answers
  let inFlight = 0;

  const drive = ({ socket, read }: OpenSocket, c: number) => {
    const payloads = Array.from({ length: RING }, (_, slot) => wire.payload(c, slot));
    // The ring twice over: any run of up to RING consecutive frames is one slice.
    const frames = [...payloads, ...payloads].map((payload) => wire.frame(payload));
    const ring = Buffer.concat(frames);
    // Where each frame starts in the ring (compressed frames differ in length).
    const starts = new Int32Array(frames.length + 1);
    for (let i = 0; i < frames.length; i++) starts[i + 1] = starts[i]! + frames[i]!.length;
    const sentAt = new Float64Array(RING);
    let sendSeq = 0;
    let replySeq = 0;
    let now = 0;
    let toSend = 0;
    const label = `throughput connection ${c}`;
    failOnUnexpectedClose(socket, label, () => ending);
    const checker = textChecker(label, payloads, () => {
      const rttUs = (now - sentAt[replySeq++ % RING]!) / 1000;
      inFlight--;
      if (phases.measuring) {
        phases.measured++;
        if (!samples.add(rttUs)) phases.end(); // count bound reached
      }
      if (!phases.stopping) toSend++;
    });
    const parser = new FrameParser(wire.sink(checker), wire.extensions !== '');
    const send = (n: number) => {
      const start = sendSeq % RING;
      for (let i = 0; i < n; i++) sentAt[(sendSeq + i) % RING] = now;
      sendSeq += n;
      inFlight += n;
      socket.write(ring.subarray(starts[start]!, starts[start + n]!));
    };
    read((bytes) => {
      now = Number(process.hrtime.bigint() - base); // one clock read per TCP read
      if (phases.measuring) reads++;
      parser.push(bytes);
      if (toSend) send(toSend);
      toSend = 0;
      if (phases.stopping && inFlight === 0) phases.drained();
    });
    now = Number(process.hrtime.bigint() - base);
    send(settings.inFlight);
  };

  opened.forEach(drive);
  const result = await phases.run(ctx.serverPid, settings, () => inFlight, 10_000, 'throughput');
  ending = true;
  resetAll(opened.map((o) => o.socket));
  const { measured } = phases;
  if (samples.length === 0) throw new BenchFailure('throughput: no replies in the measurement window');

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

/**
 * An extension answer in a comparable form: the order of its parameters
 * carries no meaning (Bun names them in another order than `ws`), so they
 * are sorted.
 */
function extensionParameters(header: string): string {
  const [name = '', ...parameters] = header.split(';').map((part) => part.trim());
  return [name, ...parameters.sort()].join('; ');
}

// (d) Handshakes per second: 16 connectors, each looping connect → opening
// handshake (101 with the right Sec-WebSocket-Accept) → close handshake →
// TCP close. A handshake counts when its 101 is checked; the close is part of
// the loop because a real client's connection ends that way too.
import { CLOSE_FRAME, FrameParser, OP_CLOSE, openWebSocket, upgradeRequest, type OpenSocket } from '../frames.ts';
import {
  BenchFailure,
  cpuFigures,
  measureWindow,
  sleep,
  sourceAddresses,
  within,
  type ScenarioContext,
  type ScenarioResult,
} from './common.ts';

export const SETTINGS = {
  full: { connectors: 16, warmupSeconds: 1, seconds: 5, maxHandshakes: 1_000_000 },
  quick: { connectors: 16, warmupSeconds: 0.5, seconds: 2, maxHandshakes: 1_000_000 },
};

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  // One source address per connector: thousands of short connections a
  // second would otherwise cycle one address's ephemeral ports quickly.
  const sources = sourceAddresses(settings.connectors);
  const request = upgradeRequest(ctx.target);
  let measuring = false;
  let stopping = false;
  let counted = 0;

  // One watchdog for all connectors instead of a timer per connection, which
  // would cost the generator more than some of what it measures.
  const progress = new Float64Array(settings.connectors).fill(performance.now());
  const watchdog = setInterval(() => {
    const stuck = progress.findIndex((at) => performance.now() - at > 10_000);
    if (stuck >= 0)
      throw new BenchFailure(
        `handshakes: connector ${stuck} made no progress for 10 s (a handshake or close got no answer)`,
      );
  }, 1000);
  const connector = async (i: number) => {
    while (!stopping) {
      const open = await openWebSocket(ctx.target, request, sources[i]!, 0);
      if (measuring && ++counted >= settings.maxHandshakes) stopping = true;
      await closeHandshake(open);
      progress[i] = performance.now();
    }
  };

  const connectors = Promise.all(Array.from({ length: settings.connectors }, (_, i) => connector(i)));
  connectors.catch(() => {}); // awaited below; this only stops an early failure counting as unhandled
  await sleep(settings.warmupSeconds * 1000);
  counted = 0;
  const window = measureWindow(ctx.serverPid);
  measuring = true;
  await Promise.race([sleep(settings.seconds * 1000), connectors]);
  measuring = false;
  const result = window();
  stopping = true;
  await within(connectors, 30_000, 'handshakes: the connectors did not stop');
  clearInterval(watchdog);
  if (counted === 0) throw new BenchFailure('handshakes: none completed in the measurement window');

  return {
    figures: {
      handshakes_per_s: counted / result.seconds,
      // Per second of the server's own CPU: its capacity even when the generator set the pace.
      handshakes_per_cpu_s: counted / ((result.seconds * result.serverCpuPct) / 100),
      ...cpuFigures(result),
    },
    settings,
  };
}

// Sends a 1000 close, expects the server's close frame (and no data), then its TCP close.
function closeHandshake({ socket, read }: OpenSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    let closeCode: number | undefined;
    const parser = new FrameParser({
      start: () => reject(new BenchFailure('handshakes: the server sent a data message on a fresh connection')),
      data: () => {},
      end: () => {},
      control: (opcode, payload) => {
        if (opcode === OP_CLOSE) closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      },
    });
    read((bytes) => {
      try {
        parser.push(bytes);
      } catch (error) {
        reject(error);
      }
    });
    socket.on('error', (error) => reject(new BenchFailure(`handshakes: ${error.message} during the close handshake`)));
    socket.on('close', () => {
      if (closeCode === 1000) resolve();
      else
        reject(
          new BenchFailure(
            `handshakes: expected the server to answer close 1000, got ${closeCode ?? 'no close frame'}`,
          ),
        );
    });
    socket.write(CLOSE_FRAME);
  });
}

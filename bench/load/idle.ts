// (c) Idle connections: server memory per open WebSocket. The server's RSS is
// read before and after opening N connections that then sit idle; the
// difference over N is what one connection costs, including its socket,
// ws objects and whatever the server attaches to each one.
import { clientFrame, FrameParser, OP_TEXT, upgradeRequest } from '../frames.ts';
import {
  openMany,
  resetAll,
  settledRss,
  textChecker,
  textPayload,
  within,
  type ScenarioContext,
  type ScenarioResult,
} from './common.ts';

export const SETTINGS = {
  full: { connections: 10_000, concurrency: 200, sources: 8, settleMs: 1_500 },
  quick: { connections: 10_000, concurrency: 200, sources: 8, settleMs: 750 },
};

const MiB = 1024 * 1024;

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  // Eight source addresses: 10k would fit one address's ~28k ephemeral ports,
  // but sockets left in TIME_WAIT by other runs could make connects fail.
  const request = upgradeRequest(ctx.target);
  let ending = false;

  const rssBefore = await settledRss(ctx.serverPid, settings.settleMs);
  const t0 = performance.now();
  const count = settings.connections;
  const opened = await openMany(ctx, { ...settings, count }, request, 'idle connection', () => ending, 60_000);
  const openSeconds = (performance.now() - t0) / 1000;
  const rssAfter = await settledRss(ctx.serverPid, settings.settleMs);

  // Afterwards (not counted): prove every connection is a live echo, not a
  // half-open socket, with one checked message each.
  let replies = 0;
  const allReplied = new Promise<void>((resolve) => {
    opened.forEach(({ socket, read }, i) => {
      const payload = textPayload(i, 0);
      const parser = new FrameParser(
        textChecker(`idle connection ${i}`, [payload], () => {
          if (++replies === settings.connections) resolve();
        }),
      );
      read((bytes) => parser.push(bytes));
      socket.write(clientFrame(OP_TEXT, payload));
    });
  });
  await within(allReplied, 30_000, 'idle: not every connection echoed its message');
  ending = true;
  resetAll(opened.map((o) => o.socket));

  return {
    figures: {
      bytes_per_conn: (rssAfter - rssBefore) / settings.connections,
      rss_before_mib: rssBefore / MiB,
      rss_after_mib: rssAfter / MiB,
      open_seconds: openSeconds,
    },
    settings,
  };
}

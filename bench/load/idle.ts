// (c) Idle connections: server memory per open WebSocket. The server's RSS is
// read before and after opening N connections that then sit idle; the
// difference over N is what one connection costs, including its socket,
// ws objects and whatever the server attaches to each one.
import { clientFrame, FrameParser, OP_TEXT, openWebSocket, upgradeRequest, type OpenSocket } from '../frames.ts';
import {
  EchoChecker,
  failOnUnexpectedClose,
  resetAll,
  serverRss,
  sleep,
  sourceAddresses,
  textPayload,
  textReply,
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
  const sources = sourceAddresses(settings.sources);
  const request = upgradeRequest(ctx.target);
  let ending = false;

  await sleep(settings.settleMs); // let start-up garbage settle first
  const rssBefore = serverRss(ctx.serverPid);
  // A bounded number of handshakes at a time: 10k SYNs at once would overflow the listen backlog.
  const opened: OpenSocket[] = new Array(settings.connections);
  let next = 0;
  const t0 = performance.now();
  await within(
    Promise.all(
      Array.from({ length: settings.concurrency }, async () => {
        while (next < settings.connections) {
          const i = next++;
          opened[i] = await openWebSocket(ctx.target, request, sources[i % sources.length]!);
          failOnUnexpectedClose(opened[i].socket, `idle connection ${i}`, () => ending);
        }
      }),
    ),
    60_000,
    `idle: could not open ${settings.connections} connections`,
  );
  const openSeconds = (performance.now() - t0) / 1000;
  await sleep(settings.settleMs);
  const rssAfter = serverRss(ctx.serverPid);

  // Afterwards (not counted): prove every connection is a live echo, not a
  // half-open socket, with one checked message each.
  let replies = 0;
  const allReplied = new Promise<void>((resolve) => {
    opened.forEach(({ socket, read }, i) => {
      const payload = textPayload(i, 0);
      const parser = new FrameParser(
        new EchoChecker(`idle connection ${i}`, [textReply(payload)], false, () => {
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

// (g) permessage-deflate: what compression costs a server that has it on
// (the project with --deflate, the baseline with ws's perMessageDeflate), with
// clients that offer it and clients that do not, on the same server.
//
// Memory: N connections that each echo one 2 KiB text message, then sit
// idle; the RSS growth over N, first for clients that do not offer deflate,
// then for clients that offer it as browsers do (plain `permessage-deflate`:
// context takeover both ways, 15-bit windows, the most zlib state there is).
// Throughput: (b)'s load of 50 connections × 16 in flight with 2 KiB text,
// uncompressed, then compressed. The compressed run offers
// client_no_context_takeover and server_no_context_takeover so that every
// message stands alone: the client frames are compressed once, up front, and
// each reply inflates on its own before it is checked byte for byte.
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { clientFrame, FrameParser, OP_TEXT, upgradeRequest, type MessageSink, type OpenSocket } from '../frames.ts';
import {
  BenchFailure,
  openMany,
  resetAll,
  settledRss,
  textChecker,
  type ScenarioContext,
  type ScenarioResult,
} from './common.ts';
import { measureThroughput, SETTINGS as THROUGHPUT, type Wire } from './throughput.ts';

export const SETTINGS = {
  full: { idleConnections: 1_000, concurrency: 50, sources: 4, settleMs: 1_500, messageBytes: 2_048 },
  quick: { idleConnections: 500, concurrency: 50, sources: 4, settleMs: 750, messageBytes: 2_048 },
};

/** What a browser offers (Chrome, Firefox): the client may use any window, both keep their context. */
const BROWSER_OFFER = 'permessage-deflate; client_max_window_bits';
/** Every message alone, so frames can be compressed up front and replies inflated one by one. */
const STATELESS_OFFER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';
/** RFC 7692 7.2.1: the four bytes a sender strips from the end of every compressed message. */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const MiB = 1024 * 1024;

export async function run(ctx: ScenarioContext): Promise<ScenarioResult> {
  const settings = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const sockets: OpenSocket[] = [];
  let ending = false;
  try {
    const rss0 = await settledRss(ctx.serverPid, settings.settleMs);
    sockets.push(...(await openAndEchoOnce(ctx, settings, undefined, () => ending)));
    const rss1 = await settledRss(ctx.serverPid, settings.settleMs);
    sockets.push(...(await openAndEchoOnce(ctx, settings, BROWSER_OFFER, () => ending)));
    const rss2 = await settledRss(ctx.serverPid, settings.settleMs);
    ending = true;
    resetAll(sockets.map((o) => o.socket));
    sockets.length = 0;

    const load = ctx.quick ? THROUGHPUT.quick : THROUGHPUT.full;
    const plain = await measureThroughput(ctx, load, textWire(ctx, settings.messageBytes, false));
    const compressed = await measureThroughput(ctx, load, textWire(ctx, settings.messageBytes, true));
    const figure = (result: ScenarioResult, key: string) => result.figures[key] ?? NaN;
    return {
      figures: {
        deflate_bytes_per_conn: (rss2 - rss1) / settings.idleConnections,
        plain_bytes_per_conn: (rss1 - rss0) / settings.idleConnections,
        rss_deflate_mib: rss2 / MiB,
        deflate_msgs_per_s: figure(compressed, 'msgs_per_s'),
        plain_msgs_per_s: figure(plain, 'msgs_per_s'),
        deflate_p99_us: figure(compressed, 'p99_us'),
        server_cpu_pct: figure(compressed, 'server_cpu_pct'),
        gen_cpu_pct: figure(compressed, 'gen_cpu_pct'),
        server_wait_pct: figure(compressed, 'server_wait_pct'),
        gen_wait_pct: figure(compressed, 'gen_wait_pct'),
        server_stolen_pct: figure(compressed, 'server_stolen_pct'),
        gen_stolen_pct: figure(compressed, 'gen_stolen_pct'),
        server_cpu_pct_plain: figure(plain, 'server_cpu_pct'),
        gen_cpu_pct_plain: figure(plain, 'gen_cpu_pct'),
        server_stolen_pct_plain: figure(plain, 'server_stolen_pct'),
        gen_stolen_pct_plain: figure(plain, 'gen_stolen_pct'),
      },
      settings: { ...settings, connections: load.connections, inFlight: load.inFlight, seconds: load.seconds },
    };
  } finally {
    ending = true;
    resetAll(sockets.map((o) => o.socket));
  }
}

/**
 * Opens `settings.idleConnections` connections offering `offer` (none when
 * undefined), a bounded number at a time, and has each echo one message;
 * resolves once every reply is back and checked, with the sockets still open.
 */
async function openAndEchoOnce(
  ctx: ScenarioContext,
  settings: (typeof SETTINGS)['full'],
  offer: string | undefined,
  isEnding: () => boolean,
): Promise<OpenSocket[]> {
  const compressed = offer !== undefined;
  const label = `deflate: ${compressed ? 'compressing' : 'plain'} connection`;
  const echoOnce = async (open: OpenSocket, i: number) => {
    if ((open.extensions !== '') !== compressed)
      throw new BenchFailure(`${label} ${i}: the server answered extensions ${JSON.stringify(open.extensions)}`);
    const payload = message(i, 0, settings.messageBytes);
    await new Promise<void>((resolve) => {
      const checker = textChecker(`${label} ${i}`, [payload], resolve);
      const parser = new FrameParser(compressed ? new InflatingSink(checker) : checker, compressed);
      open.read((bytes) => parser.push(bytes));
      // A fresh context on both sides: the first message is the same as one compressed alone.
      open.socket.write(compressed ? clientFrame(OP_TEXT, compress(payload), true) : clientFrame(OP_TEXT, payload));
    });
  };
  const request = upgradeRequest(ctx.target, offer);
  return openMany(ctx, { ...settings, count: settings.idleConnections }, request, label, isEnding, 120_000, echoOnce);
}

/** (b)'s wire with `bytes`-byte text messages, compressed or not. */
function textWire(ctx: ScenarioContext, bytes: number, compressed: boolean): Wire {
  return {
    request: upgradeRequest(ctx.target, compressed ? STATELESS_OFFER : undefined),
    extensions: compressed ? STATELESS_OFFER : '',
    payload: (connection, slot) => message(connection, slot, bytes),
    frame: (payload) => (compressed ? clientFrame(OP_TEXT, compress(payload), true) : clientFrame(OP_TEXT, payload)),
    sink: (checker) => (compressed ? new InflatingSink(checker) : checker),
  };
}

/**
 * A chat-like JSON text of exactly `bytes` bytes, distinct per (connection,
 * slot), that compresses the way such text does (to about a tenth here).
 */
function message(connection: number, slot: number, bytes: number): Buffer {
  const head = `{"connection":${connection},"slot":${slot},"text":"`;
  const words = 'the echo sends back every message it receives, compressed when the client asked for it; ';
  const body = words.repeat(Math.ceil(bytes / words.length)).slice(0, bytes - head.length - 2);
  const text = `${head}${body}"}`;
  if (text.length !== bytes) throw new Error(`message must be ${bytes} bytes`);
  return Buffer.from(text);
}

/** One message as permessage-deflate sends it with a fresh context: a sync flush without its trailer. */
function compress(payload: Buffer): Buffer {
  const out = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - TRAILER.length);
}

/**
 * Collects a compressed message's payload, inflates it whole (every message
 * stands alone: see the offers above) and hands the result to `inner`;
 * uncompressed messages pass straight through.
 */
class InflatingSink implements MessageSink {
  readonly #inner: MessageSink;
  #pieces: Buffer[] | undefined;

  constructor(inner: MessageSink) {
    this.#inner = inner;
  }

  start(binary: boolean, compressed: boolean): void {
    this.#inner.start(binary, false);
    this.#pieces = compressed ? [] : undefined;
  }

  data(buf: Buffer, from: number, to: number): void {
    // The parser's buffer is reused after each read: keep a copy.
    if (this.#pieces) this.#pieces.push(Buffer.from(buf.subarray(from, to)));
    else this.#inner.data(buf, from, to);
  }

  end(): void {
    if (this.#pieces) {
      const inflated = inflateRawSync(Buffer.concat([...this.#pieces, TRAILER]), {
        finishFlush: constants.Z_SYNC_FLUSH,
      });
      this.#pieces = undefined;
      this.#inner.data(inflated, 0, inflated.length);
    }
    this.#inner.end();
  }

  control(opcode: number, payload: Buffer): void {
    this.#inner.control(opcode, payload);
  }
}

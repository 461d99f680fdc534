// What every scenario shares: the context the generator is started with, the
// byte-for-byte reply checker, payload builders and CPU / memory readings.
import type { Socket } from 'node:net';
import { OP_CLOSE, openWebSocket, TEXT_PREFIX, type MessageSink, type OpenSocket, type Target } from '../frames.ts';
import { cpuSeconds, processTree, rssBytes, runQueue } from '../proc.ts';

export interface ScenarioContext {
  target: Target;
  /** The server's pid, for its CPU time and RSS in /proc. */
  serverPid: number;
  quick: boolean;
}

/** What a scenario reports: named figures (see METRICS in report.ts) and the settings it ran with. */
export interface ScenarioResult {
  figures: Record<string, number>;
  settings: Record<string, number>;
}

/** Any failed check ends the generator at once with a non-zero exit (see generator.ts). */
export class BenchFailure extends Error {}

/**
 * A 32-byte ASCII payload unique per (connection, slot), so a reply that
 * went to the wrong connection or came back out of order is caught.
 */
export function textPayload(connection: number, slot: number): Buffer {
  const text = `c${connection} m${slot} `.padEnd(32, 'abcdefghijklmnopqrstuvwxyz');
  if (text.length !== 32) throw new Error('payload must be 32 bytes');
  return Buffer.from(text);
}

/** What the server must answer to text `payload`: `Received: ` + payload. */
export function textReply(payload: Buffer): Buffer {
  return Buffer.concat([TEXT_PREFIX, payload]);
}

/** The checker of a text connection: it expects `Received: ` + each of `payloads` in turn, then again. */
export function textChecker(label: string, payloads: readonly Buffer[], onReply: () => void): EchoChecker {
  return new EchoChecker(label, payloads.map(textReply), false, onReply);
}

/** Source addresses 127.0.0.1 … 127.0.0.n: each has its own ~28k ephemeral ports. */
export function sourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`);
}

/** How many connections to open, how many handshakes at a time, from how many source addresses. */
export interface OpenMany {
  count: number;
  concurrency: number;
  sources: number;
}

/**
 * Opens `count` connections with `request`, a bounded number at a time (10k
 * SYNs at once would overflow the listen backlog), spread over source
 * addresses; `opened` runs on each as it opens, and the next one on that
 * lane waits for it. Each fails the run if the server drops it before
 * `isEnding()`. Resolves with them all, in order, or fails after `timeoutMs`.
 */
export async function openMany(
  ctx: ScenarioContext,
  { count, concurrency, sources }: OpenMany,
  request: Buffer,
  label: string,
  isEnding: () => boolean,
  timeoutMs: number,
  opened: (open: OpenSocket, i: number) => void | Promise<void> = () => {},
): Promise<OpenSocket[]> {
  const from = sourceAddresses(sources);
  const all: OpenSocket[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      all[i] = await openWebSocket(ctx.target, request, from[i % from.length]!);
      failOnUnexpectedClose(all[i].socket, `${label} ${i}`, isEnding);
      await opened(all[i], i);
    }
  };
  await within(
    Promise.all(Array.from({ length: concurrency }, lane)),
    timeoutMs,
    `${label}: could not open ${count} connections`,
  );
  return all;
}

/**
 * Checks one connection's replies against the expected messages, in order,
 * byte for byte, as their pieces arrive; `onReply` runs after each complete one.
 */
export class EchoChecker implements MessageSink {
  readonly #label: string;
  readonly #expected: readonly Buffer[];
  readonly #binary: boolean;
  readonly #onReply: () => void;
  #next = 0;
  #offset = 0;
  /** Replies checked so far. */
  count = 0;

  constructor(label: string, expected: readonly Buffer[], binary: boolean, onReply: () => void) {
    this.#label = label;
    this.#expected = expected;
    this.#binary = binary;
    this.#onReply = onReply;
  }

  start(binary: boolean): void {
    if (binary !== this.#binary)
      this.#fail(`came back as ${binary ? 'binary' : 'text'}, sent as ${this.#binary ? 'binary' : 'text'}`);
  }

  data(buf: Buffer, from: number, to: number): void {
    const expected = this.#expected[this.#next]!;
    const end = this.#offset + (to - from);
    if (end > expected.length) this.#fail(`is longer than the expected ${expected.length} bytes`);
    if (buf.compare(expected, this.#offset, end, from, to) !== 0) {
      const at = this.#offset + firstDifference(buf.subarray(from, to), expected.subarray(this.#offset, end));
      this.#fail(
        `differs at byte ${at}: got ${preview(buf.subarray(from, to), at - this.#offset)}, expected ${preview(expected, at)}`,
      );
    }
    this.#offset = end;
  }

  end(): void {
    const expected = this.#expected[this.#next]!;
    if (this.#offset !== expected.length) this.#fail(`has ${this.#offset} bytes, expected ${expected.length}`);
    this.#offset = 0;
    this.#next = (this.#next + 1) % this.#expected.length;
    this.count++;
    this.#onReply();
  }

  control(opcode: number, payload: Buffer): void {
    // Pings are allowed (the benchmark turns heartbeats off, so none should come); a close is not.
    if (opcode === OP_CLOSE) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 'none';
      throw new BenchFailure(
        `${this.#label}: the server closed the connection mid-run (close code ${code}, reason ${JSON.stringify(payload.subarray(2).toString())})`,
      );
    }
  }

  #fail(what: string): never {
    throw new BenchFailure(`${this.#label}: reply #${this.count + 1} ${what}`);
  }
}

function firstDifference(a: Buffer, b: Buffer): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

function preview(bytes: Buffer, at: number): string {
  const slice = bytes.subarray(at, at + 24);
  return /^[\x20-\x7e]*$/.test(slice.toString('latin1'))
    ? JSON.stringify(slice.toString('latin1'))
    : `0x${slice.toString('hex')}`;
}

/** Fails the run if the server drops `socket` before the scenario ends it. */
export function failOnUnexpectedClose(socket: Socket, label: string, isEnding: () => boolean): void {
  socket.on('error', (error) => {
    if (!isEnding()) throw new BenchFailure(`${label}: ${error.message}`);
  });
  socket.on('close', () => {
    if (!isEnding()) throw new BenchFailure(`${label}: the server closed the TCP connection mid-run`);
  });
}

/**
 * Scenarios end their connections with a TCP reset: a normal close would
 * leave each client port in TIME_WAIT for a minute, and 10k of those per
 * round would starve the next rounds of ephemeral ports. Tearing down is not
 * what any scenario measures.
 */
export function resetAll(sockets: Iterable<Socket>): void {
  for (const socket of sockets) socket.resetAndDestroy();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface WindowResult {
  seconds: number;
  /** CPU used by the generator and the server, in % of one core. */
  genCpuPct: number;
  serverCpuPct: number;
  /**
   * Time their main threads were ready to run but had no CPU, in % of the
   * window: taken by other processes, or by the process's own threads (GC
   * helpers share the pinned core).
   */
  genWaitPct: number;
  serverWaitPct: number;
  /**
   * The part of that wait other processes can have caused: beyond what
   * wake-ups cost on an idle CPU, and at most 100% minus the process's CPU
   * use (a process that used its whole core lost none of it to others). Near
   * 0 on a quiet machine; high means the figures say more about the
   * machine's other load than about the servers.
   */
  genStolenPct: number;
  serverStolenPct: number;
}

// What one wake-up costs in run-queue wait on an idle CPU (about 10 µs
// measured here), with headroom: a ping-pong scenario wakes the server tens
// of thousands of times a second without anyone else on its core.
const WAKE_UP_SECONDS = 20e-6;

/**
 * Starts a measurement window; `stop()` gives the elapsed seconds and CPU
 * use. A generator near 100% of its core while the server has CPU to spare
 * would mean the generator, not the server, sets the pace.
 */
export function measureWindow(serverPid: number): () => WindowResult {
  // The tree is read once, at the start: a worker forked mid-window would be missed, not miscounted.
  const server = processTree(serverPid);
  const t0 = process.hrtime.bigint();
  const gen0 = process.cpuUsage();
  const server0 = cpuSeconds(server);
  const genQueue0 = runQueue(['self']);
  const serverQueue0 = runQueue(server);
  return () => {
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const gen = process.cpuUsage(gen0);
    const pct = (s: number) => (s / seconds) * 100;
    const genCpuPct = pct((gen.user + gen.system) / 1e6);
    const serverCpuPct = pct(cpuSeconds(server) - server0);
    const genQueue = runQueue(['self']);
    const serverQueue = runQueue(server);
    // Wait beyond a wake-up allowance per time slice, capped by the CPU the process left unused.
    const stolen = (q: typeof genQueue, q0: typeof genQueue, cpu: number) =>
      Math.max(0, Math.min(pct(q.waitSeconds - q0.waitSeconds - (q.slices - q0.slices) * WAKE_UP_SECONDS), 100 - cpu));
    return {
      seconds,
      genCpuPct,
      serverCpuPct,
      genWaitPct: pct(genQueue.waitSeconds - genQueue0.waitSeconds),
      serverWaitPct: pct(serverQueue.waitSeconds - serverQueue0.waitSeconds),
      genStolenPct: stolen(genQueue, genQueue0, genCpuPct),
      serverStolenPct: stolen(serverQueue, serverQueue0, serverCpuPct),
    };
  };
}

/** The server's resident memory in bytes, all its processes together. */
export function serverRss(pid: number): number {
  return rssBytes(processTree(pid));
}

/** The server's RSS once `settleMs` have passed without load (start-up or opening garbage settles first). */
export async function settledRss(serverPid: number, settleMs: number): Promise<number> {
  await sleep(settleMs);
  return serverRss(serverPid);
}

/** `promise`, or a BenchFailure naming `what` after `ms`: no phase waits forever. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchFailure(`${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A window's CPU and wait figures under the names the report uses, with an optional suffix (`_1m`). */
export function cpuFigures(w: WindowResult, suffix = ''): Record<string, number> {
  return {
    [`gen_cpu_pct${suffix}`]: w.genCpuPct,
    [`server_cpu_pct${suffix}`]: w.serverCpuPct,
    [`gen_wait_pct${suffix}`]: w.genWaitPct,
    [`server_wait_pct${suffix}`]: w.serverWaitPct,
    [`gen_stolen_pct${suffix}`]: w.genStolenPct,
    [`server_stolen_pct${suffix}`]: w.serverStolenPct,
  };
}

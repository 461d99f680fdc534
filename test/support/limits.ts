// Shared pieces of the limit tests (test/server/limits-*.test.ts): a raw
// WebSocket client that can pick its source address (to be "another IP" on
// 127.0.0.0/8), a trickling writer for slow handshakes, a non-reading flood,
// /metrics and /healthz readers, the server's resident memory, and a poller
// with a deadline for the few things that have no event to await.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { neutralEnv, runServer } from './child-process.ts';
import { upgradeRequest } from './conformance.ts';
import { decodeFrame, encodeFrame, Opcode, type Frame, type FrameSpec } from './raw-client.ts';
import { withTimeout } from './wait.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Failsafe for one awaited event; far above what loopback needs. */
export const EVENT_TIMEOUT_MS = 5_000;

/**
 * Every environment variable the server reads, set to '' (which the server
 * treats as unset), so the developer's shell cannot change a child's limits.
 */
export const NEUTRAL_ENV: Record<string, string> = neutralEnv();

/** The port of an http://host:port/ URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it returns something other than undefined or false, and
 * resolves with that; rejects naming `what` once `timeoutMs` has passed.
 * For states no event announces (memory, a counter, a pause).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = EVENT_TIMEOUT_MS, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

// --- operations endpoints ---------------------------------------------------

/** GET `path` on the server at `baseUrl` (http://host:port/) and return the body. */
export async function getText(baseUrl: string, path: string): Promise<string> {
  const response = await fetch(new URL(path, baseUrl), { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return response.text();
}

/** The open WebSocket connections /healthz reports. */
export async function openConnections(baseUrl: string): Promise<number> {
  const body = JSON.parse(await getText(baseUrl, '/healthz')) as { connections?: unknown };
  if (typeof body.connections !== 'number')
    throw new Error(`/healthz has no connections count: ${JSON.stringify(body)}`);
  return body.connections;
}

/**
 * The value of one sample in Prometheus text: `name` with (at least) these
 * labels; undefined when no such sample is exposed.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const present: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      present[pair[1] ?? ''] = pair[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** One sample read from a fresh GET /metrics. */
export async function scrape(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  return metricValue(await getText(baseUrl, '/metrics'), name, labels);
}

/**
 * The resident memory of the server process, in bytes: VmRSS from
 * /proc/<pid>/status where there is a /proc, else the process collector's
 * ws_echo_process_resident_memory_bytes from /metrics.
 */
export async function residentBytes(pid: number, baseUrl: string): Promise<number> {
  try {
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kib !== undefined) return Number(kib) * KiB;
  } catch {}
  const bytes = await scrape(baseUrl, 'ws_echo_process_resident_memory_bytes');
  if (bytes === undefined) throw new Error('no /proc and no ws_echo_process_resident_memory_bytes in /metrics');
  return bytes;
}

// --- a raw client with a chosen source address -------------------------------

export interface WireConnectOptions {
  /** Source address to connect from, e.g. 127.0.0.2 to be another client IP. */
  localAddress?: string;
  /** Sends the request in pieces this far apart (ms) instead of in one write. */
  pieceDelayMs?: number;
  /** Number of pieces when pieceDelayMs is set. */
  pieces?: number;
  /** Keeps this side of TCP open after the server's FIN, as a client that never closes would. */
  neverEnds?: boolean;
}

const wires = new Set<WireClient>();

/**
 * A hand-made WebSocket connection like RawClient's, but from any local
 * address: it writes the upgrade itself and parses the server's frames.
 */
export class WireClient {
  readonly socket: Socket;
  readonly statusCode: number;
  readonly statusLine: string;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  /** Every byte the server sent (the head included). */
  raw: Buffer;
  /** True once the server sent FIN. */
  serverEnded = false;
  readonly closedPromise: Promise<void>;
  #buffered = Buffer.alloc(0);
  readonly #frames: Frame[] = [];
  readonly #waiters: Array<{ resolve: (frame: Frame) => void; reject: (error: Error) => void }> = [];
  #isClosed = false;

  private constructor(socket: Socket, raw: Buffer, headEnd: number, closedPromise: Promise<void>) {
    this.socket = socket;
    this.raw = raw;
    this.closedPromise = closedPromise;
    const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
    this.statusLine = statusLine;
    this.statusCode = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon !== -1) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    this.headers = headers;
    socket.on('end', () => (this.serverEnded = true));
    socket.on('close', () => {
      this.#isClosed = true;
      for (const waiter of this.#waiters.splice(0))
        waiter.reject(new Error('the connection closed before the next frame'));
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#onData(raw.subarray(headEnd + 4), false);
  }

  /** Connects, sends an upgrade request and resolves with whatever the server answered (101 or not). */
  static async connect(
    port: number,
    { localAddress, pieceDelayMs, pieces = 5, neverEnds = false }: WireConnectOptions = {},
  ): Promise<WireClient> {
    const socket = connect({
      port,
      host: '127.0.0.1',
      allowHalfOpen: neverEnds,
      ...(localAddress ? { localAddress } : {}),
    });
    socket.on('error', () => {}); // a reset shows up as 'close'
    const closedPromise = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const request = Buffer.from(upgradeRequest(port));
    const head = new Promise<{ raw: Buffer; end: number }>((resolve, reject) => {
      let raw = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        raw = Buffer.concat([raw, chunk]);
        const end = raw.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.pause();
        resolve({ raw, end });
      };
      const onClose = () =>
        reject(new Error(`closed during the handshake; got ${JSON.stringify(raw.toString('latin1'))}`));
      socket.on('data', onData);
      socket.once('close', onClose);
    });
    if (pieceDelayMs === undefined) {
      socket.write(request);
    } else {
      void (async () => {
        const size = Math.ceil(request.length / pieces);
        for (let i = 0; i < request.length && !socket.destroyed; i += size) {
          if (i > 0) await delay(pieceDelayMs);
          socket.write(request.subarray(i, i + size));
        }
      })();
    }
    try {
      const { raw, end } = await withTimeout(head, EVENT_TIMEOUT_MS, 'the handshake response');
      const client = new WireClient(socket, raw, end, closedPromise);
      wires.add(client);
      socket.resume();
      return client;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  send(spec: FrameSpec): void {
    this.socket.write(encodeFrame(spec));
  }

  /** Resolves with the next frame; rejects if the connection closes first or on timeout. */
  nextFrame(timeoutMs = EVENT_TIMEOUT_MS): Promise<Frame> {
    const queued = this.#frames.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#isClosed) return Promise.reject(new Error('the connection is closed and no frame is left'));
    return withTimeout(
      new Promise<Frame>((resolve, reject) => this.#waiters.push({ resolve, reject })),
      timeoutMs,
      'the next frame',
    );
  }

  /** Resolves when the TCP connection is closed; rejects on timeout. */
  closed(timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
    return withTimeout(this.closedPromise, timeoutMs, 'the server to close the connection');
  }

  destroy(): void {
    this.socket.destroy();
    wires.delete(this);
  }

  #onData(chunk: Buffer, record = true): void {
    if (record) this.raw = Buffer.concat([this.raw, chunk]);
    if (this.statusCode !== 101) return;
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    for (let decoded = decodeFrame(this.#buffered); decoded; decoded = decodeFrame(this.#buffered)) {
      this.#buffered = this.#buffered.subarray(decoded.size);
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(decoded.frame);
      else this.#frames.push(decoded.frame);
    }
  }
}

export function destroyAllWires(): void {
  for (const client of wires) client.destroy();
}

/** Sends one text message and asserts-by-throwing that its echo ("Received: " + text) comes back next. */
export async function echoes(
  client: { send(spec: FrameSpec): void; nextFrame(timeoutMs?: number): Promise<Frame> },
  text: string,
): Promise<void> {
  client.send({ opcode: Opcode.text, payload: text });
  const frame = await client.nextFrame(EVENT_TIMEOUT_MS);
  const expected = `Received: ${text}`;
  if (frame.opcode !== Opcode.text || frame.payload.toString() !== expected) {
    throw new Error(
      `expected the text echo ${JSON.stringify(expected)}, got opcode 0x${frame.opcode.toString(16)} ${JSON.stringify(frame.payload.toString().slice(0, 80))}`,
    );
  }
}

// --- slow handshakes -----------------------------------------------------------

const trickled = new Set<Socket>();

export interface Trickler {
  socket: Socket;
  /** Every byte the server sent. */
  received(): Buffer;
  /** ms from connect to the socket closing; rejects on timeout. */
  closedAfter(timeoutMs: number): Promise<number>;
}

/**
 * Connects and writes an upgrade request `bytesPerTick` bytes every `everyMs`,
 * followed by endless header lines, so the request head never ends.
 */
export function trickleForever(port: number, { bytesPerTick = 3, everyMs = 100 } = {}): Trickler {
  const start = performance.now();
  const socket = connect({ port, host: '127.0.0.1' });
  trickled.add(socket);
  socket.on('error', () => {});
  socket.setNoDelay(true);
  // The request without its closing blank line, then enough padding to trickle for minutes.
  const request = upgradeRequest(port).slice(0, -'\r\n'.length);
  const bytes = Buffer.from(request + Array.from({ length: 2000 }, (_, i) => `X-Slow-${i}: 1\r\n`).join(''));
  let offset = 0;
  const timer = setInterval(() => {
    if (offset >= bytes.length || socket.destroyed) return;
    socket.write(bytes.subarray(offset, offset + bytesPerTick));
    offset += bytesPerTick;
  }, everyMs);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closedAt = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(performance.now() - start);
    }),
  );
  return {
    socket,
    received: () => Buffer.concat(chunks),
    closedAfter: (timeoutMs) => withTimeout(closedAt, timeoutMs, 'the server to drop the slow handshake'),
  };
}

/** A TCP connection that never sends a byte. */
export function connectSilently(port: number): Trickler {
  const start = performance.now();
  const socket = connect({ port, host: '127.0.0.1' });
  trickled.add(socket);
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - start)));
  return {
    socket,
    received: () => Buffer.concat(chunks),
    closedAfter: (timeoutMs) => withTimeout(closedAt, timeoutMs, 'the server to drop the silent connection'),
  };
}

export function destroyAllTricklers(): void {
  for (const socket of trickled) socket.destroy();
  trickled.clear();
}

// --- flooding without reading ---------------------------------------------------

/**
 * A masked binary frame of `size` bytes whose payload starts with the 32-bit
 * big-endian `index` (the rest is fixed filler), made without re-masking the
 * whole payload each time: `payload(i)` is what the echo must carry back.
 */
export function indexedFrames(size: number): { frame(index: number): Buffer; payload(index: number): Buffer } {
  const filler = Buffer.alloc(size, 'limits!');
  const template = encodeFrame({ opcode: Opcode.binary, payload: filler });
  const headerSize = template.length - size; // header + 4-byte mask key
  const key = template.subarray(headerSize - 4, headerSize);
  const payload = (index: number) => {
    const bytes = Buffer.from(filler);
    bytes.writeUInt32BE(index >>> 0, 0);
    return bytes;
  };
  return {
    payload,
    frame(index) {
      const frame = Buffer.from(template);
      const head = payload(index).subarray(0, 4);
      for (let i = 0; i < 4; i++) frame[headerSize + i] = (head[i] ?? 0) ^ (key[i] ?? 0);
      return frame;
    },
  };
}

export interface Flood {
  /** Bytes handed to the socket so far (written or still queued in it). */
  handed(): number;
  /** Bytes the kernel accepted: handed minus what still waits in the socket. */
  accepted(): number;
  /** True when the last write backed up and no 'drain' has come since. */
  backedUp(): boolean;
  /** True once all `totalBytes` were handed over. */
  done(): boolean;
}

/** Writes `frame` over and over, up to `totalBytes`, as fast as `socket` accepts (waiting for 'drain' when it backs up). */
export function floodWith(socket: Socket, frame: Buffer, totalBytes: number): Flood {
  let handed = 0;
  let waiting = false;
  const pump = () => {
    waiting = false;
    while (handed < totalBytes && !socket.destroyed) {
      handed += frame.length;
      if (!socket.write(frame)) {
        waiting = true;
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
  return {
    handed: () => handed,
    accepted: () => handed - socket.writableLength,
    backedUp: () => waiting,
    done: () => handed >= totalBytes,
  };
}

// --- bad configuration -------------------------------------------------------------

export interface ExitResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built server (as npm start does) with `--port 0 <args>` to completion with `env`
 * over a neutral environment; kills it if it is still running after
 * `timeoutMs` (a server that accepted a bad value would never exit).
 */
export async function runServerToExit(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<ExitResult> {
  const { code, signal, stdout, stderr } = await runServer(['--port', '0', ...args], { env, timeoutMs });
  return { status: code, signal, stdout, stderr };
}

// Where the JSON log lines go: a file descriptor (stdout), written
// synchronously, in batches. Every connection logs two lines (opened,
// closed); handing each batch to libuv's thread pool, as pino's asynchronous
// destination does, cost about a third of the server's CPU time in a
// handshake benchmark. Here the lines gather for at most FLUSH_MS (or
// FLUSH_BYTES) and leave with one write(2): no thread hand-off, the same
// order, and at a few thousand connections a second a few hundred system
// calls instead of thousands. The two lines of a connection are not even
// built during its handshake: `later` queues what they say, and they are
// built together at the flush (logger.ts, infoLater).
//
// Under --workers every worker writes into the same descriptor. A write(2)
// of at most PIPE_BUF bytes to a pipe is atomic (POSIX), a longer one is not:
// two workers' batches could cut each other's lines. There each write holds
// whole lines and at most PIPE_BUF bytes (a longer line goes alone, as it
// would without batching).
//
// Nothing is lost on the way out: what is gathered is written on 'exit',
// which Node emits on process.exit(), on an uncaught exception and when the
// loop runs dry after a graceful stop. Only a signal that kills the process
// outright (SIGKILL) loses the last FLUSH_MS of lines.
import cluster from 'node:cluster';
import { writeSync } from 'node:fs';

/** How long a line may wait for others to leave with: a person reading the log cannot tell. */
const FLUSH_MS = 10;
/** Roughly how many bytes (counted as characters) are written at once without waiting for FLUSH_MS. */
const FLUSH_BYTES = 64 * 1024;
/** Bytes kept while the descriptor refuses more (a full non-blocking pipe); beyond this, lines are counted and dropped. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** How soon to try again after EAGAIN. */
const RETRY_MS = 10;
/** What Linux (and POSIX at least) writes to a pipe in one piece. */
const PIPE_BUF = 4096;

/** Builds one line that `later` queued: through the logger, stamped with `time`, into this sink's `write`. */
export type BuildLine = (time: number, fields: object, msg: string) => void;

/** A pino destination: `write` takes one serialized line (with its newline). */
export interface LineSink {
  write(line: string): boolean;
  /**
   * Queues a line for `build` to make at the next flush, or before the next
   * line written meanwhile, so lines still leave in the order of the calls.
   * Made in a batch, the lines cost about a third of what they cost made one
   * at a time in the middle of a handshake (bench/README.md, "Handshakes at
   * the default log level").
   */
  later(build: BuildLine, time: number, fields: object, msg: string): void;
  /** Writes everything gathered so far, now. */
  flushSync(): void;
  /** pino's logger.flush(cb) calls this. */
  flush(cb?: (error?: Error) => void): void;
}

const sinks = new Map<number, LineSink>();

/** The one sink for `fd` in this process (the first call creates it and flushes it on exit). */
export function lineSink(fd: number): LineSink {
  let sink = sinks.get(fd);
  if (!sink) {
    sink = new BatchedLines(fd, cluster.isWorker);
    sinks.set(fd, sink);
    process.on('exit', flushAll);
  }
  return sink;
}

function flushAll(): void {
  for (const sink of sinks.values()) sink.flushSync();
}

class BatchedLines implements LineSink {
  readonly #fd: number;
  #lines: string[] = [];
  /** What `later` queued, flat: build, time, fields, msg, build, … */
  #later: unknown[] = [];
  /** True while #buildLater runs: the lines it builds come back through write(). */
  #building = false;
  /** The length of #lines together, in characters. */
  #gathered = 0;
  /** Bytes a refused write left over, to go before #lines. */
  #pending: Buffer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #dropped = 0;
  #broken = false;
  /** Other processes write into the same descriptor (cluster workers): whole lines, PIPE_BUF at most, per write. */
  readonly #shared: boolean;

  constructor(fd: number, shared: boolean) {
    this.#fd = fd;
    this.#shared = shared;
  }

  write(line: string): boolean {
    if (this.#broken) return true;
    if (this.#later.length > 0 && !this.#building) this.#buildLater();
    this.#lines.push(line);
    this.#gathered += line.length;
    if (this.#gathered >= FLUSH_BYTES && !this.#pending) this.#onTimer();
    else if (!this.#timer) this.#schedule(FLUSH_MS);
    return true;
  }

  later(build: BuildLine, time: number, fields: object, msg: string): void {
    if (this.#broken) return;
    this.#later.push(build, time, fields, msg);
    if (!this.#timer) this.#schedule(FLUSH_MS);
  }

  flush(cb?: (error?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  flushSync(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#buildLater();
    // At exit there is no later turn: wait out a full pipe, briefly.
    const deadline = Date.now() + 2000;
    while (!this.#writeOut() && Date.now() < deadline) Atomics.wait(SLEEPER, 0, 0, RETRY_MS);
  }

  // Unreferenced: a pending flush does not keep the process alive; 'exit' writes what is left.
  #schedule(ms: number): void {
    this.#timer = setTimeout(this.#onTimer, ms);
    this.#timer.unref();
  }

  readonly #onTimer = (): void => {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#buildLater();
    if (!this.#writeOut()) this.#schedule(RETRY_MS);
  };

  /** Builds the queued lines, in order; each comes back through write() into #lines. */
  #buildLater(): void {
    if (this.#building || this.#later.length === 0) return;
    const later = this.#later;
    this.#later = [];
    this.#building = true;
    try {
      for (let i = 0; i < later.length; i += 4) {
        (later[i] as BuildLine)(later[i + 1] as number, later[i + 2] as object, later[i + 3] as string);
      }
    } finally {
      this.#building = false;
    }
  }

  /** Writes what is gathered; false when the descriptor took only part of it and the rest must wait. */
  #writeOut(): boolean {
    if (this.#broken) return true;
    if (this.#dropped > 0 && !this.#pending) {
      this.#lines.push(droppedLine(this.#dropped));
      this.#dropped = 0;
    }
    if (this.#lines.length === 0 && !this.#pending) return true;
    if (this.#shared) return this.#writeOutShared();
    const text = this.#lines.join('');
    this.#lines = [];
    this.#gathered = 0;
    let bytes: Buffer | undefined = this.#pending;
    this.#pending = undefined;
    try {
      if (!bytes) {
        // The usual case: one string, one call, no copy of our own.
        const written = writeSync(this.#fd, text);
        if (written === Buffer.byteLength(text)) return true;
        bytes = Buffer.from(text).subarray(written);
      } else if (text) bytes = Buffer.concat([bytes, Buffer.from(text)]);
      while (bytes.length > 0) bytes = bytes.subarray(writeSync(this.#fd, bytes));
      return true;
    } catch (error) {
      return this.#refused(error as NodeJS.ErrnoException, bytes ?? Buffer.from(text));
    }
  }

  /** #writeOut for a shared descriptor: what a refused write left first, alone, then whole lines in pieces of PIPE_BUF at most. */
  #writeOutShared(): boolean {
    const rest = this.#pending;
    if (rest) {
      this.#pending = undefined;
      try {
        const written = writeSync(this.#fd, rest);
        if (written < rest.length) {
          this.#pending = rest.subarray(written);
          return false;
        }
      } catch (error) {
        return this.#refused(error as NodeJS.ErrnoException, rest);
      }
    }
    const lines = this.#lines;
    let from = 0;
    while (from < lines.length) {
      let to = from;
      let size = 0;
      for (; to < lines.length; to++) {
        const length = Buffer.byteLength(lines[to]!);
        if (to > from && size + length > PIPE_BUF) break;
        size += length;
      }
      const piece = lines.slice(from, to).join('');
      let written: number;
      try {
        written = writeSync(this.#fd, piece);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN')
          return this.#refused(error as NodeJS.ErrnoException, Buffer.alloc(0));
        // A full pipe took nothing of it: keep it and what follows, within the same bound as the unshared path.
        this.#keep(lines.slice(from));
        return false;
      }
      from = to;
      if (written < size) {
        // Only a line longer than PIPE_BUF is written in part.
        this.#pending = Buffer.from(piece).subarray(written);
        this.#keep(lines.slice(from));
        return false;
      }
    }
    this.#lines = [];
    this.#gathered = 0;
    return true;
  }

  /** Makes `lines` the ones still to write, or counts them as dropped past MAX_PENDING_BYTES. */
  #keep(lines: string[]): void {
    const gathered = lines.reduce((sum, line) => sum + line.length, 0);
    if (gathered <= MAX_PENDING_BYTES) {
      this.#lines = lines;
      this.#gathered = gathered;
    } else {
      this.#dropped += lines.length;
      this.#lines = [];
      this.#gathered = 0;
    }
  }

  #refused(error: NodeJS.ErrnoException, unwritten: Buffer): boolean {
    if (error.code === 'EAGAIN') {
      // The reader is behind: keep what fits and try again shortly.
      if (unwritten.length <= MAX_PENDING_BYTES) this.#pending = unwritten;
      else this.#dropped += countLines(unwritten);
      return false;
    }
    // EPIPE (nobody reads any more) or worse: stop logging rather than fail the server, as pino does.
    this.#broken = true;
    this.#lines = [];
    this.#gathered = 0;
    return true;
  }
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function countLines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

function droppedLine(count: number): string {
  return `${JSON.stringify({ level: 40, time: Date.now(), msg: `${count} log lines dropped: the log's reader fell behind` })}\n`;
}

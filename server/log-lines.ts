// Where the JSON log lines go: a file descriptor (stdout), written
// synchronously, but once per turn of the event loop. Every connection logs
// two lines (opened, closed); writing each one, or handing each batch to
// libuv's thread pool as pino's asynchronous destination does, cost about a
// third of the server's CPU time in a handshake benchmark. Gathering the
// lines of one turn and writing them with one write(2) at the end of it costs
// one system call per turn, no thread hand-off, and keeps the order.
//
// Nothing is lost on the way out: what is gathered is written on 'exit',
// which Node emits on process.exit(), on an uncaught exception and when the
// loop runs dry after a graceful stop. Only a signal that kills the process
// outright (SIGKILL) loses the lines of the turn it interrupted.
import { writeSync } from 'node:fs';

/** Bytes kept while the descriptor refuses more (a full non-blocking pipe); beyond this, lines are counted and dropped. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** How soon to try again after EAGAIN. */
const RETRY_MS = 10;

/** A pino destination: `write` takes one serialized line (with its newline). */
export interface LineSink {
  write(line: string): boolean;
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
    sink = new BatchedLines(fd);
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
  /** Bytes a refused write left over, to go before #lines. */
  #pending: Buffer | undefined;
  #scheduled = false;
  #dropped = 0;
  #broken = false;

  constructor(fd: number) {
    this.#fd = fd;
  }

  write(line: string): boolean {
    if (this.#broken) return true;
    this.#lines.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#onTurnEnd);
    }
    return true;
  }

  flush(cb?: (error?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  flushSync(): void {
    // At exit there is no later turn: wait out a full pipe, briefly.
    const deadline = Date.now() + 2000;
    while (!this.#writeOut() && Date.now() < deadline) Atomics.wait(SLEEPER, 0, 0, RETRY_MS);
  }

  readonly #onTurnEnd = (): void => {
    this.#scheduled = false;
    if (!this.#writeOut()) {
      this.#scheduled = true;
      setTimeout(this.#onTurnEnd, RETRY_MS);
    }
  };

  /** Writes what is gathered; false when the descriptor took only part of it and the rest must wait. */
  #writeOut(): boolean {
    if (this.#broken) return true;
    if (this.#dropped > 0 && !this.#pending) {
      this.#lines.push(droppedLine(this.#dropped));
      this.#dropped = 0;
    }
    if (this.#lines.length === 0 && !this.#pending) return true;
    const text = this.#lines.join('');
    this.#lines = [];
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

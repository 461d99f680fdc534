// Misbehave on request, per connection: what server/misbehave.ts parsed from
// the URL, carried out. Only connections that asked for a fault get one of
// these; the echo's hot path branches once on its absence.
//
// Everything the server sends on such a connection (greeting, /inspect's
// report, /push's ticks, echo replies) goes through one queue, in order, so
// a delayed reply keeps its place and the frames of a fragmented message are
// never interleaved with another message's. The queue is bounded in bytes:
// while it holds more than --max-buffered (with what the socket holds), the
// server stops reading from the client, as the echo does for unread replies.
// On a connection that compresses, what ws holds for zlib counts too, and the
// next turn of frames waits until zlib has written the last one.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Logger } from './logger.ts';
import type { EchoMetrics } from './metrics.ts';
import type { Faults } from './misbehave.ts';

/** What every faulty connection of one server shares. */
export interface FaultContext {
  logger: Logger;
  metrics: EchoMetrics;
  /** Bytes waiting for one client (queued here or in its socket) above which reading from it pauses. */
  maxBufferedBytes: number;
  /** Counts one message sent, once its last frame has been written. */
  countSent: (bytes: number, isBinary: boolean) => void;
}

/**
 * Frames written in one turn of the event loop; the rest of a message waits
 * for the next turn, so fragment=1 on a 1 MiB message neither holds the loop
 * nor piles up a million write requests at once.
 */
const FRAMES_PER_TURN = 1024;
/** What one queued message costs besides its bytes (the entry itself), counted toward the bound. */
const ENTRY_BYTES = 64;
/** How long a dropped connection has to take what was queued before it before the socket is destroyed anyway. */
const DROP_FLUSH_MS = 5_000;

type Kind = 'reply' | 'message' | 'end';

interface Outgoing {
  kind: Kind;
  data: Buffer;
  isBinary: boolean;
  /** performance.now() from which it may leave. */
  dueAt: number;
  /** Bytes already sent as frames. */
  offset: number;
}

/** The faults of one open connection. */
export class ConnectionFaults {
  readonly #ws: WebSocket;
  readonly #socket: Socket;
  readonly #faults: Faults;
  readonly #peer: string;
  readonly #context: FaultContext;
  /** Waiting messages, oldest first, from #head on (an array with a moving start, so taking one is O(1)). */
  #queue: Outgoing[] = [];
  #head = 0;
  /** Bytes the queue holds, ENTRY_BYTES included, for the bound. */
  #queuedBytes = 0;
  /** What will run the queue next: a due time, the next turn, the socket draining, zlib catching up, or nothing yet. */
  #wake: 'timer' | 'turn' | 'drain' | 'written' | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #wakeTurn: NodeJS.Immediate | undefined;
  #repliesSent = 0;
  /** Set once the connection ended on purpose or closed: nothing more is sent. */
  #ended = false;
  /** permessage-deflate was negotiated: ws.send compresses, later, through zlib's queue. */
  readonly #compressed: boolean;
  /** Frames handed to ws on a compressing connection and not yet written. */
  #unwritten = 0;
  readonly #timers: NodeJS.Timeout[] = [];

  /** Starts the faults of a connection that just opened: logs them, counts them, sends the greeting. */
  constructor(ws: WebSocket, socket: Socket, faults: Faults, peer: string, context: FaultContext) {
    this.#ws = ws;
    this.#socket = socket;
    this.#faults = faults;
    this.#peer = peer;
    this.#context = context;
    this.#compressed = ws.extensions !== '';
    const { greeting, ...rest } = faults;
    context.logger.info(
      { peer, faults: { ...rest, greetingBytes: greeting === undefined ? undefined : Buffer.byteLength(greeting) } },
      'misbehaving as the URL asked',
    );
    const { metrics } = context;
    if (faults.delayMs > 0) metrics.faulted('delay');
    if (faults.fragment !== undefined) metrics.faulted('fragment');
    if (faults.pongOff) metrics.faulted('pong_off');
    if (faults.pingMs !== undefined) {
      metrics.faulted('ping');
      let counter = 0;
      this.#every(faults.pingMs, () => {
        if (ws.readyState === ws.OPEN) ws.ping(String(++counter));
      });
    }
    ws.once('close', () => this.#stop());
    if (greeting !== undefined) {
      metrics.faulted('greeting');
      this.send(greeting);
    }
  }

  /**
   * Arms the trigger of close or drop; call it once the path's own first
   * messages are queued, so that after=0 fires right behind them.
   */
  arm(): void {
    const { end, afterMs, afterReplies } = this.#faults;
    if (end === undefined) return;
    if (afterMs !== undefined) this.#after(afterMs, () => this.#end());
    else if (afterReplies === 0) this.#enqueue('end', EMPTY, false, 0);
  }

  /** Queues an echo reply: it waits delay_ms, leaves fragmented if asked, and counts toward `after`. */
  reply(data: Buffer, isBinary: boolean): void {
    if (this.#ended) return;
    const { delayMs } = this.#faults;
    this.#enqueue('reply', data, isBinary, delayMs > 0 ? performance.now() + delayMs : 0);
  }

  /**
   * Queues a message the server sends on its own (greeting, report, push
   * tick), behind whatever waits. Like a /push tick to a client that does not
   * read, it is skipped rather than queued past the bound.
   */
  send(text: string): void {
    if (this.#ended || this.#waitingBytes() > this.#context.maxBufferedBytes) return;
    this.#enqueue('message', Buffer.from(text), false, 0);
  }

  #enqueue(kind: Kind, data: Buffer, isBinary: boolean, dueAt: number): void {
    this.#queue.push({ kind, data, isBinary, dueAt, offset: 0 });
    this.#queuedBytes += data.length + ENTRY_BYTES;
    // Nothing scheduled means nothing waits ahead of it: send now, inside the
    // echo's cork, so the replies to one read still leave in one write.
    if (this.#wake === undefined) this.#run();
    else this.#relieve();
  }

  /** Sends what is due, up to FRAMES_PER_TURN frames, then schedules the rest. */
  #run(): void {
    this.#wake = undefined;
    if (this.#ended) return;
    if (this.#ws.readyState !== this.#ws.OPEN) {
      this.#stop();
      return;
    }
    const now = performance.now();
    let budget = FRAMES_PER_TURN;
    this.#socket.cork();
    while (budget > 0 && this.#head < this.#queue.length && !this.#ended) {
      const next = this.#queue[this.#head]!;
      if (next.dueAt > now) break;
      if (next.kind !== 'end') budget -= this.#sendFrames(next, budget);
      if (next.offset < next.data.length) break;
      this.#shift();
      if (next.kind === 'end') this.#end();
      else {
        this.#context.countSent(next.data.length, next.isBinary);
        if (next.kind === 'reply') this.#replySent();
      }
    }
    this.#socket.uncork();
    this.#schedule();
  }

  /** Writes frames of `item` from where it stopped, at most `budget` of them; returns how many. */
  #sendFrames(item: Outgoing, budget: number): number {
    const { data, isBinary } = item;
    const size = this.#faults.fragment ?? data.length;
    let frames = 0;
    // An empty message is still one frame.
    do {
      const end = Math.min(item.offset + size, data.length);
      // ws gives the first frame of a message the data opcode and the rest 0x0
      // (continuation); compressing, it sets RSV1 on the first only.
      const frame = data.subarray(item.offset, end);
      const options = { binary: isBinary, fin: end === data.length };
      if (this.#compressed) {
        this.#unwritten++;
        this.#ws.send(frame, options, this.#onWritten);
      } else this.#ws.send(frame, options);
      this.#queuedBytes -= end - item.offset;
      item.offset = end;
      frames++;
    } while (item.offset < data.length && frames < budget);
    return frames;
  }

  #shift(): void {
    this.#queuedBytes -= ENTRY_BYTES;
    this.#queue[this.#head++] = undefined as unknown as Outgoing;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #replySent(): void {
    const { end, afterMs, afterReplies } = this.#faults;
    if (++this.#repliesSent === afterReplies && end !== undefined && afterMs === undefined) this.#end();
  }

  /** Decides what runs the queue next, and whether to read from the client meanwhile. */
  #schedule(): void {
    this.#relieve();
    if (this.#ended || this.#wake !== undefined) return;
    if (this.#socket.writableLength > this.#context.maxBufferedBytes) {
      // The client is not reading: wait for the socket to drain (it will:
      // the bound is above the socket's high-water mark, so 'drain' is due).
      this.#wake = 'drain';
      this.#socket.once('drain', this.#onDrain);
      return;
    }
    // A compressing connection's frames wait in ws for zlib, which a turn
    // outruns (fragment=1 on 1 MiB would queue a million of them): go on, or
    // read again, once the last one is written.
    if (this.#unwritten > 0 && (this.#head < this.#queue.length || this.#ws.isPaused)) {
      this.#wake = 'written';
      return;
    }
    if (this.#head === this.#queue.length) return;
    const wait = this.#queue[this.#head]!.dueAt - performance.now();
    if (wait > 0) {
      this.#wake = 'timer';
      this.#wakeTimer = setTimeout(this.#onWake, wait);
    } else {
      this.#wake = 'turn';
      this.#wakeTurn = setImmediate(this.#onWake);
    }
  }

  readonly #onWake = (): void => this.#run();
  readonly #onDrain = (): void => this.#run();
  // ws calls it for every frame, written or dropped at close.
  readonly #onWritten = (): void => {
    if (--this.#unwritten === 0 && this.#wake === 'written') this.#run();
  };

  /** Stops reading from the client while too much waits for it, and reads again once it is under the bound. */
  #relieve(): void {
    const ws = this.#ws;
    if (this.#waitingBytes() > this.#context.maxBufferedBytes) {
      if (!ws.isPaused) ws.pause();
    } else if (ws.isPaused) ws.resume();
  }

  #waitingBytes(): number {
    // bufferedAmount is the socket's queue plus, when compressing, what waits in ws for zlib.
    return this.#queuedBytes + (this.#compressed ? this.#ws.bufferedAmount : this.#socket.writableLength);
  }

  /** Fires close or drop. */
  #end(): void {
    const { end } = this.#faults;
    if (this.#ended || end === undefined || this.#ws.readyState !== this.#ws.OPEN) return;
    this.#stop();
    const { logger, metrics } = this.#context;
    if (end.kind === 'close') {
      logger.info({ peer: this.#peer, code: end.code, reason: end.reason }, 'closing, as the URL asked (?close)');
      metrics.faulted('close');
      this.#ws.close(end.code, end.reason);
      return;
    }
    logger.info({ peer: this.#peer }, 'dropping the connection without a close frame, as the URL asked (?drop)');
    metrics.faulted('drop');
    // FIN after what was already written, so the client gets every message
    // before the cut; the echo destroys the socket once that is flushed.
    this.#socket.end();
    this.#after(DROP_FLUSH_MS, () => this.#socket.destroy());
  }

  /** Ends everything this connection scheduled; nothing more is sent. */
  #stop(): void {
    this.#ended = true;
    if (this.#wake === 'drain') this.#socket.removeListener('drain', this.#onDrain);
    else if (this.#wake === 'timer') clearTimeout(this.#wakeTimer);
    else if (this.#wake === 'turn') clearImmediate(this.#wakeTurn);
    this.#wake = undefined;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(run, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  #every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.#timers.push(timer);
  }
}

const EMPTY = Buffer.alloc(0);

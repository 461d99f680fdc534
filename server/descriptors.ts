// File descriptors: every connection holds one, and a plain shell allows
// 1024 (`ulimit -n`) where --max-connections allows 10,000. Past the limit
// accept() fails, and libuv closes whatever is waiting without a word: the
// clients see a reset, nothing is logged, and /healthz cannot answer either.
// So the server counts its sockets against the limit and keeps a reserve:
// once inside it, new WebSockets and pages get 503 while /healthz and
// /metrics still answer; at the very edge a new connection gets its 503 at
// once and is closed, so its descriptor is free before the next accept.
// The limit is read from Linux's /proc (Node has no getrlimit); elsewhere
// nothing is checked.
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from './logger.ts';
import type { EchoMetrics } from './metrics.ts';
import { RETRY_AFTER_SECONDS } from './upgrade.ts';

/** The one line a client refused for want of descriptors reads (503). */
export const OUT_OF_DESCRIPTORS = 'Service Unavailable: the server is out of file descriptors; try again shortly';

/** Descriptors left below which a new connection is answered and closed at once. */
const EDGE = 4;
/** At most one log line about descriptors this often. */
const LOG_EVERY_MS = 10_000;
/** How often the count of sockets may be checked against /proc when close to the limit. */
const RECOUNT_EVERY_MS = 1_000;

/** The soft limit on open files (RLIMIT_NOFILE) from /proc/self/limits; undefined where unknown or unlimited. */
export function openFileLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** Descriptors this process has open now, from /proc/self/fd; undefined where unknown. */
function openDescriptors(): number | undefined {
  try {
    // Reading the directory takes a descriptor of its own.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

/** Descriptors kept for /healthz, /metrics, refusals and the server's own files: 1/16 of the limit, 16 to 256. */
function reserveFor(limit: number): number {
  return Math.min(256, Math.max(16, Math.ceil(limit / 16)));
}

/**
 * The start-up warning when `limit` cannot hold --max-connections: one line
 * naming the limit, the cap and the fix. Undefined when the limit is enough
 * or unknown.
 */
export function limitWarning(limit: number | undefined, maxConnections: number): string | undefined {
  if (limit === undefined) return undefined;
  const inUse = openDescriptors() ?? 0;
  const needed = maxConnections + inUse + reserveFor(limit);
  if (limit >= needed) return undefined;
  const room = Math.max(0, limit - inUse - reserveFor(limit));
  const raiseTo = 2 ** Math.ceil(Math.log2(needed));
  return `the open-file limit (${limit}) is below what --max-connections ${maxConnections} needs (${needed}): past about ${room} connections new clients get 503; raise it (ulimit -n ${raiseTo} in the shell that starts the server, LimitNOFILE=${raiseTo} in a systemd unit) or lower --max-connections`;
}

/** Counts the server's sockets against the open-file limit and refuses new work near it. */
export class DescriptorGuard {
  readonly #limit: number | undefined;
  readonly #reserve: number;
  readonly #logger: Logger;
  readonly #metrics: EchoMetrics;
  /** Descriptors open besides the sockets counted: Node's own, the listening socket, files. */
  #others = 0;
  #sockets = 0;
  #recountedAt = -Infinity;
  #loggedAt = -Infinity;
  #refusedSinceLog = 0;

  constructor(limit: number | undefined, logger: Logger, metrics: EchoMetrics) {
    this.#limit = limit;
    this.#reserve = limit === undefined ? 0 : reserveFor(limit);
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** Counts `server`'s connections from now on; `tls` when it speaks https (then no plain 503 can be sent at the edge). */
  watch(server: Server, tls: boolean): void {
    if (this.#limit === undefined) return;
    server.once('listening', () => {
      this.#recount();
      // After listening, a failed accept() is an 'error' on the server; it must be logged, not crash the process.
      server.on('error', (error: NodeJS.ErrnoException) => this.#warn({ code: error.code }, 'accept() failed'));
    });
    server.on('connection', (socket: Socket) => {
      this.#sockets++;
      // 'close' comes once; `on` spares the wrapper `once` would make per connection.
      socket.on('close', this.#release);
      if (this.#free() > EDGE) return;
      // Before its request is read, so counted like one the parser refused: it may have been an upgrade.
      this.#metrics.refused('file_descriptors');
      this.#refusedSinceLog++;
      this.#warn({}, 'no file descriptor to spare: closed a new connection at once');
      // Closing now frees the descriptor before libuv accepts the next client.
      if (!tls) socket.write(edgeResponse());
      socket.destroy();
    });
  }

  /** True while few descriptors are left: new WebSockets and pages should get 503 (see `refused`). */
  low(): boolean {
    if (this.#limit === undefined || this.#free() > this.#reserve) return false;
    // The count of other descriptors may have drifted: check against /proc before refusing, now and then.
    if (performance.now() - this.#recountedAt < RECOUNT_EVERY_MS) return true;
    this.#recount();
    return this.#free() <= this.#reserve;
  }

  /** Notes one request refused because low() said so, for the log. */
  refused(): void {
    this.#refusedSinceLog++;
    this.#warn({}, 'running out of file descriptors: new WebSockets and pages get 503');
  }

  readonly #release = (): void => {
    this.#sockets--;
  };

  #free(): number {
    return this.#limit! - this.#others - this.#sockets;
  }

  #recount(): void {
    this.#recountedAt = performance.now();
    const open = openDescriptors();
    if (open !== undefined) this.#others = Math.max(0, open - this.#sockets);
  }

  // One line now and then, however many clients are refused: a flood must not flood the log too.
  #warn(fields: Record<string, unknown>, message: string): void {
    const now = performance.now();
    if (now - this.#loggedAt < LOG_EVERY_MS) return;
    this.#loggedAt = now;
    this.#logger.warn(
      {
        ...fields,
        limit: this.#limit,
        open: this.#limit! - this.#free(),
        reserve: this.#reserve,
        refused: this.#refusedSinceLog,
      },
      `${message}; raise the open-file limit (ulimit -n, or LimitNOFILE= in a systemd unit) or lower --max-connections`,
    );
    this.#refusedSinceLog = 0;
  }
}

// A function, not a constant: upgrade.ts imports this module too.
function edgeResponse(): string {
  return `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: ${RETRY_AFTER_SECONDS}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${OUT_OF_DESCRIPTORS.length}\r\n\r\n${OUT_OF_DESCRIPTORS}`;
}

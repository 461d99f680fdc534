// The monitor's tokens. Each token has the connections that carried it (one
// tap each), the watchers on /monitor?monitor=<token>, and the recent events
// a watcher that joins late is sent first. Every event is made into its JSON
// once, kept, and sent as is to each watcher. Everything is bounded
// (MONITOR_LIMITS): events per token, bytes for all tokens together,
// watchers per token, tokens in all, and how long a token nobody uses is kept.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { MONITOR_CLOSE, MONITOR_LIMITS } from '../protocol.ts';
import { Tap, type TapEvent } from './tap.ts';

export interface MonitorHubOptions {
  /** A watcher with more than this waiting to be sent is skipped, like a /push tick. */
  maxBufferedBytes: number;
  /** Bytes of JSON kept for all tokens together (MONITOR_LIMITS.totalBytes unless a test says less). */
  totalBytes?: number;
  /** Tokens kept in all (MONITOR_LIMITS.tokens unless a test says less). */
  tokens?: number;
}

interface Kept {
  json: string;
  /** The tap whose handshake (a 101) this is: it outlives the history while that connection is open. */
  handshakeOf: Tap | undefined;
}

interface Entry {
  readonly token: string;
  seq: number;
  /** Connections that carried the token so far. */
  connections: number;
  readonly taps: Set<Tap>;
  readonly watchers: Set<WebSocket>;
  /** The last events, oldest first. */
  readonly history: Kept[];
  /** The handshakes of open connections that have left `history`, oldest first. */
  readonly pinned: Map<Tap, string>;
  /** Set while nothing uses the token: when it fires, the token is forgotten. */
  expiry: NodeJS.Timeout | undefined;
}

export class MonitorHub {
  /** By token, least recently put to use first. */
  readonly #entries = new Map<string, Entry>();
  /** The entries nothing uses, in the order they became unused: the first to go when room is needed. */
  readonly #unused = new Set<Entry>();
  readonly #maxBufferedBytes: number;
  readonly #totalBytes: number;
  readonly #maxTokens: number;
  #keptBytes = 0;
  #tapped = 0;
  #watchers = 0;

  constructor({
    maxBufferedBytes,
    totalBytes = MONITOR_LIMITS.totalBytes,
    tokens = MONITOR_LIMITS.tokens,
  }: MonitorHubOptions) {
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#totalBytes = totalBytes;
    this.#maxTokens = tokens;
  }

  /** Connections being recorded now. */
  get tapped(): number {
    return this.#tapped;
  }

  /** Watchers connected now. */
  get watchers(): number {
    return this.#watchers;
  }

  /** Tokens kept now. */
  get tokens(): number {
    return this.#entries.size;
  }

  /** Bytes of JSON kept now, pinned handshakes included. */
  get keptBytes(): number {
    return this.#keptBytes;
  }

  /** Whether anything is kept for `token`. */
  has(token: string): boolean {
    return this.#entries.has(token);
  }

  /** Starts recording a connection that carries `token`; call before ws answers its handshake. */
  tap(token: string, req: IncomingMessage, socket: Duplex): void {
    const entry = this.#use(token);
    const connection = ++entry.connections;
    const tap: Tap = new Tap(
      req,
      socket,
      (event) => this.#publish(entry, connection, tap, event),
      () => this.#untapped(entry, tap),
    );
    entry.taps.add(tap);
    this.#tapped++;
  }

  /** Whether one more watcher may watch `token`. */
  hasRoomFor(token: string): boolean {
    return (this.#entries.get(token)?.watchers.size ?? 0) < MONITOR_LIMITS.watchers;
  }

  /** Sends `ws` what is kept for `token`, then every new event until either ends. */
  watch(token: string, ws: WebSocket): void {
    const entry = this.#use(token);
    for (const json of entry.pinned.values()) ws.send(json);
    for (const { json } of entry.history) ws.send(json);
    entry.watchers.add(ws);
    this.#watchers++;
    ws.once('close', () => {
      entry.watchers.delete(ws);
      this.#watchers--;
      this.#forgetWhenUnused(entry);
    });
  }

  /** Stops the timers; taps and watchers end with their connections. */
  close(): void {
    for (const entry of this.#unused) clearTimeout(entry.expiry);
  }

  /** The entry for `token`, made if new (pushing out the oldest beyond the tokens bound); now in use. */
  #use(token: string): Entry {
    let entry = this.#entries.get(token);
    if (entry) {
      this.#unused.delete(entry);
      clearTimeout(entry.expiry);
      entry.expiry = undefined;
      this.#entries.delete(token);
    } else {
      if (this.#entries.size >= this.#maxTokens) this.#drop(this.#oldest()!);
      entry = {
        token,
        seq: 0,
        connections: 0,
        taps: new Set(),
        watchers: new Set(),
        history: [],
        pinned: new Map(),
        expiry: undefined,
      };
    }
    this.#entries.set(token, entry);
    return entry;
  }

  #publish(entry: Entry, connection: number, tap: Tap, event: TapEvent): void {
    // type first, then what every event has, then the event's own fields.
    const json = JSON.stringify(
      Object.assign({ type: event.type, seq: ++entry.seq, at: Date.now(), connection }, event),
    );
    this.#keep(entry, { json, handshakeOf: event.type === 'handshake' && event.status === 101 ? tap : undefined });
    for (const ws of entry.watchers) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount <= this.#maxBufferedBytes) ws.send(json);
    }
  }

  #keep(entry: Entry, kept: Kept): void {
    entry.history.push(kept);
    this.#keptBytes += kept.json.length;
    if (entry.history.length > MONITOR_LIMITS.events) this.#forgetOldest(entry);
    // Over the budget for all tokens: the unused go first; then this token pays, not the others.
    while (this.#keptBytes > this.#totalBytes) {
      const unused = this.#unused.values().next().value;
      if (unused) this.#drop(unused);
      else if (entry.history.length > 1) this.#forgetOldest(entry);
      else break;
    }
  }

  #forgetOldest(entry: Entry): void {
    const old = entry.history.shift()!;
    if (old.handshakeOf && entry.taps.has(old.handshakeOf)) entry.pinned.set(old.handshakeOf, old.json);
    else this.#keptBytes -= old.json.length;
  }

  #untapped(entry: Entry, tap: Tap): void {
    entry.taps.delete(tap);
    const pinned = entry.pinned.get(tap);
    if (pinned !== undefined) {
      entry.pinned.delete(tap);
      this.#keptBytes -= pinned.length;
    }
    this.#tapped--;
    this.#forgetWhenUnused(entry);
  }

  /** Once no connection carries the token and nobody watches it, it is kept for MONITOR_LIMITS.keepSeconds. */
  #forgetWhenUnused(entry: Entry): void {
    if (entry.taps.size > 0 || entry.watchers.size > 0 || this.#entries.get(entry.token) !== entry) return;
    this.#unused.add(entry);
    clearTimeout(entry.expiry);
    entry.expiry = setTimeout(() => this.#drop(entry), MONITOR_LIMITS.keepSeconds * 1000);
    entry.expiry.unref();
  }

  /** The entry that has been unused longest, else the one least recently put to use. */
  #oldest(): Entry | undefined {
    return this.#unused.values().next().value ?? this.#entries.values().next().value;
  }

  /** Forgets `entry` now: its connections go on unrecorded, its watchers are closed. */
  #drop(entry: Entry): void {
    if (this.#entries.get(entry.token) !== entry) return;
    this.#entries.delete(entry.token);
    this.#unused.delete(entry);
    clearTimeout(entry.expiry);
    for (const tap of entry.taps) tap.detach();
    for (const ws of entry.watchers) ws.close(MONITOR_CLOSE.evicted.code, MONITOR_CLOSE.evicted.reason);
    for (const kept of entry.history) this.#keptBytes -= kept.json.length;
    for (const json of entry.pinned.values()) this.#keptBytes -= json.length;
    entry.history.length = 0;
    entry.pinned.clear();
  }
}

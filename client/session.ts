// Everything this page sent, received and saw happen, in memory and without
// any DOM: the log's entries (capped), the counters behind the stats panel,
// round-trip times for echo replies, and the JSON export of the lot. It
// listens to the connection itself and is the way the panels send.
import { ReadyState, type EchoConnection, type ReceivedData, type SendableData } from './connection.ts';
import { binaryDescription, describeClose } from './describe.ts';
import { Emitter } from './emitter.ts';
import { toHex } from './hex.ts';
import { t } from './i18n/translate.ts';
import { RoundTrips, replyTestFor } from './rtt.ts';

export type Direction = 'sent' | 'received' | 'event';
export type Kind = 'text' | 'binary' | 'event';

/**
 * What an entry says. A string stays as it is: a message's own text. A
 * function is asked each time the entry is read, so descriptions and events
 * follow the page's language, even after it changes.
 */
export type Words = string | (() => string);

export interface LogEntry {
  /** 1, 2, 3, … in the order things happened; never reused, not even after the cap drops entries. */
  readonly id: number;
  /** Date.now() when it was logged. */
  readonly time: number;
  readonly direction: Direction;
  readonly kind: Kind;
  /** An event that went wrong: an error event, or a close that was not clean. */
  readonly error: boolean;
  /** Bytes on the wire: UTF-8 length of text, byte length of binary, 0 for events. */
  readonly size: number;
  /** The text itself, what a binary message was ("Blob, 4 bytes"), or what happened, in the page's current language. */
  readonly text: string;
  /** The connection's URL at the time. */
  readonly url: string;
  /** Round-trip time in ms when this is an echo reply. */
  readonly rtt: number | undefined;
  /** A binary message's first bytes, once read (a Blob is read asynchronously). */
  bytes: Uint8Array | undefined;
}

export interface Stats {
  sentMessages: number;
  sentBytes: number;
  receivedMessages: number;
  receivedBytes: number;
  lastRtt: number | undefined;
  rttTotal: number;
  rttCount: number;
  /** Date.now() when the current connection opened; undefined while there is none. */
  openedAt: number | undefined;
}

/** Entries kept for the export; older ones are dropped (and counted) beyond this. */
export const MAX_ENTRIES = 10_000;
/** The most of one binary message kept for the hex view. */
export const DETAIL_BYTES = 64 * 1024;
/** What older binary messages keep once newer ones take their place. */
export const PREVIEW_BYTES = 256;
// How many binary messages keep DETAIL_BYTES; at most 1 MiB in all.
const DETAILED_ENTRIES = 16;

export interface SessionEvents {
  /** A new entry was logged. */
  entry: (entry: LogEntry) => void;
  /** A binary entry's bytes have been read. */
  bytes: (entry: LogEntry) => void;
  /** The oldest entries fell out of memory because of MAX_ENTRIES. */
  dropped: (entry: LogEntry) => void;
  /** A counter changed. */
  stats: (stats: Readonly<Stats>) => void;
}

export class Session extends Emitter<SessionEvents> {
  readonly entries: LogEntry[] = [];
  readonly stats: Stats = {
    sentMessages: 0,
    sentBytes: 0,
    receivedMessages: 0,
    receivedBytes: 0,
    lastRtt: undefined,
    rttTotal: 0,
    rttCount: 0,
    openedAt: undefined,
  };
  #dropped = 0;
  #nextId = 1;
  readonly #connection: EchoConnection;
  readonly #roundTrips = new RoundTrips();
  #isReply = replyTestFor('');
  readonly #detailed: LogEntry[] = [];

  constructor(connection: EchoConnection) {
    super();
    this.#connection = connection;
    connection.on('state', (state) => {
      if (state !== ReadyState.CONNECTING) return;
      this.#roundTrips.reset();
      this.#isReply = replyTestFor(connection.url);
      const { url, protocols } = connection;
      this.note(() => t('log.connecting', { url, protocols: protocols.join(', ') || t('none') }));
    });
    connection.on('open', ({ url, protocol }) => {
      this.stats.openedAt = Date.now();
      this.note(() => t('log.open', { url, protocol: protocol || t('none') }));
      this.emit('stats', this.stats);
    });
    connection.on('message', (data) => this.#received(data));
    connection.on('error', () => this.note(() => t('log.error'), true));
    connection.on('close', (info) => {
      this.stats.openedAt = undefined;
      // A dropped connection (1006) often comes with no error event at all, so
      // the close entry itself carries the alarm.
      this.note(() => t('log.close', { close: describeClose(info) }), !info.wasClean);
      this.emit('stats', this.stats);
    });
  }

  /** How many entries MAX_ENTRIES has pushed out of memory. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Sends when the socket is OPEN and logs it as `description`; false means nothing was sent. */
  send(data: SendableData, description: Words): boolean {
    if (!this.#connection.send(data)) return false;
    this.#roundTrips.sent(performance.now());
    const size = sizeOf(data);
    this.stats.sentMessages++;
    this.stats.sentBytes += size;
    const entry = this.#add('sent', typeof data === 'string' ? 'text' : 'binary', size, description, undefined);
    if (typeof data !== 'string') this.#readBytes(entry, data);
    this.emit('stats', this.stats);
    return true;
  }

  /** Logs something that happened; `error` marks it as gone wrong. */
  note(text: Words, error = false): void {
    this.#add('event', 'event', 0, text, undefined, error);
  }

  /** The whole session, every entry still in memory whatever the log shows, as export-ready data. */
  toJSON(): object {
    const { stats } = this;
    return {
      exportedAt: new Date().toISOString(),
      url: this.#connection.url,
      protocols: [...this.#connection.protocols],
      entryCount: this.entries.length,
      droppedEntries: this.#dropped,
      maxEntries: MAX_ENTRIES,
      stats: {
        sentMessages: stats.sentMessages,
        sentBytes: stats.sentBytes,
        receivedMessages: stats.receivedMessages,
        receivedBytes: stats.receivedBytes,
        meanRtt: stats.rttCount ? round(stats.rttTotal / stats.rttCount) : null,
      },
      entries: this.entries.map(exportEntry),
    };
  }

  #received(data: ReceivedData): void {
    const now = performance.now();
    const rtt = this.#isReply(data) ? this.#roundTrips.replied(now) : undefined;
    const size = sizeOf(data);
    this.stats.receivedMessages++;
    this.stats.receivedBytes += size;
    if (rtt !== undefined) {
      this.stats.lastRtt = rtt;
      this.stats.rttTotal += rtt;
      this.stats.rttCount++;
    }
    if (typeof data === 'string') {
      this.#add('received', 'text', size, data, rtt);
    } else {
      this.#readBytes(this.#add('received', 'binary', size, binaryDescription(data), rtt), data);
    }
    this.emit('stats', this.stats);
  }

  #add(direction: Direction, kind: Kind, size: number, words: Words, rtt: number | undefined, error = false): LogEntry {
    const entry: LogEntry = {
      id: this.#nextId++,
      time: Date.now(),
      direction,
      kind,
      error,
      size,
      get text() {
        return typeof words === 'string' ? words : words();
      },
      url: this.#connection.url,
      rtt,
      bytes: undefined,
    };
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) {
      this.#dropped++;
      this.emit('dropped', this.entries.shift()!);
    }
    this.emit('entry', entry);
    return entry;
  }

  // Keeps at most DETAIL_BYTES of a message, and only for the newest few, so
  // a session of canvas sends does not hold gigabytes for the export.
  #readBytes(entry: LogEntry, data: Blob | ArrayBuffer): void {
    const keep = (bytes: Uint8Array) => {
      entry.bytes = bytes;
      this.#detailed.push(entry);
      if (this.#detailed.length > DETAILED_ENTRIES) {
        const older = this.#detailed.shift()!;
        older.bytes = older.bytes?.slice(0, PREVIEW_BYTES);
      }
      this.emit('bytes', entry);
    };
    if (data instanceof Blob) {
      data
        .slice(0, DETAIL_BYTES)
        .arrayBuffer()
        .then(
          (buffer) => keep(new Uint8Array(buffer)),
          () => {},
        );
    } else {
      keep(new Uint8Array(data.slice(0, DETAIL_BYTES)));
    }
  }
}

function exportEntry(entry: LogEntry): object {
  const common = {
    id: entry.id,
    time: new Date(entry.time).toISOString(),
    direction: entry.direction,
    kind: entry.kind,
    ...(entry.error ? { error: true } : {}),
    size: entry.size,
    rtt: entry.rtt === undefined ? null : round(entry.rtt),
    url: entry.url,
  };
  if (entry.kind !== 'binary') return { ...common, text: entry.text };
  const preview = entry.bytes?.subarray(0, PREVIEW_BYTES) ?? new Uint8Array(0);
  // The first bytes only: whole messages can be megabytes each.
  return { ...common, description: entry.text, hexPreview: toHex(preview), previewBytes: preview.length };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function sizeOf(data: SendableData): number {
  if (typeof data === 'string') return utf8Length(data);
  return data instanceof Blob ? data.size : data.byteLength;
}

// TextEncoder would allocate a copy of every message just to measure it.
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

// A watcher on /monitor, as any client would write one: a ws client that
// records every event from the moment it is created (the kept history
// arrives right behind the 101) and lets a test wait for the ones it expects.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type ClientOptions, type RawData, WebSocket } from 'ws';
import type { MonitorEvent, MonitorFrame } from '../../server/protocol.ts';
import { EVENT_TIMEOUT_MS, withTimeout } from './wait.ts';

const watchers = new Set<MonitorWatcher>();

/** A fresh token, as the docs suggest: 128 random bits, base64url (22 characters). */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/** The hex a string's UTF-8 bytes make, as the monitor shows payloads. */
export function hexOf(bytes: string | Buffer): string {
  return Buffer.from(bytes).toString('hex');
}

export class MonitorWatcher {
  readonly ws: WebSocket;
  readonly events: MonitorEvent[] = [];
  /** /monitor sends text only; this counts any binary message. */
  binaryMessages = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #waiters = new Set<() => void>();

  private constructor(url: string, options?: ClientOptions) {
    this.ws = new WebSocket(url, options);
    watchers.add(this);
    this.ws.on('error', () => {});
    this.ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) this.binaryMessages++;
      this.events.push(JSON.parse((data as Buffer).toString()) as MonitorEvent);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.#waiters) wake();
      });
    });
  }

  /** Opens `<base>/monitor?monitor=<token>` and resolves once the handshake is done. */
  static async open(wsBase: string, token: string, options?: ClientOptions): Promise<MonitorWatcher> {
    const watcher = new MonitorWatcher(new URL(`/monitor?monitor=${token}`, wsBase).href, options);
    const opened = new Promise<void>((resolve, reject) => {
      watcher.ws.once('open', () => resolve());
      watcher.ws.once('unexpected-response', (_req, res: IncomingMessage) =>
        reject(new Error(`/monitor answered HTTP ${res.statusCode}`)),
      );
      watcher.ws.once('close', (code) => reject(new Error(`/monitor closed (${code}) before opening`)));
    });
    await withTimeout(opened, `the handshake with ${wsBase} /monitor`);
    return watcher;
  }

  /** Resolves once `done(events)` holds (checked on every event); rejects after a while, showing what came. */
  until(done: (events: MonitorEvent[]) => boolean, what: string, ms = EVENT_TIMEOUT_MS): Promise<void> {
    if (done(this.events)) return Promise.resolve();
    let wake = (): void => {};
    let timer: NodeJS.Timeout | undefined;
    return new Promise<void>((resolve, reject) => {
      wake = () => {
        if (done(this.events)) resolve();
        else if (this.ws.readyState === WebSocket.CLOSED) reject(new Error(`/monitor closed before ${what}`));
      };
      this.#waiters.add(wake);
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms waiting for ${what}; the events: ${this.summary()}`)),
        ms,
      );
    }).finally(() => {
      clearTimeout(timer);
      this.#waiters.delete(wake);
    });
  }

  /** Frame events, in order, matching `filter`. */
  frames(filter: Partial<MonitorFrame> = {}): MonitorFrame[] {
    return this.events.filter(
      (event): event is MonitorFrame =>
        event.type === 'frame' &&
        Object.entries(filter).every(([key, value]) => event[key as keyof MonitorFrame] === value),
    );
  }

  /** The events in one line each, short, for failure messages. */
  summary(): string {
    return this.events
      .map((event) =>
        event.type === 'frame'
          ? `#${event.seq} ${event.direction} ${event.opcodeName} fin=${event.fin} ${event.payloadLength}B`
          : `#${event.seq} ${event.type}`,
      )
      .join('; ');
  }
}

/** Terminates every watcher opened here. */
export function terminateWatchers(): void {
  for (const watcher of watchers) watcher.ws.terminate();
  watchers.clear();
}

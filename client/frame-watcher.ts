// The frame view's side channel (docs/monitor.md): a second socket, to
// /monitor with the page's token, on which the server reports the handshake
// and the frames of every connection that carried the token. With
// connection.ts, the only module that touches WebSocket; a module of its own
// so it loads after the page's first paint, with the cards that use it.
import type { MonitorEvent } from '../server/protocol.ts';
import { ReadyState } from './connection.ts';
import { Emitter } from './emitter.ts';
import { parseMonitorEvent } from './monitor-events.ts';

/** Whether the frame view's watcher is there: `failed` when it never opened, `ended` when it closed after opening. */
export type WatchStatus =
  | { state: 'connecting' }
  | { state: 'watching' }
  | { state: 'failed' }
  | { state: 'ended'; code: number; reason: string };

export interface WatcherEvents {
  /** The server saw something cross the watched connection's socket. */
  event: (event: MonitorEvent) => void;
  /** The watcher opened, failed or ended. */
  status: (status: WatchStatus) => void;
}

/** Listens on /monitor for the page's connection; the page works the same without it. */
export class FrameWatcher extends Emitter<WatcherEvents> {
  readonly #url: string;
  #socket: WebSocket | undefined;
  #status: WatchStatus = { state: 'connecting' };
  /** The newest event passed on: a reopened watcher is sent the token's history again, already shown. */
  #last = { seq: 0, at: 0 };

  /** `url`: /monitor with the token, e.g. ws://host/monitor?monitor=<token>. */
  constructor(url: string) {
    super();
    this.#url = url;
  }

  get status(): WatchStatus {
    return this.#status;
  }

  /** Opens the watcher unless it is open or opening: once the server has it, it sees every reconnect too. */
  open(): void {
    const state = this.#socket?.readyState;
    if (state === ReadyState.CONNECTING || state === ReadyState.OPEN) return;
    this.#report({ state: 'connecting' });
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#url);
    } catch {
      this.#report({ state: 'failed' });
      return;
    }
    this.#socket = socket;
    let opened = false;
    // A socket this watcher has since replaced reports nothing more.
    socket.addEventListener('open', () => {
      if (this.#socket !== socket) return;
      opened = true;
      this.#report({ state: 'watching' });
    });
    socket.addEventListener('message', (message: MessageEvent<unknown>) => {
      if (this.#socket !== socket) return;
      const event = typeof message.data === 'string' ? parseMonitorEvent(message.data) : undefined;
      if (event && this.#isNew(event)) this.emit('event', event);
    });
    socket.addEventListener('close', ({ code, reason }) => {
      if (this.#socket !== socket) return;
      this.#report(opened ? { state: 'ended', code, reason } : { state: 'failed' });
    });
  }

  /**
   * Whether `event` was not passed on before. The server numbers a token's
   * events from 1 again when it has forgotten the token (a restart, an
   * eviction), so an event counts as seen only if it is no newer in time too.
   */
  #isNew(event: MonitorEvent): boolean {
    if (event.seq <= this.#last.seq && event.at <= this.#last.at) return false;
    if (event.seq > this.#last.seq || event.at > this.#last.at) this.#last = { seq: event.seq, at: event.at };
    return true;
  }

  #report(status: WatchStatus): void {
    this.#status = status;
    this.emit('status', status);
  }
}

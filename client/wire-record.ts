// What the frame watcher has reported, kept (bounded), so a card that shows
// it can start with everything so far: the newest events, the newest
// handshake, the page's own last text frame, and whether the watcher is
// there. No DOM.
import type { MonitorEvent, MonitorFrame, MonitorHandshake } from '../server/protocol.ts';
import type { FrameWatcher, WatchStatus, WatcherEvents } from './frame-watcher.ts';
import { Emitter } from './emitter.ts';

/** Events kept for a view that starts late; the frame view shows fewer. */
export const KEPT_EVENTS = 200;

export class WireRecord extends Emitter<WatcherEvents> {
  /** The newest KEPT_EVENTS events, oldest first. */
  readonly events: MonitorEvent[] = [];
  /** The newest opening handshake: the request and the server's answer. */
  handshake: MonitorHandshake | undefined;
  /** The newest text frame the browser sent: the learner's own last message, as it crossed the wire. */
  lastTextSent: MonitorFrame | undefined;
  #status: WatchStatus;

  constructor(watcher: Pick<FrameWatcher, 'on' | 'status'>) {
    super();
    this.#status = watcher.status;
    watcher.on('status', (status) => {
      this.#status = status;
      this.emit('status', status);
    });
    watcher.on('event', (event) => this.#add(event));
  }

  get status(): WatchStatus {
    return this.#status;
  }

  #add(event: MonitorEvent): void {
    this.events.push(event);
    if (this.events.length > KEPT_EVENTS) this.events.shift();
    if (event.type === 'handshake') this.handshake = event;
    if (event.type === 'frame' && event.direction === 'client' && event.opcode === 1) this.lastTextSent = event;
    this.emit('event', event);
  }
}

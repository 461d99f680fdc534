// What the log says about the frames a page script never sees: one line per
// ping, pong and close frame, and one per message that crossed the wire in
// more than one frame. Plain strings from monitor events, no DOM.
import type { MonitorFrame } from '../server/protocol.ts';
import { closeCodeName } from './close-codes.ts';
import type { FrameWatcher } from './frame-watcher.ts';
import type { Session } from './session.ts';

const TEXT = {
  payload: (shown: string) => `payload ${shown}`,
  noPayload: 'no payload',
  closeCode: (code: number, name: string) => `code ${code} (${name})`,
  reason: (reason: string) => `reason ${reason}`,
  noStatus: 'no status code',
  sender: { client: 'the browser', server: 'the server' },
  fragments: (sender: string, count: number, sizes: string) =>
    `${sender} sent this message as ${count} fragments (${sizes})`,
  sizes: (shown: string, more: boolean, total: number) =>
    more ? `${shown} + … bytes, ${total} in all` : `${shown} bytes`,
} as const;

/**
 * Logs, in the order the server saw them, the control frames of the page's
 * connection and its messages that came in fragments, from the page's side:
 * what the browser sent, and what it received.
 */
export function logFrames(watcher: Pick<FrameWatcher, 'on'>, session: Pick<Session, 'logWire'>): void {
  const fragments = new FragmentCounter();
  watcher.on('event', (event) => {
    if (event.type !== 'frame') return;
    const direction = event.direction === 'client' ? 'sent' : 'received';
    if (isControl(event)) session.logWire(direction, 'control', event.payloadLength, controlFrameText(event));
    const note = fragments.add(event);
    if (note) session.logWire(direction, 'fragments', note.bytes, note.text);
  });
}

/** Opcodes 0x8-0xF are control frames (RFC 6455 5.5): close, ping, pong. */
export function isControl(frame: Pick<MonitorFrame, 'opcode'>): boolean {
  return frame.opcode >= 0x8;
}

/** 'ping, payload "1"', 'close, code 1000 (Normal Closure), reason "done"': a control frame in the log. */
export function controlFrameText(frame: MonitorFrame): string {
  const details = frame.close
    ? [
        TEXT.closeCode(frame.close.code, closeCodeName(frame.close.code)),
        ...(frame.close.reason ? [TEXT.reason(JSON.stringify(frame.close.reason))] : []),
      ]
    : [frame.opcodeName === 'close' ? TEXT.noStatus : payloadText(frame)];
  return [frame.opcodeName, ...details].join(', ');
}

/** A fragmented message, once its last frame has crossed. */
export interface FragmentNote {
  /** All its frames' payloads together. */
  bytes: number;
  text: string;
}

// The frame sizes a note lists before it says "…".
const LISTED_SIZES = 8;
// The characters of a fragmented text message a note quotes.
const QUOTED_CHARS = 256;

interface Assembling {
  frames: number;
  bytes: number;
  sizes: number[];
  text: string | undefined;
}

/**
 * Follows the data frames of each connection and direction, and says so when
 * a message took more than one (fragment=N on the server makes replies do
 * that). Control frames may come between fragments; they are not counted.
 */
export class FragmentCounter {
  readonly #assembling = new Map<string, Assembling>();

  /** Takes every frame in the order it crossed; returns a note when `frame` ended a fragmented message. */
  add(frame: MonitorFrame): FragmentNote | undefined {
    if (isControl(frame)) return undefined;
    // The common case, a whole message in one frame, costs nothing.
    if (frame.opcode !== 0 && frame.fin) return undefined;
    const key = `${frame.connection} ${frame.direction}`;
    // A text or binary frame starts a message; a continuation carries on the one under way.
    const message: Assembling = (frame.opcode === 0 ? this.#assembling.get(key) : undefined) ?? {
      frames: 0,
      bytes: 0,
      sizes: [],
      text: frame.opcode === 1 ? '' : undefined,
    };
    message.frames++;
    message.bytes += frame.payloadLength;
    if (message.sizes.length <= LISTED_SIZES) message.sizes.push(frame.payloadLength);
    if (message.text !== undefined && message.text.length < QUOTED_CHARS) message.text += frame.text ?? '';
    if (!frame.fin) {
      this.#assembling.set(key, message);
      return undefined;
    }
    this.#assembling.delete(key);
    if (message.frames === 1) return undefined;
    const more = message.sizes.length > LISTED_SIZES;
    const sizes = TEXT.sizes(message.sizes.slice(0, LISTED_SIZES).join(' + '), more, message.bytes);
    const said = TEXT.fragments(TEXT.sender[frame.direction], message.frames, sizes);
    const quoted = message.text === undefined ? '' : `: ${JSON.stringify(message.text.slice(0, QUOTED_CHARS))}`;
    return { bytes: message.bytes, text: `${said}${quoted}` };
  }
}

/** A ping's or pong's payload: as text when it is, else as hex; "no payload" when empty. */
function payloadText(frame: MonitorFrame): string {
  if (frame.payloadLength === 0) return TEXT.noPayload;
  const shown = frame.text !== undefined ? JSON.stringify(frame.text) : `0x${frame.payloadHex}`;
  return TEXT.payload(shown);
}

// What the log says about the frames a page script never sees: one line per
// ping, pong and close frame, and one per message that crossed the wire in
// more than one frame, in the page's language (a line is worded each time
// it is read, so it follows a switch). From monitor events, no DOM.
import './i18n/later.ts';
import type { MonitorFrame } from '../server/protocol.ts';
import { closeCodeName } from './close-codes.ts';
import type { FrameWatcher } from './frame-watcher.ts';
import { t } from './i18n/translate.ts';
import type { Session, Words } from './session.ts';

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
    if (isControl(event)) session.logWire(direction, 'control', event.payloadLength, () => controlFrameText(event));
    const note = fragments.add(event);
    if (note) session.logWire(direction, 'fragments', note.bytes, note.text);
  });
}

/** Opcodes 0x8-0xF are control frames (RFC 6455 5.5): close, ping, pong. */
function isControl(frame: Pick<MonitorFrame, 'opcode'>): boolean {
  return frame.opcode >= 0x8;
}

/** 'ping, payload "1"', 'close, code 1000 (Normal Closure), reason "done"': a control frame in the log. */
export function controlFrameText(frame: MonitorFrame): string {
  const details = frame.close
    ? [
        t('wire.closeCode', { code: frame.close.code, name: closeCodeName(frame.close.code) }),
        ...(frame.close.reason ? [t('wire.reason', { reason: JSON.stringify(frame.close.reason) })] : []),
      ]
    : [frame.opcodeName === 'close' ? t('wire.noStatus') : payloadText(frame)];
  return [frame.opcodeName, ...details].join(t('list.gap'));
}

/** A fragmented message, once its last frame has crossed. */
export interface FragmentNote {
  /** All its frames' payloads together. */
  bytes: number;
  /** Worded when read, in the page's language then. */
  text: Words;
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
    const shown = message.sizes.slice(0, LISTED_SIZES).join(' + ');
    const { frames: count, bytes: total } = message;
    const more = message.sizes.length > LISTED_SIZES;
    const quoted = message.text === undefined ? undefined : JSON.stringify(message.text.slice(0, QUOTED_CHARS));
    const { direction } = frame;
    const text = () => {
      const sizes = more ? t('wire.sizesMore', { shown, total }) : t('wire.sizes', { shown });
      const sender = t(`wire.sender.${direction}`);
      return quoted === undefined
        ? t('wire.fragments', { sender, count, sizes })
        : t('wire.fragmentsQuoted', { sender, count, sizes, text: quoted });
    };
    return { bytes: total, text };
  }
}

/** A ping's or pong's payload: as text when it is, else as hex; "no payload" when empty. */
function payloadText(frame: MonitorFrame): string {
  if (frame.payloadLength === 0) return t('wire.noPayload');
  const shown = frame.text !== undefined ? JSON.stringify(frame.text) : `0x${frame.payloadHex}`;
  return t('wire.payload', { shown });
}

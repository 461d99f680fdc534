// The Binary view: a binary message as `hexdump -C` shows it. It follows the
// newest binary message sent or received; a log row's hex button shows an
// older one. The first 256 bytes show at once, Show more goes to 64 KiB.
import { formatTime } from '../describe.ts';
import { hexDump } from '../hex.ts';
import { DETAIL_BYTES, PREVIEW_BYTES, type LogEntry, type Session } from '../session.ts';
import { find } from './dom.ts';

export interface HexView {
  /** Shows `entry` (a binary one) and moves focus to the dump. */
  show(entry: LogEntry): void;
}

export function setupHexView(root: Element, session: Session): HexView {
  const caption = find(root, 'hex-caption', HTMLElement);
  const dump = find(root, 'hex-dump', HTMLPreElement);
  const more = find(root, 'hex-more', HTMLButtonElement);
  let current: LogEntry | undefined;
  let expanded = false;

  const render = () => {
    const entry = current;
    if (!entry?.bytes) return;
    const limit = expanded ? DETAIL_BYTES : PREVIEW_BYTES;
    const shown = entry.bytes.subarray(0, limit);
    dump.textContent = hexDump(shown);
    dump.hidden = false;
    const which = `Entry ${entry.id}, ${entry.direction} at ${formatTime(new Date(entry.time))}: ${entry.text}.`;
    let extent =
      shown.length === entry.size ? ` All ${entry.size} bytes.` : ` First ${shown.length} of ${entry.size} bytes.`;
    // Older messages keep only their first bytes (client/session.ts); say why more is not there.
    if (entry.bytes.length < Math.min(entry.size, DETAIL_BYTES) && shown.length === entry.bytes.length) {
      extent += ' Only the newest binary messages keep more than their first 256 bytes.';
    } else if (expanded && entry.size > DETAIL_BYTES) {
      extent += ' The view stops at 64 KiB.';
    }
    caption.textContent = which + extent;
    more.hidden = entry.bytes.length <= PREVIEW_BYTES;
    more.textContent = expanded ? 'Show less' : 'Show more';
    more.setAttribute('aria-expanded', String(expanded));
  };

  const show = (entry: LogEntry) => {
    if (entry !== current) expanded = false;
    current = entry;
    render();
  };

  // Blobs are read asynchronously, so an older message's bytes may land after a newer one's.
  session.on('bytes', (entry) => {
    if (!current || entry.id >= current.id) show(entry);
  });
  more.addEventListener('click', () => {
    expanded = !expanded;
    render();
  });

  return {
    show(entry) {
      show(entry);
      dump.focus();
    },
  };
}

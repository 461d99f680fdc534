// The Binary view: a binary message as `hexdump -C` shows it. It follows the
// newest binary message sent or received; a log row's hex button shows an
// older one. The first 256 bytes show at once, Show more goes to 64 KiB.
import { formatTime } from '../describe.ts';
import { hexDump } from '../hex.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
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
    if (!entry?.bytes) {
      caption.textContent = t('hexView.caption');
      return;
    }
    const limit = expanded ? DETAIL_BYTES : PREVIEW_BYTES;
    const shown = entry.bytes.subarray(0, limit);
    dump.textContent = hexDump(shown);
    dump.hidden = false;
    const sentences = [
      t('hexView.which', {
        id: entry.id,
        direction: t(`log.direction.${entry.direction}`),
        time: formatTime(new Date(entry.time)),
        text: entry.text,
      }),
      shown.length === entry.size
        ? t('hexView.all', { size: entry.size })
        : t('hexView.first', { shown: shown.length, size: entry.size }),
    ];
    // Older messages keep only their first bytes (client/session.ts); say why more is not there.
    if (entry.bytes.length < Math.min(entry.size, DETAIL_BYTES) && shown.length === entry.bytes.length) {
      sentences.push(t('hexView.previewOnly', { kept: PREVIEW_BYTES }));
    } else if (expanded && entry.size > DETAIL_BYTES) {
      sentences.push(t('hexView.limit'));
    }
    caption.textContent = sentences.join(t('sentence.gap'));
    more.hidden = entry.bytes.length <= PREVIEW_BYTES;
    more.textContent = expanded ? t('hexView.less') : t('hexView.more');
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
  render();
  onLanguageChange(render);

  return {
    show(entry) {
      show(entry);
      dump.focus();
    },
  };
}

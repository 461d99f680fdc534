// The on-page log: one row per entry of the session, newest at the bottom,
// with filter, search, clear and JSON export. The session keeps up to 10000
// entries; the DOM only ever holds the newest MAX_ROWS that match, and rows
// are added once per frame, so a flood of messages does not freeze the page.
// Everything the server sends back is untrusted: rows are text nodes only.
import { formatMs, formatTime } from '../describe.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import { MAX_ENTRIES, type LogEntry, type Session } from '../session.ts';
import { find } from './dom.ts';

/** Rows kept in the DOM; older matches stay in memory and in the export. */
export const MAX_ROWS = 500;
// How close to the bottom counts as "following along" (px), so reading older rows is not interrupted.
const FOLLOW_SLACK_PX = 24;

type Filter = 'all' | 'sent' | 'received' | 'event';

/** Wires the Log card to `session`; `showBinary` opens a binary entry in the hex view. */
export function setupLogPanel(root: Element, session: Session, showBinary: (entry: LogEntry) => void): void {
  const doc = root.ownerDocument;
  const list = find(root, 'log', HTMLOListElement);
  const scroller = list.parentElement ?? list;
  const filterSelect = find(root, 'log-filter', HTMLSelectElement);
  const search = find(root, 'log-search', HTMLInputElement);
  const status = find(root, 'log-status', HTMLElement);

  let filter: Filter = 'all';
  let query = '';
  // Clear hides what was logged so far from the view; the export keeps it.
  let clearedThrough = 0;
  let matching = 0;
  let pending: LogEntry[] = [];
  let frame = 0;

  const matches = (entry: LogEntry) =>
    entry.id > clearedThrough &&
    (filter === 'all' || entry.direction === filter) &&
    (query === '' || entry.text.toLowerCase().includes(query));

  const showStatus = () => {
    const shown = list.childElementCount;
    const parts = [
      matching === 0
        ? t('log.nothingShown')
        : matching > shown
          ? t('log.countShowing', { count: matching, shown })
          : t('log.count', { count: matching }),
    ];
    if (clearedThrough > 0) parts.push(t('log.cleared'));
    if (session.dropped > 0) parts.push(t('log.dropped', { count: session.dropped, max: MAX_ENTRIES }));
    status.textContent = parts.join(t('sentence.gap'));
  };

  const flush = () => {
    frame = 0;
    const following = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= FOLLOW_SLACK_PX;
    const rows = doc.createDocumentFragment();
    for (const entry of pending.slice(-MAX_ROWS)) rows.append(createRow(doc, entry));
    pending = [];
    list.append(rows);
    for (let extra = list.childElementCount - MAX_ROWS; extra > 0; extra--) list.firstElementChild?.remove();
    if (following) scroller.scrollTop = scroller.scrollHeight;
    showStatus();
  };
  const schedule = () => {
    if (frame === 0) frame = requestAnimationFrame(flush);
  };

  const rerender = () => {
    matching = 0;
    const shown: LogEntry[] = [];
    for (let i = session.entries.length - 1; i >= 0; i--) {
      const entry = session.entries[i]!;
      if (!matches(entry)) continue;
      matching++;
      if (shown.length < MAX_ROWS) shown.push(entry);
    }
    list.replaceChildren();
    pending = shown.reverse();
    scroller.scrollTop = scroller.scrollHeight;
    schedule();
  };

  session.on('entry', (entry) => {
    if (!matches(entry)) return;
    matching++;
    pending.push(entry);
    schedule();
  });
  session.on('dropped', (entry) => {
    if (!matches(entry)) return;
    matching--;
    const first = list.firstElementChild;
    if (first instanceof HTMLElement && first.dataset.id === String(entry.id)) first.remove();
  });

  filterSelect.addEventListener('change', () => {
    filter = filterSelect.value as Filter;
    rerender();
  });
  search.addEventListener('input', () => {
    query = search.value.toLowerCase();
    rerender();
  });
  find(root, 'clear-log', HTMLButtonElement).addEventListener('click', () => {
    clearedThrough = session.entries.at(-1)?.id ?? clearedThrough;
    rerender();
  });
  find(root, 'export-log', HTMLButtonElement).addEventListener('click', () => exportSession(doc, session));
  // Whatever was logged before this panel was set up (e.g. the binaryType) shows too.
  rerender();
  // Rows are drawn in the language of the moment; a switch draws them again (the entries' words follow).
  onLanguageChange(rerender);

  // One listener for every row's hex button, however many rows come and go.
  list.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-id]') : null;
    if (!(button instanceof HTMLButtonElement)) return;
    const id = Number(button.dataset.id);
    const first = session.entries[0]?.id ?? 0;
    const entry = session.entries[id - first];
    if (entry?.id === id) showBinary(entry);
  });
}

/** Downloads every entry in memory, whatever the filter shows, as one JSON file. */
function exportSession(doc: Document, session: Session): void {
  const blob = new Blob([JSON.stringify(session, null, 2)], { type: 'application/json' });
  const link = doc.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `websocket-session-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  link.click();
  // Revoked later, not at once: the download reads the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

function createRow(doc: Document, entry: LogEntry): HTMLLIElement {
  const direction = entry.error ? 'error' : entry.direction;
  const row = doc.createElement('li');
  row.className = `log-row log-row--${direction}`;
  row.dataset.id = String(entry.id);
  const at = new Date(entry.time);
  const time = doc.createElement('time');
  time.dateTime = at.toISOString();
  time.textContent = formatTime(at);
  row.append(time, span(doc, 'log-direction', t(`log.direction.${direction}`)));
  if (entry.kind !== 'event') {
    row.append(
      span(doc, 'log-meta', t(`log.kind.${entry.kind}`)),
      span(doc, 'log-meta', t('log.size', { size: entry.size })),
    );
    if (entry.rtt !== undefined) row.append(span(doc, 'log-meta log-rtt', t('log.rtt', { ms: formatMs(entry.rtt) })));
  }
  row.append(span(doc, 'log-content', entry.text));
  if (entry.kind === 'binary') {
    const button = doc.createElement('button');
    button.type = 'button';
    button.className = 'secondary small log-hex';
    button.dataset.id = String(entry.id);
    button.textContent = t('log.hex');
    button.setAttribute('aria-label', t('log.hexLabel', { id: entry.id }));
    row.append(button);
  }
  return row;
}

function span(doc: Document, className: string, text: string): HTMLSpanElement {
  const element = doc.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

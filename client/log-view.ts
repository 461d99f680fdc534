// The on-page log: one row per thing sent, received or reported. Everything
// the server sends back is untrusted, so rows are built from text nodes only.

/** Which way a row went: to the server, from it, or something the socket reported. */
export type Direction = 'sent' | 'received' | 'event' | 'error';

export interface LogView {
  /** Appends a row stamped with the current time; `text` is shown literally. */
  add(direction: Direction, text: string): void;
}

// Enough to scroll back through a session without a long-running tab growing forever.
const MAX_ROWS = 500;
// How close to the bottom counts as "following along" (px), so reading older rows is not interrupted.
const FOLLOW_SLACK_PX = 24;

/** Makes `list` the log and `clearButton` empty it; `list`'s parent is the scrolling box. */
export function setupLog(list: HTMLOListElement, clearButton: HTMLButtonElement): LogView {
  const scroller = list.parentElement ?? list;
  clearButton.addEventListener('click', () => list.replaceChildren());
  return {
    add(direction, text) {
      const following = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= FOLLOW_SLACK_PX;
      list.append(createRow(direction, text, new Date()));
      while (list.childElementCount > MAX_ROWS) list.firstElementChild?.remove();
      if (following) scroller.scrollTop = scroller.scrollHeight;
    },
  };
}

function createRow(direction: Direction, text: string, at: Date): HTMLLIElement {
  const row = document.createElement('li');
  row.className = `log-row log-row--${direction}`;
  const time = document.createElement('time');
  time.dateTime = at.toISOString();
  time.textContent = formatTime(at);
  row.append(time, createSpan('log-direction', direction), createSpan('log-content', text));
  return row;
}

function createSpan(className: string, text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  return span;
}

// 24-hour with milliseconds: an echo round trip often takes less than one.
function formatTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

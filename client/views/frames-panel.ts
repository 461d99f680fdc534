// The Frames card: what crossed the wire on this page's connection, as the
// server saw it (the monitor, docs/monitor.md): the opening handshake as
// text, then every frame both ways, newest last, each drawn as RFC 6455 §5.2
// does (a table of the header's first two bytes, then its other fields).
// Everything here came from the network, so it goes in as text nodes only.
// Bounded like the log: at most MAX_ITEMS in the DOM, added a few times a second.
import '../i18n/later.ts';
import { MONITOR_LIMITS, type MonitorEvent, type MonitorFrame } from '../../server/protocol.ts';
import { closeCodeName } from '../close-codes.ts';
import { ReadyState, type EchoConnection } from '../connection.ts';
import { formatTime } from '../describe.ts';
import { extendedLength, headerBits, lengthField, spaced } from '../frame-format.ts';
import type { WatchStatus } from '../frame-watcher.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import type { WireRecord } from '../wire-record.ts';
import { element, find } from './dom.ts';

// RFC 6455 §5.2's names for the first two bytes' fields, the same in every language; then its length column.
const BIT_COLUMNS = ['FIN', 'RSV1', 'RSV2', 'RSV3', 'opcode', 'MASK'] as const;

/** Frames and notes kept in the DOM; the newest win. */
const MAX_ITEMS = 30;
// A frame's item is heavy (a table, a list): under a flood, redraw a few times a second, not every frame.
const REDRAW_MS = 200;
// How close to the bottom counts as following along (px), as in the log.
const FOLLOW_SLACK_PX = 24;

export function setupFramesPanel(root: Element, record: WireRecord, connection: EchoConnection): void {
  const doc = root.ownerDocument;
  const status = find(root, 'frames-status', HTMLElement);
  const request = find(root, 'frames-request', HTMLElement);
  const response = find(root, 'frames-response', HTMLElement);
  const list = find(root, 'frames-list', HTMLOListElement);
  const scroller = list.parentElement ?? list;
  let lastSeq = 0;
  // Items are made only for what will be shown: a flood of frames costs MAX_ITEMS elements per frame drawn.
  let pending: Array<() => HTMLLIElement> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const showStatus = (watch: WatchStatus) => {
    if (!connection.watched && connection.readyState !== ReadyState.CLOSED) {
      status.textContent = t('frames.status.elsewhere', { url: connection.url });
    } else if (watch.state === 'ended') {
      const close = watch.reason ? `${watch.code} ${watch.reason}` : String(watch.code);
      status.textContent = t('frames.status.ended', { close });
    } else {
      status.textContent = t(`frames.status.${watch.state}`);
    }
    status.dataset.state = watch.state;
  };

  const flush = () => {
    timer = undefined;
    const following = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= FOLLOW_SLACK_PX;
    list.append(...pending.slice(-MAX_ITEMS).map((make) => make()));
    pending = [];
    for (let extra = list.childElementCount - MAX_ITEMS; extra > 0; extra--) list.firstElementChild?.remove();
    if (following) scroller.scrollTop = scroller.scrollHeight;
  };

  const add = (event: MonitorEvent) => {
    const missed = lastSeq > 0 ? event.seq - lastSeq - 1 : 0;
    if (missed > 0) pending.push(() => note(doc, t('frames.gap', { count: missed })));
    lastSeq = Math.max(lastSeq, event.seq);
    if (event.type === 'handshake') {
      request.textContent = event.request;
      response.textContent = event.response;
      const status = event.response.split('\r\n', 1)[0]!;
      pending.push(() => note(doc, t('frames.handshake', { connection: event.connection, status })));
    } else if (event.type === 'frame') {
      pending.push(() => frameItem(doc, event));
    } else if (event.type === 'closed') {
      pending.push(() => note(doc, closedText(event.connection, event.by, event.code, event.reason)));
    } else {
      pending.push(() => note(doc, t('frames.dropped', { connection: event.connection })));
    }
    if (pending.length > 2 * MAX_ITEMS) pending = pending.slice(-MAX_ITEMS);
    if (timer === undefined) timer = setTimeout(flush, REDRAW_MS);
  };

  // Everything kept, drawn again: at start, and in the words of a new language.
  const drawAll = () => {
    clearTimeout(timer);
    timer = undefined;
    list.replaceChildren();
    pending = [];
    lastSeq = 0;
    request.textContent = t('frames.noHandshake');
    response.textContent = t('frames.noHandshake');
    for (const event of record.events) add(event);
    showStatus(record.status);
  };
  drawAll();
  record.on('event', add);
  record.on('status', showStatus);
  connection.on('state', () => showStatus(record.status));
  onLanguageChange(drawAll);
}

function closedText(connection: number, by: MonitorFrame['direction'], code: number, reason: string): string {
  const words = { connection, by: t(`wire.sender.${by}`), code, name: closeCodeName(code) };
  return reason ? t('frames.closedReason', { ...words, reason: JSON.stringify(reason) }) : t('frames.closed', words);
}

/** One frame: who sent it, then the RFC's first line as a table, then the rest of its fields. */
function frameItem(doc: Document, frame: MonitorFrame): HTMLLIElement {
  const item = doc.createElement('li');
  item.className = `frame frame--${frame.direction}`;
  const title = element(doc, 'p', 'frame-title');
  title.append(
    element(doc, 'span', 'frame-direction', t(`frames.direction.${frame.direction}`)),
    ' ',
    element(doc, 'strong', undefined, t('frames.title', { opcode: frame.opcodeName, count: frame.payloadLength })),
    ' ',
    element(
      doc,
      'span',
      'hint-inline',
      t('frames.where', { connection: frame.connection, seq: frame.seq, at: formatTime(new Date(frame.at)) }),
    ),
  );

  const bits = headerBits(frame);
  const table = element(doc, 'table', 'frame-bits');
  const head = table.createTHead().insertRow();
  for (const column of [...BIT_COLUMNS, t('frames.column.length')]) {
    const th = element(doc, 'th', undefined, column);
    th.scope = 'col';
    head.append(th);
  }
  const row = table.createTBody().insertRow();
  const cell = (value: string, meaning?: string) => {
    const td = row.insertCell();
    td.textContent = value;
    if (meaning !== undefined) td.append(' ', element(doc, 'span', 'frame-meaning', meaning));
  };
  cell(bits.fin);
  cell(bits.rsv1);
  cell(bits.rsv2);
  cell(bits.rsv3);
  cell(bits.opcode, `${frame.opcode} ${frame.opcodeName}`);
  cell(bits.mask);
  cell(bits.length7, String(lengthField(frame)));

  const fields = element(doc, 'dl', 'frame-fields');
  const field = (term: string, value: string, className = '') => {
    fields.append(element(doc, 'dt', undefined, term), element(doc, 'dd', className, value));
  };
  const count = frame.payloadLength;
  field(
    t('frames.field.length'),
    frame.lengthForm === 7
      ? t('frames.length7', { count })
      : t('frames.lengthLong', {
          count,
          field: lengthField(frame),
          bits: frame.lengthForm,
          hex: extendedLength(frame),
        }),
  );
  field(t('frames.field.key'), frame.maskingKey === undefined ? t('frames.noKey') : spaced(frame.maskingKey), 'mono');
  const payload = (hex: string) => {
    const shown = hex === '' ? t('frames.empty') : spaced(hex);
    return frame.truncated ? t('frames.truncated', { shown, total: count, kept: MONITOR_LIMITS.payloadBytes }) : shown;
  };
  if (frame.maskedPayloadHex !== undefined) {
    field(t('frames.field.masked'), payload(frame.maskedPayloadHex), 'mono');
    field(t('frames.field.unmasked'), payload(frame.payloadHex), 'mono');
  } else {
    field(t('frames.field.payload'), payload(frame.payloadHex), 'mono');
  }
  if (frame.close) {
    const { code, reason } = frame.close;
    const words = { code, name: closeCodeName(code) };
    field(
      t('frames.field.close'),
      reason ? t('frames.closeReason', { ...words, reason: JSON.stringify(reason) }) : t('frames.close', words),
    );
  } else if (frame.opcodeName === 'close') field(t('frames.field.close'), t('wire.noStatus'));
  else if (frame.text !== undefined) field(t('frames.field.text'), frame.text, 'frame-text');

  item.append(title, table, fields);
  return item;
}

function note(doc: Document, text: string): HTMLLIElement {
  return element(doc, 'li', 'frame-note', text);
}

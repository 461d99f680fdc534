// The Frames card: what crossed the wire on this page's connection, as the
// server saw it (the monitor, docs/monitor.md): the opening handshake as
// text, then every frame both ways, newest last, each drawn as RFC 6455 §5.2
// does (a table of the header's first two bytes, then its other fields).
// Everything here came from the network, so it goes in as text nodes only.
// Bounded like the log: at most MAX_ITEMS in the DOM, added a few times a second.
import type { MonitorEvent, MonitorFrame } from '../../server/protocol.ts';
import { closeCodeName } from '../close-codes.ts';
import { ReadyState, type EchoConnection } from '../connection.ts';
import { formatTime } from '../describe.ts';
import { extendedLength, headerBits, lengthField, spaced } from '../frame-format.ts';
import type { WatchStatus } from '../frame-watcher.ts';
import type { WireRecord } from '../wire-record.ts';
import { find } from './dom.ts';

const TEXT = {
  status: {
    connecting: "Opening the frame view: a second socket to this server's /monitor, with this page's token.",
    watching:
      "Watching this page's connection: the server reports each frame of it on a second socket (/monitor), with this page's token.",
    failed:
      "The frame view is unavailable: this server did not open /monitor for the page (an older server, a proxy that does not pass it, or the page's Content-Security-Policy). Everything else works without it.",
    ended: (code: number, reason: string) =>
      `The frame view stopped: the server closed its socket (${code}${reason ? ` ${reason}` : ''}). It opens again when the page reconnects.`,
    elsewhere: (url: string) =>
      `This connection goes to ${url}: the frame view sees only the page's connections to the server that sent it.`,
  },
  noHandshake: 'Not seen yet.',
  direction: { client: 'browser → server', server: 'server → browser' },
  title: (opcode: string, length: number) => `${opcode}, ${length} ${length === 1 ? 'byte' : 'bytes'}`,
  where: (connection: number, seq: number, at: string) => `connection ${connection} · #${seq} · ${at}`,
  columns: ['FIN', 'RSV1', 'RSV2', 'RSV3', 'opcode', 'MASK', 'Payload len'],
  fields: {
    length: 'Payload length',
    key: 'Masking key',
    masked: 'Payload as sent (masked)',
    unmasked: 'Payload, unmasked',
    payload: 'Payload',
    text: 'As text',
    close: 'Close',
  },
  length7: (n: number) => `${n} ${n === 1 ? 'byte' : 'bytes'}, in the 7-bit field`,
  lengthLong: (n: number, field: number, bits: number, hex: string) =>
    `${n} bytes: the 7-bit field says ${field}, so the length follows in ${bits} bits (${hex})`,
  noKey: "none: MASK is 0, as in every frame a server sends (a client's frames are always masked)",
  empty: '(empty)',
  truncated: (shown: string, total: number) => `${shown} … (the first 256 of ${total} bytes)`,
  close: (code: number, name: string, reason: string) =>
    `${code} (${name})${reason ? `, reason ${JSON.stringify(reason)}` : ''}`,
  noStatus: 'no status code',
  handshake: (connection: number, statusLine: string) => `connection ${connection}: handshake answered ${statusLine}`,
  closed: (connection: number, by: string, code: number, reason: string) =>
    `connection ${connection} closed: ${by} sent the first close frame, ${code} (${closeCodeName(code)})${reason ? ` ${JSON.stringify(reason)}` : ''}`,
  dropped: (connection: number) =>
    `connection ${connection} dropped without a closing handshake (the browser reports 1006)`,
  gap: (missed: number) =>
    `${missed} ${missed === 1 ? 'event' : 'events'} not shown: the server skips a watcher that falls behind`,
  sender: { client: 'the browser', server: 'the server' },
} as const;

/** Frames and notes kept in the DOM; the newest win. */
export const MAX_ITEMS = 30;
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
      status.textContent = TEXT.status.elsewhere(connection.url);
    } else if (watch.state === 'ended') {
      status.textContent = TEXT.status.ended(watch.code, watch.reason);
    } else {
      status.textContent = TEXT.status[watch.state];
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
    if (missed > 0) pending.push(() => note(doc, TEXT.gap(missed)));
    lastSeq = Math.max(lastSeq, event.seq);
    if (event.type === 'handshake') {
      request.textContent = event.request;
      response.textContent = event.response;
      pending.push(() => note(doc, TEXT.handshake(event.connection, event.response.split('\r\n', 1)[0]!)));
    } else if (event.type === 'frame') {
      pending.push(() => frameItem(doc, event));
    } else if (event.type === 'closed') {
      pending.push(() => note(doc, TEXT.closed(event.connection, TEXT.sender[event.by], event.code, event.reason)));
    } else {
      pending.push(() => note(doc, TEXT.dropped(event.connection)));
    }
    if (pending.length > 2 * MAX_ITEMS) pending = pending.slice(-MAX_ITEMS);
    if (timer === undefined) timer = setTimeout(flush, REDRAW_MS);
  };

  request.textContent = TEXT.noHandshake;
  response.textContent = TEXT.noHandshake;
  for (const event of record.events) add(event);
  record.on('event', add);
  record.on('status', showStatus);
  connection.on('state', () => showStatus(record.status));
  showStatus(record.status);
}

/** One frame: who sent it, then the RFC's first line as a table, then the rest of its fields. */
function frameItem(doc: Document, frame: MonitorFrame): HTMLLIElement {
  const item = doc.createElement('li');
  item.className = `frame frame--${frame.direction}`;
  const title = element(doc, 'p', 'frame-title');
  title.append(
    element(doc, 'span', 'frame-direction', TEXT.direction[frame.direction]),
    ' ',
    element(doc, 'strong', '', TEXT.title(frame.opcodeName, frame.payloadLength)),
    ' ',
    element(doc, 'span', 'hint-inline', TEXT.where(frame.connection, frame.seq, formatTime(new Date(frame.at)))),
  );

  const bits = headerBits(frame);
  const table = element(doc, 'table', 'frame-bits');
  const head = table.createTHead().insertRow();
  for (const column of TEXT.columns) {
    const th = element(doc, 'th', '', column);
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
    fields.append(element(doc, 'dt', '', term), element(doc, 'dd', className, value));
  };
  field(
    TEXT.fields.length,
    frame.lengthForm === 7
      ? TEXT.length7(frame.payloadLength)
      : TEXT.lengthLong(frame.payloadLength, lengthField(frame), frame.lengthForm, extendedLength(frame)),
  );
  field(TEXT.fields.key, frame.maskingKey === undefined ? TEXT.noKey : spaced(frame.maskingKey), 'mono');
  const payload = (hex: string) => {
    const shown = hex === '' ? TEXT.empty : spaced(hex);
    return frame.truncated ? TEXT.truncated(shown, frame.payloadLength) : shown;
  };
  if (frame.maskedPayloadHex !== undefined) {
    field(TEXT.fields.masked, payload(frame.maskedPayloadHex), 'mono');
    field(TEXT.fields.unmasked, payload(frame.payloadHex), 'mono');
  } else {
    field(TEXT.fields.payload, payload(frame.payloadHex), 'mono');
  }
  if (frame.close)
    field(TEXT.fields.close, TEXT.close(frame.close.code, closeCodeName(frame.close.code), frame.close.reason));
  else if (frame.opcodeName === 'close') field(TEXT.fields.close, TEXT.noStatus);
  else if (frame.text !== undefined) field(TEXT.fields.text, frame.text, 'frame-text');

  item.append(title, table, fields);
  return item;
}

function note(doc: Document, text: string): HTMLLIElement {
  return element(doc, 'li', 'frame-note', text);
}

function element<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

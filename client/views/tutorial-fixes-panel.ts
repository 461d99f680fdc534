// What the two tutorials got out of date, each beside the lesson it
// corrects, with this page's live values next to the tutorial's: the 101
// response of Ruan Yifeng's WebSocket tutorial against this server's, and
// Go Web Programming §8.2's \x00…\xFF framing against the real frame of the
// learner's own last message. The tutorials' quotes are in index.html.
import '../i18n/later.ts';
import { MONITOR_LIMITS, type MonitorFrame } from '../../server/protocol.ts';
import type { EchoConnection } from '../connection.ts';
import { hixieBytes, wireParts, type WirePart } from '../frame-format.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import type { WireRecord } from '../wire-record.ts';
import { find } from './dom.ts';

/** The draft-era headers of the tutorial's response. */
const OLD_HEADERS = ['Sec-WebSocket-Origin', 'Sec-WebSocket-Location'];

/** What each part of the real frame is, in the page's language. */
const PARTS: Record<WirePart['field'], (frame: MonitorFrame) => string> = {
  first: (frame) =>
    t('fix.part.first', {
      fin: frame.fin ? 1 : 0,
      rsv: [frame.rsv1, frame.rsv2, frame.rsv3].map(Number).join(''),
      opcode: frame.opcode,
      name: frame.opcodeName,
    }),
  second: (frame) =>
    t('fix.part.second', {
      mask: frame.masked ? 1 : 0,
      length:
        frame.lengthForm === 7
          ? frame.payloadLength
          : t(frame.lengthForm === 16 ? 'fix.part.length16' : 'fix.part.length64'),
    }),
  length: (frame) => t('fix.part.length', { length: frame.payloadLength }),
  key: () => t('fix.part.key'),
  payload: (frame) =>
    frame.truncated
      ? t('fix.part.payloadTruncated', {
          total: frame.payloadLength,
          kept: MONITOR_LIMITS.payloadBytes,
          text: frame.text ?? '',
        })
      : t('fix.part.payload', { text: frame.text ?? '' }),
};

/** The 101 card: this server's actual response beside the tutorial's, and the URL the page really uses. */
export function setupHandshakeFix(root: Element, record: WireRecord, connection: EchoConnection): void {
  const response = find(root, 'fix-101-response', HTMLElement);
  const verdict = find(root, 'fix-101-verdict', HTMLElement);
  const url = find(root, 'fix-url', HTMLElement);

  const render = () => {
    // Where, not how: the query (faults, the monitor token) is not the lesson here.
    url.textContent = connection.url.split('?')[0]!;
    const handshake = record.handshake;
    if (!handshake) {
      response.textContent = t(record.status.state === 'failed' ? 'fix.unavailable' : 'fix.waitingResponse');
      verdict.textContent = '';
      return;
    }
    response.textContent = handshake.response;
    const headers = handshake.response.toLowerCase();
    const has = (name: string) => headers.includes(`\r\n${name.toLowerCase()}:`);
    const accept = /\r\nSec-WebSocket-Accept: *([^\r\n]*)/i.exec(handshake.response)?.[1];
    const missing = OLD_HEADERS.filter((name) => !has(name));
    const present = OLD_HEADERS.filter((name) => has(name));
    verdict.textContent = [
      ...(missing.length ? [t('fix.missing', { headers: missing.join(t('fix.and')) })] : []),
      ...(present.length ? [t('fix.present', { headers: present.join(t('fix.and')) })] : []),
      ...(accept ? [t('fix.accept', { value: accept })] : []),
    ].join(t('sentence.gap'));
  };
  record.on('event', (event) => {
    if (event.type === 'handshake') render();
  });
  record.on('status', render);
  connection.on('state', render);
  onLanguageChange(render);
  render();
}

/** The framing card: the learner's last message as §8.2 says it travels, and as it really did. */
export function setupFramingFix(root: Element, record: WireRecord): void {
  const doc = root.ownerDocument;
  const hixie = find(root, 'fix-hixie', HTMLElement);
  const real = find(root, 'fix-frame', HTMLElement);
  const parts = find(root, 'fix-frame-parts', HTMLDListElement);

  const render = () => {
    const frame = record.lastTextSent;
    if (!frame) {
      const waiting = t(record.status.state === 'failed' ? 'fix.unavailable' : 'fix.waitingFrame');
      hixie.textContent = waiting;
      real.textContent = waiting;
      parts.replaceChildren();
      return;
    }
    // The monitor keeps the first 256 bytes: the old framing's last byte is then out of sight too.
    const old = hixieBytes(frame.text ?? '');
    hixie.textContent = frame.truncated ? old.replace(/ ff$/, ' … ff') : old;
    const wire = wireParts(frame);
    real.textContent = wire.map((part) => part.hex).join(' ') + (frame.truncated ? ' …' : '');
    parts.replaceChildren(
      ...wire.flatMap((part) => {
        const term = doc.createElement('dt');
        term.className = 'mono';
        term.textContent = part.hex.length > 24 ? `${part.hex.slice(0, 23)}…` : part.hex;
        const meaning = doc.createElement('dd');
        meaning.textContent = PARTS[part.field](frame);
        return [term, meaning];
      }),
    );
  };
  record.on('event', (event) => {
    if (event === record.lastTextSent) render();
  });
  record.on('status', render);
  onLanguageChange(render);
  render();
}

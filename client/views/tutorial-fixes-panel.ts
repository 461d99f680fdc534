// What the two tutorials got out of date, each beside the lesson it
// corrects, with this page's live values next to the tutorial's: the 101
// response of Ruan Yifeng's WebSocket tutorial against this server's, and
// Go Web Programming §8.2's \x00…\xFF framing against the real frame of the
// learner's own last message. The tutorials' quotes are in index.html.
import type { MonitorFrame } from '../../server/protocol.ts';
import type { EchoConnection } from '../connection.ts';
import { hixieBytes, wireParts, type WirePart } from '../frame-format.ts';
import type { WireRecord } from '../wire-record.ts';
import { find } from './dom.ts';

const TEXT = {
  waitingResponse: "Not seen yet: the frame view shows this server's response once the page connects.",
  waitingFrame: 'Send a message (Text, at the top) to see its bytes here.',
  unavailable: 'The frame view is unavailable, so the bytes this server exchanged cannot be shown here.',
  /** The draft-era headers of the tutorial's response. */
  oldHeaders: ['Sec-WebSocket-Origin', 'Sec-WebSocket-Location'],
  verdict: (missing: string[], present: string[]) =>
    [
      ...(missing.length ? [`${missing.join(' and ')}: not in this server's response.`] : []),
      ...(present.length ? [`${present.join(' and ')}: in this response, unlike RFC 6455 servers'.`] : []),
    ].join(' '),
  accept: (value: string) => `It proves the handshake with Sec-WebSocket-Accept: ${value}, as RFC 6455 §4.2.2 says.`,
  parts: {
    first: (frame: MonitorFrame) =>
      `FIN ${frame.fin ? 1 : 0}, RSV1-3 ${[frame.rsv1, frame.rsv2, frame.rsv3].map(Number).join('')}, opcode ${frame.opcode} (${frame.opcodeName})`,
    second: (frame: MonitorFrame) =>
      `MASK ${frame.masked ? 1 : 0}, payload length ${frame.lengthForm === 7 ? frame.payloadLength : frame.lengthForm === 16 ? '126: 16 bits follow' : '127: 64 bits follow'}`,
    length: (frame: MonitorFrame) => `the payload length, ${frame.payloadLength}`,
    key: () => 'the masking key the browser chose for this frame',
    payload: (frame: MonitorFrame) =>
      `the payload, masked${frame.truncated ? ` (the first 256 of ${frame.payloadLength} bytes)` : ''}: XOR the key again to read "${frame.text ?? ''}"`,
  } satisfies Record<WirePart['field'], (frame: MonitorFrame) => string>,
  hixieTruncated: ' … ff',
} as const;

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
      response.textContent = record.status.state === 'failed' ? TEXT.unavailable : TEXT.waitingResponse;
      verdict.textContent = '';
      return;
    }
    response.textContent = handshake.response;
    const headers = handshake.response.toLowerCase();
    const has = (name: string) => headers.includes(`\r\n${name.toLowerCase()}:`);
    const accept = /\r\nSec-WebSocket-Accept: *([^\r\n]*)/i.exec(handshake.response)?.[1];
    verdict.textContent = [
      TEXT.verdict(
        TEXT.oldHeaders.filter((name) => !has(name)),
        TEXT.oldHeaders.filter((name) => has(name)),
      ),
      ...(accept ? [TEXT.accept(accept)] : []),
    ].join(' ');
  };
  record.on('event', (event) => {
    if (event.type === 'handshake') render();
  });
  record.on('status', render);
  connection.on('state', render);
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
      const waiting = record.status.state === 'failed' ? TEXT.unavailable : TEXT.waitingFrame;
      hixie.textContent = waiting;
      real.textContent = waiting;
      parts.replaceChildren();
      return;
    }
    // The monitor keeps the first 256 bytes: the old framing's last byte is then out of sight too.
    const old = hixieBytes(frame.text ?? '');
    hixie.textContent = frame.truncated ? old.replace(/ ff$/, TEXT.hixieTruncated) : old;
    const wire = wireParts(frame);
    real.textContent = wire.map((part) => part.hex).join(' ') + (frame.truncated ? ' …' : '');
    parts.replaceChildren(
      ...wire.flatMap((part) => {
        const term = doc.createElement('dt');
        term.className = 'mono';
        term.textContent = part.hex.length > 24 ? `${part.hex.slice(0, 23)}…` : part.hex;
        const meaning = doc.createElement('dd');
        meaning.textContent = TEXT.parts[part.field](frame);
        return [term, meaning];
      }),
    );
  };
  record.on('event', (event) => {
    if (event === record.lastTextSent) render();
  });
  record.on('status', render);
  render();
}

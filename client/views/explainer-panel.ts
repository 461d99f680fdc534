// The Handshake card: asks /inspect of the current server how it saw this
// browser's opening handshake (over a separate, short-lived socket), shows
// the request, and checks the server's Sec-WebSocket-Accept against one
// computed here with WebCrypto. Plus a calculator for any key, with the keys
// the Go tutorial and Ruan Yifeng's tutorial print one click away.
import { TUTORIAL_KEYS, canComputeAccept, computeAccept, isTutorial } from '../accept.ts';
import { readFirstMessage, type EchoConnection } from '../connection.ts';
import { type HandshakeReport, WS_PATHS } from '../../server/protocol.ts';
import { asError } from '../errors.ts';
import { find } from './dom.ts';

/** The fields of /inspect's report this panel shows. */
type Report = Pick<HandshakeReport, 'requestLine' | 'headers' | 'key' | 'accept' | 'protocol' | 'extensions'>;

const NO_CRYPTO =
  'This browser cannot compute SHA-1 here: crypto.subtle exists only in secure contexts (https, or http on localhost and 127.0.0.1), and this page is plain http from another host. The server’s values are still shown.';

export function setupExplainerPanel(root: Element, connection: EchoConnection): void {
  const button = find(root, 'inspect', HTMLButtonElement);
  const status = find(root, 'inspect-status', HTMLElement);
  const report = find(root, 'inspect-report', HTMLElement);
  const out = (id: string) => find(root, id, HTMLOutputElement);
  const headers = find(root, 'inspect-headers', HTMLTableSectionElement);
  const note = find(root, 'accept-note', HTMLElement);
  const cryptoOk = canComputeAccept();
  if (!cryptoOk) {
    note.textContent = NO_CRYPTO;
    note.hidden = false;
  }

  button.addEventListener('click', async () => {
    // Beside the current path, without its query: /prefix/raw?x → /prefix/inspect under --base-path.
    const url = new URL(`.${WS_PATHS.inspect}`, connection.url);
    button.disabled = true;
    status.textContent = `Opening a short-lived socket to ${url.href}…`;
    try {
      const parsed = parseReport(await readFirstMessage({ url: url.href, protocols: connection.protocols }));
      out('inspect-request').value = parsed.requestLine;
      out('inspect-key').value = parsed.key;
      out('inspect-accept').value = parsed.accept;
      out('inspect-protocol').value = parsed.protocol || '(none)';
      out('inspect-extensions').value = parsed.extensions || '(none)';
      headers.replaceChildren(...parsed.headers.map((header) => headerRow(root.ownerDocument, header)));
      const match = out('inspect-match');
      if (cryptoOk) {
        const mine = await computeAccept(parsed.key);
        out('inspect-browser-accept').value = mine;
        match.value =
          mine === parsed.accept
            ? '✓ match: the browser computes what the server sent'
            : '✗ differs from what the server sent';
        match.dataset.ok = String(mine === parsed.accept);
      } else {
        out('inspect-browser-accept').value = 'not available (no crypto.subtle, see below)';
        match.value = 'cannot check here';
        delete match.dataset.ok;
      }
      report.hidden = false;
      status.textContent = `Inspected ${url.href} over a socket of its own, closed again.`;
    } catch (error) {
      status.textContent = `Could not inspect ${url.href}: ${asError(error).message}.`;
    } finally {
      button.disabled = false;
    }
  });

  setupCalculator(root, cryptoOk);
}

function setupCalculator(root: Element, cryptoOk: boolean): void {
  const form = find(root, 'accept-form', HTMLFormElement);
  const key = find(root, 'accept-key', HTMLInputElement);
  const result = find(root, 'accept-result', HTMLOutputElement);
  const compute = async () => {
    if (!cryptoOk) {
      result.value = 'needs a secure context (see below)';
      return;
    }
    const typed = key.value.trim();
    const accept = await computeAccept(typed);
    // Only the latest key's answer may land, however the digests interleave.
    if (key.value.trim() === typed) result.value = accept;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void compute();
  });
  for (const button of form.querySelectorAll<HTMLButtonElement>('button[data-tutorial]')) {
    const tutorial = button.dataset.tutorial;
    if (!isTutorial(tutorial)) throw new Error(`index.html names no tutorial of client/accept.ts: "${tutorial}"`);
    button.addEventListener('click', () => {
      key.value = TUTORIAL_KEYS[tutorial].key;
      void compute();
    });
  }
  void compute();
}

// The report is JSON from the network: take only fields of the expected types.
function parseReport(text: string): Report {
  const data: unknown = JSON.parse(text);
  const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (record.type !== ('inspect' satisfies HandshakeReport['type']))
    throw new Error('the first message was not an inspect report');
  const str = (name: string) => (typeof record[name] === 'string' ? (record[name] as string) : '');
  const headers = Array.isArray(record.headers)
    ? record.headers.filter(
        (h): h is [string, string] => Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'string',
      )
    : [];
  return {
    requestLine: str('requestLine'),
    headers,
    key: str('key'),
    accept: str('accept'),
    protocol: str('protocol'),
    extensions: str('extensions'),
  };
}

function headerRow(doc: Document, [name, value]: [string, string]): HTMLTableRowElement {
  const row = doc.createElement('tr');
  const th = doc.createElement('th');
  th.scope = 'row';
  th.textContent = name;
  const td = doc.createElement('td');
  td.textContent = value;
  row.append(th, td);
  return row;
}

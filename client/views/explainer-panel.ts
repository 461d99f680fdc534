// The Handshake card: asks /inspect of the current server how it saw this
// browser's opening handshake (over a separate, short-lived socket), shows
// the request, and checks the server's Sec-WebSocket-Accept against one
// computed here with WebCrypto. Plus a calculator for any key, with the keys
// the Go tutorial and Ruan Yifeng's tutorial print one click away.
import { TUTORIAL_KEYS, canComputeAccept, computeAccept, isTutorial } from '../accept.ts';
import { readFirstMessage, type EchoConnection } from '../connection.ts';
import { type HandshakeReport, WS_PATHS } from '../../server/protocol.ts';
import { asError } from '../errors.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import { find } from './dom.ts';

/** The fields of /inspect's report this panel shows. */
type Report = Pick<HandshakeReport, 'requestLine' | 'headers' | 'key' | 'accept' | 'protocol' | 'extensions'>;

/** Where the latest inspection is: what the status line says. */
type Inspection =
  | { phase: 'opening'; url: string }
  | { phase: 'inspected'; url: string }
  | { phase: 'failed'; url: string; error: Error };

export function setupExplainerPanel(root: Element, connection: EchoConnection): void {
  const button = find(root, 'inspect', HTMLButtonElement);
  const status = find(root, 'inspect-status', HTMLElement);
  const report = find(root, 'inspect-report', HTMLElement);
  const out = (id: string) => find(root, id, HTMLOutputElement);
  const headers = find(root, 'inspect-headers', HTMLTableSectionElement);
  const note = find(root, 'accept-note', HTMLElement);
  const match = out('inspect-match');
  const cryptoOk = canComputeAccept();
  note.hidden = cryptoOk;

  let inspection: Inspection | undefined;
  let shown: { report: Report; mine: string | undefined } | undefined;
  // Everything in words rather than values, said again when the language changes.
  const showWords = () => {
    if (!cryptoOk) note.textContent = t('handshake.noCrypto');
    if (inspection) status.textContent = inspectionStatus(inspection);
    if (!shown) return;
    const { report: parsed, mine } = shown;
    out('inspect-protocol').value = parsed.protocol || t('none');
    out('inspect-extensions').value = parsed.extensions || t('none');
    if (mine === undefined) {
      out('inspect-browser-accept').value = t('handshake.noBrowserAccept');
      match.value = t('handshake.cannotCheck');
    } else {
      match.value = mine === parsed.accept ? t('handshake.matches') : t('handshake.differs');
    }
  };
  showWords();
  onLanguageChange(showWords);

  // index.html ships it disabled: this card is wired after first paint, and a
  // click before then would do nothing.
  button.disabled = false;
  button.addEventListener('click', async () => {
    // Beside the current path, without its query: /prefix/raw?x → /prefix/inspect under --base-path.
    const url = new URL(`.${WS_PATHS.inspect}`, connection.url);
    button.disabled = true;
    inspection = { phase: 'opening', url: url.href };
    showWords();
    try {
      const parsed = parseReport(await readFirstMessage({ url: url.href, protocols: connection.protocols }));
      out('inspect-request').value = parsed.requestLine;
      out('inspect-key').value = parsed.key;
      out('inspect-accept').value = parsed.accept;
      headers.replaceChildren(...parsed.headers.map((header) => headerRow(root.ownerDocument, header)));
      const mine = cryptoOk ? await computeAccept(parsed.key) : undefined;
      if (mine === undefined) delete match.dataset.ok;
      else {
        out('inspect-browser-accept').value = mine;
        match.dataset.ok = String(mine === parsed.accept);
      }
      shown = { report: parsed, mine };
      report.hidden = false;
      inspection = { phase: 'inspected', url: url.href };
    } catch (error) {
      inspection = { phase: 'failed', url: url.href, error: asError(error) };
    } finally {
      showWords();
      button.disabled = false;
    }
  });

  setupCalculator(root, cryptoOk);
}

function inspectionStatus(inspection: Inspection): string {
  const { url } = inspection;
  if (inspection.phase === 'opening') return t('handshake.opening', { url });
  if (inspection.phase === 'inspected') return t('handshake.inspected', { url });
  return t('handshake.failed', { url, reason: inspection.error.message });
}

function setupCalculator(root: Element, cryptoOk: boolean): void {
  const form = find(root, 'accept-form', HTMLFormElement);
  const key = find(root, 'accept-key', HTMLInputElement);
  const result = find(root, 'accept-result', HTMLOutputElement);
  const compute = async () => {
    if (!cryptoOk) {
      result.value = t('handshake.needsSecureContext');
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
  // Only the no-crypto answer is words; an accept is the same in every language.
  if (!cryptoOk) onLanguageChange(() => void compute());
}

// The report is JSON from the network: take only fields of the expected types.
function parseReport(text: string): Report {
  const data: unknown = JSON.parse(text);
  const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (record.type !== ('inspect' satisfies HandshakeReport['type'])) throw new Error(t('handshake.notReport'));
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

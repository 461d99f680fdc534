// The Binary card: how binary arrives (binaryType), and two ways to send
// it: a picked file (a Blob) and typed hex (an ArrayBuffer). The canvas
// below them, the third way, is a view of its own (canvas-view.ts).
import { ReadyState, type BinaryType, type EchoConnection } from '../connection.ts';
import { binaryDescription } from '../describe.ts';
import { t } from '../i18n/translate.ts';
import { parseHex } from '../hex.ts';
import type { Session } from '../session.ts';
import { find, showError } from './dom.ts';

export function setupBinaryPanel(root: Element, connection: EchoConnection, session: Session): void {
  const fileInput = find(root, 'file', HTMLInputElement);
  const hexForm = find(root, 'hex-form', HTMLFormElement);
  const hexInput = find(root, 'hex-input', HTMLInputElement);
  const hexButton = find(root, 'send-hex', HTMLButtonElement);
  const hexError = find(root, 'hex-error', HTMLElement);

  setupBinaryTypeSwitch(find(root, 'binary-type', HTMLFieldSetElement), (type) => {
    connection.setBinaryType(type);
    session.note(() => t('log.binaryType', { type: JSON.stringify(type) }));
  });

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    // The File itself is the Blob that goes out; its log entry keeps only the name and size.
    if (file) session.send(file, fileDescription(file));
    // Emptied so that picking the same file again is a change too.
    fileInput.value = '';
  });

  hexForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const parsed = parseHex(hexInput.value);
    if (parsed instanceof Error) return showError(hexError, parsed, hexInput);
    showError(hexError, undefined, hexInput);
    const bytes = parsed.buffer as ArrayBuffer;
    const binary = binaryDescription(bytes);
    session.send(bytes, () => t('log.hexBytes', { binary: binary() }));
  });

  connection.on('state', (state) => {
    for (const control of [fileInput, hexButton]) control.disabled = state !== ReadyState.OPEN;
  });
}

// Not a closure over the File: the log may keep the entry long after the file is gone.
function fileDescription(file: File): () => string {
  const name = JSON.stringify(file.name);
  const binary = binaryDescription(file);
  return () => t('log.file', { name, binary: binary() });
}

/** Reports the checked binaryType now and whenever another radio button in `group` is picked. */
function setupBinaryTypeSwitch(group: HTMLFieldSetElement, choose: (type: BinaryType) => void): void {
  const report = (radio: unknown) => {
    const value = radio instanceof HTMLInputElement ? radio.value : '';
    if (value === 'blob' || value === 'arraybuffer') choose(value);
  };
  group.addEventListener('change', (event) => report(event.target));
  // Browsers may restore the radio after a reload; the connection must follow what is shown.
  report(group.querySelector('input:checked'));
}

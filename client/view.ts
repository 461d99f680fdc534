// The page's controls and status: finds the elements index.html declares,
// turns clicks into actions, and shows what the connection reports. Only
// this module, log-view.ts and canvas.ts touch the DOM.
import { drawPicture, readPixels } from './canvas.ts';
import { ReadyState, type BinaryType, type CloseInfo, type OpenInfo, type ReceivedData, type SendableData } from './connection.ts';
import { describeBinary, describeClose, describeReadyState } from './describe.ts';
import { setupLog } from './log-view.ts';

/** What the controls ask for; the view never holds the connection itself. */
export interface PlaygroundActions {
  connect(): void;
  disconnect(): void;
  /** Sends when the socket is OPEN; false means nothing was sent. */
  send(data: SendableData): boolean;
  setBinaryType(type: BinaryType): void;
}

/** What the connection's events are shown with. */
export interface PlaygroundView {
  showState(state: ReadyState): void;
  showOpen(info: OpenInfo): void;
  showMessage(data: ReceivedData): void;
  showError(): void;
  showClose(info: CloseInfo): void;
}

export interface PlaygroundOptions {
  /** Where the connection goes, shown before it even opens. */
  url: string;
  /** The subprotocols offered, for the log. */
  protocols: readonly string[];
  actions: PlaygroundActions;
}

/** Wires every control in `root` and returns the functions that show the connection's events. */
export function mountPlayground(root: Document, { url, protocols, actions }: PlaygroundOptions): PlaygroundView {
  const log = setupLog(find(root, 'log', HTMLOListElement), find(root, 'clear-log', HTMLButtonElement));
  const readyState = find(root, 'ready-state', HTMLOutputElement);
  const protocol = find(root, 'protocol', HTMLOutputElement);
  const lastClose = find(root, 'last-close', HTMLOutputElement);
  find(root, 'url', HTMLOutputElement).value = url;

  const connectButton = find(root, 'connect', HTMLButtonElement);
  const disconnectButton = find(root, 'disconnect', HTMLButtonElement);
  setupConnectButtons(connectButton, disconnectButton, actions);

  const sendAndLog = (data: SendableData, description: string) => {
    if (actions.send(data)) log.add('sent', description);
  };
  setupSendForm(find(root, 'send-form', HTMLFormElement), (text) => sendAndLog(text, text));
  const fileInput = find(root, 'file', HTMLInputElement);
  setupFilePicker(fileInput, (file) => sendAndLog(file, `file ${JSON.stringify(file.name)}: ${describeBinary(file)}`));
  const canvasButton = find(root, 'send-canvas', HTMLButtonElement);
  setupCanvasSender(find(root, 'canvas', HTMLCanvasElement), canvasButton, (pixels) =>
    sendAndLog(pixels, `canvas pixels: ${describeBinary(pixels)}`),
  );
  setupBinaryTypeSwitch(find(root, 'binary-type', HTMLFieldSetElement), (type) => {
    actions.setBinaryType(type);
    log.add('event', `binaryType set to ${JSON.stringify(type)}`);
  });

  const sendControls = [find(root, 'send', HTMLButtonElement), fileInput, canvasButton];
  return {
    showState(state) {
      readyState.value = describeReadyState(state);
      readyState.dataset.state = String(state);
      for (const control of sendControls) control.disabled = state !== ReadyState.OPEN;
      connectButton.disabled = state !== ReadyState.CLOSED;
      disconnectButton.disabled = state !== ReadyState.CONNECTING && state !== ReadyState.OPEN;
      if (state === ReadyState.CONNECTING) {
        protocol.value = '—';
        log.add('event', `connecting to ${url}, offering subprotocol ${protocols.join(', ')}`);
      }
    },
    showOpen(info) {
      protocol.value = info.protocol || '(none)';
      log.add('event', `open: connected to ${info.url}, subprotocol ${info.protocol || '(none)'}`);
    },
    showMessage(data) {
      log.add('received', typeof data === 'string' ? data : describeBinary(data));
    },
    showError() {
      log.add('error', 'error event: the browser gives no details; the close event has the code');
    },
    showClose(info) {
      lastClose.value = describeClose(info);
      // A dropped connection (1006) often comes with no error event at all, so
      // the close row itself carries the alarm.
      log.add(info.wasClean ? 'event' : 'error', `close: ${describeClose(info)}`);
    },
  };
}

/** Replaces the playground with the explanation, for browsers without WebSocket. */
export function showUnsupported(root: Document): void {
  find(root, 'playground', HTMLElement).hidden = true;
  find(root, 'unsupported', HTMLElement).hidden = false;
}

/** Connect opens a socket; Disconnect closes it. */
export function setupConnectButtons(connect: HTMLButtonElement, disconnect: HTMLButtonElement, actions: PlaygroundActions): void {
  connect.addEventListener('click', () => actions.connect());
  disconnect.addEventListener('click', () => actions.disconnect());
}

/** Sends the message box's text on submit, so Enter sends as well as the button. */
export function setupSendForm(form: HTMLFormElement, send: (text: string) => void): void {
  const input = form.elements.namedItem('message');
  if (!(input instanceof HTMLInputElement)) throw new Error('the send form has no input named "message"');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(input.value);
  });
}

/** Sends each picked file as it is picked; the File itself is the Blob that goes out. */
export function setupFilePicker(input: HTMLInputElement, send: (file: File) => void): void {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) send(file);
    // Emptied so that picking the same file again is a change too.
    input.value = '';
  });
}

/** Draws the picture once, then sends its pixels on every click. */
export function setupCanvasSender(canvas: HTMLCanvasElement, button: HTMLButtonElement, send: (pixels: ArrayBuffer) => void): void {
  drawPicture(canvas);
  button.addEventListener('click', () => send(readPixels(canvas)));
}

/** Reports the checked binaryType now and whenever another radio button in `group` is picked. */
export function setupBinaryTypeSwitch(group: HTMLFieldSetElement, choose: (type: BinaryType) => void): void {
  const report = (radio: unknown) => {
    const value = radio instanceof HTMLInputElement ? radio.value : '';
    if (value === 'blob' || value === 'arraybuffer') choose(value);
  };
  group.addEventListener('change', (event) => report(event.target));
  // Browsers may restore the radio after a reload; the connection must follow what is shown.
  report(group.querySelector('input:checked'));
}

// Fails loudly at startup when index.html and this file disagree, instead of
// leaving a dead control.
function find<T extends HTMLElement>(root: Document, id: string, type: { new (): T; prototype: T }): T {
  const element = root.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html has no ${type.name} with id "${id}"`);
  return element;
}

// The Connection card: live status (readyState and what it means, URL,
// subprotocol, the extensions agreed, last close), where to connect and with
// which subprotocols, compression (?deflate), Connect and Disconnect, the
// one-click paths of this server, and auto-reconnect.
import {
  ReadyState,
  echoUrlFor,
  parseTarget,
  type CloseInfo,
  type EchoConnection,
  type OpenInfo,
  type Target,
} from '../connection.ts';
import { describeClose, describeReadyState, formatTime } from '../describe.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import type { ReconnectStatus, Reconnector } from '../reconnect.ts';
import { find, showError } from './dom.ts';

// The countdown redraws this often; the status text itself changes once per attempt.
const COUNTDOWN_MS = 100;

/** Wires the card to `connection`; `reconnector` is the auto-reconnect the checkbox turns on. */
export function setupConnectionPanel(root: Element, connection: EchoConnection, reconnector: Reconnector): void {
  const readyState = find(root, 'ready-state', HTMLOutputElement);
  const stateMeaning = find(root, 'ready-state-meaning', HTMLElement);
  const urlOutput = find(root, 'url', HTMLOutputElement);
  const protocol = find(root, 'protocol', HTMLOutputElement);
  const extensions = find(root, 'extensions', HTMLOutputElement);
  const compress = find(root, 'compress', HTMLInputElement);
  const lastClose = find(root, 'last-close', HTMLOutputElement);
  const form = find(root, 'connect-form', HTMLFormElement);
  const endpoint = find(root, 'endpoint', HTMLInputElement);
  const subprotocols = find(root, 'subprotocols', HTMLInputElement);
  const error = find(root, 'connect-error', HTMLElement);
  const connectButton = find(root, 'connect', HTMLButtonElement);
  const disconnectButton = find(root, 'disconnect', HTMLButtonElement);

  endpoint.value = connection.url;
  subprotocols.value = connection.protocols.join(', ');
  urlOutput.value = connection.url;

  // What this card last asked for: a switch the browser refuses once the old socket closed is its to show.
  let asked: Target | undefined;
  const go = (target: Target | Error, open: (t: Target) => Error | undefined) => {
    if (target instanceof Error) return showError(error, target, endpoint);
    showError(error, undefined, endpoint);
    // A connection the user asked for replaces any attempt the reconnector had planned.
    reconnector.stop();
    asked = target;
    showError(error, open(target), endpoint);
  };
  connection.on('refused', (refusal, target) => {
    if (target === asked) showError(error, refusal, endpoint);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(parseTarget(endpoint.value, subprotocols.value), (t) => connection.connect(t));
  });
  for (const chip of form.querySelectorAll<HTMLButtonElement>('button[data-path]')) {
    chip.addEventListener('click', () => {
      endpoint.value = echoUrlFor(root.ownerDocument.location, chip.dataset.path);
      go(parseTarget(endpoint.value, subprotocols.value), (t) => connection.switchTo(t));
    });
  }
  // The server compresses only where the URL asks (or --deflate): the box moves the connection there and back.
  compress.addEventListener('change', () => {
    const url = withDeflate(connection.url, compress.checked);
    endpoint.value = url;
    go(parseTarget(url, subprotocols.value), (t) => connection.switchTo(t));
  });
  disconnectButton.addEventListener('click', () => {
    reconnector.stop();
    connection.disconnect('Disconnect clicked');
  });

  // The server's Content-Security-Policy lets this page reach its own host
  // only; say so instead of leaving a bare 1006. A socket is no element, so
  // the violation is reported to the document.
  root.ownerDocument.addEventListener('securitypolicyviolation', (event) => {
    if (event.effectiveDirective === 'connect-src') {
      showError(error, new Error(t('connection.cspBlocked', { url: event.blockedURI })), endpoint);
    }
  });

  // What the words depend on, kept so that a change of language can say it again.
  let opened: OpenInfo | undefined;
  let closed: CloseInfo | undefined;
  const showWords = () => {
    stateMeaning.textContent = t(`readyState.${connection.readyState}`);
    if (opened) protocol.value = opened.protocol || t('none');
    if (opened) extensions.value = opened.extensions || t('none');
    if (closed) lastClose.value = describeClose(closed);
  };

  connection.on('state', (state) => {
    readyState.value = describeReadyState(state);
    readyState.dataset.state = String(state);
    stateMeaning.textContent = t(`readyState.${state}`);
    connectButton.disabled = state !== ReadyState.CLOSED;
    disconnectButton.disabled = state !== ReadyState.CONNECTING && state !== ReadyState.OPEN;
    if (state === ReadyState.CONNECTING) {
      // Another card (Misbehave) may have moved the connection: follow it, unless something else was typed.
      if (endpoint.value === urlOutput.value) endpoint.value = connection.url;
      urlOutput.value = connection.url;
      compress.checked = asksForDeflate(connection.url);
      protocol.value = '—';
      extensions.value = '—';
      opened = undefined;
    }
  });
  connection.on('open', (info) => {
    opened = info;
    urlOutput.value = info.url;
    showWords();
  });
  connection.on('close', (info) => {
    closed = info;
    showWords();
  });
  showWords();
  onLanguageChange(showWords);

  setupReconnectToggle(root, reconnector);
}

function setupReconnectToggle(root: Element, reconnector: Reconnector): void {
  const toggle = find(root, 'auto-reconnect', HTMLInputElement);
  const status = find(root, 'reconnect-status', HTMLElement);
  const countdown = find(root, 'reconnect-countdown', HTMLElement);
  let ticker: ReturnType<typeof setInterval> | undefined;

  toggle.addEventListener('change', () => reconnector.setEnabled(toggle.checked));
  // Browsers may restore the checkbox after a reload; the reconnector must follow what is shown.
  if (toggle.checked) reconnector.setEnabled(true);

  const render = (s: ReconnectStatus) => {
    // Another card (Misbehave's presets) may turn it on.
    toggle.checked = reconnector.enabled;
    clearInterval(ticker);
    ticker = undefined;
    countdown.textContent = '';
    if (s.phase === 'off') status.textContent = t('reconnect.off');
    if (s.phase === 'idle') status.textContent = t('reconnect.idle');
    if (s.phase === 'connecting') status.textContent = t('reconnect.connecting', { attempt: s.attempt });
    if (s.phase === 'waiting') {
      status.textContent = t('reconnect.waiting', { attempt: s.attempt, time: formatTime(new Date(s.at)) });
      const tick = () => {
        countdown.textContent = t('reconnect.countdown', {
          seconds: (Math.max(0, s.at - Date.now()) / 1000).toFixed(1),
        });
      };
      tick();
      ticker = setInterval(tick, COUNTDOWN_MS);
    }
  };
  reconnector.on('status', render);
  render(reconnector.status);
  onLanguageChange(() => render(reconnector.status));
}

/** `url` with the bare ?deflate parameter (docs/misbehave.md) added or taken out, the rest as it was. */
function withDeflate(url: string, on: boolean): string {
  const parsed = new URL(url);
  const kept = parsed.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && pair.split('=', 1)[0] !== 'deflate');
  parsed.search = [...kept, ...(on ? ['deflate'] : [])].join('&');
  return parsed.href;
}

function asksForDeflate(url: string): boolean {
  return new URL(url).searchParams.has('deflate');
}

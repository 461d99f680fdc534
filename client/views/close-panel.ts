// The Close card: close with a code and reason the page may send, checked
// first so the browser's bare InvalidAccessError never reaches the user, and
// the close that came back explained with its RFC 6455 meaning.
import {
  MAX_REASON_BYTES,
  closeCodeMeaning,
  closeCodeProblem,
  closeReasonProblem,
  reasonBytes,
} from '../close-codes.ts';
import { ReadyState, type CloseInfo, type EchoConnection } from '../connection.ts';
import { quoteReason } from '../describe.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import { find, showError } from './dom.ts';

export function setupClosePanel(root: Element, connection: EchoConnection): void {
  const form = find(root, 'close-form', HTMLFormElement);
  const code = find(root, 'close-code', HTMLInputElement);
  const reason = find(root, 'close-reason', HTMLInputElement);
  const bytes = find(root, 'close-reason-bytes', HTMLElement);
  const error = find(root, 'close-error', HTMLElement);
  const meaning = find(root, 'close-meaning', HTMLElement);
  const button = find(root, 'close-send', HTMLButtonElement);

  const countBytes = () => {
    const count = reasonBytes(reason.value);
    bytes.textContent = t('close.bytes', { count, max: MAX_REASON_BYTES });
    bytes.classList.toggle('over', count > MAX_REASON_BYTES);
  };
  reason.addEventListener('input', countBytes);
  countBytes();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const codeProblem = closeCodeProblem(code.value);
    const reasonProblem = closeReasonProblem(reason.value);
    markInvalid(code, codeProblem !== undefined);
    markInvalid(reason, reasonProblem !== undefined);
    showError(error, codeProblem ?? reasonProblem);
    if (codeProblem === undefined && reasonProblem === undefined)
      showError(error, connection.close(Number(code.value.trim()), reason.value));
  });

  connection.on('state', (state) => {
    button.disabled = state !== ReadyState.OPEN;
  });
  let lastClose: CloseInfo | undefined;
  const showMeaning = () => {
    if (lastClose) meaning.textContent = explain(lastClose);
    meaning.hidden = lastClose === undefined;
  };
  connection.on('close', (info) => {
    lastClose = info;
    showMeaning();
  });
  onLanguageChange(() => {
    countBytes();
    showMeaning();
  });
}

function markInvalid(control: HTMLElement, invalid: boolean): void {
  if (invalid) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

/** What the close that just happened means, and whose close frame it was. */
function explain({ code, reason, wasClean, requested }: CloseInfo): string {
  const who = wasClean ? (requested ? t('close.who.answered') : t('close.who.server')) : t('close.who.lost');
  return t('close.explain', {
    code,
    reason: quoteReason(reason),
    wasClean: String(wasClean),
    who,
    meaning: closeCodeMeaning(code),
  });
}

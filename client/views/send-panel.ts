// The Go tutorial's form (Hello, world! and Send Message), grown up: the
// Message box sends on Enter or Send Message, ↑/↓ recall earlier sends, and
// JSON can be checked before it goes out or pretty-printed in place.
import { ReadyState, type EchoConnection } from '../connection.ts';
import { TextHistory } from '../history.ts';
import type { Session } from '../session.ts';
import { asError } from '../errors.ts';
import { t } from '../i18n/translate.ts';
import { find, showError } from './dom.ts';

/** Wires the Text card's form to `session`; sending is possible while `connection` is OPEN. */
export function setupSendPanel(root: Element, connection: EchoConnection, session: Session): void {
  const form = find(root, 'send-form', HTMLFormElement);
  const box = find(root, 'message', HTMLTextAreaElement);
  const sendButton = find(root, 'send', HTMLButtonElement);
  const error = find(root, 'message-error', HTMLElement);
  const validate = find(root, 'validate-json', HTMLInputElement);
  const history = new TextHistory();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = box.value;
    const problem = validate.checked ? jsonProblem(text) : undefined;
    showError(error, problem, box);
    if (problem === undefined && session.send(text, text)) history.add(text);
  });
  // Checking is opt-in, so turning it off also clears a complaint made under it.
  validate.addEventListener('change', () => {
    if (!validate.checked) showError(error, undefined, box);
  });

  box.addEventListener('keydown', (event) => {
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === 'Enter' && !event.shiftKey) {
      // Enter sends, as in a one-line box; Shift+Enter is the way to a second line.
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    const caretAtTop = !box.value.slice(0, box.selectionStart).includes('\n');
    const caretAtBottom = !box.value.slice(box.selectionEnd).includes('\n');
    // Only at the first or last line, so the arrows still move through a multi-line message.
    const recalled =
      event.key === 'ArrowUp' && caretAtTop && !event.shiftKey
        ? history.previous(box.value)
        : event.key === 'ArrowDown' && caretAtBottom && !event.shiftKey
          ? history.next()
          : undefined;
    if (recalled === undefined) return;
    event.preventDefault();
    box.value = recalled;
    box.setSelectionRange(recalled.length, recalled.length);
  });

  find(root, 'pretty-print', HTMLButtonElement).addEventListener('click', () => {
    const problem = jsonProblem(box.value);
    showError(error, problem, box);
    if (problem === undefined) box.value = JSON.stringify(JSON.parse(box.value), null, 2);
  });

  connection.on('state', (state) => {
    sendButton.disabled = state !== ReadyState.OPEN;
  });
}

/** Why `text` is not JSON, in the parser's words; undefined when it is. */
function jsonProblem(text: string): Error | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return new Error(t('text.notJson', { reason: asError(error).message }));
  }
}

// The Misbehave card: every URL parameter of server/misbehave.ts as a
// checkbox and a field within its range, the URL they make (beside the page,
// with its monitor token), and Connect, which moves the page's own
// connection there. Presets set up the situations a client must survive;
// below, what happened since: opens, losses and auto-reconnect's attempts,
// and the extensions the server agreed to.
import '../i18n/later.ts';
import { takes, type WsParameter } from '../../server/misbehave.ts';
import { ECHO_PATHS, type WsPath } from '../../server/protocol.ts';
import { closeCodeName } from '../close-codes.ts';
import { ReadyState, echoUrlFor, type EchoConnection, type Target } from '../connection.ts';
import { formatTime } from '../describe.ts';
import {
  DROP_EVERY_SECONDS,
  OFFERED_PARAMETERS,
  PRESETS,
  allowedText,
  fieldFor,
  meaningText,
  isPreset,
  misbehaveUrl,
  queryFor,
  refusal,
  type PresetName,
} from '../misbehave-url.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import type { Reconnector } from '../reconnect.ts';
import { find, showError } from './dom.ts';

// Lines of history shown; the log has all of it.
const HISTORY_LINES = 6;

/** Wires the card: the page's `connection`, its `reconnector`, and the page's monitor `token` for the URLs. */
export function setupMisbehavePanel(
  root: Element,
  connection: EchoConnection,
  reconnector: Reconnector,
  token: string,
): void {
  const doc = root.ownerDocument;
  const form = find(root, 'misbehave-form', HTMLFormElement);
  const pathSelect = find(root, 'misbehave-path', HTMLSelectElement);
  const url = find(root, 'misbehave-url', HTMLOutputElement);
  const problem = find(root, 'misbehave-problem', HTMLElement);
  const extensions = find(root, 'misbehave-extensions', HTMLOutputElement);
  const summary = find(root, 'misbehave-summary', HTMLElement);
  const history = find(root, 'misbehave-history', HTMLOListElement);
  const presets = find(root, 'misbehave-presets', HTMLElement);

  for (const path of ECHO_PATHS) pathSelect.append(new Option(path, path));
  const rows = OFFERED_PARAMETERS.map((parameter) => parameterRow(doc, parameter));
  find(root, 'misbehave-parameters', HTMLElement).append(...rows.map((row) => row.element));
  const presetButtons = Object.keys(PRESETS)
    .filter(isPreset)
    .map((name) => {
      const button = doc.createElement('button');
      button.type = 'button';
      button.className = 'chip';
      button.addEventListener('click', () => applyPreset(name));
      presets.append(button);
      return { name, button };
    });
  const presetWords = () => {
    for (const { name, button } of presetButtons)
      button.textContent = t(`misbehave.preset.${name}`, { seconds: DROP_EVERY_SECONDS });
  };

  // The Target the last Connect asked for, and the browser's refusal of it, shown until the URL changes.
  let asked: Target | undefined;
  let refused: Error | undefined;
  const path = () => pathSelect.value as WsPath;
  const built = () => {
    const choices = new Map(rows.flatMap((row) => row.choice()));
    return misbehaveUrl(echoUrlFor(doc.location, path()), queryFor(choices, path()), token);
  };
  const render = () => {
    for (const row of rows) row.element.hidden = !takes(row.parameter, path());
    const target = built();
    url.value = target;
    const line = refusal(target, path());
    // The server's own line, as it will answer: its words are the server's. Else the browser's refusal, if any.
    showError(problem, line === undefined ? refused : new Error(t('misbehave.refused', { line })));
  };
  const applyPreset = (name: PresetName) => {
    const preset = PRESETS[name];
    const choices: Readonly<Record<string, string>> = preset.choices;
    for (const row of rows) row.set(choices[row.parameter.name]);
    if (preset.reconnect) reconnector.setEnabled(true);
    render();
  };

  // What happened since the last Connect here, so a drop and its recovery can be watched.
  let counting = false;
  let opened = 0;
  let lost = 0;
  // Each line with its words, so a change of language rewords it.
  let lines: Array<{ at: Date; words: () => string }> = [];
  const showHistory = () => {
    history.replaceChildren(
      ...lines.map(({ at, words }) => {
        const item = doc.createElement('li');
        const time = doc.createElement('time');
        time.dateTime = at.toISOString();
        time.textContent = formatTime(at);
        item.append(time, ` ${words()}`);
        return item;
      }),
    );
    summary.textContent = counting
      ? t('misbehave.summary', {
          opened: t('misbehave.times', { count: opened }),
          lost: t('misbehave.times', { count: lost }),
        })
      : '';
  };
  const remember = (words: () => string) => {
    lines = [...lines, { at: new Date(), words }].slice(-HISTORY_LINES);
    showHistory();
  };

  const edited = () => {
    refused = undefined;
    render();
  };
  form.addEventListener('input', edited);
  form.addEventListener('change', edited);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    counting = true;
    opened = 0;
    lost = 0;
    lines = [];
    showHistory();
    // A connection the user asked for replaces any attempt the reconnector had planned.
    reconnector.stop();
    asked = { url: built(), protocols: connection.protocols };
    refused = connection.switchTo(asked);
    render();
  });
  // A switch waits for the old socket's close; the browser may refuse the new one only then.
  connection.on('refused', (error, target) => {
    if (target !== asked) return;
    refused = error;
    render();
  });

  const showExtensions = () => {
    // This card may load after the page's connection opened.
    const open = connection.readyState === ReadyState.OPEN;
    extensions.value = open ? connection.extensions || t('none') : '—';
  };
  connection.on('state', showExtensions);
  connection.on('open', (info) => {
    showExtensions();
    if (!counting) return;
    opened++;
    const { extensions: agreed } = info;
    remember(() => (agreed ? t('misbehave.openedWith', { extensions: agreed }) : t('misbehave.opened')));
  });
  connection.on('close', (info) => {
    if (!counting || info.requested) return;
    lost++;
    const { code } = info;
    remember(() => t('misbehave.lost', { code, name: closeCodeName(code) }));
  });
  reconnector.on('status', (status) => {
    if (!counting) return;
    if (status.phase === 'waiting') {
      const { attempt } = status;
      const seconds = (status.delayMs / 1000).toFixed(1);
      remember(() => t('misbehave.waiting', { attempt, seconds }));
    }
    if (status.phase === 'connecting') {
      const { attempt } = status;
      remember(() => t('misbehave.connecting', { attempt }));
    }
  });
  const reword = () => {
    presetWords();
    for (const row of rows) row.reword();
    showExtensions();
    showHistory();
    render();
  };
  onLanguageChange(reword);
  reword();
}

interface ParameterRow {
  parameter: WsParameter;
  element: HTMLElement;
  /** [name, value] when ticked, nothing otherwise. */
  choice(): Array<[string, string]>;
  /** Ticks it with `value`, or unticks it when undefined. */
  set(value: string | undefined): void;
  /** Writes its words in the page's language. */
  reword(): void;
}

/** A checkbox named for the parameter, the field its values need, and what it takes and does. */
function parameterRow(doc: Document, parameter: WsParameter): ParameterRow {
  const id = `misbehave-${parameter.name}`;
  const element = doc.createElement('div');
  element.className = 'parameter';
  const check = doc.createElement('input');
  check.type = 'checkbox';
  check.id = id;
  check.setAttribute('aria-describedby', `${id}-hint`);
  const label = doc.createElement('label');
  label.htmlFor = id;
  label.className = 'check';
  const name = doc.createElement('code');
  name.textContent = parameter.name;
  label.append(check, name);

  const field = fieldFor(parameter);
  let input: HTMLInputElement | HTMLSelectElement | undefined;
  if (field.kind === 'number' || field.kind === 'text') {
    const box = doc.createElement('input');
    box.type = 'text';
    box.autocomplete = 'off';
    box.spellcheck = false;
    if (field.kind === 'number') {
      // Text with a numeric keyboard, not type=number: the server's own check says what is wrong, the same way.
      box.inputMode = 'numeric';
      box.value = String(field.min);
    }
    input = box;
  } else if (field.kind === 'choice') {
    const select = doc.createElement('select');
    for (const word of field.words) select.append(new Option(word, word));
    input = select;
  }
  if (input) {
    input.id = `${id}-value`;
    input.className = 'mono';
    input.setAttribute('aria-describedby', `${id}-hint`);
    // Typing a value means wanting it.
    input.addEventListener('input', () => {
      check.checked = true;
    });
  }
  const hint = doc.createElement('p');
  hint.id = `${id}-hint`;
  hint.className = 'hint';
  element.append(label, ...(input ? [input] : []), hint);

  return {
    parameter,
    element,
    choice: () =>
      check.checked ? [[parameter.name, input ? input.value : field.kind === 'none' ? field.value : '']] : [],
    set: (value) => {
      check.checked = value !== undefined;
      if (value !== undefined && input) input.value = value;
    },
    reword: () => {
      input?.setAttribute('aria-label', t('misbehave.valueOf', { name: parameter.name }));
      if (input instanceof HTMLSelectElement) {
        for (const option of input.options) if (option.value === '') option.text = t('misbehave.bare');
      }
      hint.textContent = t('misbehave.hint', { allowed: allowedText(parameter), meaning: meaningText(parameter) });
    },
  };
}

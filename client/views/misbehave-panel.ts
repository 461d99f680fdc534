// The Misbehave card: every URL parameter of server/misbehave.ts as a
// checkbox and a field within its range, the URL they make (beside the page,
// with its monitor token), and Connect, which moves the page's own
// connection there. Presets set up the situations a client must survive;
// below, what happened since: opens, losses and auto-reconnect's attempts,
// and the extensions the server agreed to.
import { allowedValues, takes, type WsParameter } from '../../server/misbehave.ts';
import { ECHO_PATHS, type WsPath } from '../../server/protocol.ts';
import { closeCodeName } from '../close-codes.ts';
import { ReadyState, echoUrlFor, type EchoConnection } from '../connection.ts';
import { formatTime } from '../describe.ts';
import {
  DROP_EVERY_SECONDS,
  OFFERED_PARAMETERS,
  PRESETS,
  fieldFor,
  isPreset,
  misbehaveUrl,
  queryFor,
  refusal,
  type PresetName,
} from '../misbehave-url.ts';
import type { Reconnector } from '../reconnect.ts';
import { find } from './dom.ts';

const TEXT = {
  presets: {
    drop: `a drop every ${DROP_EVERY_SECONDS} s`,
    close1011: 'a close 1011',
    slow: 'a slow server',
    pings: 'pings every second',
    fragments: 'replies in fragments',
  } satisfies Record<PresetName, string>,
  valueOf: (name: string) => `Value of ${name}`,
  hint: (allowed: string, meaning: string) => `${allowed}: ${meaning}.`,
  bare: '(no value)',
  refused: (line: string) => `The server will refuse this URL with 400: ${line}`,
  none: '(none)',
  history: {
    opened: (extensions: string) => `opened${extensions ? `, extensions ${extensions}` : ''}`,
    lost: (code: number) => `lost: code ${code} (${closeCodeName(code)})`,
    waiting: (attempt: number, seconds: string) => `auto-reconnect: retry #${attempt} in ${seconds} s`,
    connecting: (attempt: number) => `auto-reconnect: retry #${attempt} connecting`,
  },
  summary: (opened: number, lost: number) =>
    `Since Connect to this URL: opened ${opened} ${opened === 1 ? 'time' : 'times'}, lost ${lost} ${lost === 1 ? 'time' : 'times'}.`,
} as const;

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
  for (const name of Object.keys(PRESETS)) {
    if (!isPreset(name)) continue;
    const button = doc.createElement('button');
    button.type = 'button';
    button.className = 'chip';
    button.textContent = TEXT.presets[name];
    button.addEventListener('click', () => applyPreset(name));
    presets.append(button);
  }

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
    problem.textContent = line === undefined ? '' : TEXT.refused(line);
    problem.hidden = line === undefined;
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
  const remember = (line: string) => {
    const item = doc.createElement('li');
    const time = doc.createElement('time');
    const now = new Date();
    time.dateTime = now.toISOString();
    time.textContent = formatTime(now);
    item.append(time, ` ${line}`);
    history.append(item);
    while (history.childElementCount > HISTORY_LINES) history.firstElementChild?.remove();
    summary.textContent = TEXT.summary(opened, lost);
  };

  form.addEventListener('input', render);
  form.addEventListener('change', render);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    counting = true;
    opened = 0;
    lost = 0;
    history.replaceChildren();
    // A connection the user asked for replaces any attempt the reconnector had planned.
    reconnector.stop();
    const error = connection.switchTo({ url: built(), protocols: connection.protocols });
    problem.textContent = error?.message ?? '';
    problem.hidden = error === undefined;
  });

  connection.on('state', (state) => {
    if (state === ReadyState.CONNECTING) extensions.value = '—';
  });
  // This card may load after the page's connection opened.
  if (connection.readyState === ReadyState.OPEN) extensions.value = connection.extensions || TEXT.none;
  connection.on('open', (info) => {
    extensions.value = info.extensions || TEXT.none;
    if (!counting) return;
    opened++;
    remember(TEXT.history.opened(info.extensions));
  });
  connection.on('close', (info) => {
    if (!counting || info.requested) return;
    lost++;
    remember(TEXT.history.lost(info.code));
  });
  reconnector.on('status', (status) => {
    if (!counting) return;
    if (status.phase === 'waiting') remember(TEXT.history.waiting(status.attempt, (status.delayMs / 1000).toFixed(1)));
    if (status.phase === 'connecting') remember(TEXT.history.connecting(status.attempt));
  });
  render();
}

interface ParameterRow {
  parameter: WsParameter;
  element: HTMLElement;
  /** [name, value] when ticked, nothing otherwise. */
  choice(): Array<[string, string]>;
  /** Ticks it with `value`, or unticks it when undefined. */
  set(value: string | undefined): void;
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
    for (const word of field.words) select.append(new Option(word === '' ? TEXT.bare : word, word));
    input = select;
  }
  if (input) {
    input.id = `${id}-value`;
    input.className = 'mono';
    input.setAttribute('aria-label', TEXT.valueOf(parameter.name));
    input.setAttribute('aria-describedby', `${id}-hint`);
    // Typing a value means wanting it.
    input.addEventListener('input', () => {
      check.checked = true;
    });
  }
  const hint = doc.createElement('p');
  hint.id = `${id}-hint`;
  hint.className = 'hint';
  hint.textContent = TEXT.hint(allowedValues(parameter), parameter.meaning);
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
  };
}

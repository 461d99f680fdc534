// The Misbehave panel's logic without the DOM: which fields each URL
// parameter of server/misbehave.ts gets, the URL the choices make, what the
// server will say about it (its own parser, so the page and the server
// cannot disagree), and the presets. WS_PARAMETERS is the one source: a
// parameter added there shows up in the panel by itself.
import './i18n/later.ts';
import { parseQuery, takes, WS_PARAMETERS, type WsParameter } from '../server/misbehave.ts';
import type { WsPath } from '../server/protocol.ts';
import { PUSH_INTERVAL } from '../server/push.ts';
import { enLater } from './i18n/en-later.ts';
import { type CodeKey, t } from './i18n/translate.ts';
import { MONITOR_PARAMETER, withToken } from './monitor-token.ts';

/** Every parameter but the monitor token, which the page adds itself. */
export const OFFERED_PARAMETERS: readonly WsParameter[] = WS_PARAMETERS.filter(
  (parameter) => parameter.name !== MONITOR_PARAMETER,
);

/** The field beside a parameter's checkbox. */
export type Field =
  /** A word that is the only choice (or a bare name): the checkbox says it all. */
  | { kind: 'none'; value: string }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'text' }
  /** Several words: '' stands for the bare name. */
  | { kind: 'choice'; words: readonly string[] };

export function fieldFor({ value }: WsParameter): Field {
  switch (value.type) {
    case 'integer':
      return {
        kind: 'number',
        min: Math.min(...value.ranges.map(([min]) => min)),
        max: Math.max(...value.ranges.map(([, max]) => max)),
      };
    case 'text':
    case 'token':
      return { kind: 'text' };
    case 'word': {
      // `drop` takes '' or '1', which mean the same: a checkbox is enough.
      const words = value.words.filter((word) => word !== '');
      return words.length > 1 ? { kind: 'choice', words: value.words } : { kind: 'none', value: value.words[0]! };
    }
  }
}

/** What a parameter takes, in the page's language: in English, server/misbehave.ts's allowedValues word for word. */
export function allowedText({ value }: WsParameter): string {
  const or = t('misbehave.allowed.or');
  switch (value.type) {
    case 'integer': {
      const ranges = value.ranges.map(([min, max]) => t('misbehave.allowed.range', { min, max }));
      const list = ranges.length > 1 ? `${ranges.slice(0, -1).join(t('list.gap'))}${or}${ranges.at(-1)}` : ranges[0]!;
      return t('misbehave.allowed.integer', { ranges: list });
    }
    case 'text':
      return t('misbehave.allowed.text', { bytes: value.maxBytes });
    case 'word':
      return value.words.map((word) => (word === '' ? t('misbehave.allowed.noValue') : word)).join(or);
    case 'token':
      return t('misbehave.allowed.token', { min: value.minLength, max: value.maxLength });
  }
}

/** What a parameter makes the server do, in the page's language: in English, its `meaning` word for word. */
export function meaningText(parameter: WsParameter): string {
  const key = `misbehave.meaning.${parameter.name}`;
  return isMeaningKey(key) ? t(key, { default: PUSH_INTERVAL.default }) : parameter.meaning;
}

type MeaningKey = Extract<CodeKey, `misbehave.meaning.${string}`>;

function isMeaningKey(key: string): key is MeaningKey {
  return Object.hasOwn(enLater, key);
}

/** What the form holds: the value of each parameter ticked, by name. */
export type Choices = ReadonlyMap<string, string>;

/**
 * The query the choices make on `path`, without '?': the table's order, each
 * value percent-encoded, a bare name for ''. Parameters `path` does not
 * take are left out, so switching paths keeps what was ticked.
 */
export function queryFor(choices: Choices, path: WsPath): string {
  return OFFERED_PARAMETERS.filter((parameter) => choices.has(parameter.name) && takes(parameter, path))
    .map((parameter) => {
      const value = choices.get(parameter.name)!;
      return value === '' ? parameter.name : `${parameter.name}=${encodeURIComponent(value)}`;
    })
    .join('&');
}

/** The URL to connect to: the echo `path` beside the page (`echoUrl`), the query, then the page's token. */
export function misbehaveUrl(echoUrl: string, query: string, token: string): string {
  const url = new URL(echoUrl);
  url.search = query;
  return withToken(url.href, token);
}

/** The one line the server will answer 400 with for `url` on `path`, or undefined when it takes it. */
export function refusal(url: string, path: WsPath): string | undefined {
  const asked = parseQuery(new URL(url).search.slice(1), path);
  return 'error' in asked ? asked.error : undefined;
}

/** A situation a client should survive, one click away. */
export interface Preset {
  /** The parameters it ticks (all others are unticked). */
  choices: Readonly<Record<string, string>>;
  /** Whether it turns auto-reconnect on: the point is to watch it recover. */
  reconnect: boolean;
}

/** Seconds between the drops of the "drop" preset. */
export const DROP_EVERY_SECONDS = 3;

export const PRESETS = {
  /** TCP ends without a close frame N s after each open: the client sees 1006 and reconnects. */
  drop: { choices: { drop: '', after_ms: String(DROP_EVERY_SECONDS * 1000) }, reconnect: true },
  /** The server closes with 1011 (Internal Error) 3 s after each open. */
  close1011: { choices: { close: '1011', reason: 'internal error', after_ms: '3000' }, reconnect: true },
  /** Every reply waits 2 s. */
  slow: { choices: { delay_ms: '2000' }, reconnect: false },
  /** A ping every second, which the browser answers with a pong on its own. */
  pings: { choices: { ping_ms: '1000' }, reconnect: false },
  /** Replies in frames of at most 8 payload bytes. */
  fragments: { choices: { fragment: '8' }, reconnect: false },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

/** Whether `name` is one of PRESETS: the `data-preset` of the panel's buttons. */
export function isPreset(name: string | undefined): name is PresetName {
  return name !== undefined && Object.hasOwn(PRESETS, name);
}

// Misbehave on request: URL parameters that make one connection close, drop,
// stall, fragment, ping or stay silent on purpose, or compress (?deflate), so
// a developer can test a WebSocket client's edge cases with nothing but the
// URL. This module is the
// one source for which parameters exist, what they accept and what they do
// (the table feeds the 400 answers, the docs and the page), and it checks a
// request's query against it. Pure: no Node APIs, so the page can import it.
// One more parameter rides along: monitor=<token> asks for the connection's
// frames to be shown on /monitor (docs/monitor.md), and names them there.
import { markdownTable } from './markdown-table.ts';
import { ECHO_PATHS, MONITOR_LIMITS, MONITOR_PARAMETER, WS_PATHS, type WsPath } from './protocol.ts';
import { PUSH_INTERVAL } from './push.ts';

/** What a parameter's value may be. */
export type ParameterValue =
  /** Decimal digits only, inside one of the ranges (both ends included). */
  | { type: 'integer'; ranges: ReadonlyArray<readonly [min: number, max: number]> }
  /** Percent-encoded UTF-8 of at most this many bytes once decoded; may be empty. */
  | { type: 'text'; maxBytes: number }
  /** Exactly one of these words ('' is the parameter given with no value). */
  | { type: 'word'; words: readonly string[] }
  /** minLength to maxLength characters of A-Z, a-z, 0-9, _ and -, as is (not percent-encoded). */
  | { type: 'token'; minLength: number; maxLength: number };

/** One URL parameter a WebSocket path accepts. */
export interface WsParameter {
  readonly name: string;
  readonly value: ParameterValue;
  /** What the server does when it is given, for people. */
  readonly meaning: string;
  /** The paths that take it; every echo path (ECHO_PATHS) when absent. */
  readonly paths?: readonly WsPath[];
}

/** Every URL parameter, in the order the docs list them. */
export const WS_PARAMETERS: readonly WsParameter[] = [
  {
    name: 'close',
    value: {
      type: 'integer',
      ranges: [
        [1000, 1003],
        [1007, 1011],
        [3000, 4999],
      ],
    },
    meaning: 'when the trigger fires, the server starts the closing handshake with this code',
  },
  {
    name: 'reason',
    value: { type: 'text', maxBytes: 123 },
    meaning: 'the reason sent with close (a close frame has room for 123 bytes)',
  },
  {
    name: 'drop',
    value: { type: 'word', words: ['', '1'] },
    meaning:
      'when the trigger fires, the server sends what it has queued, then ends TCP without a close frame: the client sees 1006',
  },
  {
    name: 'after',
    value: { type: 'integer', ranges: [[0, 1_000_000]] },
    meaning:
      "the trigger for close or drop: after this many echo replies have been sent (the greeting, /inspect's report and /push's ticks do not count); 0, the default, fires right after the open",
  },
  {
    name: 'after_ms',
    value: { type: 'integer', ranges: [[0, 3_600_000]] },
    meaning: 'the trigger for close or drop: this many ms after the open, instead of after',
  },
  {
    name: 'delay_ms',
    value: { type: 'integer', ranges: [[0, 60_000]] },
    meaning:
      'every echo reply waits this long, in order; while more than --max-buffered bytes wait, the server stops reading from the client',
  },
  {
    name: 'fragment',
    value: { type: 'integer', ranges: [[1, 65_536]] },
    meaning:
      'every message the server sends is split into frames of at most this many payload bytes (before compression, with deflate): the first with the data opcode, the rest continuations, FIN on the last',
  },
  {
    name: 'ping_ms',
    value: { type: 'integer', ranges: [[100, 60_000]] },
    meaning: 'the server sends a ping at this interval, with a counter (1, 2, 3…) as its payload',
  },
  {
    name: 'pong',
    value: { type: 'word', words: ['off'] },
    meaning: "the server does not answer the client's pings",
  },
  {
    name: 'greeting',
    value: { type: 'text', maxBytes: 4096 },
    meaning: "sent as a text message right after the open, before /inspect's report and any reply",
  },
  {
    name: 'deflate',
    value: { type: 'word', words: ['', '1'] },
    meaning:
      "the server accepts the client's permessage-deflate offer (RFC 7692) with the parameters it asks for, unless --max-deflate-connections already compress; without deflate or --deflate it never does",
  },
  {
    name: 'reject',
    value: { type: 'integer', ranges: [[400, 599]] },
    meaning: 'the server refuses the handshake with this HTTP status, without upgrading',
  },
  {
    name: 'interval',
    value: { type: 'integer', ranges: [[PUSH_INTERVAL.min, PUSH_INTERVAL.max]] },
    meaning: `ms between /push's messages (default ${PUSH_INTERVAL.default})`,
    paths: [WS_PATHS.push],
  },
  {
    name: MONITOR_PARAMETER,
    value: { type: 'token', minLength: MONITOR_LIMITS.tokenMinLength, maxLength: MONITOR_LIMITS.tokenMaxLength },
    meaning:
      "a random token of your own: the server records this connection's handshake and frames for whoever opens /monitor with the same monitor token, the one parameter /monitor takes (docs/monitor.md)",
    paths: [...ECHO_PATHS, WS_PATHS.monitor],
  },
];

/** How one connection was asked to misbehave. */
export interface Faults {
  /** How the connection ends when the trigger fires; undefined when nothing ends it on purpose. */
  end: { kind: 'close'; code: number; reason: string } | { kind: 'drop' } | undefined;
  /** The trigger for `end`: echo replies sent first (0: right after the open). Unused when afterMs is set. */
  afterReplies: number;
  /** The trigger for `end`: ms after the open, instead of afterReplies. */
  afterMs: number | undefined;
  /** Added to every echo reply; 0 for none. */
  delayMs: number;
  /** Largest payload of one frame; undefined to send every message whole. */
  fragment: number | undefined;
  /** Interval of the server's own pings; undefined for none. */
  pingMs: number | undefined;
  /** Leave the client's pings unanswered. */
  pongOff: boolean;
  /** Text sent first; undefined for none. */
  greeting: string | undefined;
  /** Refuse the handshake with this HTTP status. */
  reject: number | undefined;
}

/** What a request's URL asked of its connection. */
export interface Asked {
  /** undefined when no fault was asked for, so the echo's hot path can skip them all. */
  faults: Faults | undefined;
  /** /push's interval in ms. */
  pushIntervalMs: number;
  /** The monitor token: on an echo path, record this connection for it; on /monitor, watch it. */
  monitor: string | undefined;
  /** Negotiate permessage-deflate if the client offers it (not a fault: the connection stays correct). */
  deflate: boolean;
}

/** The answer for a URL without a query: shared, so the common case allocates nothing. */
export const NOTHING_ASKED: Asked = Object.freeze({
  faults: undefined,
  pushIntervalMs: PUSH_INTERVAL.default,
  monitor: undefined,
  deflate: false,
});

/** Whether `parameter` may be given on `path`. */
export function takes(parameter: WsParameter, path: WsPath): boolean {
  return (parameter.paths ?? ECHO_PATHS).includes(path);
}

/**
 * Reads what the request target `url` asks of a connection on `path`, or the
 * one-line reason to refuse it with 400: an unknown or repeated parameter, a
 * value out of range, or parameters that contradict each other.
 */
export function askedBy(url: string | undefined, path: WsPath): Asked | { error: string } {
  const start = url === undefined ? -1 : url.indexOf('?');
  const asked = start === -1 ? NOTHING_ASKED : parseQuery(url!.slice(start + 1), path);
  if (path === WS_PATHS.monitor && !('error' in asked) && asked.monitor === undefined) {
    return { error: `${path} needs monitor=<token>: the token of the connection to watch` };
  }
  return asked;
}

/** Like askedBy, for the query string alone (without its '?'). */
export function parseQuery(query: string, path: WsPath): Asked | { error: string } {
  const given = new Map<string, string | number>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decode(equals === -1 ? part : part.slice(0, equals));
    if (name === undefined) return { error: `a parameter name is not valid percent-encoded UTF-8: ${quote(part)}` };
    const parameter = BY_NAME.get(name);
    if (parameter === undefined || !takes(parameter, path)) {
      return { error: `unknown parameter ${quote(name)}: ${path} takes ${namesFor(path)}` };
    }
    if (given.has(name)) return { error: `${name} is given twice; give it once` };
    const raw = equals === -1 ? '' : part.slice(equals + 1);
    const text = decode(raw);
    if (text === undefined) return { error: `${name} must be percent-encoded UTF-8` };
    // A token is compared as written (a proxy routes on it undecoded): its characters need no encoding.
    const value = parameter.value.type === 'token' && raw !== text ? undefined : checkedValue(parameter.value, text);
    if (value === undefined) return { error: `${name} must be ${allowedValues(parameter)}; got ${quote(text)}` };
    given.set(name, value);
  }
  return combine(given);
}

/** The values a parameter accepts, in words, as the 400 answer and the docs say them. */
export function allowedValues({ value }: WsParameter): string {
  switch (value.type) {
    case 'integer': {
      const ranges = value.ranges.map(([min, max]) => `${min}-${max}`);
      const list = ranges.length > 1 ? `${ranges.slice(0, -1).join(', ')} or ${ranges.at(-1)}` : ranges[0];
      return `an integer in ${list}`;
    }
    case 'text':
      return `UTF-8 text of at most ${value.maxBytes} bytes`;
    case 'word':
      return value.words.map((word) => (word === '' ? 'no value' : word)).join(' or ');
    case 'token':
      return `${value.minLength}-${value.maxLength} characters of A-Z, a-z, 0-9, _ and -`;
  }
}

/** The README's table of parameters. */
export function renderParametersTable(): string {
  const rows = WS_PARAMETERS.map((parameter) => {
    const others = (parameter.paths ?? []).filter((path) => !ECHO_PATHS.includes(path));
    const where = ECHO_PATHS.every((path) => takes(parameter, path))
      ? others.map((path) => ` (and \`${path}\`)`).join('')
      : ` (${parameter.paths!.map((path) => `\`${path}\``).join(', ')} only)`;
    return [`\`${parameter.name}\`${where}`, allowedValues(parameter), parameter.meaning];
  });
  return markdownTable(['parameter', 'value', 'what the server does'], rows);
}

const BY_NAME = new Map(WS_PARAMETERS.map((parameter) => [parameter.name, parameter]));
const UTF8 = new TextEncoder();
const TOKEN = /^[A-Za-z0-9_-]*$/;
/** Values longer than this are cut short when a 400 answer quotes them. */
const QUOTED_CHARS = 40;

/** Applies the rules between parameters and builds the answer. */
function combine(given: Map<string, string | number>): Asked | { error: string } {
  const pushIntervalMs = (given.get('interval') as number | undefined) ?? PUSH_INTERVAL.default;
  const monitor = given.get(MONITOR_PARAMETER) as string | undefined;
  const deflate = given.has('deflate');
  given.delete('interval');
  given.delete(MONITOR_PARAMETER);
  given.delete('deflate');
  if (given.size === 0) {
    return pushIntervalMs === PUSH_INTERVAL.default && monitor === undefined && !deflate
      ? NOTHING_ASKED
      : { faults: undefined, pushIntervalMs, monitor, deflate };
  }
  const has = (name: string) => given.has(name);
  if (has('close') && has('drop')) {
    return { error: 'close and drop cannot be combined: close ends with a close frame, drop without one; give one' };
  }
  if (has('after') && has('after_ms')) return { error: 'after and after_ms cannot be combined: give one trigger' };
  for (const trigger of ['after', 'after_ms']) {
    if (has(trigger) && !has('close') && !has('drop')) {
      return { error: `${trigger} needs close or drop: it says when they fire` };
    }
  }
  if (has('reason') && !has('close')) return { error: 'reason needs close: it is sent in the close frame' };
  const number = (name: string) => given.get(name) as number | undefined;
  const faults: Faults = {
    end: has('close')
      ? { kind: 'close', code: number('close')!, reason: (given.get('reason') as string | undefined) ?? '' }
      : has('drop')
        ? { kind: 'drop' }
        : undefined,
    afterReplies: number('after') ?? 0,
    afterMs: number('after_ms'),
    delayMs: number('delay_ms') ?? 0,
    fragment: number('fragment'),
    pingMs: number('ping_ms'),
    pongOff: has('pong'),
    greeting: given.get('greeting') as string | undefined,
    reject: number('reject'),
  };
  return { faults, pushIntervalMs, monitor, deflate };
}

/** The checked value: a number for integers, the text for the rest; undefined when not allowed. */
function checkedValue(allowed: ParameterValue, text: string): string | number | undefined {
  switch (allowed.type) {
    case 'integer': {
      // Digits only: no sign, no exponent, no spaces, nothing Number() would forgive.
      if (!/^\d{1,9}$/.test(text)) return undefined;
      const n = Number(text);
      return allowed.ranges.some(([min, max]) => n >= min && n <= max) ? n : undefined;
    }
    case 'text':
      return UTF8.encode(text).length <= allowed.maxBytes ? text : undefined;
    case 'word':
      return allowed.words.includes(text) ? text : undefined;
    case 'token':
      return text.length >= allowed.minLength && text.length <= allowed.maxLength && TOKEN.test(text)
        ? text
        : undefined;
  }
}

/** Decodes one form-encoded component; undefined for bad percent-encoding or bytes that are not UTF-8. */
function decode(component: string): string | undefined {
  try {
    return decodeURIComponent(component.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

function namesFor(path: WsPath): string {
  const names = WS_PARAMETERS.filter((p) => takes(p, path)).map((p) => p.name);
  return names.length === 1 ? `only ${names[0]}` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** A value for a one-line answer: JSON-quoted (so no line breaks), cut short when long. */
function quote(text: string): string {
  return JSON.stringify(text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text);
}

// The only module that touches WebSocket. It holds one socket at a time and
// reports everything through one typed events interface, so the rest of the
// page never reads readyState or handles raw browser events itself. Only
// frame-watcher.ts also opens sockets: the frame view's, loaded after the
// page's first paint.
import { SUBPROTOCOL_NAME, WS_PATHS } from '../server/protocol.ts';
import { Emitter } from './emitter.ts';
import { asError } from './errors.ts';
import { t } from './i18n/translate.ts';

/** readyState values as Ruan Yifeng's tutorial lists them; kept here because `WebSocket.OPEN` is missing where WebSocket is. */
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];

/** What `socket.binaryType` may be: how received binary messages are handed over. */
export type BinaryType = 'blob' | 'arraybuffer';

/** A received message: text as a string, binary as a Blob or ArrayBuffer depending on binaryType. */
export type ReceivedData = string | Blob | ArrayBuffer;

/** What the page sends: text, a File or other Blob, or raw bytes. */
export type SendableData = string | Blob | ArrayBuffer;

export interface OpenInfo {
  /** The URL the browser connected to, normalised (e.g. with the trailing slash). */
  url: string;
  /** The subprotocol the server chose from those offered; '' when it chose none. */
  protocol: string;
  /** The extensions the server agreed to, e.g. 'permessage-deflate'; '' for none. */
  extensions: string;
}

export interface CloseInfo {
  /** The close code: the server's, or 1006 when the connection just dropped. */
  code: number;
  /** The close frame's reason text; '' when there was none. */
  reason: string;
  /** Whether both sides finished the closing handshake. */
  wasClean: boolean;
  /** Whether this page asked for the close (disconnect() or close()), rather than the server or the network. */
  requested: boolean;
}

export interface ConnectionEvents {
  /** The handshake finished; sending is possible from now on. */
  open: (info: OpenInfo) => void;
  /** A message arrived from the server. */
  message: (data: ReceivedData) => void;
  /** The browser reported a failure; it carries no detail by design, the close that follows has the code. */
  error: () => void;
  /** The connection ended, cleanly or not; a new one needs connect(). */
  close: (info: CloseInfo) => void;
  /** readyState changed, including OPEN → CLOSING, for which the browser fires no event. */
  state: (state: ReadyState) => void;
  /**
   * The browser refused to open the socket switchTo() had put off until the
   * old one closed (a bad URL, a blocked port); connect() and an immediate
   * switchTo() return their refusal instead.
   */
  refused: (error: Error, target: Target) => void;
}

/** Ruan Yifeng's tutorial's feature test; false in browsers (or tests) without the API. */
export function isWebSocketSupported(): boolean {
  return 'WebSocket' in window;
}

/**
 * The echo on the server that served the page: same host and port, wss: under
 * https:, and `path` (`/` unless given) beside the page, so a page served at
 * /prefix/ (--base-path) reaches /prefix/, /prefix/raw, …
 */
export function echoUrlFor(
  page: Pick<Location, 'protocol' | 'host' | 'pathname'>,
  path: string = WS_PATHS.echo,
): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const directory = page.pathname.slice(0, page.pathname.lastIndexOf('/') + 1) || '/';
  return `${scheme}//${page.host}${directory}${path.replace(/^\//, '')}`;
}

/** Where to connect and which subprotocols to offer. */
export interface Target {
  url: string;
  protocols: readonly string[];
}

/**
 * Reads the URL and the comma-separated subprotocols as typed, or says what
 * is wrong before the WebSocket constructor throws a bare SyntaxError.
 */
export function parseTarget(urlText: string, protocolsText: string): Target | Error {
  let url: URL;
  try {
    url = new URL(urlText.trim());
  } catch {
    return new Error(t('target.notUrl', { text: JSON.stringify(urlText.trim()) }));
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return new Error(t('target.scheme', { scheme: url.protocol }));
  if (url.hash) return new Error(t('target.fragment'));
  const protocols = protocolsText
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  // RFC 6455 4.1: each subprotocol is an HTTP token, and none may repeat.
  const bad = protocols.find((p) => !SUBPROTOCOL_NAME.test(p));
  if (bad !== undefined) return new Error(t('target.badSubprotocol', { name: JSON.stringify(bad) }));
  if (new Set(protocols).size !== protocols.length) return new Error(t('target.repeated'));
  return { url: url.href, protocols };
}

/**
 * Opens a short-lived socket, resolves with the first text message, and
 * closes it: how the handshake explainer asks /inspect for its report.
 */
export function readFirstMessage({ url, protocols }: Target, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, [...protocols]);
    } catch (error) {
      reject(asError(error));
      return;
    }
    const timer = setTimeout(() => finish(new Error(t('inspect.timeout', { seconds: timeoutMs / 1000 }))), timeoutMs);
    const finish = (outcome: string | Error) => {
      clearTimeout(timer);
      if (socket.readyState === ReadyState.CONNECTING || socket.readyState === ReadyState.OPEN)
        socket.close(1000, 'inspected');
      if (typeof outcome === 'string') resolve(outcome);
      else reject(outcome);
    };
    socket.addEventListener('message', (event: MessageEvent<unknown>) =>
      finish(typeof event.data === 'string' ? event.data : new Error(t('inspect.binary'))),
    );
    socket.addEventListener('close', ({ code }) => finish(new Error(t('inspect.closed', { code }))));
  });
}

/** How a socket that echoUntilClose opened ended, as the browser reported it. */
export interface EchoCaseEnd extends Pick<CloseInfo, 'code' | 'reason' | 'wasClean'> {
  /** Messages that arrived. */
  received: number;
  /** Messages sent back: those that arrived while the socket was still OPEN. */
  echoed: number;
  /** Whether the browser fired an error event first: it failed the connection itself. */
  failed: boolean;
}

/**
 * What a client under test does in the fuzzing server's protocol: opens a
 * socket (no subprotocol, binary as ArrayBuffer), sends every message back
 * with the same type, and resolves once the socket has closed, however that
 * happened. `signal` ends the socket early with 1000.
 */
export function echoUntilClose(url: string, signal?: AbortSignal): Promise<EchoCaseEnd> {
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      reject(asError(error));
      return;
    }
    socket.binaryType = 'arraybuffer';
    let received = 0;
    let echoed = 0;
    let failed = false;
    const abort = () => socket.close(1000);
    signal?.addEventListener('abort', abort, { once: true });
    socket.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
      received++;
      // Once closing, the browser would drop it: count only what was really handed over.
      if (socket.readyState !== ReadyState.OPEN) return;
      socket.send(event.data);
      echoed++;
    });
    socket.addEventListener('error', () => {
      failed = true;
    });
    socket.addEventListener('close', ({ code, reason, wasClean }) => {
      signal?.removeEventListener('abort', abort);
      resolve({ code, reason, wasClean, received, echoed, failed });
    });
  });
}

// The server can move the socket to CLOSING without any event, so readyState
// is re-read this often while a socket is live; a comparison is all it costs.
const STATE_POLL_MS = 100;

export interface ConnectionOptions {
  /**
   * The URL to open instead of `url` so the frame view sees the connection
   * (with the page's monitor token), or undefined when it cannot. The page
   * goes on showing `url` as asked for.
   */
  watch?: (url: string) => string | undefined;
}

export class EchoConnection extends Emitter<ConnectionEvents> {
  #target: Target;
  readonly #watch: ConnectionOptions['watch'];
  #watched = false;
  #socket: WebSocket | undefined;
  // Set by disconnect()/close(), so the close event can say the page asked for it.
  #closeRequested = false;
  // Where switchTo() goes once the current socket has closed.
  #next: Target | undefined;
  #binaryType: BinaryType = 'blob';
  #reportedState: ReadyState = ReadyState.CLOSED;
  #poll: ReturnType<typeof setInterval> | undefined;

  constructor(target: Target, { watch }: ConnectionOptions = {}) {
    super();
    this.#target = target;
    this.#watch = watch;
  }

  /** The extensions the current socket's server agreed to (e.g. 'permessage-deflate'); '' for none or no socket. */
  get extensions(): string {
    return this.#socket?.extensions ?? '';
  }

  /** Whether the current (or last) socket carried the page's monitor token, so the frame view sees it. */
  get watched(): boolean {
    return this.#watched;
  }

  /** Where the current (or next) socket connects. */
  get url(): string {
    return this.#target.url;
  }

  /** The subprotocols it offers. */
  get protocols(): readonly string[] {
    return this.#target.protocols;
  }

  /** The current socket's readyState, CLOSED before the first connect. */
  get readyState(): ReadyState {
    return (this.#socket?.readyState ?? ReadyState.CLOSED) as ReadyState;
  }

  /**
   * Opens a new socket, to `target` when given, unless one is still
   * connecting, open or closing. Returns the browser's refusal (a bad URL, a
   * blocked port) instead of throwing it.
   */
  connect(target?: Target): Error | undefined {
    if (this.readyState !== ReadyState.CLOSED) return undefined;
    if (target) this.#target = target;
    const watchedUrl = this.#watch?.(this.url);
    this.#watched = watchedUrl !== undefined;
    let socket: WebSocket;
    try {
      socket = new WebSocket(watchedUrl ?? this.url, [...this.protocols]);
    } catch (error) {
      return asError(error);
    }
    socket.binaryType = this.#binaryType;
    this.#socket = socket;
    this.#closeRequested = false;
    // Guards against a replaced socket's late events reaching the listeners.
    const current = () => this.#socket === socket;
    socket.addEventListener('open', () => {
      if (!current()) return;
      this.#checkState();
      // The token is the page's plumbing, shown in the frame view's handshake; here the URL is the one asked for.
      const url = watchedUrl === undefined ? socket.url : this.url;
      this.emit('open', { url, protocol: socket.protocol, extensions: socket.extensions });
    });
    socket.addEventListener('message', (event: MessageEvent<ReceivedData>) => {
      if (current()) this.emit('message', event.data);
    });
    socket.addEventListener('error', () => {
      if (!current()) return;
      this.#checkState();
      this.emit('error');
    });
    socket.addEventListener('close', ({ code, reason, wasClean }) => {
      if (!current()) return;
      this.#stopPolling();
      this.#checkState();
      this.emit('close', { code, reason, wasClean, requested: this.#closeRequested });
      const next = this.#next;
      this.#next = undefined;
      if (next) {
        const refusal = this.connect(next);
        if (refusal) this.emit('refused', refusal, next);
      }
    });
    this.#checkState();
    this.#poll = setInterval(() => this.#checkState(), STATE_POLL_MS);
    return undefined;
  }

  /**
   * Connects to `target` now, closing the current socket first (1000) if
   * there is one. Returns the browser's refusal when there was none; after a
   * close, a refusal comes as the `refused` event.
   */
  switchTo(target: Target): Error | undefined {
    if (this.readyState === ReadyState.CLOSED) return this.connect(target);
    this.#next = target;
    if (this.readyState !== ReadyState.CLOSING) this.close(1000, 'switching endpoint');
    return undefined;
  }

  /** Starts the closing handshake with 1000 (normal closure); the close event follows. */
  disconnect(reason = ''): void {
    this.close(1000, reason);
  }

  /**
   * Starts the closing handshake with `code` and `reason`; the close event
   * follows with the server's answer. Returns the browser's refusal (a code
   * outside 1000 and 3000–4999, a reason over 123 bytes) instead of throwing it.
   */
  close(code: number, reason: string): Error | undefined {
    const state = this.readyState;
    if (state !== ReadyState.CONNECTING && state !== ReadyState.OPEN) return undefined;
    try {
      this.#socket?.close(code, reason);
    } catch (error) {
      return asError(error);
    }
    this.#closeRequested = true;
    this.#checkState();
    return undefined;
  }

  /** Sends when the socket is OPEN; returns false, sending nothing, otherwise. */
  send(data: SendableData): boolean {
    if (!this.#socket || this.readyState !== ReadyState.OPEN) return false;
    this.#socket.send(data);
    return true;
  }

  /** Chooses how binary messages arrive, now and for every later socket. */
  setBinaryType(type: BinaryType): void {
    this.#binaryType = type;
    if (this.#socket) this.#socket.binaryType = type;
  }

  #checkState(): void {
    const state = this.readyState;
    if (state === this.#reportedState) return;
    this.#reportedState = state;
    this.emit('state', state);
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }
}

// The only module that touches WebSocket. It holds one socket at a time and
// reports everything through one typed events interface, so the rest of the
// page never reads readyState or handles raw browser events itself.

/** readyState values as seed 002 lists them; kept here because `WebSocket.OPEN` is missing where WebSocket is. */
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
}

export interface CloseInfo {
  /** The close code: the server's, or 1006 when the connection just dropped. */
  code: number;
  /** The close frame's reason text; '' when there was none. */
  reason: string;
  /** Whether both sides finished the closing handshake. */
  wasClean: boolean;
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
}

/** Seed 002's feature test; false in browsers (or tests) without the API. */
export function isWebSocketSupported(): boolean {
  return 'WebSocket' in window;
}

/** The echo on the server that served the page: same host and port, wss: under https:, path `/`. */
export function echoUrlFor(page: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}/`;
}

// The server can move the socket to CLOSING without any event, so readyState
// is re-read this often while a socket is live; a comparison is all it costs.
const STATE_POLL_MS = 100;

type Listeners = { [K in keyof ConnectionEvents]: Array<ConnectionEvents[K]> };

export class EchoConnection {
  readonly url: string;
  readonly protocols: readonly string[];
  #socket: WebSocket | undefined;
  #binaryType: BinaryType = 'blob';
  #reportedState: ReadyState = ReadyState.CLOSED;
  #poll: ReturnType<typeof setInterval> | undefined;
  readonly #listeners: Listeners = { open: [], message: [], error: [], close: [], state: [] };

  constructor(url: string, protocols: readonly string[]) {
    this.url = url;
    this.protocols = protocols;
  }

  /** The current socket's readyState, CLOSED before the first connect. */
  get readyState(): ReadyState {
    return (this.#socket?.readyState ?? ReadyState.CLOSED) as ReadyState;
  }

  /** Subscribes to one event; listeners run in the order they were added. */
  on<K extends keyof ConnectionEvents>(name: K, listener: ConnectionEvents[K]): void {
    this.#listeners[name].push(listener);
  }

  /** Opens a new socket, unless one is still connecting, open or closing. */
  connect(): void {
    if (this.readyState !== ReadyState.CLOSED) return;
    const socket = new WebSocket(this.url, [...this.protocols]);
    socket.binaryType = this.#binaryType;
    this.#socket = socket;
    // Guards against a replaced socket's late events reaching the listeners.
    const current = () => this.#socket === socket;
    socket.addEventListener('open', () => {
      if (!current()) return;
      this.#checkState();
      this.#emit('open', { url: socket.url, protocol: socket.protocol });
    });
    socket.addEventListener('message', (event: MessageEvent<ReceivedData>) => {
      if (current()) this.#emit('message', event.data);
    });
    socket.addEventListener('error', () => {
      if (!current()) return;
      this.#checkState();
      this.#emit('error');
    });
    socket.addEventListener('close', ({ code, reason, wasClean }) => {
      if (!current()) return;
      this.#stopPolling();
      this.#checkState();
      this.#emit('close', { code, reason, wasClean });
    });
    this.#checkState();
    this.#poll = setInterval(() => this.#checkState(), STATE_POLL_MS);
  }

  /** Starts the closing handshake with 1000 (normal closure); the close event follows. */
  disconnect(reason = ''): void {
    const state = this.readyState;
    if (state !== ReadyState.CONNECTING && state !== ReadyState.OPEN) return;
    this.#socket?.close(1000, reason);
    this.#checkState();
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
    this.#emit('state', state);
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  #emit<K extends keyof ConnectionEvents>(name: K, ...args: Parameters<ConnectionEvents[K]>): void {
    for (const listener of this.#listeners[name]) {
      (listener as (...a: Parameters<ConnectionEvents[K]>) => void)(...args);
    }
  }
}

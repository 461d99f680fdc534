// What a client of this server can rely on, written down once: the server
// builds its answers from these values and the page imports the same ones,
// so neither can drift from the other. Values and types only, no Node and no
// DOM, because both the server build and the page's Vite build compile it.

/** The subprotocol Ruan Yifeng's WebSocket tutorial offers; the only one this server speaks. */
export const ECHO_PROTOCOL = 'echo-protocol';

/** What every text reply starts with (except on /raw), as in the echo of *Go Web Programming* §8.2. */
export const TEXT_REPLY_PREFIX = 'Received: ';

/** Where each kind of echo lives, all on the same port and under the same admission rules and limits. */
export const WS_PATHS = {
  /** The tutorials' echo: text comes back as `Received: <msg>`, binary as is. */
  echo: '/',
  /** Byte-exact echo of text and binary, for client-library tests. */
  raw: '/raw',
  /** One JSON message describing the handshake as the server saw it, then the `/` echo. */
  inspect: '/inspect',
  /** A message every second from the server, plus the `/` echo. */
  push: '/push',
} as const;

export type WsPath = (typeof WS_PATHS)[keyof typeof WS_PATHS];

/** The GUID RFC 6455 appends to Sec-WebSocket-Key before hashing (section 4.2.2). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The largest message a client may send unless --max-message-size says otherwise; more closes with 1009. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** DEFAULT_MAX_MESSAGE_BYTES as people read it, e.g. in --help and on the page. */
export const DEFAULT_MAX_MESSAGE_SIZE = `${DEFAULT_MAX_MESSAGE_BYTES / 1024 / 1024} MiB`;

/** Close code and reason for a client that sends faster than the rate limit. */
export const RATE_LIMITED_CLOSE = { code: 1008, reason: 'rate limit exceeded' } as const;

/** Close code and reason every client gets when the server goes away on purpose. */
export const SHUTDOWN_CLOSE = { code: 1001, reason: 'server shutting down' } as const;

/** The JSON /inspect sends on connect. */
export interface HandshakeReport {
  type: 'inspect';
  /** The server instance that answered (--instance-id). */
  instance: string;
  /** The client's address: the socket's, or the one a trusted proxy forwarded. */
  remoteAddress: string;
  /** The port the connection came from (the proxy's, behind one). */
  remotePort: number;
  /** e.g. `GET /inspect HTTP/1.1`. */
  requestLine: string;
  /** Every request header as sent, in order, names in their original case. */
  headers: Array<[name: string, value: string]>;
  /** The client's Sec-WebSocket-Key. */
  key: string;
  /** base64(SHA-1(key + GUID)): what the server answered. */
  accept: string;
  /** The subprotocol the server chose; '' for none. */
  protocol: string;
  /** The negotiated extensions; '' for none. */
  extensions: string;
}

/** One message /push sends. */
export interface PushMessage {
  type: 'push';
  /** 1 for the first message on this connection, then 2, 3, … */
  counter: number;
  /** The server's clock when it sent this, ISO 8601. */
  serverTime: string;
}

/** What the server says on its own, as opposed to echoing: JSON objects with a `type`. */
export type ServerMessage = HandshakeReport | PushMessage;

/** Every ServerMessage's `type` (the Record makes the compiler ask for each one). */
export const SERVER_MESSAGE_TYPES: ReadonlySet<string> = new Set(
  Object.keys({ inspect: true, push: true } satisfies Record<ServerMessage['type'], true>),
);

// What a client of this server can rely on, written down once: the server
// builds its answers from these values and the page imports the same ones,
// so neither can drift from the other. Values and types only, no Node and no
// DOM, because both the server build and the page's Vite build compile it.

/** The subprotocol Ruan Yifeng's WebSocket tutorial offers; always accepted (--subprotocols adds others). */
export const ECHO_PROTOCOL = 'echo-protocol';

/** A valid subprotocol name: an HTTP token (RFC 6455 4.1, RFC 7230 3.2.6). */
export const SUBPROTOCOL_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

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
  /** Not an echo: the frames of the connection that carries the same ?monitor=<token> (docs/monitor.md). */
  monitor: '/monitor',
} as const;

export type WsPath = (typeof WS_PATHS)[keyof typeof WS_PATHS];

/** The paths that echo (every one of WS_PATHS but /monitor). */
export const ECHO_PATHS: readonly WsPath[] = Object.values(WS_PATHS).filter((path) => path !== WS_PATHS.monitor);

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
  /** The Sec-WebSocket-Extensions the server answered, parameters included (`permessage-deflate; server_no_context_takeover`); '' for none. */
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

/** The URL parameter that carries a monitor token, on the echo paths and on /monitor (docs/monitor.md). */
export const MONITOR_PARAMETER = 'monitor';

/**
 * The monitor's bounds (docs/monitor.md): what the server keeps of the
 * connections that asked to be watched, and how many may watch.
 */
export const MONITOR_LIMITS = {
  /** A token is this many characters of A-Z, a-z, 0-9, _ and -, at least… */
  tokenMinLength: 16,
  /** …and at most. */
  tokenMaxLength: 64,
  /** Payload bytes shown of each frame (payloadHex, maskedPayloadHex, text); the rest is counted, not kept. */
  payloadBytes: 256,
  /** Events kept per token for a watcher that joins late (besides the handshake of each open connection). */
  events: 500,
  /** Bytes of JSON kept for all tokens together; past it, unused tokens go first, then the adding token's oldest events. */
  totalBytes: 32 * 1024 * 1024,
  /** Watchers per token at once; one more is refused with 409. */
  watchers: 4,
  /** Seconds a token's history outlives its last connection and watcher. */
  keepSeconds: 60,
  /** Tokens kept in all; a new one beyond this pushes out the oldest (an unused one first). */
  tokens: 1000,
} as const;

/** The name of each opcode (RFC 6455 §5.2); 'reserved' for 0x3-0x7 and 0xB-0xF. */
export type OpcodeName = 'continuation' | 'text' | 'binary' | 'close' | 'ping' | 'pong' | 'reserved';

/** What every monitor event carries. */
interface MonitorEventBase {
  /** 1 for the first event of this token, then 2, 3, …; a gap means events a watcher did not get. */
  seq: number;
  /** The server's clock when it happened, ms since the Unix epoch. */
  at: number;
  /** Which of the token's connections: 1 for the first one that carried it, then 2, 3, … */
  connection: number;
}

/** The opening handshake as it crossed the socket. */
export interface MonitorHandshake extends MonitorEventBase {
  type: 'handshake';
  /** The request, rebuilt from what the server parsed: request line and headers as sent, in order. */
  request: string;
  /** The response exactly as the server wrote it: the 101, or a refusal with its body. */
  response: string;
  /** The response's status: 101, or the refusal's (then nothing else follows for this connection). */
  status: number;
}

/** One frame that crossed the wire, as RFC 6455 §5.2 draws it. */
export interface MonitorFrame extends MonitorEventBase {
  type: 'frame';
  /** Who sent it: the client's frames are masked, the server's are not. */
  direction: 'client' | 'server';
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  opcodeName: OpcodeName;
  masked: boolean;
  /** The payload's length as the header gives it. */
  payloadLength: number;
  /** How the header wrote it: in the 7-bit field (0-125), or after it in 16 bits (126) or 64 bits (127). */
  lengthForm: 7 | 16 | 64;
  /** The 4-byte masking key in hex, when masked. */
  maskingKey?: string;
  /** The first MONITOR_LIMITS.payloadBytes of the payload, unmasked, in hex. */
  payloadHex: string;
  /** The same bytes as they crossed the wire (masked), in hex; only when masked. */
  maskedPayloadHex?: string;
  /** True when the payload is longer than what payloadHex shows. */
  truncated: boolean;
  /** The shown bytes as text, when they are UTF-8: for text messages' frames, pings and pongs. */
  text?: string;
  /** A close frame's status code and reason, when it carries them. */
  close?: { code: number; reason: string };
}

/** The connection ended after a close frame crossed in each direction. */
export interface MonitorClosed extends MonitorEventBase {
  type: 'closed';
  /** Who sent the first close frame. */
  by: 'client' | 'server';
  /** The code of the first close frame; 1005 when it carried none. */
  code: number;
  reason: string;
}

/** The connection ended without the closing handshake (what a browser reports as 1006). */
export interface MonitorDropped extends MonitorEventBase {
  type: 'dropped';
}

/** One JSON text message /monitor sends. */
export type MonitorEvent = MonitorHandshake | MonitorFrame | MonitorClosed | MonitorDropped;

/** Every MonitorEvent's `type`. */
export const MONITOR_EVENT_TYPES: ReadonlySet<string> = new Set(
  Object.keys({ handshake: true, frame: true, closed: true, dropped: true } satisfies Record<
    MonitorEvent['type'],
    true
  >),
);

/** How the server closes a watcher on its own (besides SHUTDOWN_CLOSE). */
export const MONITOR_CLOSE = {
  /** The watcher sent a message: /monitor only talks. */
  message: { code: 1003, reason: '/monitor takes no messages' },
  /** Too many tokens: this one's history was dropped to make room (MONITOR_LIMITS.tokens). */
  evicted: { code: 1013, reason: 'monitor dropped: too many tokens' },
} as const;

/**
 * The client-conformance server (server/fuzzing/README.md): the Autobahn
 * fuzzing server's WebSocket endpoints, beside the echo (under --base-path
 * too), and where its reports are served over HTTP.
 */
export const CONFORMANCE_PATHS = {
  caseCount: '/getCaseCount',
  caseInfo: '/getCaseInfo',
  runCase: '/runCase',
  caseStatus: '/getCaseStatus',
  updateReports: '/updateReports',
  reports: '/reports/clients',
} as const;

/** The conformance cases' categories (the first part of a case id), with the names the fuzzing server's reports use. */
export const CONFORMANCE_CATEGORIES: Readonly<Record<string, string>> = {
  '1': 'Framing',
  '2': 'Pings/Pongs',
  '3': 'Reserved Bits',
  '4': 'Opcodes',
  '5': 'Fragmentation',
  '6': 'UTF-8 Handling',
  '7': 'Close Handling',
  '9': 'Limits/Performance',
  '10': 'Misc',
  '12': 'WebSocket Compression (different payloads)',
  '13': 'WebSocket Compression (different parameters)',
};

/** The id of a case's section in /reports/clients/index.html: "case-1-1-1" for case 1.1.1. */
export function conformanceCaseAnchor(id: string): string {
  return `case-${id.replaceAll('.', '-')}`;
}

/** What /getCaseInfo sends. */
export interface CaseInfo {
  /** e.g. "1.1.1". */
  id: string;
  description: string;
}

/** A case's verdict on the client's behaviour, as the fuzzing server names them. */
export type Behavior = 'OK' | 'NON-STRICT' | 'INFORMATIONAL' | 'UNIMPLEMENTED' | 'FAILED';
/** The verdict on how the connection closed; WRONG CODE and UNCLEAN are the fuzzing server's finer failures. */
export type CloseBehavior = 'OK' | 'WRONG CODE' | 'UNCLEAN' | 'INFORMATIONAL' | 'UNIMPLEMENTED' | 'FAILED';

/** One case's line in /reports/clients/index.json. */
export interface IndexEntry {
  behavior: Behavior;
  behaviorClose: CloseBehavior;
  /** Milliseconds from the open connection to the lost one. */
  duration: number;
  /** The close code the client sent; null when it sent none. */
  remoteCloseCode: number | null;
  /** The case's JSON report, beside index.json. */
  reportfile: string;
}

/** /reports/clients/index.json: agent → case id → entry. */
export type ReportIndex = Record<string, Record<string, IndexEntry>>;

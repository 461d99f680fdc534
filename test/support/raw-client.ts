// A deliberately dumb WebSocket client on a bare TCP socket: it writes the
// HTTP upgrade by hand, sends whatever bytes a test asks for (including
// frames no real client would send) and parses what the server writes back,
// so tests can see the exact status line, headers and frames.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { withTimeout } from './wait.ts';

/** RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** The Sec-WebSocket-Accept a correct server answers to `key`. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

export interface Frame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** Unmasked payload. */
  payload: Buffer;
}

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  /** Defaults to true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** Clients must mask (RFC 6455 §5.3); false sends the payload bare. Defaults to true. */
  mask?: boolean;
  /** Writes this length in the header instead of the payload's, to announce a payload that is never sent. */
  declaredLength?: number;
}

/** Encodes one frame exactly as specified, valid or not. */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const masked = spec.mask ?? true;
  const length = spec.declaredLength ?? payload.length;
  const first =
    ((spec.fin ?? true) ? 0x80 : 0) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  header[1] = (header[1] ?? 0) | 0x80;
  const key = randomBytes(4);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = (payload[i] ?? 0) ^ (key[i % 4] ?? 0);
  return Buffer.concat([header, key, body]);
}

/** Decodes the first complete frame in `bytes`, or undefined when more bytes are needed. */
export function decodeFrame(bytes: Buffer): { frame: Frame; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    length = Number(bytes.readBigUInt64BE(2));
    offset = 10;
  }
  let key: Buffer | undefined;
  if (masked) {
    if (bytes.length < offset + 4) return undefined;
    key = bytes.subarray(offset, offset + 4);
    offset += 4;
  }
  if (bytes.length < offset + length) return undefined;
  const payload = Buffer.from(bytes.subarray(offset, offset + length));
  if (key) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (key[i % 4] ?? 0);
  return {
    frame: {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked,
      payload,
    },
    size: offset + length,
  };
}

/** The payload of a close frame with this code and reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const bytes = Buffer.alloc(2 + Buffer.byteLength(reason));
  bytes.writeUInt16BE(code, 0);
  bytes.write(reason, 2);
  return bytes;
}

/** Reads a close frame's code (undefined when it carries none) and reason. */
export function parseClose(frame: Frame): { code: number | undefined; reason: string } {
  if (frame.opcode !== Opcode.close)
    throw new Error(`expected a close frame, got opcode 0x${frame.opcode.toString(16)}`);
  if (frame.payload.length < 2) return { code: undefined, reason: '' };
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString() };
}

export interface HandshakeResponse {
  statusCode: number;
  /** E.g. "HTTP/1.1 101 Switching Protocols". */
  statusLine: string;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
}

export interface RawConnectOptions {
  host?: string;
  path?: string;
  /** Sec-WebSocket-Key; a random one by default. */
  key?: string;
  /** Sec-WebSocket-Protocol to offer, as written. */
  protocol?: string;
  /** More request headers. */
  headers?: Record<string, string>;
}

const clients = new Set<RawClient>();

/** One hand-made connection. Create with `RawClient.connect`. */
export class RawClient {
  readonly socket: Socket;
  readonly response: HandshakeResponse;
  /** Sec-WebSocket-Key that was sent. */
  readonly key: string;
  /** Resolves when the TCP connection is fully closed. */
  readonly closedPromise: Promise<void>;
  /** True once the server sent FIN (ended its side), as opposed to us destroying the socket. */
  serverEnded = false;
  /** Bytes after the response headers when the answer was not 101 (the HTTP body). */
  body = Buffer.alloc(0);

  private buffered: Buffer;
  private readonly frames: Frame[] = [];
  private readonly waiters: Array<{ resolve: (frame: Frame) => void; reject: (error: Error) => void }> = [];
  private isClosed = false;

  private constructor(socket: Socket, key: string, response: HandshakeResponse, rest: Buffer) {
    this.socket = socket;
    this.key = key;
    this.response = response;
    this.buffered = Buffer.alloc(0);
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('end', () => (this.serverEnded = true));
    socket.on('close', () => {
      this.isClosed = true;
      for (const waiter of this.waiters.splice(0))
        waiter.reject(new Error('the connection closed before the next frame'));
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (rest.length) this.onData(rest);
    socket.resume();
  }

  /** Opens a TCP connection and performs the upgrade; resolves with whatever the server answered (101 or not). */
  static async connect(port: number, options: RawConnectOptions = {}): Promise<RawClient> {
    const host = options.host ?? '127.0.0.1';
    const key = options.key ?? randomBytes(16).toString('base64');
    const socket = connect({ port, host });
    socket.on('error', () => {}); // a reset shows up as 'close'; tests assert on that
    const lines = [
      `GET ${options.path ?? '/'} HTTP/1.1`,
      `Host: ${host}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
      ...(options.protocol !== undefined ? [`Sec-WebSocket-Protocol: ${options.protocol}`] : []),
      ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const { head, rest } = await withTimeout(readHead(socket), 5_000, 'the handshake response');
    const client = new RawClient(socket, key, parseHead(head), rest);
    clients.add(client);
    return client;
  }

  /** Writes one frame built from `spec`. */
  send(spec: FrameSpec): void {
    this.socket.write(encodeFrame(spec));
  }

  /** Writes raw bytes. */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the next frame from the server; rejects if the connection closes first or on timeout. */
  nextFrame(timeoutMs = 5_000): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    if (this.isClosed) return Promise.reject(new Error('the connection is closed and no frame is left'));
    const next = new Promise<Frame>((resolve, reject) => this.waiters.push({ resolve, reject }));
    return withTimeout(next, timeoutMs, 'the next frame from the server');
  }

  /** Resolves when the server has closed the TCP connection; rejects on timeout. */
  closed(timeoutMs = 5_000): Promise<void> {
    return withTimeout(this.closedPromise, timeoutMs, 'the server to close the TCP connection');
  }

  destroy(): void {
    this.socket.destroy();
    clients.delete(this);
  }

  private onData(chunk: Buffer): void {
    if (this.response.statusCode !== 101) {
      this.body = Buffer.concat([this.body, chunk]);
      return;
    }
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (let decoded = decodeFrame(this.buffered); decoded; decoded = decodeFrame(this.buffered)) {
      this.buffered = this.buffered.subarray(decoded.size);
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(decoded.frame);
      else this.frames.push(decoded.frame);
    }
  }
}

/** Destroys every RawClient still open. */
export function destroyAllRawClients(): void {
  for (const client of clients) client.destroy();
}

function readHead(socket: Socket): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let bytes = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      const end = bytes.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve({ head: bytes.subarray(0, end).toString('latin1'), rest: bytes.subarray(end + 4) });
    };
    const onClose = () =>
      reject(new Error(`connection closed during the handshake; got ${JSON.stringify(bytes.toString('latin1'))}`));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

function parseHead(head: string): HandshakeResponse {
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const statusCode = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { statusCode, statusLine, headers };
}

// A deliberately dumb client on a bare TCP socket, for tests that must see
// the exact bytes: it writes the HTTP upgrade (or any request, garbage
// included) by hand, from any source address on 127.0.0.0/8, as fast or as
// slowly as asked, sends whatever frames a test builds (frames.ts) and
// parses the server's response head and frames. Every connection is
// remembered, so a suite's cleanup can destroy what an assertion left open.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { decodeFrame, encodeFrame, type Frame, type FrameSpec } from './frames.ts';
import { delay, EVENT_TIMEOUT_MS, withTimeout } from './wait.ts';

export interface HttpHead {
  statusCode: number;
  /** E.g. "HTTP/1.1 101 Switching Protocols". */
  statusLine: string;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
}

export interface RawHttpResponse extends HttpHead {
  body: Buffer;
  /** Everything the server wrote so far. */
  raw: Buffer;
  socket: Socket;
  /** Resolves when the TCP connection is closed (by either side); rejects on timeout. */
  closed(timeoutMs?: number): Promise<void>;
}

export interface ConnectOptions {
  /** Source address to connect from, e.g. 127.0.0.2 to be another client IP. */
  localAddress?: string;
  /** Keeps this side of TCP open after the server's FIN, as a client that never closes would. */
  neverEnds?: boolean;
}

const open = new Set<RawConnection>();

/** Destroys every connection this module opened that is still open. */
export function destroyRawConnections(): void {
  for (const connection of open) connection.destroy();
}

/** One TCP connection to 127.0.0.1:`port` that records every byte the server sends. */
export class RawConnection {
  readonly socket: Socket;
  /** True once the server sent FIN (ended its side), as opposed to this side destroying the socket. */
  serverEnded = false;
  #chunks: Buffer[] = [];
  #isClosed = false;
  readonly #closedAfter: Promise<number>;
  readonly #watchers = new Set<() => void>();

  constructor(port: number, { localAddress, neverEnds = false }: ConnectOptions = {}) {
    const startedAt = performance.now();
    this.socket = connect({
      port,
      host: '127.0.0.1',
      allowHalfOpen: neverEnds,
      ...(localAddress ? { localAddress } : {}),
    });
    open.add(this);
    this.socket.on('error', () => {}); // a reset shows up as 'close'; tests assert on that
    this.socket.on('end', () => (this.serverEnded = true));
    this.socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.received(chunk);
      this.#notify();
    });
    this.#closedAfter = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.#isClosed = true;
        open.delete(this);
        this.#notify();
        resolve(performance.now() - startedAt);
      }),
    );
  }

  /** Every byte the server sent so far. */
  get raw(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /** Writes raw bytes. */
  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** Resolves when the TCP connection is closed (by either side); rejects on timeout. */
  async closed(timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
    await this.closedAfter(timeoutMs);
  }

  /** Resolves with the ms from connecting to the close; rejects on timeout. */
  closedAfter(timeoutMs = EVENT_TIMEOUT_MS): Promise<number> {
    return withTimeout(this.#closedAfter, 'the server to close the connection', timeoutMs);
  }

  /** Resolves with the server's response head; rejects if the connection closes first. */
  protected head(timeoutMs = EVENT_TIMEOUT_MS): Promise<HttpHead & { size: number }> {
    return this.until('the response head', timeoutMs, () => parseHead(this.raw));
  }

  /** Resolves with the server's HTTP response once its head and body (by Content-Length, else until the close) are in. */
  httpResponse(timeoutMs = EVENT_TIMEOUT_MS): Promise<RawHttpResponse> {
    return this.until('the HTTP response', timeoutMs, (closed) => {
      const raw = this.raw;
      const head = parseHead(raw);
      if (!head) return undefined;
      const { size, ...rest } = head;
      const body = raw.subarray(size);
      const length = head.headers['content-length'] === undefined ? undefined : Number(head.headers['content-length']);
      // A 101 has no body; otherwise wait for Content-Length bytes, or for the close.
      if (head.statusCode !== 101 && !closed && (length === undefined || body.length < length)) return undefined;
      return {
        ...rest,
        body: length === undefined ? body : body.subarray(0, length),
        raw,
        socket: this.socket,
        closed: (ms?: number) => this.closed(ms),
      };
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Called with each chunk as it arrives, before any waiter looks at it. */
  protected received(_chunk: Buffer): void {}

  /**
   * Resolves with the first value `check` returns (it is asked now and after
   * every chunk and the close); rejects if the connection closes without one.
   */
  protected until<T>(what: string, timeoutMs: number, check: (closed: boolean) => T | undefined): Promise<T> {
    let watcher = () => {};
    const found = new Promise<T>((resolve, reject) => {
      watcher = () => {
        const value = check(this.#isClosed);
        if (value === undefined && !this.#isClosed) return;
        // At once, not when the promise settles: a resumed socket emits several chunks in one tick,
        // and a watcher asked again would take (and lose) what belongs to the next waiter.
        this.#watchers.delete(watcher);
        if (value !== undefined) resolve(value);
        else reject(new Error(`the connection closed before ${what}; got ${JSON.stringify(preview(this.raw))}`));
      };
    });
    this.#watchers.add(watcher);
    watcher();
    return withTimeout(found, what, timeoutMs).finally(() => this.#watchers.delete(watcher));
  }

  #notify(): void {
    for (const watcher of [...this.#watchers]) watcher();
  }
}

export interface RawConnectOptions extends ConnectOptions {
  path?: string;
  /** Sec-WebSocket-Key; a random one by default. */
  key?: string;
  /** Sec-WebSocket-Protocol to offer, as written. */
  protocol?: string;
  /** More request headers, or replacements for the default ones. */
  headers?: Record<string, string>;
  /** Sends the request in `pieces` writes `delayMs` apart instead of in one. */
  slowly?: { pieces: number; delayMs: number };
}

/** A hand-made WebSocket connection. Create with `RawClient.connect`. */
export class RawClient extends RawConnection {
  /** Sec-WebSocket-Key that was sent. */
  readonly key: string;
  #response: HttpHead | undefined;
  #headSize: number | undefined;
  /** Bytes after the 101's head that are not yet a whole frame. */
  #pending: Buffer = Buffer.alloc(0);

  private constructor(port: number, options: RawConnectOptions) {
    super(port, options);
    this.key = options.key ?? randomBytes(16).toString('base64');
  }

  /** Opens a TCP connection and performs the upgrade; resolves with whatever the server answered (101 or not). */
  static async connect(port: number, options: RawConnectOptions = {}): Promise<RawClient> {
    const client = new RawClient(port, options);
    const request = upgradeRequest(port, {
      path: options.path,
      headers: {
        'Sec-WebSocket-Key': client.key,
        ...(options.protocol !== undefined ? { 'Sec-WebSocket-Protocol': options.protocol } : {}),
        ...options.headers,
      },
    });
    if (options.slowly) void writeInPieces(client.socket, Buffer.from(request), options.slowly);
    else client.write(request);
    try {
      const { size, ...response } = await client.head();
      client.#response = response;
      client.#headSize = size;
      if (response.statusCode === 101) client.#pending = client.raw.subarray(size);
      return client;
    } catch (error) {
      client.destroy();
      throw error;
    }
  }

  /** The server's answer to the upgrade. */
  get response(): HttpHead {
    if (!this.#response) throw new Error('no response yet');
    return this.#response;
  }

  /** Bytes after the response head when the answer was not 101 (the HTTP body). */
  get body(): Buffer {
    return this.response.statusCode === 101 ? Buffer.alloc(0) : this.raw.subarray(this.#headSize);
  }

  /** Writes one frame built from `spec`. */
  send(spec: FrameSpec): void {
    this.write(encodeFrame(spec));
  }

  /** Resolves with the next frame from the server; rejects if the connection closes first or on timeout. */
  nextFrame(timeoutMs = EVENT_TIMEOUT_MS): Promise<Frame> {
    return this.until('the next frame from the server', timeoutMs, () => {
      const decoded = decodeFrame(this.#pending);
      if (!decoded) return undefined;
      this.#pending = this.#pending.subarray(decoded.size);
      return decoded.frame;
    });
  }

  protected override received(chunk: Buffer): void {
    if (this.#response?.statusCode === 101) this.#pending = Buffer.concat([this.#pending, chunk]);
  }
}

/**
 * Writes `request` as is on a new connection and resolves with the server's
 * response once its head and body are in. Rejects if the server closes
 * without a status line.
 */
export function rawHttp(
  port: number,
  request: Buffer | string,
  { timeoutMs = EVENT_TIMEOUT_MS, byteByByte = false }: { timeoutMs?: number; byteByByte?: boolean } = {},
): Promise<RawHttpResponse> {
  const connection = new RawConnection(port);
  if (byteByByte) writeByteByByte(connection.socket, Buffer.from(request)).catch(() => {});
  else connection.write(request);
  return connection.httpResponse(timeoutMs);
}

export interface UpgradeRequestOptions {
  method?: string;
  path?: string | undefined;
  httpVersion?: string;
  /** Header values by name; `undefined` leaves the default header out. */
  headers?: Record<string, string | undefined>;
}

/** An upgrade request for `port`, with any default header replaced or left out. */
export function upgradeRequest(port: number, options: UpgradeRequestOptions = {}): string {
  const defaults: Record<string, string | undefined> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
  };
  const merged = { ...defaults, ...options.headers };
  const lines = [`${options.method ?? 'GET'} ${options.path ?? '/'} HTTP/${options.httpVersion ?? '1.1'}`];
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Writes `bytes` one byte per write, with a short pause between, so each byte is its own TCP segment. */
export async function writeByteByByte(socket: Socket, bytes: Buffer, pauseMs = 1): Promise<void> {
  socket.setNoDelay(true);
  for (const byte of bytes) {
    await new Promise<void>((resolve, reject) =>
      socket.write(Buffer.of(byte), (error) => (error ? reject(error) : resolve())),
    );
    await delay(pauseMs);
  }
}

/** Records every byte the server sends on `client` from now on (to inspect the length encoding it chose). */
export function recordWire(client: RawConnection): () => Buffer {
  const from = client.raw.length;
  return () => client.raw.subarray(from);
}

/**
 * Connects and writes an upgrade request `bytesPerTick` bytes every `everyMs`,
 * followed by endless header lines, so the request head never ends.
 */
export function trickleForever(port: number, { bytesPerTick = 3, everyMs = 100 } = {}): RawConnection {
  const connection = new RawConnection(port);
  connection.socket.setNoDelay(true);
  // The request without its closing blank line, then enough padding to trickle for minutes.
  const request = upgradeRequest(port).slice(0, -'\r\n'.length);
  const bytes = Buffer.from(request + Array.from({ length: 2000 }, (_, i) => `X-Slow-${i}: 1\r\n`).join(''));
  let offset = 0;
  const timer = setInterval(() => {
    if (offset >= bytes.length || connection.socket.destroyed) return;
    connection.write(bytes.subarray(offset, offset + bytesPerTick));
    offset += bytesPerTick;
  }, everyMs);
  connection.socket.once('close', () => clearInterval(timer));
  return connection;
}

export interface Flood {
  /** Bytes handed to the socket so far (written or still queued in it). */
  handed(): number;
  /** Bytes the kernel accepted: handed minus what still waits in the socket. */
  accepted(): number;
  /** True when the last write backed up and no 'drain' has come since. */
  backedUp(): boolean;
  /** True once all `totalBytes` were handed over. */
  done(): boolean;
}

/** Writes `frame` over and over, up to `totalBytes`, as fast as `socket` accepts (waiting for 'drain' when it backs up). */
export function floodWith(socket: Socket, frame: Buffer, totalBytes: number): Flood {
  let handed = 0;
  let waiting = false;
  const pump = () => {
    waiting = false;
    while (handed < totalBytes && !socket.destroyed) {
      handed += frame.length;
      if (!socket.write(frame)) {
        waiting = true;
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
  return {
    handed: () => handed,
    accepted: () => handed - socket.writableLength,
    backedUp: () => waiting,
    done: () => handed >= totalBytes,
  };
}

function parseHead(bytes: Buffer): (HttpHead & { size: number }) | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const statusCode = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  return { statusCode, statusLine, headers, size: end + 4 };
}

async function writeInPieces(socket: Socket, bytes: Buffer, { pieces, delayMs }: { pieces: number; delayMs: number }) {
  const size = Math.ceil(bytes.length / pieces);
  for (let i = 0; i < bytes.length && !socket.destroyed; i += size) {
    if (i > 0) await delay(delayMs);
    socket.write(bytes.subarray(i, i + size));
  }
}

function preview(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

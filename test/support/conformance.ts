// Shared pieces of the RFC 6455 conformance suite (test/server/conformance/):
// a per-describe in-process server, the "still serving" probe every bad case
// ends with, strict checks of the server's close frames, and a raw HTTP
// exchange for handshakes the RawClient cannot express (garbage, no key, ...).
// Frames themselves are built and parsed by raw-client.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before } from 'node:test';
import { startInProcess, type InProcessServer } from './in-process.ts';
import { RawClient, destroyAllRawClients, Opcode, type Frame, type RawConnectOptions } from './raw-client.ts';
import { withTimeout } from './wait.ts';

/** Failsafe for any single awaited event; far above what loopback needs. */
export const EVENT_TIMEOUT_MS = 3_000;

export const TEXT_PREFIX = Buffer.from('Received: ');

/** The exact payload of the server's reply to a text message of `bytes`. */
export function textReply(bytes: Buffer | string): Buffer {
  return Buffer.concat([TEXT_PREFIX, typeof bytes === 'string' ? Buffer.from(bytes) : bytes]);
}

/**
 * Starts an in-process server before the enclosing describe's tests and stops
 * it (and every raw socket) after them. Call inside `describe`.
 */
export function useEchoServer(flags: string[] = []): { readonly port: number } {
  let s: InProcessServer | undefined;
  before(async () => {
    s = await startInProcess(flags);
  });
  after(async () => {
    destroyAllRawClients();
    destroyAllRawHttp();
    await s?.server.close();
  });
  return {
    get port(): number {
      if (!s) throw new Error('the server is not started (useEchoServer must be called inside describe)');
      return s.port;
    },
  };
}

/** Opens a WebSocket with RawClient and asserts the upgrade succeeded. */
export async function open(port: number, options: RawConnectOptions = {}): Promise<RawClient> {
  const client = await RawClient.connect(port, options);
  assert.equal(client.response.statusCode, 101, `the upgrade was refused: ${client.response.statusLine}`);
  return client;
}

/** Shape every server frame must have: unmasked (RFC 6455 §5.1), no RSV bits without an extension (§5.2). */
export function assertServerFrame(frame: Frame): void {
  assert.equal(frame.masked, false, 'a server must not mask its frames (RFC 6455 §5.1)');
  assert.deepEqual(
    [frame.rsv1, frame.rsv2, frame.rsv3],
    [false, false, false],
    'RSV bits set with no extension negotiated',
  );
}

function describeFrame(frame: Frame): string {
  const shown =
    frame.payload.length > 40
      ? `${frame.payload.subarray(0, 40).toString('hex')}… (${frame.payload.length} bytes)`
      : frame.payload.toString('hex');
  return `opcode 0x${frame.opcode.toString(16)} fin=${frame.fin} payload=${shown}`;
}

/** Awaits the next frame and asserts it is one unfragmented message (or control frame) with exactly this payload. */
export async function expectFrame(
  client: RawClient,
  opcode: number,
  payload: Buffer,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<Frame> {
  const frame = await client.nextFrame(timeoutMs);
  assert.equal(frame.opcode, opcode, `expected opcode 0x${opcode.toString(16)}, got ${describeFrame(frame)}`);
  assert.equal(frame.fin, true, 'FIN');
  assertServerFrame(frame);
  assert.ok(
    frame.payload.equals(payload),
    `payload differs: expected ${payload.length} bytes, got ${describeFrame(frame)}`,
  );
  return frame;
}

/** Awaits the echo of a text message whose payload was `bytes`. */
export function expectTextEcho(client: RawClient, bytes: Buffer | string): Promise<Frame> {
  return expectFrame(client, Opcode.text, textReply(bytes));
}

/** Awaits the echo of a binary message. */
export function expectBinaryEcho(client: RawClient, bytes: Buffer): Promise<Frame> {
  return expectFrame(client, Opcode.binary, bytes);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Codes an endpoint may put in a close frame it sends (RFC 6455 §7.4.1/§7.4.2, IANA registry 1012–1014). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/**
 * Awaits the server's close frame, checks it is a well-formed close (FIN,
 * unmasked, ≤ 125 bytes, no 1-byte body, a sendable code, a UTF-8 reason),
 * then waits for the server to close TCP and asserts nothing followed the
 * close. Returns the code (undefined for an empty body).
 */
export async function expectValidClose(client: RawClient): Promise<number | undefined> {
  const frame = await client.nextFrame(EVENT_TIMEOUT_MS);
  assert.equal(frame.opcode, Opcode.close, `expected a close frame, got ${describeFrame(frame)}`);
  assert.equal(frame.fin, true, 'a control frame must not be fragmented');
  assertServerFrame(frame);
  assert.ok(frame.payload.length <= 125, `close payload of ${frame.payload.length} bytes`);
  assert.notEqual(frame.payload.length, 1, 'a close body is empty or starts with a 2-byte code');
  let code: number | undefined;
  if (frame.payload.length >= 2) {
    code = frame.payload.readUInt16BE(0);
    assert.ok(isSendableCloseCode(code), `the server sent close code ${code}, which must not be sent`);
    assert.ok(isValidUtf8(frame.payload.subarray(2)), 'the close reason is not UTF-8');
  }
  await client.closed(EVENT_TIMEOUT_MS);
  assert.equal(client.serverEnded, true, 'the server should close the TCP connection itself (FIN)');
  await assertNoMoreFrames(client);
  return code;
}

/** Asserts the server failed the connection with exactly `code`: a close frame with that code, then TCP closed. */
export async function expectCloseCode(client: RawClient, code: number): Promise<void> {
  const got = await expectValidClose(client);
  assert.equal(got, code, `expected close code ${code}, got ${got ?? 'an empty close body'}`);
}

/** After the connection closed: no frame is left unread. */
export async function assertNoMoreFrames(client: RawClient): Promise<void> {
  await client.closed(EVENT_TIMEOUT_MS);
  const left = await client.nextFrame(0).then(
    (frame) => frame,
    () => undefined,
  );
  assert.equal(left, undefined, left ? `unexpected frame after the close: ${describeFrame(left)}` : '');
}

/** A fresh handshake and a text and a binary echo: the server is still fine after whatever a test did. */
export async function assertStillServing(port: number): Promise<void> {
  const probe = await open(port);
  try {
    const token = `still serving ${randomBytes(6).toString('hex')}`;
    probe.send({ opcode: Opcode.text, payload: token });
    await expectTextEcho(probe, token);
    const bytes = randomBytes(32);
    probe.send({ opcode: Opcode.binary, payload: bytes });
    await expectBinaryEcho(probe, bytes);
  } finally {
    probe.destroy();
  }
}

/** Writes `bytes` one byte per write, with a short pause between, so each byte is its own TCP segment. */
export async function writeByteByByte(socket: Socket, bytes: Buffer, pauseMs = 1): Promise<void> {
  socket.setNoDelay(true);
  for (const byte of bytes) {
    await new Promise<void>((resolve, reject) =>
      socket.write(Buffer.of(byte), (error) => (error ? reject(error) : resolve())),
    );
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** Records every byte the server sends on `client` from now on (to inspect the length encoding it chose). */
export function recordWire(client: RawClient): () => Buffer {
  const chunks: Buffer[] = [];
  client.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks);
}

/** Which length encoding a frame header at the start of `bytes` uses: 7-bit, 16-bit or 64-bit. */
export function lengthEncoding(bytes: Buffer): 7 | 16 | 64 {
  const field = (bytes[1] ?? 0) & 0x7f;
  return field === 127 ? 64 : field === 126 ? 16 : 7;
}

/** The encoding RFC 6455 §5.2 requires for a payload of `length` ("the minimal number of bytes MUST be used"). */
export function minimalEncoding(length: number): 7 | 16 | 64 {
  return length < 126 ? 7 : length < 0x10000 ? 16 : 64;
}

// --- raw HTTP, for handshakes ---------------------------------------------

export interface RawHttpResponse {
  statusCode: number;
  statusLine: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Everything the server wrote so far. */
  raw: Buffer;
  socket: Socket;
  /** Resolves when the TCP connection is closed (by either side); rejects on timeout. */
  closed(timeoutMs?: number): Promise<void>;
}

const httpSockets = new Set<Socket>();

export function destroyAllRawHttp(): void {
  for (const socket of httpSockets) socket.destroy();
  httpSockets.clear();
}

/**
 * Writes `request` as is and resolves with the server's response once its
 * head and body (by Content-Length, else until the server closes) are in.
 * Rejects if the server closes without a status line.
 */
export function rawHttp(
  port: number,
  request: Buffer | string,
  { timeoutMs = EVENT_TIMEOUT_MS, byteByByte = false }: { timeoutMs?: number; byteByByte?: boolean } = {},
): Promise<RawHttpResponse> {
  const socket = connect({ port, host: '127.0.0.1' });
  httpSockets.add(socket);
  socket.on('error', () => {}); // a reset shows up as 'close'
  const closedPromise = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let raw = Buffer.alloc(0);
  const response = new Promise<RawHttpResponse>((resolve, reject) => {
    const tryParse = (atClose: boolean) => {
      const end = raw.indexOf('\r\n\r\n');
      if (end === -1) {
        if (atClose)
          reject(
            new Error(`the server closed without a complete response; got ${JSON.stringify(raw.toString('latin1'))}`),
          );
        return;
      }
      const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon === -1) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      const body = raw.subarray(end + 4);
      const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
      const statusCode = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
      // A 101 has no body; otherwise wait for Content-Length bytes, or for the close.
      const complete = statusCode === 101 || atClose || (length !== undefined && body.length >= length);
      if (!complete) return;
      resolve({
        statusCode,
        statusLine,
        headers,
        body: length === undefined ? body : body.subarray(0, length),
        raw,
        socket,
        closed: (ms = EVENT_TIMEOUT_MS) => withTimeout(closedPromise, ms, 'the server to close the connection'),
      });
    };
    socket.on('data', (chunk: Buffer) => {
      raw = Buffer.concat([raw, chunk]);
      tryParse(false);
    });
    socket.once('close', () => tryParse(true));
  });
  if (byteByByte) writeByteByByte(socket, Buffer.from(request)).catch(() => {});
  else socket.write(request);
  return withTimeout(response, timeoutMs, 'the HTTP response');
}

export interface UpgradeRequestOptions {
  method?: string;
  path?: string;
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

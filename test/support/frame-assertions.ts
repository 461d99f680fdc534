// What a conformant server sends, as assertions on a RawClient: the shape of
// every server frame, exact echoes, well-formed close frames with the right
// code, nothing after the close, and the "still serving" probe every bad case
// ends with (RFC 6455 §5, §7).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Frame, Opcode } from './frames.ts';
import { RawClient, type RawConnectOptions } from './raw-client.ts';

export const TEXT_PREFIX = Buffer.from('Received: ');

/** The exact payload of the server's reply to a text message of `bytes`. */
export function textReply(bytes: Buffer | string): Buffer {
  return Buffer.concat([TEXT_PREFIX, typeof bytes === 'string' ? Buffer.from(bytes) : bytes]);
}

/** Opens a WebSocket with RawClient and asserts the upgrade succeeded. */
export async function open(port: number, options: RawConnectOptions = {}): Promise<RawClient> {
  const client = await RawClient.connect(port, options);
  const { statusCode, statusLine } = client.response;
  assert.equal(statusCode, 101, `the upgrade of ${options.path ?? '/'} was refused: ${statusLine} ${client.body}`);
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

/** Awaits the next frame and asserts it is one unfragmented message (or control frame) with exactly this payload. */
export async function expectFrame(
  client: RawClient,
  opcode: number,
  payload: Buffer,
  timeoutMs?: number,
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

/** Sends one text message and asserts its echo ("Received: " + text) is the next frame. */
export async function assertEchoes(client: RawClient, text: string): Promise<void> {
  client.send({ opcode: Opcode.text, payload: text });
  await expectTextEcho(client, text);
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
  const frame = await client.nextFrame();
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
  await client.closed();
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
  await client.closed();
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
    await assertEchoes(probe, `still serving ${randomBytes(6).toString('hex')}`);
    const bytes = randomBytes(32);
    probe.send({ opcode: Opcode.binary, payload: bytes });
    await expectBinaryEcho(probe, bytes);
  } finally {
    probe.destroy();
  }
}

function describeFrame(frame: Frame): string {
  const shown =
    frame.payload.length > 40
      ? `${frame.payload.subarray(0, 40).toString('hex')}… (${frame.payload.length} bytes)`
      : frame.payload.toString('hex');
  return `opcode 0x${frame.opcode.toString(16)} fin=${frame.fin} payload=${shown}`;
}

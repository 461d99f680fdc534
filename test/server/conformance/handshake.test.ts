// The opening handshake (RFC 6455 §4.2.1, §4.2.2, §4.4), over raw TCP: every
// malformed request is answered with an HTTP error, never 101, and the server
// keeps serving. (The tutorials' Sec-WebSocket-Accept vectors are in raw-frames.test.ts.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { assertStillServing } from '../../support/frame-assertions.ts';
import { acceptFor } from '../../support/frames.ts';
import { rawHttp, type RawHttpResponse, upgradeRequest } from '../../support/raw-client.ts';
import { useEchoServer } from '../../support/servers.ts';

/** Asserts a refusal: the status, no Sec-WebSocket-Accept, and (by default) the server closing the connection. */
async function assertRefused(
  response: RawHttpResponse,
  status: number | readonly number[],
  { closes = true } = {},
): Promise<void> {
  const allowed = typeof status === 'number' ? [status] : status;
  assert.notEqual(response.statusCode, 101, `the server switched protocols: ${response.statusLine}`);
  assert.ok(
    allowed.includes(response.statusCode),
    `expected ${allowed.join(' or ')}, got ${JSON.stringify(response.statusLine)}`,
  );
  assert.equal(response.headers['sec-websocket-accept'], undefined, 'a refusal must not carry Sec-WebSocket-Accept');
  if (closes) await response.closed();
  else response.socket.destroy();
}

/** The versions a Sec-WebSocket-Version response header lists. */
function versionsOf(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

describe('handshake', () => {
  const server = useEchoServer();

  it('H.1 a request without Sec-WebSocket-Key is refused with 400 and closed', async () => {
    const response = await rawHttp(
      server.port,
      upgradeRequest(server.port, { headers: { 'Sec-WebSocket-Key': undefined } }),
    );
    await assertRefused(response, 400);
    await assertStillServing(server.port);
  });

  it('H.2 a Sec-WebSocket-Key that is not 16 bytes of base64 ("abc") is refused with 400 and closed', async () => {
    const response = await rawHttp(
      server.port,
      upgradeRequest(server.port, { headers: { 'Sec-WebSocket-Key': 'abc' } }),
    );
    await assertRefused(response, 400);
    await assertStillServing(server.port);
  });

  it('H.3 a Sec-WebSocket-Key of 17 bytes in base64 is refused with 400 and closed', async () => {
    const key = randomBytes(17).toString('base64');
    const response = await rawHttp(server.port, upgradeRequest(server.port, { headers: { 'Sec-WebSocket-Key': key } }));
    await assertRefused(response, 400);
    await assertStillServing(server.port);
  });

  it('H.4 Sec-WebSocket-Version: 99 is refused with 426 and Sec-WebSocket-Version listing 13 (RFC 6455 §4.2.2, §4.4)', async () => {
    const response = await rawHttp(
      server.port,
      upgradeRequest(server.port, { headers: { 'Sec-WebSocket-Version': '99' } }),
    );
    await assertRefused(response, 426);
    assert.ok(
      versionsOf(response.headers['sec-websocket-version']).includes('13'),
      `Sec-WebSocket-Version: ${response.headers['sec-websocket-version']}`,
    );
    await assertStillServing(server.port);
  });

  it('H.5 a request without Sec-WebSocket-Version is refused with 426 and Sec-WebSocket-Version listing 13', async () => {
    const response = await rawHttp(
      server.port,
      upgradeRequest(server.port, { headers: { 'Sec-WebSocket-Version': undefined } }),
    );
    await assertRefused(response, 426);
    assert.ok(
      versionsOf(response.headers['sec-websocket-version']).includes('13'),
      `Sec-WebSocket-Version: ${response.headers['sec-websocket-version']}`,
    );
    await assertStillServing(server.port);
  });

  it('H.6 a POST with all the upgrade headers is refused with 405 (or 400), never 101', async () => {
    const response = await rawHttp(server.port, upgradeRequest(server.port, { method: 'POST' }));
    await assertRefused(response, [405, 400]);
    await assertStillServing(server.port);
  });

  it('H.7 a request without the Upgrade header is a plain HTTP request, never 101', async () => {
    const response = await rawHttp(server.port, upgradeRequest(server.port, { headers: { Upgrade: undefined } }));
    await assertRefused(response, [200, 400, 404, 426], { closes: false });
    await assertStillServing(server.port);
  });

  it('H.8 Upgrade: h2c on the echo path is never 101', async () => {
    const response = await rawHttp(server.port, upgradeRequest(server.port, { headers: { Upgrade: 'h2c' } }));
    await assertRefused(response, [200, 400, 426], { closes: false });
    await assertStillServing(server.port);
  });

  it('H.9 a request without Connection: Upgrade is never 101', async () => {
    const response = await rawHttp(server.port, upgradeRequest(server.port, { headers: { Connection: undefined } }));
    await assertRefused(response, [200, 400, 426], { closes: false });
    await assertStillServing(server.port);
  });

  it('H.10 random binary bytes instead of a request are answered with 400 and the connection is closed', async () => {
    // Deterministic "random" bytes that start with NUL, so no method can match.
    const garbage = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 151 + 0) & 0xff));
    const response = await rawHttp(server.port, Buffer.concat([garbage, Buffer.from('\r\n\r\n')]));
    await assertRefused(response, 400);
    await assertStillServing(server.port);
  });

  it('H.11 "HELLO\\r\\n\\r\\n" is answered with 400 and the connection is closed', async () => {
    const response = await rawHttp(server.port, 'HELLO\r\n\r\n');
    await assertRefused(response, 400);
    await assertStillServing(server.port);
  });

  it('H.12 a 64 KiB header is answered with 431 and the connection is closed', async () => {
    const response = await rawHttp(
      server.port,
      upgradeRequest(server.port, { headers: { 'X-Padding': 'a'.repeat(64 * 1024) } }),
    );
    await assertRefused(response, 431);
    await assertStillServing(server.port);
  });

  it('H.13 an upgrade on /nope is refused with 404 and closed', async () => {
    const response = await rawHttp(server.port, upgradeRequest(server.port, { path: '/nope' }));
    await assertRefused(response, 404);
    await assertStillServing(server.port);
  });

  it('H.14 an HTTP/1.1 upgrade without a Host header is refused with 400, never 101 (RFC 6455 §4.2.1 item 2; RFC 7230 §5.4)', async () => {
    const response = await rawHttp(server.port, upgradeRequest(server.port, { headers: { Host: undefined } }));
    await assertRefused(response, 400);
    await assertStillServing(server.port);
  });

  it('H.15 an HTTP/1.0 upgrade request is refused, never 101 (RFC 6455 §4.2.1 item 1: "HTTP/1.1 or higher")', async () => {
    const response = await rawHttp(server.port, upgradeRequest(server.port, { httpVersion: '1.0' }));
    await assertRefused(response, [400, 426, 505]);
    await assertStillServing(server.port);
  });

  it('H.16 header tokens are case-insensitive and Connection is a list: "upgrade: WebSocket", "connection: keep-alive, Upgrade" get 101', async () => {
    const key = randomBytes(16).toString('base64');
    const request = upgradeRequest(server.port, {
      headers: {
        Upgrade: undefined,
        Connection: undefined,
        'Sec-WebSocket-Key': key,
        upgrade: 'WebSocket',
        connection: 'keep-alive, Upgrade',
      },
    });
    const response = await rawHttp(server.port, request);
    assert.equal(response.statusCode, 101, response.statusLine);
    assert.equal(response.headers['sec-websocket-accept'], acceptFor(key));
    response.socket.destroy();
    await assertStillServing(server.port);
  });

  it('H.17 a valid handshake written one byte at a time is answered with 101 and the right Sec-WebSocket-Accept', async () => {
    const key = randomBytes(16).toString('base64');
    const response = await rawHttp(
      server.port,
      upgradeRequest(server.port, { headers: { 'Sec-WebSocket-Key': key } }),
      { byteByByte: true },
    );
    assert.equal(response.statusCode, 101, response.statusLine);
    assert.equal(response.headers['sec-websocket-accept'], acceptFor(key));
    response.socket.destroy();
    await assertStillServing(server.port);
  });
});

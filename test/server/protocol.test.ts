// server/protocol.ts holds the values the page imports instead of copying
// them. These tests hold the running server to the same values, so the page
// and the server cannot tell a client two different things.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  ECHO_PROTOCOL,
  type HandshakeReport,
  MONITOR_LIMITS,
  type PushMessage,
  SERVER_MESSAGE_TYPES,
  SHUTDOWN_CLOSE,
  TEXT_REPLY_PREFIX,
  WEBSOCKET_GUID,
  WS_PATHS,
} from '../../server/protocol.ts';
import { RawClient } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { closed, echoOf, openClient, receiveOne, refusedStatus } from '../support/ws-client.ts';

// Every field of each report; the Record makes the compiler ask for a new one here too.
const REPORT_FIELDS = Object.keys({
  type: true,
  instance: true,
  remoteAddress: true,
  remotePort: true,
  requestLine: true,
  headers: true,
  key: true,
  accept: true,
  protocol: true,
  extensions: true,
} satisfies Record<keyof HandshakeReport, true>).sort();
const PUSH_FIELDS = Object.keys({ type: true, counter: true, serverTime: true } satisfies Record<
  keyof PushMessage,
  true
>).sort();

describe('the server speaks what protocol.ts says', () => {
  const s = useEchoServer();

  const urlOf = (path: string) => new URL(path, s.wsUrl).href;

  it('chooses ECHO_PROTOCOL among offered ones, and prefixes text with TEXT_REPLY_PREFIX except on /raw', async () => {
    const echo = await openClient(urlOf(WS_PATHS.echo), ['chat', ECHO_PROTOCOL]);
    assert.equal(echo.protocol, ECHO_PROTOCOL);
    assert.equal((await echoOf(echo, 'hi')).data.toString(), `${TEXT_REPLY_PREFIX}hi`);

    const raw = await openClient(urlOf(WS_PATHS.raw));
    assert.equal((await echoOf(raw, 'hi')).data.toString(), 'hi');
  });

  it('answers every one of WS_PATHS, and no other path', async () => {
    // /monitor needs the token of the connection it watches.
    const query = (path: string) =>
      path === WS_PATHS.monitor ? `?monitor=${'t'.repeat(MONITOR_LIMITS.tokenMinLength)}` : '';
    for (const path of Object.values(WS_PATHS)) (await openClient(urlOf(`${path}${query(path)}`))).close();
    assert.equal(await refusedStatus(urlOf('/elsewhere')), 404);
  });

  it("sends /inspect's report with exactly HandshakeReport's fields and an accept made with WEBSOCKET_GUID", async () => {
    // Raw, because the report comes right after the 101, before a ws client could listen for it.
    const client = await RawClient.connect(s.port, { path: WS_PATHS.inspect });
    const report = JSON.parse((await client.nextFrame()).payload.toString()) as HandshakeReport;
    client.destroy();
    assert.deepEqual(Object.keys(report).sort(), REPORT_FIELDS);
    assert.ok(SERVER_MESSAGE_TYPES.has(report.type));
    const expected = createHash('sha1')
      .update(report.key + WEBSOCKET_GUID)
      .digest('base64');
    assert.equal(report.accept, expected);
  });

  it("pushes messages with exactly PushMessage's fields, of a type the page knows", async () => {
    const ws = await openClient(`${urlOf(WS_PATHS.push)}?interval=100`);
    const message = JSON.parse((await receiveOne(ws)).data.toString()) as PushMessage;
    assert.deepEqual(Object.keys(message).sort(), PUSH_FIELDS);
    assert.ok(SERVER_MESSAGE_TYPES.has(message.type));
  });

  it('closes with 1009 above DEFAULT_MAX_MESSAGE_BYTES when no limit is configured', async () => {
    const ws = await openClient(s.wsUrl);
    const closeInfo = closed(ws);
    ws.send(Buffer.alloc(DEFAULT_MAX_MESSAGE_BYTES + 1));
    assert.equal((await closeInfo).code, 1009);
  });
});

describe('a server going away', () => {
  const s = useEchoServer();

  it('closes its clients with SHUTDOWN_CLOSE', async () => {
    const ws = await openClient(s.wsUrl);
    const closeInfo = closed(ws);
    await s.server.close();
    assert.deepEqual(await closeInfo, SHUTDOWN_CLOSE);
  });
});

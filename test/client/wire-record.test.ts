// What the page takes from /monitor and keeps: the events of docs/monitor.md
// as the server really sends them (from its own tap and hub, over a real
// socket), nothing malformed, and a bounded record for the cards.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WatchStatus, WatcherEvents } from '../../client/frame-watcher.ts';
import { Emitter } from '../../client/emitter.ts';
import { parseMonitorEvent } from '../../client/monitor-events.ts';
import { KEPT_EVENTS, WireRecord } from '../../client/wire-record.ts';
import type { MonitorEvent } from '../../server/protocol.ts';
import { MonitorWatcher, newToken } from '../support/monitor-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { withTimeout } from '../support/wait.ts';
import { closed, echoOf, openClient } from '../support/ws-client.ts';

class FakeWatcher extends Emitter<WatcherEvents> {
  status: WatchStatus = { state: 'connecting' };
  fire<K extends keyof WatcherEvents>(name: K, ...args: Parameters<WatcherEvents[K]>): void {
    this.emit(name, ...args);
  }
}

describe('parseMonitorEvent', () => {
  const server = useEchoServer();

  it("takes every event a real server sends about a connection's life", async () => {
    const token = newToken();
    const watcher = await MonitorWatcher.open(server.wsUrl, token);
    const client = await openClient(`${server.wsUrl}?monitor=${token}&fragment=4`, 'echo-protocol');
    await echoOf(client, 'Hi there');
    const ponged = new Promise((resolve) => client.once('pong', resolve));
    client.ping('1');
    await withTimeout(ponged, 'the pong');
    const gone = closed(client);
    client.close(1000, 'done');
    await gone;
    await watcher.until((events) => events.some((event) => event.type === 'closed'), 'the closed event');
    // What the page's watcher receives: the server's JSON text, one event a message.
    const texts = watcher.events.map((event) => JSON.stringify(event));

    const events = texts.map(parseMonitorEvent);
    assert.ok(
      events.every((event) => event !== undefined),
      texts.join('\n'),
    );
    assert.deepEqual(
      (events as MonitorEvent[]).map((event) =>
        event.type === 'frame' ? `${event.direction} ${event.opcodeName}` : event.type,
      ),
      [
        'handshake',
        'client text',
        'server text',
        // "Received: Hi there" is 18 bytes: 4 + 4 + 4 + 4 + 2.
        'server continuation',
        'server continuation',
        'server continuation',
        'server continuation',
        'client ping',
        'server pong',
        'client close',
        'server close',
        'closed',
      ],
    );
  });

  it('skips what is not an event of the expected shape', () => {
    const frame = {
      type: 'frame',
      seq: 2,
      at: 1,
      connection: 1,
      direction: 'server',
      fin: true,
      rsv1: false,
      rsv2: false,
      rsv3: false,
      opcode: 9,
      opcodeName: 'ping',
      masked: false,
      payloadLength: 1,
      lengthForm: 7,
      payloadHex: '31',
      truncated: false,
      text: '1',
    };
    assert.deepEqual(parseMonitorEvent(JSON.stringify(frame)), frame);
    for (const bad of [
      'not json',
      'null',
      '[]',
      JSON.stringify({ ...frame, type: 'frames' }),
      JSON.stringify({ ...frame, seq: '2' }),
      JSON.stringify({ ...frame, direction: 'both' }),
      JSON.stringify({ ...frame, fin: 1 }),
      JSON.stringify({ ...frame, payloadHex: undefined }),
      JSON.stringify({ ...frame, maskingKey: 'ab' }),
      JSON.stringify({ ...frame, text: 3 }),
      JSON.stringify({ ...frame, close: { code: '1000', reason: '' } }),
      JSON.stringify({ type: 'handshake', seq: 1, at: 1, connection: 1, request: 'GET /', status: 101 }),
      JSON.stringify({ type: 'closed', seq: 1, at: 1, connection: 1, by: 'client', reason: '' }),
      JSON.stringify({ type: 'closed', seq: 1, at: 1, connection: 1, by: 'nobody', code: 1000, reason: '' }),
    ]) {
      assert.equal(parseMonitorEvent(bad), undefined, bad);
    }
  });
});

describe('WireRecord', () => {
  const event = (seq: number, fields: Record<string, unknown> = {}) =>
    ({ type: 'dropped', seq, at: 0, connection: 1, ...fields }) as MonitorEvent;

  it('keeps the newest events, the newest handshake and the browser’s last text frame', () => {
    const watcher = new FakeWatcher();
    const record = new WireRecord(watcher);
    const seen: MonitorEvent[] = [];
    record.on('event', (e) => seen.push(e));
    const handshake = event(1, { type: 'handshake', request: 'GET /', response: 'HTTP/1.1 101', status: 101 });
    const text = event(2, { type: 'frame', direction: 'client', opcode: 1 });
    watcher.fire('event', handshake);
    watcher.fire('event', text);
    watcher.fire('event', event(3, { type: 'frame', direction: 'server', opcode: 1 }));
    watcher.fire('event', event(4, { type: 'frame', direction: 'client', opcode: 10 }));
    assert.equal(record.handshake, handshake);
    assert.equal(record.lastTextSent, text);
    for (let seq = 5; seq < 5 + KEPT_EVENTS; seq++) watcher.fire('event', event(seq));
    assert.equal(record.events.length, KEPT_EVENTS);
    assert.equal(record.events[0]!.seq, 5);
    assert.equal(seen.length, 4 + KEPT_EVENTS);
    assert.equal(record.handshake, handshake);
  });

  it("follows the watcher's status", () => {
    const watcher = new FakeWatcher();
    const record = new WireRecord(watcher);
    assert.deepEqual(record.status, { state: 'connecting' });
    const statuses: WatchStatus[] = [];
    record.on('status', (status) => statuses.push(status));
    watcher.fire('status', { state: 'watching' });
    watcher.fire('status', { state: 'ended', code: 1001, reason: 'server shutting down' });
    assert.deepEqual(record.status, { state: 'ended', code: 1001, reason: 'server shutting down' });
    assert.equal(statuses.length, 2);
  });
});

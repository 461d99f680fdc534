// The session behind the log, stats and export, driven by a stand-in for the
// connection: what it records for each event, round trips by order, the
// 10000-entry cap, how much of each binary message it keeps, and which words
// follow the page's language.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ReadyState, type ConnectionEvents, type EchoConnection, type SendableData } from '../../client/connection.ts';
import { Emitter } from '../../client/emitter.ts';
import { useLanguage } from '../../client/i18n/translate.ts';
import { DETAIL_BYTES, MAX_ENTRIES, PREVIEW_BYTES, Session, type LogEntry } from '../../client/session.ts';
import { servingCatalogues } from './catalogues.ts';

class FakeConnection extends Emitter<ConnectionEvents> {
  url = 'ws://127.0.0.1:1234/';
  protocols = ['echo-protocol'];
  open = true;
  readonly sent: SendableData[] = [];

  /** Plays the part of the browser: reports `name` as the real connection would. */
  fire<K extends keyof ConnectionEvents>(name: K, ...args: Parameters<ConnectionEvents[K]>): void {
    this.emit(name, ...args);
  }

  send(data: SendableData): boolean {
    if (this.open) this.sent.push(data);
    return this.open;
  }
}

function setup() {
  const connection = new FakeConnection();
  const session = new Session(connection as unknown as EchoConnection);
  return { connection, session };
}

interface ExportedEntry {
  id: number;
  direction: string;
  kind: string;
  size: number;
  rtt: number | null;
  text?: string;
  hexPreview?: string;
  previewBytes?: number;
}

describe('Session', () => {
  it('logs the connection events in the words the page has always used', () => {
    const { connection, session } = setup();
    connection.fire('state', ReadyState.CONNECTING);
    connection.fire('open', { url: connection.url, protocol: 'echo-protocol' });
    connection.fire('error');
    connection.fire('close', { code: 1006, reason: '', wasClean: false, requested: false });
    assert.deepEqual(
      session.entries.map((e) => [e.direction, e.kind, e.error, e.text]),
      [
        ['event', 'event', false, 'connecting to ws://127.0.0.1:1234/, offering subprotocol echo-protocol'],
        ['event', 'event', false, 'open: connected to ws://127.0.0.1:1234/, subprotocol echo-protocol'],
        ['event', 'event', true, 'error event: the browser gives no details; the close event has the code'],
        ['event', 'event', true, 'close: code 1006 (Abnormal Closure), reason (none), wasClean false'],
      ],
    );
  });

  it('counts messages and UTF-8 bytes each way and times echo replies first in, first out', () => {
    const { connection, session } = setup();
    connection.fire('state', ReadyState.CONNECTING);
    assert.equal(session.send('héllo', 'héllo'), true);
    assert.equal(session.send('€', '€'), true);
    connection.fire('message', '{"type":"push","counter":1,"serverTime":"x"}');
    connection.fire('message', 'Received: héllo');
    connection.fire('message', 'Received: €');
    const received = session.entries.filter((e) => e.direction === 'received');
    assert.deepEqual(
      received.map((e) => e.rtt === undefined),
      [true, false, false],
    );
    assert.equal(session.stats.sentMessages, 2);
    assert.equal(session.stats.sentBytes, 6 + 3);
    assert.equal(session.stats.receivedMessages, 3);
    assert.equal(session.stats.rttCount, 2);

    connection.open = false;
    assert.equal(session.send('not sent', 'not sent'), false);
    assert.equal(session.stats.sentMessages, 2);
  });

  it(`keeps the newest ${MAX_ENTRIES} entries, counts the dropped, and exports what it keeps`, () => {
    const { session } = setup();
    const dropped: LogEntry[] = [];
    session.on('dropped', (entry) => dropped.push(entry));
    for (let i = 1; i <= MAX_ENTRIES + 5; i++) session.note(`note ${i}`);
    assert.equal(session.entries.length, MAX_ENTRIES);
    assert.equal(session.dropped, 5);
    assert.deepEqual(
      dropped.map((e) => e.text),
      ['note 1', 'note 2', 'note 3', 'note 4', 'note 5'],
    );
    const exported = session.toJSON() as { entryCount: number; droppedEntries: number; entries: ExportedEntry[] };
    assert.equal(exported.entryCount, MAX_ENTRIES);
    assert.equal(exported.droppedEntries, 5);
    assert.equal(exported.entries[0]!.id, 6);
    assert.equal(exported.entries.at(-1)!.text, `note ${MAX_ENTRIES + 5}`);
  });

  it('keeps up to 64 KiB of the newest binary messages and 256 bytes of older ones', async () => {
    const { connection, session } = setup();
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    session.send(big.buffer, 'big');
    const first = session.entries[0]!;
    assert.equal(first.bytes?.length, DETAIL_BYTES);
    assert.equal(first.size, 100_000);

    // A Blob is read asynchronously; the 'bytes' event says when.
    const read = new Promise<LogEntry>((resolve) =>
      session.on('bytes', (entry) => entry.direction === 'received' && resolve(entry)),
    );
    connection.fire('message', new Blob([new Uint8Array([0xde, 0xad, 0xbe, 0xef])]));
    assert.equal((await read).id, session.entries[1]!.id);
    assert.deepEqual([...(session.entries[1]!.bytes ?? [])], [0xde, 0xad, 0xbe, 0xef]);

    for (let i = 0; i < 15; i++) session.send(new ArrayBuffer(300), `filler ${i}`);
    assert.equal(first.bytes?.length, PREVIEW_BYTES);
    assert.deepEqual([...first.bytes!], [...big.subarray(0, PREVIEW_BYTES)]);

    const exported = session.toJSON() as { entries: ExportedEntry[] };
    assert.equal(exported.entries[0]!.previewBytes, PREVIEW_BYTES);
    assert.match(exported.entries[0]!.hexPreview!, /^00 01 02 03 /);
    assert.equal(exported.entries[1]!.hexPreview, 'de ad be ef');
    assert.equal(exported.entries[1]!.kind, 'binary');
  });

  describe('after a change of language', () => {
    const stopServing = servingCatalogues();
    after(async () => {
      await useLanguage('en');
      stopServing();
    });

    it('reads events and binary descriptions in the new language, and messages as they were', async () => {
      const { connection, session } = setup();
      connection.fire('open', { url: connection.url, protocol: '' });
      connection.fire('message', 'Received: hello');
      connection.fire('message', new ArrayBuffer(3));
      connection.fire('close', { code: 1000, reason: 'bye', wasClean: true, requested: true });
      const texts = () => session.entries.map((e) => e.text);
      assert.deepEqual(texts(), [
        'open: connected to ws://127.0.0.1:1234/, subprotocol (none)',
        'Received: hello',
        'ArrayBuffer, 3 bytes',
        'close: code 1000 (Normal Closure), reason "bye", wasClean true',
      ]);
      assert.equal(await useLanguage('zh-CN'), undefined);
      assert.deepEqual(texts(), [
        'open：已连接到 ws://127.0.0.1:1234/，子协议 无',
        'Received: hello',
        'ArrayBuffer，3 字节',
        'close：关闭码 1000（正常关闭），原因 "bye"，wasClean true',
      ]);
      // The export says it in the page's language too; the data stays the same.
      const exported = session.toJSON() as { entries: ExportedEntry[] };
      assert.equal(exported.entries[0]!.text, 'open：已连接到 ws://127.0.0.1:1234/，子协议 无');
      assert.equal(exported.entries[1]!.text, 'Received: hello');
    });
  });
});

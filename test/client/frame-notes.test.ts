// What the log says about frames a script never sees, from the monitor's
// events: ping, pong and close in words, and messages that crossed in
// fragments (fragment=N), noted once their last frame is in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Emitter } from '../../client/emitter.ts';
import { controlFrameText, FragmentCounter, logFrames } from '../../client/frame-notes.ts';
import type { WatcherEvents } from '../../client/frame-watcher.ts';
import type { MonitorEvent, MonitorFrame } from '../../server/protocol.ts';

let seq = 0;
/** A frame event as the monitor sends it; `text` also fills the payload's hex. */
function frame(fields: Partial<MonitorFrame> & Pick<MonitorFrame, 'opcode' | 'opcodeName'>): MonitorFrame {
  const text = fields.text ?? '';
  const payloadHex = fields.payloadHex ?? Buffer.from(text).toString('hex');
  return {
    type: 'frame',
    seq: ++seq,
    at: 0,
    connection: 1,
    direction: 'server',
    fin: true,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    masked: false,
    payloadLength: payloadHex.length / 2,
    lengthForm: 7,
    payloadHex,
    truncated: false,
    ...fields,
  };
}

class FakeWatcher extends Emitter<WatcherEvents> {
  fire(event: MonitorEvent): void {
    this.emit('event', event);
  }
}

describe('controlFrameText', () => {
  it('names the control frame and what it carries', () => {
    assert.equal(controlFrameText(frame({ opcode: 9, opcodeName: 'ping', text: '1' })), 'ping, payload "1"');
    assert.equal(controlFrameText(frame({ opcode: 10, opcodeName: 'pong', text: '' })), 'pong, no payload');
    assert.equal(
      controlFrameText(frame({ opcode: 9, opcodeName: 'ping', payloadHex: 'deadbeef' })),
      'ping, payload 0xdeadbeef',
    );
    assert.equal(
      controlFrameText(
        frame({ opcode: 8, opcodeName: 'close', payloadHex: '03e8646f6e65', close: { code: 1000, reason: 'done' } }),
      ),
      'close, code 1000 (Normal Closure), reason "done"',
    );
    assert.equal(
      controlFrameText(
        frame({ opcode: 8, opcodeName: 'close', payloadHex: '03f3', close: { code: 1011, reason: '' } }),
      ),
      'close, code 1011 (Internal Error)',
    );
    assert.equal(controlFrameText(frame({ opcode: 8, opcodeName: 'close' })), 'close, no status code');
  });
});

/** What the counter notes for `frame`, worded now. */
function added(counter: FragmentCounter, next: MonitorFrame): { bytes: number; text: string } | undefined {
  const note = counter.add(next);
  return note && { bytes: note.bytes, text: typeof note.text === 'string' ? note.text : note.text() };
}

describe('FragmentCounter', () => {
  it('notes a message that came in fragments once its FIN frame is in, with its sizes and text', () => {
    const counter = new FragmentCounter();
    assert.equal(added(counter, frame({ opcode: 1, opcodeName: 'text', text: 'Received', fin: false })), undefined);
    // A control frame may come between fragments (RFC 6455 5.4); it is not one of them.
    assert.equal(added(counter, frame({ opcode: 9, opcodeName: 'ping', text: '1' })), undefined);
    assert.equal(
      added(counter, frame({ opcode: 0, opcodeName: 'continuation', text: ': Hi the', fin: false })),
      undefined,
    );
    assert.deepEqual(added(counter, frame({ opcode: 0, opcodeName: 'continuation', text: 're' })), {
      bytes: 18,
      text: 'the server sent this message as 3 fragments (8 + 8 + 2 bytes): "Received: Hi there"',
    });
  });

  it('says nothing of a message in one frame, and tells binary and the browser’s frames apart', () => {
    const counter = new FragmentCounter();
    assert.equal(added(counter, frame({ opcode: 1, opcodeName: 'text', text: 'whole' })), undefined);
    added(counter, frame({ opcode: 2, opcodeName: 'binary', payloadHex: 'dead', fin: false, direction: 'client' }));
    assert.deepEqual(
      added(counter, frame({ opcode: 0, opcodeName: 'continuation', payloadHex: 'beef', direction: 'client' })),
      { bytes: 4, text: 'the browser sent this message as 2 fragments (2 + 2 bytes)' },
    );
  });

  it('keeps the connections of one token apart, and cuts a long list of sizes short', () => {
    const counter = new FragmentCounter();
    added(counter, frame({ opcode: 1, opcodeName: 'text', text: 'a', fin: false, connection: 1 }));
    added(counter, frame({ opcode: 1, opcodeName: 'text', text: 'x', fin: false, connection: 2 }));
    for (let i = 0; i < 19; i++)
      added(counter, frame({ opcode: 0, opcodeName: 'continuation', text: 'b', fin: false }));
    assert.deepEqual(added(counter, frame({ opcode: 0, opcodeName: 'continuation', text: 'c' })), {
      bytes: 21,
      text: `the server sent this message as 21 fragments (1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + … bytes, 21 in all): "a${'b'.repeat(19)}c"`,
    });
    assert.deepEqual(added(counter, frame({ opcode: 0, opcodeName: 'continuation', text: 'y', connection: 2 })), {
      bytes: 2,
      text: 'the server sent this message as 2 fragments (1 + 1 bytes): "xy"',
    });
  });
});

describe('logFrames', () => {
  it("logs control frames and fragmented messages from the page's side, and nothing else", () => {
    const watcher = new FakeWatcher();
    const logged: unknown[][] = [];
    // A line is worded when read, so it follows a change of language.
    logFrames(watcher, {
      logWire: (...args) => logged.push(args.map((arg) => (typeof arg === 'function' ? arg() : arg))),
    });
    watcher.fire({
      type: 'handshake',
      seq: 1,
      at: 0,
      connection: 1,
      request: 'GET /',
      response: 'HTTP/1.1 101',
      status: 101,
    });
    watcher.fire(frame({ opcode: 1, opcodeName: 'text', text: 'Hi', direction: 'client', masked: true }));
    watcher.fire(frame({ opcode: 9, opcodeName: 'ping', text: '1' }));
    watcher.fire(frame({ opcode: 10, opcodeName: 'pong', text: '1', direction: 'client', masked: true }));
    watcher.fire(frame({ opcode: 1, opcodeName: 'text', text: 'Rec', fin: false }));
    watcher.fire(frame({ opcode: 0, opcodeName: 'continuation', text: 'eived: Hi' }));
    watcher.fire({ type: 'dropped', seq: 99, at: 0, connection: 1 });
    assert.deepEqual(logged, [
      ['received', 'control', 1, 'ping, payload "1"'],
      ['sent', 'control', 1, 'pong, payload "1"'],
      ['received', 'fragments', 12, 'the server sent this message as 2 fragments (3 + 9 bytes): "Received: Hi"'],
    ]);
  });
});

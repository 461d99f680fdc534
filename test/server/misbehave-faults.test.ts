// Misbehave on request, once open: each URL parameter does what the table in
// server/misbehave.ts says, seen through a real client (ws) and, where the
// frames themselves are the point, through raw TCP.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { open } from '../support/frame-assertions.ts';
import { closePayload, type Frame, Opcode, parseClose } from '../support/frames.ts';
import { destroyRawConnections, type RawClient } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { delay, waitFor, withTimeout } from '../support/wait.ts';

const s = useEchoServer();
// Each test's clients go when it ends: a /push or ?ping_ms one left open would tick into the next test's counts.
afterEach(() => {
  for (const recorder of recorders) recorder.ws.terminate();
  recorders.clear();
  destroyRawConnections();
});

const recorders = new Set<Recorder>();

interface Message {
  text: string;
  data: Buffer;
  isBinary: boolean;
  /** performance.now() on arrival. */
  at: number;
}

/**
 * A ws client that records everything from the moment it is created: a
 * message or a close can arrive in the same read as the 101, before an
 * awaited 'open' would resume.
 */
class Recorder {
  readonly ws: WebSocket;
  readonly createdAt = performance.now();
  readonly messages: Message[] = [];
  readonly pings: Array<{ payload: string; at: number }> = [];
  readonly pongs: string[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string; at: number }>;
  readonly #waiters = new Set<() => void>();

  constructor(url: string, options?: ClientOptions) {
    this.ws = new WebSocket(url, options);
    recorders.add(this);
    this.ws.on('error', () => {});
    this.ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = data as Buffer;
      this.messages.push({ text: bytes.toString(), data: bytes, isBinary, at: performance.now() });
      this.#notify();
    });
    this.ws.on('ping', (payload: Buffer) => this.pings.push({ payload: payload.toString(), at: performance.now() }));
    this.ws.on('pong', (payload: Buffer) => this.pongs.push(payload.toString()));
    this.opened = withTimeout(
      new Promise((resolve, reject) => {
        this.ws.once('open', resolve);
        this.ws.once('unexpected-response', (_req, res) => reject(new Error(`answered ${res.statusCode}`)));
      }),
      `the handshake with ${url}`,
    );
    this.closed = withTimeout(
      new Promise((resolve) => {
        this.ws.once('close', (code: number, reason: Buffer) => {
          resolve({ code, reason: reason.toString(), at: performance.now() });
          this.#notify();
        });
      }),
      `the close of ${url}`,
    );
  }

  /** Resolves with the first `count` messages once they are all in; rejects if the connection closes first. */
  async first(count: number): Promise<Message[]> {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (this.messages.length >= count) resolve();
          else if (this.ws.readyState === WebSocket.CLOSED)
            reject(new Error(`closed after ${this.messages.length} of ${count} messages`));
          else return;
          this.#waiters.delete(check);
        };
        this.#waiters.add(check);
        check();
      }),
      `${count} message(s)`,
    );
    return this.messages.slice(0, count);
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

function record(path: string, options?: ClientOptions): Recorder {
  return new Recorder(`${s.wsUrl}${path.replace(/^\//, '')}`, options);
}

/** Every frame the server sends until it closes TCP; also whether it ended (FIN) rather than reset. */
async function framesUntilClosed(client: RawClient): Promise<Frame[]> {
  const frames: Frame[] = [];
  const closed = client.closed().then(() => 'closed' as const);
  for (;;) {
    const next = await Promise.race([client.nextFrame().catch(() => undefined), closed]);
    if (next === 'closed' || next === undefined) break;
    frames.push(next);
  }
  await closed;
  // Frames decoded in the last read before the close are still queued.
  for (;;) {
    const frame = await client.nextFrame(0).catch(() => undefined);
    if (!frame) break;
    frames.push(frame);
  }
  return frames;
}

/** The next `count` frames from a raw client. */
async function nextFrames(client: RawClient, count: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (let i = 0; i < count; i++) frames.push(await client.nextFrame());
  return frames;
}

/** A raw client's masked text message. */
function sendText(client: RawClient, text: string): void {
  client.send({ opcode: Opcode.text, payload: text });
}

function openRaw(path: string): Promise<RawClient> {
  return open(s.port, { path });
}

/** The shape of a fragmented message: [opcode, fin, payload length] per frame. */
function shape(frames: Frame[]): Array<[number, boolean, number]> {
  return frames.map((f) => [f.opcode, f.fin, f.payload.length]);
}

describe('close', () => {
  it('closes right after the open with the code and reason asked for', async () => {
    const client = record('/?close=4001&reason=bye');
    assert.deepEqual(await client.closed.then(({ code, reason }) => ({ code, reason })), { code: 4001, reason: 'bye' });
    assert.equal(client.messages.length, 0);
  });

  it('sends a real close frame (raw TCP)', async () => {
    const client = await openRaw(`/raw?close=1011&reason=${encodeURIComponent('tschüss')}`);
    assert.deepEqual(parseClose(await client.nextFrame()), { code: 1011, reason: 'tschüss' });
    client.send({ opcode: Opcode.close, payload: closePayload(1011) });
    assert.deepEqual(await framesUntilClosed(client), [], 'nothing after the close frame');
  });

  it('?after=2&close=4001&reason=bye: two replies, then the close', async () => {
    const client = record('/?after=2&close=4001&reason=bye');
    await client.opened;
    for (const text of ['a', 'b', 'c']) client.ws.send(text);
    const { code, reason } = await client.closed;
    assert.deepEqual(
      client.messages.map((m) => m.text),
      ['Received: a', 'Received: b'],
    );
    assert.deepEqual({ code, reason }, { code: 4001, reason: 'bye' });
  });

  it("counts echo replies only: not the greeting, /inspect's report or /push's ticks", async () => {
    const inspect = record('/inspect?greeting=g&after=1&close=4000');
    const [greeting, report] = await inspect.first(2);
    assert.equal(greeting!.text, 'g');
    assert.equal(JSON.parse(report!.text).type, 'inspect');
    await delay(100);
    assert.equal(inspect.ws.readyState, WebSocket.OPEN, 'greeting and report did not fire the trigger');
    inspect.ws.send('x');
    assert.equal((await inspect.closed).code, 4000);
    assert.deepEqual(
      inspect.messages.slice(2).map((m) => m.text),
      ['Received: x'],
    );

    const push = record('/push?interval=100&after=1&close=4002');
    await push.first(2);
    assert.equal(push.ws.readyState, WebSocket.OPEN, 'two ticks did not fire the trigger');
    push.ws.send('y');
    assert.equal((await push.closed).code, 4002);
    assert.ok(push.messages.some((m) => m.text === 'Received: y'));
  });

  it('?after_ms fires at that time, echoing until then', async () => {
    const client = record('/raw?close=1000&after_ms=150');
    await client.opened;
    client.ws.send('still here');
    assert.equal((await client.first(1))[0]!.text, 'still here');
    const { code, at } = await client.closed;
    assert.equal(code, 1000);
    const elapsed = at - client.createdAt;
    assert.ok(elapsed >= 140, `closed after ${elapsed.toFixed(0)} ms`);
  });
});

describe('drop', () => {
  it('cuts TCP without a close frame: a ws client sees 1006', async () => {
    const client = record('/?drop');
    const { code } = await client.closed;
    assert.equal(code, 1006);
    assert.equal(client.messages.length, 0);
  });

  it('sends no close frame at all; the server just ends the socket (raw TCP)', async () => {
    const client = await openRaw('/?drop=1');
    const frames = await framesUntilClosed(client);
    assert.deepEqual(frames, []);
    assert.equal(client.serverEnded, true, 'the server ended (FIN) the connection');
  });

  it('?after=1&drop: one reply, then the cut, the reply not lost', async () => {
    const client = await openRaw('/raw?after=1&drop');
    sendText(client, 'one');
    sendText(client, 'two');
    const frames = await framesUntilClosed(client);
    assert.deepEqual(
      frames.map((f) => [f.opcode, f.payload.toString()]),
      [[Opcode.text, 'one']],
    );
    assert.equal(client.serverEnded, true);
  });

  it('?greeting=hi&drop&after_ms=100: the greeting, then 1006 after 100 ms', async () => {
    const client = record('/?greeting=hi&drop&after_ms=100');
    const { code, at } = await client.closed;
    assert.equal(code, 1006);
    assert.deepEqual(
      client.messages.map((m) => m.text),
      ['hi'],
    );
    assert.ok(at - client.createdAt >= 90, `dropped after ${(at - client.createdAt).toFixed(0)} ms`);
  });
});

describe('delay_ms', () => {
  it('holds every reply that long', async () => {
    const client = record('/?delay_ms=150');
    await client.opened;
    const sentAt = performance.now();
    client.ws.send('later');
    const [reply] = await client.first(1);
    assert.equal(reply!.text, 'Received: later');
    assert.ok(reply!.at - sentAt >= 140, `replied after ${(reply!.at - sentAt).toFixed(0)} ms`);
  });

  it('keeps the replies in order, text and binary, small and large', async () => {
    const client = record('/raw?delay_ms=50');
    await client.opened;
    const big = Buffer.alloc(70_000, 7);
    const sent: Array<[string | Buffer, boolean]> = [
      ['one', false],
      [big, true],
      ['', false],
      [Buffer.from([1]), true],
      ['five', false],
    ];
    for (const [data, binary] of sent) client.ws.send(data, { binary });
    await delay(20);
    client.ws.send('six, sent later');
    const replies = await client.first(6);
    assert.deepEqual(
      replies.map((m) => [m.isBinary, m.data.length]),
      [
        [false, 3],
        [true, 70_000],
        [false, 0],
        [true, 1],
        [false, 4],
        [false, 15],
      ],
    );
    assert.ok(replies[1]!.data.equals(big));
    assert.equal(replies[5]!.text, 'six, sent later');
  });

  it('?delay_ms=200&fragment=3: the reply comes late, and in 3-byte frames (raw TCP)', async () => {
    const client = await openRaw('/?delay_ms=200&fragment=3');
    const sentAt = performance.now();
    sendText(client, 'hello');
    const frames = await nextFrames(client, 5);
    const elapsed = performance.now() - sentAt;
    assert.ok(elapsed >= 190, `first frame after ${elapsed.toFixed(0)} ms`);
    assert.deepEqual(shape(frames), [
      [Opcode.text, false, 3],
      [Opcode.continuation, false, 3],
      [Opcode.continuation, false, 3],
      [Opcode.continuation, false, 3],
      [Opcode.continuation, true, 3],
    ]);
    assert.equal(Buffer.concat(frames.map((f) => f.payload)).toString(), 'Received: hello');
  });

  it('?delay_ms=100&after=2&close=4000: the close waits behind the delayed replies', async () => {
    const client = record('/?delay_ms=100&after=2&close=4000');
    await client.opened;
    client.ws.send('a');
    client.ws.send('b');
    const { code } = await client.closed;
    assert.equal(code, 4000);
    assert.deepEqual(
      client.messages.map((m) => m.text),
      ['Received: a', 'Received: b'],
    );
  });

  it('drops what is still waiting when the client closes, and sends nothing after', async () => {
    const client = record('/?delay_ms=200');
    await client.opened;
    client.ws.send('never answered');
    const sentBefore = s.server.metrics.sent.text.messages;
    client.ws.close(1000);
    assert.equal((await client.closed).code, 1000);
    await delay(300);
    assert.equal(s.server.metrics.sent.text.messages, sentBefore);
    assert.equal(client.messages.length, 0);
  });
});

describe('fragment', () => {
  it('splits a binary reply into frames of at most n bytes: binary opcode first, then continuations (raw TCP)', async () => {
    const client = await openRaw('/raw?fragment=4');
    client.send({ opcode: Opcode.binary, payload: Buffer.from('0123456789') });
    const frames = await nextFrames(client, 3);
    assert.deepEqual(shape(frames), [
      [Opcode.binary, false, 4],
      [Opcode.continuation, false, 4],
      [Opcode.continuation, true, 2],
    ]);
    assert.equal(Buffer.concat(frames.map((f) => f.payload)).toString(), '0123456789');
    assert.ok(
      frames.every((f) => !f.masked && !f.rsv1 && !f.rsv2 && !f.rsv3),
      'server frames are unmasked, no RSV bits',
    );
  });

  it('sends a message that fits as one frame, and an empty one as one empty frame', async () => {
    const client = await openRaw('/raw?fragment=5');
    sendText(client, '12345');
    sendText(client, '');
    sendText(client, '1234567890');
    assert.deepEqual(shape(await nextFrames(client, 4)), [
      [Opcode.text, true, 5],
      [Opcode.text, true, 0],
      [Opcode.text, false, 5],
      [Opcode.continuation, true, 5],
    ]);
  });

  it('takes frames up to 65536 bytes', async () => {
    const client = await openRaw('/raw?fragment=65536');
    client.send({ opcode: Opcode.binary, payload: Buffer.alloc(70_000, 1) });
    assert.deepEqual(shape(await nextFrames(client, 2)), [
      [Opcode.binary, false, 65_536],
      [Opcode.continuation, true, 4_464],
    ]);
  });

  it('splits UTF-8 characters across frames and a real client still reads the text whole', async () => {
    const client = record('/raw?fragment=1');
    await client.opened;
    const text = '你好 👋🏽 héllo';
    client.ws.send(text);
    const [reply] = await client.first(1);
    assert.equal(reply!.text, text);
    assert.equal(reply!.isBinary, false);
  });

  it('sends a large message one byte a frame without losing a byte (raw TCP)', async () => {
    const client = await openRaw('/raw?fragment=1');
    const payload = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    client.send({ opcode: Opcode.binary, payload });
    const frames = await nextFrames(client, 3000);
    assert.equal(frames[0]!.opcode, Opcode.binary);
    assert.ok(frames.slice(1).every((f) => f.opcode === Opcode.continuation));
    assert.ok(frames.every((f, i) => f.payload.length === 1 && f.fin === (i === 2999)));
    assert.ok(Buffer.concat(frames.map((f) => f.payload)).equals(payload));
    // Still in step afterwards.
    sendText(client, 'ok');
    assert.deepEqual(shape(await nextFrames(client, 2)), [
      [Opcode.text, false, 1],
      [Opcode.continuation, true, 1],
    ]);
  });

  it("fragments the server's own messages too: the greeting, /inspect's report, /push's ticks", async () => {
    const inspect = await openRaw(`/inspect?greeting=hello&fragment=2`);
    assert.deepEqual(shape(await nextFrames(inspect, 3)), [
      [Opcode.text, false, 2],
      [Opcode.continuation, false, 2],
      [Opcode.continuation, true, 1],
    ]);
    const report: Frame[] = [];
    do report.push(await inspect.nextFrame());
    while (!report.at(-1)!.fin);
    assert.ok(report.length > 10);
    assert.equal(report[0]!.opcode, Opcode.text);
    assert.equal(JSON.parse(Buffer.concat(report.map((f) => f.payload)).toString()).type, 'inspect');

    const push = await openRaw('/push?interval=100&fragment=8');
    const tick: Frame[] = [];
    do tick.push(await push.nextFrame());
    while (!tick.at(-1)!.fin);
    assert.ok(tick.length > 3 && tick.every((f) => f.payload.length <= 8));
    assert.equal(JSON.parse(Buffer.concat(tick.map((f) => f.payload)).toString()).counter, 1);
  });
});

describe('ping_ms', () => {
  it('pings at that interval with a counter as payload, and still echoes', async () => {
    const client = record('/?ping_ms=100');
    await client.opened;
    const start = performance.now();
    await waitFor('three pings', () => client.pings.length >= 3, { intervalMs: 10 });
    assert.deepEqual(
      client.pings.slice(0, 3).map((p) => p.payload),
      ['1', '2', '3'],
    );
    assert.ok(client.pings[2]!.at - start >= 250, 'three pings 100 ms apart take ~300 ms');
    client.ws.send('hi');
    assert.equal((await client.first(1))[0]!.text, 'Received: hi');
  });

  it('sends real ping frames (raw TCP)', async () => {
    const client = await openRaw('/raw?ping_ms=100');
    const frames = await nextFrames(client, 2);
    assert.deepEqual(
      frames.map((f) => [f.opcode, f.fin, f.payload.toString()]),
      [
        [Opcode.ping, true, '1'],
        [Opcode.ping, true, '2'],
      ],
    );
  });
});

describe('pong=off', () => {
  it('leaves pings unanswered on that connection while still echoing (raw TCP)', async () => {
    const client = await openRaw('/raw?pong=off');
    client.send({ opcode: Opcode.ping, payload: 'p1' });
    sendText(client, 'after the ping');
    const frame = await client.nextFrame();
    assert.deepEqual([frame.opcode, frame.payload.toString()], [Opcode.text, 'after the ping'], 'no pong first');
    await assert.rejects(client.nextFrame(300), /timed out/, 'no pong later either');
  });

  it('does not change other connections: a plain one answers the same ping (raw TCP)', async () => {
    const silent = await openRaw('/raw?pong=off');
    const plain = await openRaw('/raw');
    silent.send({ opcode: Opcode.ping, payload: 'p1' });
    plain.send({ opcode: Opcode.ping, payload: 'p1' });
    const pong = await plain.nextFrame();
    assert.deepEqual([pong.opcode, pong.payload.toString()], [Opcode.pong, 'p1']);
    await assert.rejects(silent.nextFrame(200), /timed out/);
  });

  it('a ws client gets no pong event', async () => {
    const silent = record('/?pong=off');
    const plain = record('/');
    await Promise.all([silent.opened, plain.opened]);
    silent.ws.ping('are you there');
    plain.ws.ping('are you there');
    await delay(200);
    assert.deepEqual(silent.pongs, []);
    assert.deepEqual(plain.pongs, ['are you there']);
  });
});

describe('greeting', () => {
  it('is the first message, as text, then the echo as usual', async () => {
    const client = record(`/?greeting=${encodeURIComponent('héllo 👋, world')}`);
    const [greeting] = await client.first(1);
    assert.deepEqual([greeting!.text, greeting!.isBinary], ['héllo 👋, world', false]);
    client.ws.send('x');
    assert.equal((await client.first(2))[1]!.text, 'Received: x');
  });

  it("comes before /inspect's report and /push's first tick", async () => {
    const inspect = record('/inspect?greeting=hi');
    const [first, second] = await inspect.first(2);
    assert.equal(first!.text, 'hi');
    assert.equal(JSON.parse(second!.text).type, 'inspect');
    const push = record('/push?greeting=hi&interval=100');
    const [greeting, tick] = await push.first(2);
    assert.equal(greeting!.text, 'hi');
    assert.equal(JSON.parse(tick!.text).counter, 1);
  });

  it('may be empty: one empty text message', async () => {
    const client = record('/raw?greeting=');
    const [greeting] = await client.first(1);
    assert.deepEqual([greeting!.data.length, greeting!.isBinary], [0, false]);
  });
});

describe('combinations', () => {
  it('?fragment=2&ping_ms=100&pong=off&greeting=hey: each does its part (raw TCP)', async () => {
    const client = await openRaw('/raw?fragment=2&ping_ms=100&pong=off&greeting=hey');
    assert.deepEqual(shape(await nextFrames(client, 2)), [
      [Opcode.text, false, 2],
      [Opcode.continuation, true, 1],
    ]);
    client.send({ opcode: Opcode.ping, payload: 'x' });
    const ping = await client.nextFrame();
    assert.deepEqual([ping.opcode, ping.payload.toString()], [Opcode.ping, '1'], 'a server ping, not a pong');
    sendText(client, 'abc');
    assert.deepEqual(shape(await nextFrames(client, 2)), [
      [Opcode.text, false, 2],
      [Opcode.continuation, true, 1],
    ]);
  });

  it('a connection without parameters beside a misbehaving one is untouched', async () => {
    const faulty = record('/?delay_ms=300&fragment=1');
    const plain = record('/');
    await Promise.all([faulty.opened, plain.opened]);
    faulty.ws.send('slow');
    const sentAt = performance.now();
    plain.ws.send('fast');
    const [reply] = await plain.first(1);
    assert.equal(reply!.text, 'Received: fast');
    assert.ok(reply!.at - sentAt < 250, 'the plain connection is not delayed');
    assert.equal(faulty.messages.length, 0);
    assert.equal((await faulty.first(1))[0]!.text, 'Received: slow');
  });
});

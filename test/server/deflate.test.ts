// permessage-deflate (RFC 7692) on the echo: negotiated only with ?deflate or
// --deflate, from the client's own offer and with its parameters, under a cap
// of its own, and with every limit still holding (the inflated size against
// --max-message-size, reading paused while compressed replies pile up). Seen
// through the ws client and, where the frames are the point, raw TCP.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterEach, describe, it } from 'node:test';
import { WebSocket, type ClientOptions } from 'ws';
import type { HandshakeReport } from '../../server/protocol.ts';
import { ECHO_PATHS } from '../../server/protocol.ts';
import { open } from '../support/frame-assertions.ts';
import { encodeFrame, type Frame, Opcode, parseClose } from '../support/frames.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { destroyRawConnections, RawClient, type RawConnectOptions } from '../support/raw-client.ts';
import { type InProcessServer, useEchoServer } from '../support/servers.ts';
import { delay, waitFor, withTimeout } from '../support/wait.ts';
import { closed, echoOf, openClient, receive, receiveOne, terminateAll } from '../support/ws-client.ts';

const PREFIX = 'Received: ';
/** RFC 7692 7.2.1: the empty stored block a sender strips from the end of every message. */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const EXTENSIONS = 'sec-websocket-extensions';

// Each test's clients go when it ends: the deflate slots they hold are counted by the next.
afterEach(() => {
  terminateAll();
  destroyRawConnections();
});

/** One message compressed as permessage-deflate sends it: a sync flush, without its trailer. */
function compress(bytes: Buffer | string, windowBits = 15): Buffer {
  const out = deflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH, windowBits });
  assert.deepEqual(out.subarray(-4), TRAILER);
  return out.subarray(0, -4);
}

/** Inflates one message from the payloads of its frames, as a client with this window would. */
function inflate(payloads: Buffer[], windowBits = 15): Buffer {
  return inflateRawSync(Buffer.concat([...payloads, TRAILER]), { finishFlush: constants.Z_SYNC_FLUSH, windowBits });
}

/** Opens `path` by hand offering `offer` as Sec-WebSocket-Extensions, and asserts the 101. */
function openRaw(port: number, path: string, offer?: string, options: RawConnectOptions = {}): Promise<RawClient> {
  return open(port, {
    path,
    ...options,
    headers: { ...options.headers, ...(offer === undefined ? {} : { 'Sec-WebSocket-Extensions': offer }) },
  });
}

/** The frames of the next data message, up to the one with FIN. */
async function nextMessage(client: RawClient): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (;;) {
    const frame = await client.nextFrame();
    if (frame.opcode >= 0x8) continue; // a ping between fragments
    frames.push(frame);
    if (frame.fin) return frames;
  }
}

/** The close code the server sends next, skipping data frames. */
async function closeCode(client: RawClient): Promise<number | undefined> {
  for (;;) {
    const frame = await client.nextFrame();
    if (frame.opcode === Opcode.close) return parseClose(frame).code;
  }
}

/** The extension a ws client ended up with, after the handshake. */
async function negotiated(url: string, options: ClientOptions = {}): Promise<WebSocket> {
  return openClient(url, undefined, { perMessageDeflate: true, ...options });
}

function metric(s: InProcessServer, name: string): Promise<number | undefined> {
  return scrapeValue(s.url, name);
}

/** Waits until /metrics says `count` connections compress (closes reach the server a moment after the client). */
async function waitForOpenDeflate(s: InProcessServer, count: number): Promise<void> {
  await waitFor(
    `${count} compressing connections`,
    async () => (await metric(s, 'ws_echo_deflate_connections_open')) === count,
  );
}

/** Text of `size` bytes that compresses well but not to nothing. */
function prose(size: number): string {
  const words = 'the quick brown fox jumps over the lazy dog while the echo compresses every word it sends back ';
  return words.repeat(Math.ceil(size / words.length)).slice(0, size);
}

describe('?deflate', () => {
  const server = useEchoServer();

  it('negotiates with a ws client and echoes text and binary, small and large', async () => {
    const ws = await negotiated(`${server.wsUrl}?deflate`);
    assert.equal(ws.extensions, 'permessage-deflate');
    const texts = ['hi', prose(5_000), prose(200_000)];
    const binaries = [Buffer.from([0, 1, 2, 255]), randomBytes(70_000), Buffer.alloc(300_000, 7)];
    const replies = receive(ws, texts.length + binaries.length);
    for (const text of texts) ws.send(text);
    for (const bytes of binaries) ws.send(bytes);
    const got = await replies;
    texts.forEach((text, i) => {
      assert.equal(got[i]!.isBinary, false);
      assert.equal(got[i]!.data.toString(), `${PREFIX}${text}`);
    });
    binaries.forEach((bytes, i) => {
      assert.equal(got[texts.length + i]!.isBinary, true);
      assert.ok(got[texts.length + i]!.data.equals(bytes), `binary ${i} comes back byte for byte`);
    });
  });

  it('negotiates on every echo path', async () => {
    for (const path of ECHO_PATHS) {
      const ws = await negotiated(`${server.wsUrl.replace(/\/$/, '')}${path}?deflate`);
      assert.equal(ws.extensions, 'permessage-deflate', path);
      ws.terminate();
    }
  });

  it('compresses on the wire: replies carry RSV1 and inflate to the echo, and compressed frames are read', async () => {
    const client = await openRaw(server.port, '/?deflate', 'permessage-deflate');
    assert.equal(client.response.headers[EXTENSIONS], 'permessage-deflate');
    const text = prose(2_000);
    client.send({ opcode: Opcode.text, payload: compress(text), rsv1: true });
    const [frame] = await nextMessage(client);
    assert.equal(frame!.rsv1, true, 'RSV1 on a compressed message');
    assert.equal(frame!.opcode, Opcode.text);
    assert.ok(frame!.payload.length < text.length / 4, `compressed: ${frame!.payload.length} bytes`);
    assert.equal(inflate([frame!.payload]).toString(), `${PREFIX}${text}`);
    // An uncompressed message is fine too (RFC 7692 6: RSV1 clear means as sent).
    client.send({ opcode: Opcode.binary, payload: Buffer.from('plain') });
    const [plain] = await nextMessage(client);
    assert.equal(plain!.opcode, Opcode.binary);
  });

  it('honours server_no_context_takeover, and otherwise keeps the context between messages', async () => {
    // Random hex: it compresses by half at most, unless a window still holds its first copy.
    const text = randomBytes(1_500).toString('hex');
    const sizesWith = async (offer: string) => {
      const client = await openRaw(server.port, '/raw?deflate', offer);
      const sizes: number[] = [];
      for (let i = 0; i < 2; i++) {
        client.send({ opcode: Opcode.text, payload: text });
        const [frame] = await nextMessage(client);
        assert.equal(frame!.rsv1, true);
        sizes.push(frame!.payload.length);
        // Each reply stands alone without context takeover: it inflates from a fresh window.
        if (offer.includes('server_no_context_takeover')) assert.equal(inflate([frame!.payload]).toString(), text);
      }
      return { sizes, answered: client.response.headers[EXTENSIONS] };
    };
    const fresh = await sizesWith('permessage-deflate; server_no_context_takeover');
    assert.equal(fresh.answered, 'permessage-deflate; server_no_context_takeover');
    assert.equal(fresh.sizes[0], fresh.sizes[1], 'the same message compresses to the same bytes each time');
    const kept = await sizesWith('permessage-deflate');
    assert.ok(kept.sizes[1]! < kept.sizes[0]! / 10, `the second refers back to the first: ${kept.sizes}`);
  });

  it('honours the window sizes the client asks for', async () => {
    const offer = 'permessage-deflate; server_max_window_bits=9; client_max_window_bits=10';
    const client = await openRaw(server.port, '/raw?deflate', offer);
    assert.equal(client.response.headers[EXTENSIONS], offer);
    // The same 1000 random bytes twice, 1000 apart: only a window over 512 bytes can refer back.
    const block = randomBytes(500).toString('hex');
    const text = `${block}${block}`;
    client.send({ opcode: Opcode.text, payload: compress(text, 10), rsv1: true });
    const [frame] = await nextMessage(client);
    assert.equal(frame!.rsv1, true);
    // A 9-bit inflater fails ("invalid distance too far back") on anything a larger window made.
    assert.equal(inflate([frame!.payload], 9).toString(), text);
    const once = compress(block).length;
    assert.ok(frame!.payload.length > 1.8 * once, `the repeat lay outside the window: ${frame!.payload.length}`);
  });

  it('answers the ws client with its own parameters, and /inspect reports them', async () => {
    let answered: string | undefined;
    const ws = new WebSocket(`${server.wsUrl}inspect?deflate`, {
      perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, clientMaxWindowBits: 11 },
    });
    ws.on('upgrade', (res) => (answered = res.headers[EXTENSIONS] as string));
    const report = JSON.parse((await receiveOne(ws)).data.toString()) as HandshakeReport;
    assert.equal(
      answered,
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=11',
    );
    assert.equal(report.extensions, answered);
    ws.terminate();
  });

  it('fragments compressed messages with RSV1 on the first frame only (?deflate&fragment=3)', async () => {
    const client = await openRaw(server.port, '/?deflate&fragment=3', 'permessage-deflate');
    const text = prose(40);
    client.send({ opcode: Opcode.text, payload: text });
    const frames = await nextMessage(client);
    const reply = `${PREFIX}${text}`;
    assert.equal(frames.length, Math.ceil(reply.length / 3), 'one frame per 3 bytes of the message');
    assert.deepEqual(
      frames.map((f) => [f.opcode, f.rsv1, f.fin]),
      frames.map((_, i) => [i === 0 ? Opcode.text : Opcode.continuation, i === 0, i === frames.length - 1]),
    );
    assert.equal(inflate(frames.map((f) => f.payload)).toString(), reply);
    // And a ws client puts the pieces back together.
    const ws = await negotiated(`${server.wsUrl}?deflate&fragment=3`);
    const replies = receive(ws, 2);
    ws.send('fragmented and compressed');
    ws.send(Buffer.alloc(1000, 1));
    const [first, second] = await replies;
    assert.equal(first!.data.toString(), `${PREFIX}fragmented and compressed`);
    assert.ok(second!.data.equals(Buffer.alloc(1000, 1)));
  });

  it('sends a message of one-byte compressed frames, more than one turn holds, whole (?deflate&fragment=1)', async () => {
    const ws = await negotiated(`${server.wsUrl}raw?deflate&fragment=1`);
    // Past the 1024 frames the server writes per turn, so the next turn waits for zlib.
    const bytes = randomBytes(1_500);
    assert.ok((await echoOf(ws, bytes)).data.equals(bytes));
  });

  it('combines with pong=off: compressed echoes, pings unanswered', async () => {
    const ws = await negotiated(`${server.wsUrl}?deflate&pong=off`);
    assert.equal(ws.extensions, 'permessage-deflate');
    let pongs = 0;
    ws.on('pong', () => pongs++);
    ws.ping('anyone?');
    assert.equal((await echoOf(ws, prose(2_000))).data.toString(), `${PREFIX}${prose(2_000)}`);
    await delay(100);
    assert.equal(pongs, 0);
  });

  it('fails a message that inflates past --max-message-size with 1009, then serves on', async () => {
    const client = await openRaw(server.port, '/?deflate', 'permessage-deflate');
    // 8 MiB of zeros, eight times the default 1 MiB limit, in about 8 KiB on the wire.
    const bomb = compress(Buffer.alloc(8 * 1024 * 1024));
    assert.ok(bomb.length < 16 * 1024, `${bomb.length} bytes`);
    client.send({ opcode: Opcode.binary, payload: bomb, rsv1: true });
    assert.equal(await closeCode(client), 1009);
    await client.closed();
    const ws = await negotiated(`${server.wsUrl}?deflate`);
    assert.equal((await echoOf(ws, 'still here')).data.toString(), `${PREFIX}still here`);
  });

  it('refuses, with 400, an offer ws cannot parse', async () => {
    const client = await RawClient.connect(server.port, {
      path: '/?deflate',
      headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits=99' },
    });
    assert.equal(client.response.statusCode, 400);
    await client.closed();
    assert.equal(client.body.toString(), 'Invalid or unacceptable Sec-WebSocket-Extensions header');
  });

  it('keeps reading paused while compressed replies wait for zlib', async () => {
    const s = server;
    const client = await openRaw(s.port, '/raw?deflate', 'permessage-deflate');
    const ws = [...s.server.clients].at(-1)!;
    // Incompressible 256 KiB messages, sent uncompressed: the server reads
    // them far faster than zlib compresses the replies.
    const message = randomBytes(256 * 1024);
    const count = 48;
    const frame = encodeFrame({ opcode: Opcode.binary, payload: message });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, ws.bufferedAmount)), 1);
    let replies = 0;
    const all = new Promise<void>((resolve, reject) => {
      client.socket.on('close', () => reject(new Error(`closed after ${replies} replies`)));
      const next = async () => {
        for (;;) {
          const frames = await nextMessage(client);
          assert.equal(frames[0]!.rsv1, true);
          if (++replies === count) return resolve();
        }
      };
      next().catch(reject);
    });
    for (let i = 0; i < count; i++) client.write(frame);
    try {
      await withTimeout(all, `${count} compressed replies`, 30_000);
    } finally {
      clearInterval(sampler);
    }
    // The bound is --max-buffered (1 MiB) plus what one read brings in.
    assert.ok(peak < 4 * 1024 * 1024, `at most a few MiB waited for zlib, not all 12: peak ${peak}`);
  });
});

describe('without ?deflate or --deflate', () => {
  const server = useEchoServer();

  it('never negotiates, on any path, even when offered', async () => {
    for (const path of ECHO_PATHS) {
      const ws = await negotiated(`${server.wsUrl.replace(/\/$/, '')}${path}`);
      assert.equal(ws.extensions, '', path);
      ws.terminate();
      const client = await openRaw(server.port, path, 'permessage-deflate; client_max_window_bits');
      assert.equal(client.response.headers[EXTENSIONS], undefined, `${path}: no Sec-WebSocket-Extensions`);
      client.destroy();
    }
  });

  it('fails a compressed frame (RSV1) with 1002 when deflate was offered but not negotiated', async () => {
    const client = await openRaw(server.port, '/', 'permessage-deflate');
    client.send({ opcode: Opcode.text, payload: compress('hello'), rsv1: true });
    assert.equal(await closeCode(client), 1002);
  });

  it('reports no extension on /inspect', async () => {
    const ws = new WebSocket(`${server.wsUrl}inspect`, { perMessageDeflate: true });
    const report = JSON.parse((await receiveOne(ws)).data.toString()) as HandshakeReport;
    assert.equal(report.extensions, '');
  });
});

describe('--deflate', () => {
  const server = useEchoServer(['--deflate']);

  it('negotiates on every path without being asked in the URL', async () => {
    for (const path of ECHO_PATHS) {
      const ws = await negotiated(`${server.wsUrl.replace(/\/$/, '')}${path}`);
      assert.equal(ws.extensions, 'permessage-deflate', path);
      ws.terminate();
    }
    const ws = await negotiated(server.wsUrl);
    assert.equal((await echoOf(ws, prose(10_000))).data.toString(), `${PREFIX}${prose(10_000)}`);
  });

  it('still connects a client that offers nothing, uncompressed', async () => {
    const ws = await openClient(server.wsUrl, undefined, { perMessageDeflate: false });
    assert.equal(ws.extensions, '');
    assert.equal((await echoOf(ws, 'plain')).data.toString(), `${PREFIX}plain`);
  });
});

describe('--max-deflate-connections', () => {
  const server = useEchoServer(['--deflate', '--max-deflate-connections', '2']);

  it('upgrades a client over the cap without compression, counts it, and frees the slot on close', async () => {
    const s = server;
    const declinedBefore = (await metric(s, 'ws_echo_deflate_declined_total')) ?? NaN;
    const [a, b] = [await negotiated(s.wsUrl), await negotiated(s.wsUrl)];
    assert.deepEqual([a.extensions, b.extensions], ['permessage-deflate', 'permessage-deflate']);
    assert.equal(await metric(s, 'ws_echo_deflate_connections_open'), 2);

    const over = await negotiated(s.wsUrl);
    assert.equal(over.extensions, '', 'over the cap: connected, uncompressed');
    assert.equal((await echoOf(over, 'uncompressed, but echoed')).data.toString(), `${PREFIX}uncompressed, but echoed`);
    assert.equal(await metric(s, 'ws_echo_deflate_declined_total'), declinedBefore + 1);
    // Its compressed frames are a protocol error: nothing was negotiated.
    const raw = await openRaw(s.port, '/', 'permessage-deflate');
    assert.equal(raw.response.headers[EXTENSIONS], undefined);
    raw.send({ opcode: Opcode.text, payload: compress('hello'), rsv1: true });
    assert.equal(await closeCode(raw), 1002);

    const gone = closed(a);
    a.close();
    await gone;
    await waitForOpenDeflate(s, 1);
    assert.equal((await negotiated(s.wsUrl)).extensions, 'permessage-deflate', 'the freed slot is taken again');
  });

  it('gives the slot back when ws refuses the handshake, and takes none for another extension', async () => {
    const s = server;
    terminateAll();
    await waitForOpenDeflate(s, 0);
    const refused = await RawClient.connect(s.port, {
      path: '/',
      headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; bogus=1' },
    });
    assert.equal(refused.response.statusCode, 400);
    const other = await openRaw(s.port, '/', 'x-permessage-deflate');
    assert.equal(other.response.headers[EXTENSIONS], undefined);
    const both = await openRaw(s.port, '/', 'x-unknown, permessage-deflate');
    assert.equal(both.response.headers[EXTENSIONS], 'permessage-deflate');
    assert.equal(await metric(s, 'ws_echo_deflate_connections_open'), 1, 'only the accepted offer holds a slot');
  });
});

describe('--max-deflate-connections 0', () => {
  const server = useEchoServer(['--deflate', '--max-deflate-connections', '0']);

  it('never compresses, even with ?deflate', async () => {
    assert.equal((await negotiated(`${server.wsUrl}?deflate`)).extensions, '');
  });
});

// The page's DOM-free helpers: hex parsing and dumping, close codes and
// reasons, reply matching for round-trip times, and the message history.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeCodeMeaning, closeCodeName, closeCodeProblem, closeReasonProblem } from '../../client/close-codes.ts';
import { TextHistory } from '../../client/history.ts';
import { hexDump, parseHex, toHex } from '../../client/hex.ts';
import { RoundTrips, isServerMessage, replyTestFor } from '../../client/rtt.ts';
import { SEED_EXAMPLES, computeAccept } from '../../client/accept.ts';
import { echoUrlFor } from '../../client/connection.ts';

describe('hex', () => {
  it('reads the usual ways of writing bytes', () => {
    for (const typed of ['de ad be ef', 'deadbeef', 'DE:AD:BE:EF', '0xde 0xad 0xbe 0xef', 'de-ad,be ef\n']) {
      assert.deepEqual(parseHex(typed).bytes, new Uint8Array([0xde, 0xad, 0xbe, 0xef]), typed);
    }
  });

  it('says what is wrong with what is not hex', () => {
    assert.equal(parseHex('dea').error, 'That is 3 hex digits; each byte needs two.');
    assert.equal(parseHex('de ag').error, '"g" is not a hex digit; use 0–9 and a–f.');
    assert.match(parseHex('  ').error ?? '', /^Type some bytes/);
  });

  it('dumps like hexdump -C: offset, 8 + 8 bytes, ASCII with dots', () => {
    const bytes = new Uint8Array([...Buffer.from('Hello, hex view!'), 0x0d, 0x0a, 0x00, 0x7f]);
    assert.equal(
      hexDump(bytes),
      [
        '00000000  48 65 6c 6c 6f 2c 20 68  65 78 20 76 69 65 77 21  |Hello, hex view!|',
        '00000010  0d 0a 00 7f                                       |....|',
      ].join('\n'),
    );
    assert.equal(hexDump(new Uint8Array(0)), '');
    assert.equal(toHex(new Uint8Array([0, 15, 255])), '00 0f ff');
  });
});

describe('close codes', () => {
  it('names RFC 6455 codes and the ranges', () => {
    assert.equal(closeCodeName(1000), 'Normal Closure');
    assert.equal(closeCodeName(1006), 'Abnormal Closure');
    assert.equal(closeCodeName(1015), 'TLS Handshake');
    assert.equal(closeCodeName(3000), 'Registered');
    assert.equal(closeCodeName(4000), 'Private use');
    assert.equal(closeCodeName(1004), 'Reserved');
    assert.match(closeCodeMeaning(4999), /^Private use: 4000–4999/);
  });

  it('lets a page send 1000 and 3000–4999 only', () => {
    for (const ok of ['1000', '3000', '3999', '4000', ' 4999 ']) assert.equal(closeCodeProblem(ok), undefined, ok);
    for (const bad of ['999', '1001', '1005', '1015', '2999', '5000', '', '4000.5', '-1', 'abc']) {
      assert.ok(closeCodeProblem(bad), bad);
    }
  });

  it('counts the reason in UTF-8 bytes, 123 at most', () => {
    assert.equal(closeReasonProblem('x'.repeat(123)), undefined);
    assert.ok(closeReasonProblem('x'.repeat(124)));
    assert.equal(closeReasonProblem('€'.repeat(41)), undefined);
    assert.ok(closeReasonProblem('€'.repeat(42)));
  });
});

describe('round trips', () => {
  it('matches replies to sends first in, first out', () => {
    const trips = new RoundTrips();
    trips.sent(10);
    trips.sent(20);
    assert.equal(trips.replied(25), 15);
    assert.equal(trips.replied(26), 6);
    assert.equal(trips.replied(30), undefined);
    trips.sent(40);
    trips.reset();
    assert.equal(trips.waiting, 0);
  });

  it('keeps matching after many thousands of sends and replies', () => {
    const trips = new RoundTrips();
    for (let i = 0; i < 5000; i++) trips.sent(i);
    for (let i = 0; i < 5000; i++) assert.equal(trips.replied(i + 7), 7);
  });

  it("does not count this server's inspect and push messages as replies, except on /raw", () => {
    const push = '{"type":"push","counter":1,"serverTime":"2026-01-01T00:00:00.000Z"}';
    const inspect = '{"type":"inspect","remoteAddress":"127.0.0.1"}';
    assert.equal(isServerMessage(push), true);
    assert.equal(isServerMessage(inspect), true);
    assert.equal(isServerMessage('Received: {"type":"push"}'), false);
    assert.equal(isServerMessage('{"type":"other"}'), false);
    const onPush = replyTestFor('ws://127.0.0.1:1234/push?interval=200');
    assert.equal(onPush(push), false);
    assert.equal(onPush('Received: hi'), true);
    assert.equal(onPush(new ArrayBuffer(4)), true);
    assert.equal(replyTestFor('ws://127.0.0.1:1234/raw')(push), true);
    assert.equal(replyTestFor('ws://127.0.0.1:1234/prefix/raw')(push), true, 'under --base-path');
    assert.equal(replyTestFor('ws://127.0.0.1:1234/prefix/')(push), false, 'under --base-path');
  });
});

describe('the echo URL the page connects to', () => {
  const page = (href: string) => {
    const { protocol, host, pathname } = new URL(href);
    return { protocol, host, pathname };
  };

  it('is the page’s own host and port, ws: or wss: like http: or https:', () => {
    assert.equal(echoUrlFor(page('http://127.0.0.1:1234/')), 'ws://127.0.0.1:1234/');
    assert.equal(echoUrlFor(page('https://echo.example/')), 'wss://echo.example/');
    assert.equal(echoUrlFor(page('http://[::1]:8080/index.html')), 'ws://[::1]:8080/');
  });

  it('keeps the directory the page was served from (--base-path), for every path', () => {
    assert.equal(echoUrlFor(page('http://h:1/prefix/')), 'ws://h:1/prefix/');
    assert.equal(echoUrlFor(page('https://h/tools/ws-echo/index.html?x=1#y')), 'wss://h/tools/ws-echo/');
    assert.equal(echoUrlFor(page('http://h:1/prefix/'), '/raw'), 'ws://h:1/prefix/raw');
    assert.equal(echoUrlFor(page('http://h:1/prefix/'), '/inspect'), 'ws://h:1/prefix/inspect');
    assert.equal(echoUrlFor(page('http://h:1/'), '/push'), 'ws://h:1/push');
  });
});

describe('history', () => {
  it('walks back and forth and returns to the draft', () => {
    const history = new TextHistory();
    history.add('one');
    history.add('two');
    history.add('two');
    assert.equal(history.previous('draft'), 'two');
    assert.equal(history.previous('two'), 'one');
    assert.equal(history.previous('one'), undefined);
    assert.equal(history.next(), 'two');
    assert.equal(history.next(), 'draft');
    assert.equal(history.next(), undefined);
  });
});

describe('Sec-WebSocket-Accept', () => {
  it("computes the seed tutorials' accepts with WebCrypto", async () => {
    for (const { key, accept } of SEED_EXAMPLES) assert.equal(await computeAccept(key), accept);
  });
});

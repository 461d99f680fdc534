// The page's DOM-free helpers: hex parsing and dumping, close codes and
// reasons, reply matching for round-trip times, the message history, the
// tutorials' handshake keys, what the Endpoint field accepts, and errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeCodeName } from '../../client/close-codes.ts';
import { closeCodeMeaning, closeCodeProblem, closeReasonProblem } from '../../client/close-rules.ts';
import { TextHistory } from '../../client/history.ts';
import { hexDump, parseHex, toHex } from '../../client/hex.ts';
import { RoundTrips, isServerMessage, replyTestFor } from '../../client/rtt.ts';
import { TUTORIAL_KEYS, computeAccept, isTutorial } from '../../client/accept.ts';
import { echoUrlFor, parseTarget } from '../../client/connection.ts';
import { asError } from '../../client/errors.ts';

describe('hex', () => {
  it('reads the usual ways of writing bytes', () => {
    for (const typed of ['de ad be ef', 'deadbeef', 'DE:AD:BE:EF', '0xde 0xad 0xbe 0xef', 'de-ad,be ef\n']) {
      assert.deepEqual(parseHex(typed), new Uint8Array([0xde, 0xad, 0xbe, 0xef]), typed);
    }
  });

  it('says what is wrong with what is not hex', () => {
    assert.deepEqual(parseHex('dea'), new Error('That is 3 hex digits; each byte needs two.'));
    assert.deepEqual(parseHex('de ag'), new Error('"g" is not a hex digit; use 0–9 and a–f.'));
    const empty = parseHex('  ');
    assert.ok(empty instanceof Error);
    assert.match(empty.message, /^Type some bytes/);
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
      assert.ok(closeCodeProblem(bad) instanceof Error, bad);
    }
    assert.match(closeCodeProblem('1001')!.message, /^1001 \(Going Away\) is for browsers and servers/);
  });

  it('counts the reason in UTF-8 bytes, 123 at most', () => {
    assert.equal(closeReasonProblem('x'.repeat(123)), undefined);
    assert.equal(
      closeReasonProblem('x'.repeat(124))?.message,
      'The reason is 124 bytes in UTF-8; a close frame has room for 123.',
    );
    assert.equal(closeReasonProblem('€'.repeat(41)), undefined);
    assert.ok(closeReasonProblem('€'.repeat(42)) instanceof Error);
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
  it("computes the Go tutorial's and Ruan Yifeng's accepts with WebCrypto", async () => {
    for (const { key, accept } of Object.values(TUTORIAL_KEYS)) assert.equal(await computeAccept(key), accept);
    assert.equal(await computeAccept(TUTORIAL_KEYS.go.key), 'rE91AJhfC+6JdVcVXOGJEADEJdQ=');
  });

  it('knows the tutorials the buttons name, and nothing else', () => {
    assert.equal(isTutorial('go'), true);
    assert.equal(isTutorial('ruan-yifeng'), true);
    for (const other of ['Go', 'seed', 'constructor', 'toString', '', undefined])
      assert.equal(isTutorial(other), false);
  });
});

describe('parseTarget', () => {
  it('takes a ws: or wss: URL and the subprotocols as typed', () => {
    assert.deepEqual(parseTarget(' ws://127.0.0.1:1234 ', 'echo-protocol, chat'), {
      url: 'ws://127.0.0.1:1234/',
      protocols: ['echo-protocol', 'chat'],
    });
    assert.deepEqual(parseTarget('wss://example.com/raw?x=1', ''), { url: 'wss://example.com/raw?x=1', protocols: [] });
  });

  it('says what is wrong, as an Error, before the WebSocket constructor would throw', () => {
    assert.deepEqual(parseTarget('nope', ''), new Error('"nope" is not a URL; write e.g. ws://127.0.0.1:1234/raw.'));
    assert.deepEqual(
      parseTarget('http://127.0.0.1:1234/', ''),
      new Error('A WebSocket URL starts with ws:// or wss://, not http://.'),
    );
    assert.deepEqual(parseTarget('ws://h/#x', ''), new Error('A WebSocket URL cannot have a #fragment.'));
    assert.deepEqual(
      parseTarget('ws://h/', 'a b'),
      new Error('"a b" is not a valid subprotocol name (no spaces or separators).'),
    );
    assert.deepEqual(parseTarget('ws://h/', 'chat, chat'), new Error('Each subprotocol may be offered only once.'));
  });
});

describe('asError', () => {
  it('keeps an Error (and its subclasses) as it is, and wraps anything else', () => {
    const syntax = new SyntaxError('bad URL');
    assert.equal(asError(syntax), syntax);
    assert.deepEqual(asError('no such port'), new Error('no such port'));
    assert.deepEqual(asError(undefined), new Error('undefined'));
  });
});

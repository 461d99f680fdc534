// The page's monitor token and where it goes: random, in the form the server
// takes, added only to connections to the page's own server, and never over
// a token that is not the page's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newMonitorToken, watchedUrl, withToken } from '../../client/monitor-token.ts';
import { parseQuery } from '../../server/misbehave.ts';
import { WS_PATHS } from '../../server/protocol.ts';

describe('newMonitorToken', () => {
  it('makes 128 random bits into 22 characters the server takes as a token', () => {
    const token = newMonitorToken((bytes) => bytes.fill(0xfb));
    assert.equal(token, '-_v7-_v7-_v7-_v7-_v7-w');
    for (const path of [WS_PATHS.echo, WS_PATHS.monitor]) {
      const asked = parseQuery(`monitor=${token}`, path);
      assert.ok(!('error' in asked), JSON.stringify(asked));
      assert.equal(asked.monitor, token);
    }
  });

  it('is a new one each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newMonitorToken()));
    assert.equal(tokens.size, 50);
    for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{22}$/);
  });
});

describe('watchedUrl', () => {
  const token = 'V1StGXR8_Z5jdHi6B-myTw';
  const server = 'ws://127.0.0.1:1234/';

  it("adds the token to a connection to the page's own server, after what the URL asked", () => {
    assert.equal(watchedUrl(server, token, server), `ws://127.0.0.1:1234/?monitor=${token}`);
    assert.equal(
      watchedUrl('ws://127.0.0.1:1234/raw?fragment=8&drop', token, server),
      `ws://127.0.0.1:1234/raw?fragment=8&drop&monitor=${token}`,
    );
  });

  it('keeps the URL as it is when it already carries the page’s token', () => {
    const url = `ws://127.0.0.1:1234/?ping_ms=200&monitor=${token}`;
    assert.equal(watchedUrl(url, token, server), url);
  });

  it("leaves alone what it cannot watch: another server, another prefix, someone else's token", () => {
    assert.equal(watchedUrl('ws://127.0.0.1:1235/', token, server), undefined);
    assert.equal(watchedUrl('wss://127.0.0.1:1234/', token, server), undefined);
    assert.equal(watchedUrl('ws://echo.example/', token, server), undefined);
    assert.equal(watchedUrl('ws://127.0.0.1:1234/?monitor=AnotherTokenOf22chars', token, server), undefined);
    assert.equal(watchedUrl('ws://127.0.0.1:1234/other/', token, 'ws://127.0.0.1:1234/prefix/'), undefined);
    assert.equal(
      watchedUrl('ws://127.0.0.1:1234/prefix/push', token, 'ws://127.0.0.1:1234/prefix/'),
      `ws://127.0.0.1:1234/prefix/push?monitor=${token}`,
    );
  });

  it('makes the watcher’s URL the same way: /monitor with the token as its only parameter', () => {
    assert.equal(
      withToken('ws://127.0.0.1:1234/prefix/monitor', token),
      `ws://127.0.0.1:1234/prefix/monitor?monitor=${token}`,
    );
  });
});

// The monitor's admission and bounds, through real clients: /monitor is
// admitted like the echo, takes only its token, at most MONITOR_LIMITS.watchers
// per token; what is kept per token and in all is bounded, forgotten in time,
// and a watcher that does not read is skipped rather than queued for.
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { MONITOR_CLOSE, MONITOR_LIMITS, SHUTDOWN_CLOSE } from '../../server/protocol.ts';
import { Opcode } from '../support/frames.ts';
import { MonitorWatcher, newToken, terminateWatchers } from '../support/monitor-client.ts';
import { scrapeValue } from '../support/prometheus.ts';
import { destroyRawConnections, RawClient } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { delay } from '../support/wait.ts';
import { closed, openClient, receive, refusedStatus, terminateAll } from '../support/ws-client.ts';

const s = useEchoServer();
// Each test's clients and watchers go when it ends, so the next starts with none.
afterEach(() => {
  terminateAll();
  terminateWatchers();
  destroyRawConnections();
});

const urlOf = (path: string, server = s) => new URL(path, server.wsUrl).href;

/** Opens `path` by hand and returns the status and, for a refusal, the body. */
async function handshake(path: string, port = s.port, headers: Record<string, string> = {}) {
  const client = await RawClient.connect(port, { path, headers });
  const { statusCode: status } = client.response;
  if (status !== 101) await client.closed();
  client.destroy();
  return { status, body: client.body.toString() };
}

describe('/monitor admission', () => {
  const capped = useEchoServer(['--max-connections-per-ip', '1']);
  const fresh = useEchoServer();
  const heartbeat = useEchoServer(['--heartbeat-interval', '100']);
  const closing = useEchoServer();

  it('takes only monitor=<token>: none, another parameter or a bad token get 400 naming it', async () => {
    const token = newToken();
    const missing = await handshake('/monitor');
    assert.equal(missing.status, 400);
    assert.match(missing.body, /^\/monitor needs monitor=<token>/);
    const echoOnly = await handshake(`/monitor?monitor=${token}&close=1000`);
    assert.equal(echoOnly.status, 400);
    assert.match(echoOnly.body, /^unknown parameter "close": \/monitor takes only monitor$/);
    for (const bad of ['short', `${token}!`, 'x'.repeat(MONITOR_LIMITS.tokenMaxLength + 1), `%41${token}`]) {
      const answer = await handshake(`/monitor?monitor=${bad}`);
      assert.equal(answer.status, 400, bad);
      assert.match(answer.body, /^monitor must be 16-64 characters of A-Z, a-z, 0-9, _ and -/, bad);
    }
    assert.equal((await handshake(`/monitor?monitor=${token}`)).status, 101);
  });

  it('checks the Origin and the caps like any WebSocket, and counts a watcher against them', async () => {
    const token = newToken();
    assert.equal(
      await refusedStatus(urlOf(`/monitor?monitor=${token}`), { origin: 'http://evil.example' }),
      403,
      'a foreign Origin',
    );
    const watcher = await MonitorWatcher.open(capped.wsUrl, token);
    assert.equal((await handshake(`/?monitor=${token}`, capped.port)).status, 503, 'the watcher holds the slot');
    watcher.ws.close();
    await watcher.closed;
    // Released on close: the slot is free again.
    await openClient(urlOf(`/?monitor=${token}`, capped));
  });

  it(`refuses a watcher beyond ${MONITOR_LIMITS.watchers} per token with 409, and counts it`, async () => {
    const token = newToken();
    const watchers = await Promise.all(
      Array.from({ length: MONITOR_LIMITS.watchers }, () => MonitorWatcher.open(fresh.wsUrl, token)),
    );
    const refused = await handshake(`/monitor?monitor=${token}`, fresh.port);
    assert.deepEqual(refused, {
      status: 409,
      body: `at most ${MONITOR_LIMITS.watchers} watchers per monitor token`,
    });
    assert.equal((await handshake(`/monitor?monitor=${newToken()}`, fresh.port)).status, 101, 'another token');
    assert.equal(await scrapeValue(fresh.url, 'ws_echo_handshakes_refused_total', { reason: 'watchers' }), 1);

    // Every watcher sees the same events.
    const ws = await openClient(urlOf(`/?monitor=${token}`, fresh));
    for (const watcher of watchers) await watcher.until((events) => events.length === 1, 'the handshake');
    assert.equal(await scrapeValue(fresh.url, 'ws_echo_monitor_watchers'), MONITOR_LIMITS.watchers);
    assert.equal(await scrapeValue(fresh.url, 'ws_echo_monitor_tapped_connections'), 1);
    const wsClosed = closed(ws);
    ws.close();
    await wsClosed;
    for (const watcher of watchers) watcher.ws.close();
    await Promise.all(watchers.map((watcher) => watcher.closed));
    assert.equal(await scrapeValue(fresh.url, 'ws_echo_monitor_watchers'), 0);
    assert.equal(await scrapeValue(fresh.url, 'ws_echo_monitor_tapped_connections'), 0);
  });

  it('closes a watcher that sends a message with 1003: /monitor only talks', async () => {
    const watcher = await MonitorWatcher.open(s.wsUrl, newToken());
    watcher.ws.send('hello?');
    assert.deepEqual(await watcher.closed, MONITOR_CLOSE.message);
  });

  it('pings watchers like every client: one that answers stays, one that does not is dropped', async () => {
    const token = newToken();
    const answering = await MonitorWatcher.open(heartbeat.wsUrl, token);
    const silent = await RawClient.connect(heartbeat.port, { path: `/monitor?monitor=${token}` });
    assert.equal((await silent.nextFrame()).opcode, Opcode.ping);
    await silent.closed();
    await delay(400);
    assert.equal(answering.ws.readyState, answering.ws.OPEN, 'the one that answers its pings');
  });

  it('closes the watchers with 1001 when the server shuts down', async () => {
    const watcher = await MonitorWatcher.open(closing.wsUrl, newToken());
    await closing.server.close();
    assert.deepEqual(await watcher.closed, SHUTDOWN_CLOSE);
  });
});

describe('what is kept', () => {
  const kept = useEchoServer(['--rate-limit', '0']);
  const tokenCap = useEchoServer();
  const forgetting = useEchoServer();
  const unread = useEchoServer(['--rate-limit', '0', '--max-buffered', '16384']);

  it(`the last ${MONITOR_LIMITS.events} events of a token, and the handshake of its open connection before them`, async () => {
    const token = newToken();
    const ws = await openClient(urlOf(`/raw?monitor=${token}`, kept));
    const COUNT = 600;
    const replies = receive(ws, COUNT);
    for (let i = 0; i < COUNT; i++) ws.send(`m${i}`);
    await replies;
    const total = 1 + 2 * COUNT;
    const watcher = await MonitorWatcher.open(kept.wsUrl, token);
    await watcher.until((events) => events.at(-1)?.seq === total, 'the last event');
    assert.equal(watcher.events.length, 1 + MONITOR_LIMITS.events);
    const [first, ...rest] = watcher.events;
    assert.equal(first?.type, 'handshake', 'the handshake outlives the history while its connection is open');
    assert.equal(first?.seq, 1);
    assert.deepEqual(
      rest.map((event) => event.seq),
      rest.map((_, i) => total - MONITOR_LIMITS.events + 1 + i),
    );
  });

  it(`at most ${MONITOR_LIMITS.tokens} tokens: a new one pushes out the one unused longest, never one in use`, async () => {
    const hub = tokenCap.server.monitorHub;
    const inUse = newToken();
    const watcher = await MonitorWatcher.open(tokenCap.wsUrl, inUse);
    // Refused handshakes are recorded too (the refusal is worth seeing), then their token is unused.
    const tokens = Array.from({ length: MONITOR_LIMITS.tokens }, newToken);
    for (let i = 0; i < tokens.length; i += 100) {
      const batch = tokens.slice(i, i + 100);
      await Promise.all(
        batch.map(async (token) =>
          assert.equal((await handshake(`/?monitor=${token}&reject=400`, tokenCap.port)).status, 400),
        ),
      );
    }
    assert.equal(hub.tokens, MONITOR_LIMITS.tokens);
    assert.ok(hub.has(inUse), 'the watched token stays');
    assert.equal(hub.has(tokens[0]!), false, 'the first refused one went');
    assert.ok(hub.has(tokens[1]!));
    assert.ok(hub.has(tokens.at(-1)!));
    assert.equal(watcher.ws.readyState, watcher.ws.OPEN);
  });

  it(`forgets a token ${MONITOR_LIMITS.keepSeconds} s after nothing uses it; a watcher keeps it`, async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const hub = forgetting.server.monitorHub;
      const keepMs = MONITOR_LIMITS.keepSeconds * 1000;
      const refused = newToken();
      // A refused handshake: its tap ends at once, and the token is unused from then.
      const client = await RawClient.connect(forgetting.port, { path: `/?monitor=${refused}&reject=400` });
      assert.equal(client.response.statusCode, 400);
      client.destroy();
      assert.ok(hub.has(refused));
      mock.timers.tick(keepMs - 1);
      assert.ok(hub.has(refused), 'kept until the time is up');
      mock.timers.tick(1);
      assert.equal(hub.has(refused), false, 'then forgotten');

      const watched = newToken();
      const watcher = await MonitorWatcher.open(forgetting.wsUrl, watched);
      mock.timers.tick(10 * keepMs);
      assert.ok(hub.has(watched), 'a token with a watcher stays');
      watcher.ws.close();
      await watcher.closed;
      // The server side may see the close a moment after the client.
      while (hub.watchers > 0) await new Promise((resolve) => setImmediate(resolve));
      mock.timers.tick(keepMs - 1);
      assert.ok(hub.has(watched));
      mock.timers.tick(1);
      assert.equal(hub.has(watched), false);
    } finally {
      mock.timers.reset();
    }
  });

  it('skips a watcher that does not read, as /push skips ticks, and it catches up with what comes after', async () => {
    const token = newToken();
    const watcher = await MonitorWatcher.open(unread.wsUrl, token);
    watcher.ws.pause();
    const ws = await openClient(urlOf(`/raw?monitor=${token}`, unread));
    // About 2.5 KB of events a message, 10 MB in all: more than the socket buffers hold (4 MiB or so).
    const COUNT = 4000;
    const BATCH = 250;
    const payload = Buffer.alloc(MONITOR_LIMITS.payloadBytes, 0x61);
    for (let sent = 0; sent < COUNT; sent += BATCH) {
      const replies = receive(ws, BATCH);
      for (let i = 0; i < BATCH; i++) ws.send(payload);
      await replies;
    }
    watcher.ws.resume();
    // Whatever the server wrote before it began skipping arrives, then nothing for a while.
    let seen = -1;
    while (seen !== watcher.events.length) {
      seen = watcher.events.length;
      await delay(1_000);
    }
    const last = 1 + 2 * COUNT;
    const seqs = watcher.events.map((event) => event.seq);
    assert.ok(seqs.length > 0 && seqs.length < last, `skipped some: got ${seqs.length} of ${last}`);
    assert.ok(
      seqs.every((value, i) => i === 0 || value > seqs[i - 1]!),
      'in order, none twice',
    );
    // It is still watching, and nothing waits for it any more: the next events reach it.
    ws.send('after');
    await watcher.until(() => watcher.frames({ text: 'after' }).length === 2, 'both frames of the next message');
    assert.deepEqual(
      watcher.frames({ text: 'after' }).map((frame) => frame.seq),
      [last + 1, last + 2],
    );
  });
});

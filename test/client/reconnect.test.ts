// The auto-reconnect's timing, with a fake clock and fixed randomness: the
// delays double from 0.5 s to 30 s within ±20 %, an open connection starts
// over, and stop() or turning it off cancels what was planned.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reconnector, backoffDelay, type Clock, type ReconnectStatus } from '../../client/reconnect.ts';

describe('backoffDelay', () => {
  it('doubles from 500 ms and stops growing at 30 s', () => {
    const middle = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => backoffDelay(attempt, 0.5));
    assert.deepEqual(middle, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('spreads each delay over ±20 %', () => {
    assert.equal(backoffDelay(1, 0), 400);
    assert.equal(backoffDelay(1, 0.999999), 600);
    assert.equal(backoffDelay(7, 0), 24000);
    assert.equal(backoffDelay(7, 0.999999), 36000);
  });
});

/** A clock that only moves when told to. */
function fakeClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let timers: Array<{ at: number; run: () => void; id: number }> = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout(run, ms) {
      const id = nextId++;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t.id !== handle);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.run();
    },
    pending: () => timers.length,
  };
}

function setup() {
  const clock = fakeClock();
  let connects = 0;
  const statuses: ReconnectStatus[] = [];
  const reconnector = new Reconnector(() => connects++, { clock, random: () => 0.5 });
  reconnector.on('status', (s) => statuses.push(s));
  return { clock, reconnector, statuses, connects: () => connects };
}

describe('Reconnector', () => {
  it('does nothing while off', () => {
    const { clock, reconnector, connects } = setup();
    reconnector.lost();
    clock.advance(60_000);
    assert.equal(connects(), 0);
    assert.deepEqual(reconnector.status, { phase: 'off' });
  });

  it('waits 0.5 s, 1 s, 2 s between failed attempts and says when the next one is', () => {
    const { clock, reconnector, connects } = setup();
    reconnector.setEnabled(true);
    reconnector.lost();
    assert.deepEqual(reconnector.status, { phase: 'waiting', attempt: 1, delayMs: 500, at: 500 });
    clock.advance(499);
    assert.equal(connects(), 0);
    clock.advance(1);
    assert.equal(connects(), 1);
    assert.deepEqual(reconnector.status, { phase: 'connecting', attempt: 1 });

    reconnector.lost();
    assert.deepEqual(reconnector.status, { phase: 'waiting', attempt: 2, delayMs: 1000, at: 1500 });
    clock.advance(1000);
    assert.equal(connects(), 2);
    reconnector.lost();
    assert.deepEqual(reconnector.status, { phase: 'waiting', attempt: 3, delayMs: 2000, at: 3500 });
  });

  it('starts from 0.5 s again after a connection opened', () => {
    const { clock, reconnector } = setup();
    reconnector.setEnabled(true);
    for (let i = 0; i < 4; i++) {
      reconnector.lost();
      clock.advance(60_000);
    }
    reconnector.opened();
    assert.deepEqual(reconnector.status, { phase: 'idle' });
    reconnector.lost();
    assert.equal(reconnector.status.phase === 'waiting' && reconnector.status.delayMs, 500);
  });

  it('stop() (the user disconnected) and turning it off cancel the planned attempt', () => {
    const { clock, reconnector, connects } = setup();
    reconnector.setEnabled(true);
    reconnector.lost();
    reconnector.stop();
    assert.equal(clock.pending(), 0);
    assert.deepEqual(reconnector.status, { phase: 'idle' });

    reconnector.lost();
    reconnector.setEnabled(false);
    clock.advance(60_000);
    assert.equal(connects(), 0);
    assert.deepEqual(reconnector.status, { phase: 'off' });
  });

  it('keeps one attempt planned however many losses are reported', () => {
    const { clock, reconnector, connects } = setup();
    reconnector.setEnabled(true);
    reconnector.lost();
    reconnector.lost();
    assert.equal(clock.pending(), 1);
    clock.advance(60_000);
    assert.equal(connects(), 1);
  });
});

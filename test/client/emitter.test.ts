// The one emitter behind the connection, the session and the reconnector:
// listeners get their event's arguments, in the order they subscribed, and
// stop getting them once unsubscribed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Emitter } from '../../client/emitter.ts';

interface TestEvents {
  /** Two arguments. */
  pair: (name: string, count: number) => void;
  /** None. */
  ping: () => void;
}

class Source extends Emitter<TestEvents> {
  fire<K extends keyof TestEvents>(name: K, ...args: Parameters<TestEvents[K]>): void {
    this.emit(name, ...args);
  }
}

describe('Emitter', () => {
  it('calls every listener of an event with its arguments, in the order they subscribed', () => {
    const source = new Source();
    const calls: string[] = [];
    source.on('pair', (name, count) => calls.push(`first ${name} ${count}`));
    source.on('ping', () => calls.push('ping'));
    source.on('pair', (name, count) => calls.push(`second ${name} ${count}`));
    source.fire('pair', 'a', 1);
    source.fire('ping');
    source.fire('pair', 'b', 2);
    assert.deepEqual(calls, ['first a 1', 'second a 1', 'ping', 'first b 2', 'second b 2']);
  });

  it('does nothing for an event nobody listens to', () => {
    assert.doesNotThrow(() => new Source().fire('ping'));
  });

  it('stops calling a listener once its unsubscribe has run, and leaves the others', () => {
    const source = new Source();
    const calls: string[] = [];
    const off = source.on('ping', () => calls.push('one'));
    source.on('ping', () => calls.push('two'));
    source.fire('ping');
    off();
    source.fire('ping');
    off();
    assert.deepEqual(calls, ['one', 'two', 'two']);
  });

  it('applies (un)subscribing from inside a listener from the next event on', () => {
    const source = new Source();
    const calls: string[] = [];
    const off = source.on('ping', () => {
      calls.push('self-removing');
      off();
      source.on('ping', () => calls.push('added'));
    });
    source.fire('ping');
    assert.deepEqual(calls, ['self-removing']);
    source.fire('ping');
    assert.deepEqual(calls, ['self-removing', 'added']);
  });

  it('lets a throwing listener reach the caller, as a plain call would', () => {
    const source = new Source();
    source.on('ping', () => {
      throw new Error('listener broke');
    });
    assert.throws(() => source.fire('ping'), /listener broke/);
  });
});

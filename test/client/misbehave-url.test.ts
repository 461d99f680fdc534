// The Misbehave panel's URL from WS_PARAMETERS: one field per parameter in
// its range, the query in the table's order, the page's token last, and the
// server's own verdict on it. The presets are URLs the server takes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enLater } from '../../client/i18n/en-later.ts';
import {
  allowedText,
  fieldFor,
  meaningText,
  misbehaveUrl,
  OFFERED_PARAMETERS,
  PRESETS,
  queryFor,
  refusal,
  type Choices,
} from '../../client/misbehave-url.ts';
import { allowedValues, WS_PARAMETERS, type WsParameter } from '../../server/misbehave.ts';
import { WS_PATHS } from '../../server/protocol.ts';

const TOKEN = 'V1StGXR8_Z5jdHi6B-myTw';
const ECHO = 'ws://127.0.0.1:1234/prefix/';

const parameter = (name: string) => WS_PARAMETERS.find((p) => p.name === name)!;

describe('OFFERED_PARAMETERS', () => {
  it('is every parameter of the table but the monitor token, which the page adds itself', () => {
    assert.deepEqual(
      OFFERED_PARAMETERS.map((p) => p.name),
      WS_PARAMETERS.map((p) => p.name).filter((name) => name !== 'monitor'),
    );
  });

  it("are described in English in server/misbehave.ts's own words, each from a catalogue key", () => {
    for (const offered of OFFERED_PARAMETERS) {
      assert.ok(Object.hasOwn(enLater, `misbehave.meaning.${offered.name}`), offered.name);
      assert.equal(meaningText(offered), offered.meaning, offered.name);
      assert.equal(allowedText(offered), allowedValues(offered), offered.name);
    }
  });
});

describe('fieldFor', () => {
  it("gives each kind of value the field it needs, bounds from the table's ranges", () => {
    assert.deepEqual(fieldFor(parameter('close')), { kind: 'number', min: 1000, max: 4999 });
    assert.deepEqual(fieldFor(parameter('ping_ms')), { kind: 'number', min: 100, max: 60_000 });
    assert.deepEqual(fieldFor(parameter('reason')), { kind: 'text' });
    assert.deepEqual(fieldFor(parameter('drop')), { kind: 'none', value: '' });
    assert.deepEqual(fieldFor(parameter('pong')), { kind: 'none', value: 'off' });
  });

  it('offers a choice for a parameter of several words, as a new one might be', () => {
    const several: WsParameter = { name: 'mode', value: { type: 'word', words: ['', 'a', 'b'] }, meaning: '' };
    assert.deepEqual(fieldFor(several), { kind: 'choice', words: ['', 'a', 'b'] });
  });
});

describe('queryFor and misbehaveUrl', () => {
  it("writes the ticked parameters in the table's order, encoded, a bare name for no value, the token last", () => {
    const choices: Choices = new Map([
      ['after_ms', '3000'],
      ['drop', ''],
      ['greeting', 'hello world & more'],
    ]);
    const query = queryFor(choices, WS_PATHS.echo);
    assert.equal(query, 'drop&after_ms=3000&greeting=hello%20world%20%26%20more');
    assert.equal(
      misbehaveUrl(`${ECHO}`, query, TOKEN),
      `ws://127.0.0.1:1234/prefix/?drop&after_ms=3000&greeting=hello%20world%20%26%20more&monitor=${TOKEN}`,
    );
    assert.equal(misbehaveUrl(`${ECHO}raw`, '', TOKEN), `ws://127.0.0.1:1234/prefix/raw?monitor=${TOKEN}`);
  });

  it('leaves out what the path does not take', () => {
    const choices: Choices = new Map([
      ['interval', '250'],
      ['ping_ms', '200'],
    ]);
    assert.equal(queryFor(choices, WS_PATHS.echo), 'ping_ms=200');
    assert.equal(queryFor(choices, WS_PATHS.push), 'ping_ms=200&interval=250');
  });
});

describe('refusal', () => {
  it("is the server's own 400 line, or nothing when the server takes the URL", () => {
    const url = (query: string) => misbehaveUrl(ECHO, query, TOKEN);
    assert.equal(refusal(url('fragment=8&ping_ms=200'), WS_PATHS.echo), undefined);
    assert.equal(refusal(url('after_ms=500'), WS_PATHS.echo), 'after_ms needs close or drop: it says when they fire');
    assert.equal(refusal(url('ping_ms=50'), WS_PATHS.echo), 'ping_ms must be an integer in 100-60000; got "50"');
    assert.match(refusal(url('close=1000&drop'), WS_PATHS.echo)!, /^close and drop cannot be combined/);
  });

  it('finds nothing wrong with any preset, on any echo path', () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      const query = queryFor(new Map(Object.entries(preset.choices)), WS_PATHS.echo);
      assert.equal(Object.keys(preset.choices).length, query.split('&').length, name);
      for (const path of [WS_PATHS.echo, WS_PATHS.raw, WS_PATHS.push]) {
        assert.equal(refusal(misbehaveUrl(ECHO, query, TOKEN), path), undefined, `${name} on ${path}`);
      }
    }
  });
});

// Misbehave on request, at the handshake: every URL parameter the table in
// server/misbehave.ts lists is checked there. A bad value, an unknown name or
// a contradiction gets 400 with one line naming the parameter; ?reject gets
// the status it asked for; and the checks keep their place in admission.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowedValues,
  renderParametersTable,
  takes as takesParameter,
  WS_PARAMETERS,
  type WsParameter,
} from '../../server/misbehave.ts';
import { WS_PATHS } from '../../server/protocol.ts';
import { TABLES, tableIn } from '../../scripts/docs-tables.ts';
import { scrape, sampleValue } from '../support/prometheus.ts';
import { RawClient } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { closed, openClient, refusedStatus } from '../support/ws-client.ts';

const s = useEchoServer();

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Opens `path` by hand and returns what the server answered; the body only for a refusal. */
async function handshake(path: string, headers: Record<string, string> = {}, port = s.port): Promise<Answer> {
  const client = await RawClient.connect(port, { path, headers });
  const { statusCode: status, headers: responseHeaders } = client.response;
  if (status !== 101) await client.closed();
  client.destroy();
  return { status, contentType: responseHeaders['content-type'], body: client.body.toString() };
}

/** Asserts a 400 whose body is one line naming `name` (and, when given, matching `detail`). */
function assertRefusedNaming(answer: Answer, name: string, what: string, detail?: RegExp): void {
  assert.equal(answer.status, 400, `${what}: status`);
  assert.match(answer.contentType ?? '', /^text\/plain/, `${what}: plain text`);
  assert.ok(
    answer.body.length > 0 && !/[\r\n]/.test(answer.body),
    `${what}: one line, got ${JSON.stringify(answer.body)}`,
  );
  assert.ok(answer.body.includes(name), `${what}: the body names ${name}: ${JSON.stringify(answer.body)}`);
  if (detail) assert.match(answer.body, detail, what);
}

/** A query that is valid but for `name=<raw>`: what the parameter needs besides itself. */
function queryWith(name: string, raw: string): string {
  const companion: Record<string, string> = { reason: '&close=1000', after: '&close=1000', after_ms: '&drop' };
  return `?${name}=${raw}${companion[name] ?? ''}`;
}

/** The path to try a parameter on: the first one that takes it. */
function pathFor(parameter: WsParameter): string {
  return parameter.paths?.[0] ?? WS_PATHS.echo;
}

/** Values each kind of parameter must refuse, as they appear in the query (already encoded). */
function badValues(parameter: WsParameter): string[] {
  const { value } = parameter;
  switch (value.type) {
    case 'integer': {
      const inRange = (n: number) => value.ranges.some(([min, max]) => n >= min && n <= max);
      const edges = value.ranges.flatMap(([min, max]) => [min - 1, max + 1]).filter((n) => n >= 0 && !inRange(n));
      return [...edges.map(String), '', 'abc', '1.5', '-1', '%2B5', '1e3', '%205', '0x10', '99999999999'];
    }
    case 'text': {
      const { maxBytes } = value;
      return [
        'x'.repeat(maxBytes + 1),
        // Few enough characters, too many bytes: the limit is UTF-8 bytes.
        encodeURIComponent('é'.repeat(Math.floor(maxBytes / 2) + 1)),
        // Not UTF-8 once percent-decoded.
        '%FF',
        '%E4%BD',
      ];
    }
    case 'word':
      return ['yes', 'true', '0', 'on', 'OFF'].filter((word) => !value.words.includes(word));
    case 'token':
      return [
        '',
        'a'.repeat(value.minLength - 1),
        'a'.repeat(value.maxLength + 1),
        `${'a'.repeat(value.minLength)}.`,
        `${'a'.repeat(value.minLength)}%20`,
        // Decodes to a good token, but a proxy routing on the raw query would not see the same one.
        `%41${'a'.repeat(value.minLength)}`,
        `${'a'.repeat(value.minLength)}+`,
      ];
  }
}

/** The edge values each parameter must accept, encoded. */
function goodValues(parameter: WsParameter): string[] {
  const { value } = parameter;
  switch (value.type) {
    case 'integer':
      return value.ranges.flatMap(([min, max]) => [String(min), String(max)]);
    case 'text':
      return ['', encodeURIComponent('é'.repeat(Math.floor(value.maxBytes / 2))), 'x'.repeat(value.maxBytes)];
    case 'word':
      return [...value.words];
    case 'token':
      return ['a'.repeat(value.minLength), `${'Az09_-'.repeat(10)}abcd`.slice(0, value.maxLength)];
  }
}

describe('every bad value in the parameter table', () => {
  for (const parameter of WS_PARAMETERS) {
    it(`${parameter.name}: 400, one line naming it and what is allowed`, async () => {
      const values = badValues(parameter);
      assert.ok(values.length >= 3, 'a few bad values per parameter');
      for (const raw of values) {
        const answer = await handshake(`${pathFor(parameter)}${queryWith(parameter.name, raw)}`);
        assertRefusedNaming(answer, parameter.name, `${parameter.name}=${raw.slice(0, 30)}`);
        if (!raw.startsWith('%FF') && !raw.startsWith('%E4')) {
          assert.ok(answer.body.includes(allowedValues(parameter)), `says what is allowed: ${answer.body}`);
        }
      }
    });
  }

  it('names the percent-encoding when a value is not UTF-8', async () => {
    assertRefusedNaming(await handshake('/?greeting=%C3%28'), 'greeting', 'greeting=%C3%28', /UTF-8/);
    assertRefusedNaming(await handshake('/?greeting=%'), 'greeting', 'a lone %', /UTF-8/);
  });

  it('accepts the edge values of every parameter', async () => {
    for (const parameter of WS_PARAMETERS) {
      for (const raw of goodValues(parameter)) {
        const answer = await handshake(`${pathFor(parameter)}${queryWith(parameter.name, raw)}`);
        const expected = parameter.name === 'reject' ? Number(raw) : 101;
        assert.equal(answer.status, expected, `${parameter.name}=${raw.slice(0, 30)}: ${answer.body}`);
      }
    }
  });
});

describe('names and combinations', () => {
  it('refuses an unknown parameter, naming it and the ones the path takes', async () => {
    for (const path of Object.values(WS_PATHS)) {
      const answer = await handshake(`${path}?clsoe=4000`);
      assertRefusedNaming(answer, '"clsoe"', path, /unknown parameter/);
      for (const parameter of WS_PARAMETERS) {
        const takes = takesParameter(parameter, path);
        assert.equal(
          answer.body.includes(` ${parameter.name}`),
          takes,
          `${path} lists ${parameter.name}: ${answer.body}`,
        );
      }
    }
  });

  it('refuses a query a client might have meant for something else (?room=1, ?token=…) rather than ignore it', async () => {
    assertRefusedNaming(await handshake('/?room=1'), 'room', '?room=1');
    assertRefusedNaming(await handshake('/raw?token=abc'), 'token', '?token=abc');
    assertRefusedNaming(await handshake('/?Close=1000'), 'Close', 'names are case-sensitive');
    assertRefusedNaming(await handshake('/?close=1000&drop=&extra'), 'extra', 'one unknown among known ones');
  });

  it('takes interval on /push only', async () => {
    assertRefusedNaming(await handshake('/?interval=100'), 'interval', '/?interval', /unknown parameter/);
    assertRefusedNaming(await handshake('/raw?interval=100'), 'interval', '/raw?interval', /unknown parameter/);
    assert.equal((await handshake('/push?interval=100')).status, 101);
  });

  it("refuses /push's interval out of range or not an integer, instead of clamping it", async () => {
    for (const raw of ['5', '99', '60001', 'abc', '0', '150.5']) {
      assertRefusedNaming(await handshake(`/push?interval=${raw}`), 'interval', `interval=${raw}`, /100-60000/);
    }
  });

  it('refuses contradictions and loose ends, saying which parameters', async () => {
    const cases: Array<[query: string, names: string[]]> = [
      ['close=1000&drop', ['close', 'drop']],
      ['drop=1&close=4000', ['close', 'drop']],
      ['after=1&after_ms=10&close=1000', ['after', 'after_ms']],
      ['after=1', ['after', 'close or drop']],
      ['after_ms=10', ['after_ms', 'close or drop']],
      ['reason=bye', ['reason', 'close']],
      ['reason=bye&drop', ['reason', 'close']],
      ['close=1000&close=1001', ['close', 'twice']],
      ['pong=off&pong=off', ['pong', 'twice']],
    ];
    for (const [query, names] of cases) {
      const answer = await handshake(`/?${query}`);
      for (const name of names) assertRefusedNaming(answer, name, query);
    }
  });

  it('ignores empty pieces of a query (?, &&) and accepts + for a space', async () => {
    assert.equal((await handshake('/?')).status, 101);
    assert.equal((await handshake('/?&&delay_ms=0&')).status, 101);
    assert.equal((await handshake('/?close=4000&reason=see+you')).status, 101);
  });
});

describe('?reject', () => {
  it('refuses the handshake with the status asked for and says why, in one line', async () => {
    for (const status of [400, 401, 404, 418, 500, 503, 599]) {
      const answer = await handshake(`/raw?reject=${status}`);
      assert.equal(answer.status, status);
      assert.match(answer.body, /^refused with \d{3}, as the URL asked \(\?reject\)$/);
      assert.ok(answer.body.includes(String(status)));
    }
  });

  it('is what a real client sees', async () => {
    assert.equal(await refusedStatus(`${s.wsUrl}inspect?reject=503`), 503);
    assert.equal(await refusedStatus(`${s.wsUrl}push?reject=401&interval=200`), 401);
  });

  it('still checks every other parameter first', async () => {
    assertRefusedNaming(await handshake('/?reject=503&close=1'), 'close', 'a bad close beside reject');
    assertRefusedNaming(await handshake('/?reject=600'), 'reject', 'reject out of range');
  });
});

describe('the place of these checks in admission', () => {
  const evil = { Origin: 'http://evil.example' };
  const capped = useEchoServer(['--max-connections-per-ip', '1']);
  const fresh = useEchoServer();

  it('answers 404 for an unknown path before looking at its query', async () => {
    assert.equal((await handshake('/nope?clsoe=1')).status, 404);
    assert.equal((await handshake('/nope?reject=418')).status, 404);
  });

  it('answers 403 for a foreign Origin before a bad parameter or ?reject', async () => {
    assert.equal((await handshake('/?clsoe=1', evil)).status, 403);
    assert.equal((await handshake('/?reject=418', evil)).status, 403);
    assert.equal((await handshake('/?close=4000', evil)).status, 403);
  });

  it('answers 400 and ?reject without taking a connection slot, even when the caps are full', async () => {
    const held = await openClient(capped.wsUrl);
    assertRefusedNaming(await handshake('/?clsoe=1', {}, capped.port), 'clsoe', 'typo while full');
    assert.equal((await handshake('/?reject=418', {}, capped.port)).status, 418, 'reject while full');
    assert.equal((await handshake('/?delay_ms=0', {}, capped.port)).status, 503, 'a valid query while full');
    const closedHeld = closed(held);
    held.close();
    await closedHeld;
    // The refusals took nothing: the one slot is free again.
    await openClient(`${capped.wsUrl}?delay_ms=0`);
  });

  it('counts them in ws_echo_handshakes_refused_total and ?reject in ws_echo_faults_total', async () => {
    await handshake('/?clsoe=1', {}, fresh.port);
    await handshake('/push?interval=5', {}, fresh.port);
    await handshake('/?reject=500', {}, fresh.port);
    const metrics = await scrape(fresh.url);
    assert.equal(sampleValue(metrics, 'ws_echo_handshakes_refused_total', { reason: 'parameter' }), 2);
    assert.equal(sampleValue(metrics, 'ws_echo_handshakes_refused_total', { reason: 'requested' }), 1);
    assert.equal(sampleValue(metrics, 'ws_echo_faults_total', { kind: 'reject' }), 1);
    assert.equal(sampleValue(metrics, 'ws_echo_connections_total'), 0);
  });
});

describe("docs/misbehave.md's table of URL parameters", () => {
  it('is the one WS_PARAMETERS renders', async () => {
    assert.equal(
      tableIn(TABLES.parameters),
      renderParametersTable(),
      'docs/misbehave.md differs from server/misbehave.ts: run `npm run docs:tables`',
    );
  });
});

// The client-conformance server judged by clients whose behaviour is known:
// a correct client on the `ws` package (its verdicts must be those of ws's
// published Autobahn results), a correct client on a bare socket, and three
// deliberately broken ones, each of which must FAIL exactly the cases it
// breaks and pass the rest. A subset of every category; the full run is
// npm run test:fuzzing.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { numberOfId } from '../../server/fuzzing/cases/index.ts';
import { useEchoServer } from '../support/servers.ts';
import { withTimeout } from '../support/wait.ts';
import { runTesteeCase, type TesteeFaults } from './fuzzing-testee.ts';

type Verdict = 'OK' | 'NON-STRICT' | 'INFORMATIONAL' | 'UNIMPLEMENTED' | 'FAILED';

/** A few cases of every category, quick for a client that does what it should. */
const SUBSET = [
  '1.1.2', '1.2.4', '1.2.8',
  '2.1', '2.5', '2.10',
  '3.1', '3.2', '3.6',
  '4.1.1', '4.2.4',
  '5.1', '5.6', '5.9', '5.15', '5.19',
  '6.1.2', '6.2.3', '6.3.1', '6.4.1', '6.4.3', '6.5.5', '6.8.1', '6.20.1',
  '7.1.1', '7.1.5', '7.3.1', '7.3.2', '7.3.6', '7.5.1', '7.7.1', '7.7.13', '7.9.1', '7.9.5', '7.13.1',
  '9.1.1', '9.7.1',
  '10.1.1',
  '12.1.1', '12.2.11', '13.3.1', '13.6.2',
]; // biome-ignore format: grouped by category

/** Cases that wait 10 s or more for an echo that a client which never echoes does not send. */
const SLOW_WITHOUT_ECHO = new Set(['1.2.8', '9.1.1', '9.7.1', '10.1.1']);

/**
 * What a correct client on a bare socket gets: it checks UTF-8 frame by
 * frame, not chop by chop, and offers no permessage-deflate.
 */
const CORRECT: Record<string, Verdict> = {
  '6.4.3': 'NON-STRICT',
  '7.13.1': 'INFORMATIONAL',
  '12.1.1': 'UNIMPLEMENTED',
  '12.2.11': 'UNIMPLEMENTED',
  '13.3.1': 'UNIMPLEMENTED',
  '13.6.2': 'UNIMPLEMENTED',
};

const CLIENTS: Array<{ agent: string; faults: TesteeFaults; expected: Record<string, Verdict> }> = [
  { agent: 'raw-correct', faults: {}, expected: CORRECT },
  {
    agent: 'raw-no-utf8-check',
    faults: { skipUtf8: true },
    // It echoes invalid text back (the server then fails the connection) and answers an invalid close reason.
    expected: { ...CORRECT, ...failed('6.3.1', '6.4.1', '6.4.3', '6.8.1', '6.20.1', '7.5.1') },
  },
  {
    agent: 'raw-close-1000',
    faults: { closeAnswer: 1000 },
    // A close with a 1-byte body, a 124-byte reason, a non-UTF-8 reason or an invalid code must be answered with 1002 (or 1007).
    expected: { ...CORRECT, ...failed('7.3.2', '7.3.6', '7.5.1', '7.9.1', '7.9.5') },
  },
  {
    agent: 'raw-no-echo',
    faults: { noEcho: true },
    // Pongs and closes still work; where an echo is optional (3.2, 4.2.4, 5.15) its absence is non-strict.
    expected: {
      ...CORRECT,
      ...failed('1.1.2', '1.2.4', '5.6', '5.19', '6.1.2', '6.2.3', '6.5.5', '7.1.1'),
      '3.2': 'NON-STRICT',
      '4.2.4': 'NON-STRICT',
      '5.15': 'NON-STRICT',
    },
  },
];

/**
 * ws 8 with its defaults: it checks UTF-8 once a message is whole, so it does
 * not fail fast (6.4.x); it offers permessage-deflate, so the compression
 * cases run.
 */
const WS_EXPECTED: Record<string, Verdict> = {
  '6.4.1': 'NON-STRICT',
  '6.4.3': 'NON-STRICT',
  '7.13.1': 'INFORMATIONAL',
};

describe('fuzzing cases judged by known clients', () => {
  const s = useEchoServer();
  let index: Record<string, Record<string, { behavior: string; behaviorClose: string }>>;

  before(async () => {
    const runs = [
      runAll((n) => runWsCase(s.wsUrl, n, 'ws'), SUBSET),
      ...CLIENTS.map(({ agent, faults }) =>
        runAll(
          (n) => runTesteeCase(s.port, n, agent, faults),
          SUBSET.filter((id) => !(faults.noEcho && SLOW_WITHOUT_ECHO.has(id))),
        ),
      ),
    ];
    await withTimeout(Promise.all(runs), 'every client to run the subset', 60_000);
    index = (await (await fetch(`${s.url}reports/clients/index.json`)).json()) as typeof index;
  });

  it('a correct client on the ws package gets the verdicts of ws’s published results', () => {
    assert.deepEqual(verdicts(index.ws, SUBSET), expected(SUBSET, WS_EXPECTED));
    for (const id of SUBSET) {
      const close = id === '7.13.1' ? 'INFORMATIONAL' : 'OK';
      assert.equal(index.ws?.[id]?.behaviorClose, close, `close verdict of ${id}`);
    }
  });

  for (const { agent, faults, expected: deviations } of CLIENTS) {
    it(`${agent} fails exactly the cases it breaks`, () => {
      const ran = SUBSET.filter((id) => !(faults.noEcho && SLOW_WITHOUT_ECHO.has(id)));
      assert.deepEqual(verdicts(index[agent], ran), expected(ran, deviations));
    });
  }

  it('getCaseStatus answers each agent’s own verdict', async () => {
    const number = numberOfId('7.9.1')!;
    assert.deepEqual(await status(s.wsUrl, number, 'raw-close-1000'), { behavior: 'FAILED' });
    assert.deepEqual(await status(s.wsUrl, number, 'raw-correct'), { behavior: 'OK' });
  });
});

function failed(...ids: string[]): Record<string, Verdict> {
  return Object.fromEntries(ids.map((id) => [id, 'FAILED']));
}

function expected(ids: string[], deviations: Record<string, Verdict>): Record<string, string> {
  return Object.fromEntries(ids.map((id) => [id, deviations[id] ?? 'OK']));
}

function verdicts(cases: Record<string, { behavior: string }> | undefined, ids: string[]): Record<string, string> {
  return Object.fromEntries(ids.map((id) => [id, cases?.[id]?.behavior ?? 'missing']));
}

/** Runs the cases a few at a time: each is its own connection and verdict, and most of a case's time is waiting. */
async function runAll(run: (number: number) => Promise<void>, ids: string[]): Promise<void> {
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await run(numberOfId(id)!);
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

/** One case with ws as its own harness does it: echo every message with its type until the server closes. */
function runWsCase(wsUrl: string, number: number, agent: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${wsUrl}runCase?case=${number}&agent=${agent}`);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {});
    ws.on('close', () => resolve());
  });
}

function status(wsUrl: string, number: number, agent: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}getCaseStatus?case=${number}&agent=${agent}`);
    ws.on('message', (data) => resolve(JSON.parse(String(data))));
    ws.on('error', reject);
  });
}

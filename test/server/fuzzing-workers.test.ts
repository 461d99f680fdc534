// The client-conformance server under --workers 2: the primary hands each
// connection to a worker before the URL is read, so one agent's /runCase,
// /getCaseStatus, /updateReports and report fetches land on different
// workers, and every one of them must find all of the agent's results.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { numberOfId } from '../../server/fuzzing/cases/index.ts';
import type { ReportIndex } from '../../server/protocol.ts';
import { exchange, runWithWs } from '../support/fuzzing-client.ts';
import { serverProcesses } from '../support/servers.ts';
import type { RunningServer } from '../support/spawn-server.ts';
import { waitFor } from '../support/wait.ts';

const AGENTS = ['ws', 'agent two', 'Agent/3.0', 'fourth (x)'];
const CASES = ['1.1.1', '1.1.2', '2.1', '2.2', '5.1'];

describe('fuzzing under --workers 2', () => {
  const startCluster = serverProcesses();
  let server: RunningServer;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-echo-worker-reports-'));
    server = await startCluster({ args: ['--workers', '2', '--log-level', 'debug', '--reports-dir', dir] });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const q = (agent: string) => `agent=${encodeURIComponent(agent)}`;

  /** The worker that logged `msg` for each agent and case, from the workers' debug lines. */
  const workersBy = (msg: string): Map<string, number> => {
    const lines = server.output.filter((line) => line.includes(`"msg":"${msg}"`));
    return new Map(
      lines
        .map((line) => JSON.parse(line) as { worker: number; agent: string; case: string })
        .map((entry) => [`${entry.agent} ${entry.case}`, entry.worker]),
    );
  };
  /** Cases whose status was answered by another worker than the one that played them. */
  const crossed = (): string[] => {
    const played = workersBy('fuzzing case played');
    return [...workersBy('fuzzing status answered')]
      .filter(([key, worker]) => played.get(key) !== worker)
      .map(([key]) => key);
  };

  it('a status asked before its case is played answers once another worker has played it', async () => {
    // Which worker gets a connection is the primary's choice: ask and play until one pair lands apart.
    const ids = ['2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '2.10', '2.11', '3.1'];
    for (const id of ids) {
      const number = numberOfId(id)!;
      const status = exchange(`${server.wsUrl}getCaseStatus?case=${number}&agent=waiting`);
      await runWithWs(`${server.wsUrl}runCase?case=${number}&agent=waiting`);
      const { messages, code } = await status;
      assert.deepEqual(JSON.parse(messages[0]!.data), { behavior: 'OK' }, id);
      assert.equal(code, 1000);
      const key = `waiting ${id}`;
      await waitFor(
        `the debug lines for case ${id}`,
        () => workersBy('fuzzing status answered').has(key) && workersBy('fuzzing case played').has(key),
      );
      const apart = crossed().includes(key);
      if (apart) return;
    }
    assert.fail(
      `every status was answered where its case was played: ${JSON.stringify([...workersBy('fuzzing case played')])}`,
    );
  });

  it('every agent’s cases, played on both workers, are found by status, reports and files from either', async () => {
    for (const id of CASES)
      for (const agent of AGENTS) await runWithWs(`${server.wsUrl}runCase?case=${numberOfId(id)}&${q(agent)}`);

    for (const agent of AGENTS) {
      for (const id of CASES) {
        const { messages } = await exchange(`${server.wsUrl}getCaseStatus?case=${numberOfId(id)}&${q(agent)}`);
        assert.deepEqual(JSON.parse(messages[0]!.data), { behavior: 'OK' }, `${agent} ${id}`);
      }
      assert.equal((await exchange(`${server.wsUrl}updateReports?${q(agent)}`)).code, 1000);
    }
    // From the debug lines: both workers played cases, and statuses were answered by the other one.
    await waitFor('a debug line for every case played and every status answered', () => {
      const keys = AGENTS.flatMap((agent) => CASES.map((id) => `${agent} ${id}`));
      return keys.every(
        (key) => workersBy('fuzzing case played').has(key) && workersBy('fuzzing status answered').has(key),
      );
    });
    assert.equal(new Set(workersBy('fuzzing case played').values()).size, 2, 'both workers played cases');
    assert.ok(
      crossed().some((key) => !key.startsWith('waiting ')),
      'some statuses were answered by the other worker',
    );

    const reports = `${server.url}reports/clients/`;
    // Each fetch is a new connection, so four of them are answered by both workers.
    for (let i = 0; i < 4; i++) {
      for (const agent of AGENTS) {
        const index = (await (await fetch(`${reports}index.json?${q(agent)}`)).json()) as ReportIndex;
        assert.deepEqual(Object.keys(index), [agent]);
        assert.deepEqual(Object.keys(index[agent]!), CASES, agent);
        const file = await fetch(`${reports}${index[agent]!['2.2']!.reportfile}?${q(agent)}`);
        assert.equal(file.status, 200);
        assert.equal(((await file.json()) as { agent: string }).agent, agent);
      }
    }
    const all = (await (await fetch(`${reports}index.json`)).json()) as ReportIndex;
    assert.deepEqual(Object.keys(all).sort(), [...AGENTS, 'waiting'].sort());
    const html = await (await fetch(`${reports}index.html?${q('agent two')}`)).text();
    assert.equal(html.match(/">Pass<\/a>/g)?.length, CASES.length);

    // The primary wrote one folder with every agent's files.
    const written = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as ReportIndex;
    for (const agent of AGENTS) assert.deepEqual(Object.keys(written[agent] ?? {}), CASES, agent);
    const files = await readdir(dir);
    // Every case file of the four agents, and those of the first test's agent.
    const waiting = Object.keys(written.waiting ?? {}).length;
    const caseFiles = files.filter((name) => name.endsWith('.json') && name !== 'index.json');
    assert.equal(caseFiles.length, AGENTS.length * CASES.length + waiting, caseFiles.join(' '));
  });
});

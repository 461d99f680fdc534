// The client-conformance server behind the shipped deploy/nginx.conf and
// deploy/nginx-tls.conf, in front of two instances. Results live in the
// instance that played the case, so every request of one agent (/runCase,
// /getCaseStatus, /updateReports, the report fetches with ?agent=) must reach
// that instance: nginx hashes them on the agent. Checked for enough agents
// that both instances hold some, then asked of each instance directly: one
// holds all of an agent's results, the other none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientOptions } from 'ws';
import { numberOfId } from '../../server/fuzzing/cases/index.ts';
import type { ReportIndex } from '../../server/protocol.ts';
import { exchange, runWithWs } from '../support/fuzzing-client.ts';
import { httpGet, type HttpRequestOptions } from '../support/http-request.ts';
import { newToken } from '../support/monitor-client.ts';
import { useShippedProxies } from './clients.ts';

const CASES = ['1.1.1', '2.1', '5.1'];

const { deployment, proxies } = useShippedProxies();

/**
 * One agent's whole run through nginx at `base`, as a harness does it: its
 * cases (one also carrying a ?monitor= token, which must not move it), each
 * case's status, updateReports, then index.json, index.html and every case
 * file with ?agent=, following the summary's own links. Returns the
 * instance that holds the agent's results, asked of each instance directly.
 */
async function runAgent(base: string, agent: string, tls: ClientOptions & HttpRequestOptions): Promise<string> {
  const get = (url: string) => httpGet(url, tls);
  const wsBase = base.replace(/^http/, 'ws');
  const query = `agent=${encodeURIComponent(agent)}`;
  for (const [i, id] of CASES.entries()) {
    const token = i === 0 ? `&monitor=${newToken()}` : '';
    await runWithWs(`${wsBase}runCase?case=${numberOfId(id)}&${query}${token}`, tls);
  }
  for (const id of CASES) {
    const { messages, code } = await exchange(`${wsBase}getCaseStatus?case=${numberOfId(id)}&${query}`, tls);
    assert.deepEqual(JSON.parse(messages[0]?.data ?? 'null'), { behavior: 'OK' }, `${agent}: status of ${id}`);
    assert.equal(code, 1000);
  }
  assert.equal((await exchange(`${wsBase}updateReports?${query}`, tls)).code, 1000, `${agent}: updateReports`);

  const reports = `${base}reports/clients/`;
  const index = JSON.parse((await get(`${reports}index.json?${query}`)).body) as ReportIndex;
  assert.deepEqual(Object.keys(index[agent] ?? {}), CASES, `${agent}: index.json?agent= through nginx`);
  for (const id of CASES) {
    const file = await get(`${reports}${index[agent]![id]!.reportfile}?${query}`);
    assert.equal(file.status, 200, `${agent}: the report of ${id}`);
    assert.equal((JSON.parse(file.body) as { id: string }).id, id);
  }
  const { body: html } = await get(`${reports}index.html?${query}`);
  const links = [...html.matchAll(/<a href="([^"#]+_case_[^"]+)">Pass<\/a>/g)].map((match) => match[1]!);
  assert.equal(links.length, CASES.length, `${agent}: the summary's links`);
  for (const link of links) assert.equal((await get(`${reports}${link}`)).status, 200, `${agent}: ${link}`);

  // Asked of each instance directly: one has all of the agent's results, the other none.
  const holders: string[] = [];
  for (const [id, instance] of deployment.instances) {
    const own = JSON.parse((await httpGet(`${instance.url}reports/clients/index.json?${query}`)).body) as ReportIndex;
    if (own[agent]) {
      assert.deepEqual(Object.keys(own[agent]), CASES, `${agent} on instance ${id}`);
      holders.push(id);
    }
  }
  assert.equal(holders.length, 1, `${agent} is held by exactly one instance: ${holders.join(', ')}`);
  return holders[0]!;
}

for (const { name, base, trust: tls } of proxies) {
  test(`${name}: every request of one conformance agent reaches the instance that holds its results`, async () => {
    const seen = new Map<string, string[]>();
    // Agents hash to either instance about equally: at least six, and on until both hold some.
    for (let i = 0; i < 20 && (seen.size < 2 || i < 6); i++) {
      const agent = `${name.includes('tls') ? 'tls' : 'plain'} agent ${i} (${newToken().slice(0, 6)})`;
      const holder = await runAgent(base(), agent, tls());
      seen.set(holder, [...(seen.get(holder) ?? []), agent]);
    }
    assert.deepEqual([...seen.keys()].sort(), ['a', 'b'], `agents by instance: ${JSON.stringify([...seen])}`);
  });
}

// The client-conformance server's endpoints as a fuzzing-server harness
// sees them (/getCaseCount, /getCaseInfo, /runCase, /getCaseStatus,
// /updateReports), its answers to bad parameters, the reports over HTTP in
// the fuzzing server's shape, the folder --reports-dir writes, and the bound
// on the agents it keeps.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { CASES, numberOfId } from '../../server/fuzzing/cases/index.ts';
import type { CaseReport } from '../../server/fuzzing/player.ts';
import { fileStem, MAX_AGENTS } from '../../server/fuzzing/reports.ts';
import { Opcode } from '../support/frames.ts';
import { RawClient } from '../support/raw-client.ts';
import { useEchoServer } from '../support/servers.ts';
import { withTimeout } from '../support/wait.ts';

interface Exchange {
  messages: Array<{ data: string; isBinary: boolean }>;
  code: number;
}

describe('fuzzing endpoints', () => {
  const s = useEchoServer();

  it('/getCaseCount sends the number of cases as text, then closes with 1000', async () => {
    const { messages, code } = await exchange(`${s.wsUrl}getCaseCount`);
    assert.deepEqual(messages, [{ data: String(CASES.length), isBinary: false }]);
    assert.equal(code, 1000);
    assert.equal(CASES.length, 517, 'the fuzzing server has 301 cases in categories 1–10 and 216 in 12–13');
  });

  it('cases are numbered in the order of their ids, and /getCaseInfo names them', async () => {
    const ids = [];
    for (const n of [1, 2, 16, 17, 27, 28, 301, 302, 517])
      ids.push(JSON.parse((await exchange(`${s.wsUrl}getCaseInfo?case=${n}`)).messages[0]!.data));
    assert.deepEqual(
      ids.map((info) => info.id),
      ['1.1.1', '1.1.2', '1.2.8', '2.1', '2.11', '3.1', '10.1.1', '12.1.1', '13.7.18'],
    );
    assert.equal(ids[0].description, 'Send text message with payload of length 0.');
    // Descriptions are one line; hex dumps stay in the case reports.
    const utf8 = JSON.parse((await exchange(`${s.wsUrl}getCaseInfo?case=${numberOfId('6.5.1')}`)).messages[0]!.data);
    assert.deepEqual(utf8, {
      id: '6.5.1',
      description: 'Send a text message with payload which is valid UTF-8 in one fragment.',
    });
  });

  it('bad parameters get a 400 that says what is wrong, and the echo paths stay the echo’s', async () => {
    const refusals: Array<[string, RegExp]> = [
      ['/runCase?case=1', /needs agent=NAME/],
      ['/runCase?agent=x', /needs case=N \(1 to 517\)/],
      ['/runCase?case=0&agent=x', /case must be a number from 1 to 517/],
      ['/runCase?case=518&agent=x', /case must be a number from 1 to 517/],
      ['/runCase?case=1e2&agent=x', /case must be a number/],
      ['/runCase?casetuple=99.1&agent=x', /there is no case 99\.1/],
      ['/runCase?case=1&agent=%3Cscript%3E', /agent must be/],
      [`/runCase?case=1&agent=${'a'.repeat(65)}`, /agent must be/],
      ['/getCaseStatus?case=1', /needs agent=NAME/],
      ['/updateReports', /needs agent=NAME/],
      ['/getCaseInfo', /needs case=N/],
    ];
    for (const [path, reason] of refusals) {
      const client = await RawClient.connect(s.port, { path });
      assert.equal(client.response.statusCode, 400, path);
      await client.closed();
      assert.match(client.body.toString(), reason, path);
    }
    const echo = await RawClient.connect(s.port, { path: '/raw' });
    assert.equal(echo.response.statusCode, 101);
    echo.destroy();
  });

  it('the endpoints keep the echo’s admission rules: a foreign Origin gets 403, another version 426', async () => {
    const foreign = await RawClient.connect(s.port, {
      path: '/getCaseCount',
      headers: { Origin: 'https://evil.example' },
    });
    assert.equal(foreign.response.statusCode, 403);
    const version = await RawClient.connect(s.port, {
      path: '/runCase?case=1&agent=v',
      headers: { 'Sec-WebSocket-Version': '8' },
    });
    // RawClient sends version 13 too; the router reads the combined header, which is not "13".
    assert.equal(version.response.statusCode, 426);
  });

  it('/runCase opens with a correct Sec-WebSocket-Accept and declines permessage-deflate outside the compression cases', async () => {
    const client = await RawClient.connect(s.port, {
      path: '/runCase?case=1&agent=handshake',
      headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' },
    });
    assert.equal(client.response.statusCode, 101);
    assert.equal(client.response.headers['sec-websocket-extensions'], undefined);
    const frame = await client.nextFrame();
    assert.deepEqual([frame.opcode, frame.payload.length, frame.masked], [Opcode.text, 0, false]);
    client.send({ opcode: Opcode.text });
    const close = await client.nextFrame();
    assert.equal(close.opcode, Opcode.close);
    assert.equal(close.payload.readUInt16BE(0), 1000);
    client.send({ opcode: Opcode.close, payload: close.payload });
    await client.closed();
    assert.equal(client.serverEnded, true, 'the server closes TCP after the closing handshake');
  });

  it('negotiates permessage-deflate only in the compression cases, as each case accepts it', async () => {
    const offer = async (id: string, extensions: string) => {
      const client = await RawClient.connect(s.port, {
        path: `/runCase?case=${numberOfId(id)}&agent=deflate-offers`,
        headers: { 'Sec-WebSocket-Extensions': extensions },
      });
      assert.equal(client.response.statusCode, 101);
      client.destroy();
      return client.response.headers['sec-websocket-extensions'];
    };
    assert.equal(await offer('12.1.1', 'permessage-deflate; client_max_window_bits'), 'permessage-deflate');
    assert.equal(
      await offer('12.1.1', 'permessage-deflate; server_no_context_takeover; server_max_window_bits=10'),
      'permessage-deflate; server_no_context_takeover; server_max_window_bits=10',
    );
    // 13.3 asks for a client window of 8, which needs an offer with client_max_window_bits (RFC 7692 §7.1.2.2).
    assert.equal(
      await offer('13.3.1', 'permessage-deflate; client_max_window_bits'),
      'permessage-deflate; client_max_window_bits=8',
    );
    assert.equal(await offer('13.3.1', 'permessage-deflate'), undefined);
    assert.equal(
      await offer('13.6.1', 'permessage-deflate; client_max_window_bits=12'),
      'permessage-deflate; client_no_context_takeover; client_max_window_bits=12',
    );
    assert.equal(await offer('12.1.1', 'x-webkit-deflate-frame'), undefined);
    assert.equal(await offer('2.1', 'permessage-deflate'), undefined);
  });

  it('/getCaseStatus waits for the verdict and answers {"behavior": ...}; /updateReports closes with 1000', async () => {
    const number = numberOfId('2.2')!;
    const status = exchange(`${s.wsUrl}getCaseStatus?case=${number}&agent=status-agent`);
    await runWithWs(`${s.wsUrl}runCase?case=${number}&agent=status-agent`);
    const { messages, code } = await status;
    assert.deepEqual(JSON.parse(messages[0]!.data), { behavior: 'OK' });
    assert.equal(code, 1000);
    assert.equal((await exchange(`${s.wsUrl}updateReports?agent=status-agent`)).code, 1000);
  });

  it('serves index.json, each case report and index.html at /reports/clients/, in the fuzzing server’s shapes', async () => {
    await runWithWs(`${s.wsUrl}runCase?case=${numberOfId('5.6')}&agent=shape-agent`);
    await runWithWs(`${s.wsUrl}runCase?case=${numberOfId('6.3.1')}&agent=shape-agent`);
    const response = await fetch(`${s.url}reports/clients/index.json`);
    assert.equal(response.status, 200);
    const index = (await response.json()) as Record<string, Record<string, Record<string, unknown>>>;
    const entry = index['shape-agent']!['5.6']!;
    assert.deepEqual(Object.keys(entry).sort(), [
      'behavior',
      'behaviorClose',
      'duration',
      'remoteCloseCode',
      'reportfile',
    ]);
    assert.equal(entry.behavior, 'OK');
    assert.equal(entry.remoteCloseCode, 1000);
    // The fuzzing server's file names, plus a short hash for names that lose characters on the way.
    assert.match(fileStem('shape-agent'), /^shape_agent_[0-9a-f]{8}$/);
    assert.equal(entry.reportfile, `${fileStem('shape-agent')}_case_5_6.json`);

    const report = (await (await fetch(`${s.url}reports/clients/${entry.reportfile}`)).json()) as CaseReport;
    assert.equal(report.id, '5.6');
    assert.equal(report.agent, 'shape-agent');
    assert.equal(
      report.description,
      'Send text Message fragmented into 2 fragments, one ping with payload in-between.',
    );
    assert.deepEqual(report.expected, {
      OK: [
        ['pong', 'ping payload'],
        ['message', 'fragment1fragment2', false],
      ],
    });
    assert.deepEqual(report.received, [
      ['pong', 'ping payload'],
      ['message', 'fragment1fragment2', false],
    ]);
    assert.equal(report.result, 'Actual events match at least one expected.');
    assert.deepEqual(report.expectedClose, { closeCode: [1000], closedByMe: true, requireClean: true });
    assert.equal(report.closedByMe, true);
    assert.equal(report.wasClean, true);
    assert.match(report.httpRequest, /^GET \/runCase\?case=\d+&agent=shape-agent HTTP\/1\.1\r\n/);
    assert.ok(
      report.wirelog.some((row) => row[0] === 'TF' && row[2] === 9),
      'the wire log shows the ping sent',
    );

    // The invalid UTF-8 case: the client (ws) failed the connection with 1007.
    const invalid = (await (
      await fetch(`${s.url}reports/clients/${index['shape-agent']!['6.3.1']!.reportfile}`)
    ).json()) as Record<string, unknown>;
    assert.deepEqual([invalid.behavior, invalid.remoteCloseCode, invalid.closedByMe], ['OK', 1007, false]);

    const html = await fetch(`${s.url}reports/clients/index.html`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const page = await html.text();
    assert.match(page, /<th scope="col">shape-agent<\/th>/);
    assert.match(page, new RegExp(`<a href="${entry.reportfile}">Pass</a>`));
    assert.doesNotMatch(page, /<script|style=/, 'no script and no inline style, so the page CSP holds');
    const css = await fetch(`${s.url}reports/clients/report.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');

    const missing = await fetch(`${s.url}reports/clients/nobody_case_1_1_1.json`);
    assert.equal(missing.status, 404);
    const traversal = await fetch(`${s.url}reports/clients/..%2F..%2Fpackage.json`);
    assert.equal(traversal.status, 404);
  });

  it(`keeps at most ${MAX_AGENTS} agents, dropping the least recently active first`, async () => {
    const number = numberOfId('2.1')!;
    for (let i = 0; i <= MAX_AGENTS; i++) await runWithWs(`${s.wsUrl}runCase?case=${number}&agent=bounded-${i}`);
    const agents = Object.keys((await (await fetch(`${s.url}reports/clients/index.json`)).json()) as object);
    assert.equal(agents.length, MAX_AGENTS);
    assert.ok(agents.includes(`bounded-${MAX_AGENTS}`));
    assert.ok(!agents.includes('status-agent') && !agents.includes('shape-agent'), 'the oldest agents were dropped');
  });
});

describe('fuzzing reports written to a folder (--reports-dir)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-echo-reports-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const s = useEchoServer(() => ['--reports-dir', dir]);

  it('/updateReports writes index.json, index.html and one JSON file per case', async () => {
    await runWithWs(`${s.wsUrl}runCase?case=1&agent=ws`);
    await runWithWs(`${s.wsUrl}runCase?case=${numberOfId('2.1')}&agent=ws`);
    assert.deepEqual(await readdir(dir), [], 'nothing is written before /updateReports');
    assert.equal((await exchange(`${s.wsUrl}updateReports?agent=ws`)).code, 1000);
    assert.deepEqual((await readdir(dir)).sort(), [
      'index.html',
      'index.json',
      'report.css',
      'ws_case_1_1_1.json',
      'ws_case_2_1.json',
    ]);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    assert.deepEqual(Object.keys(index.ws), ['1.1.1', '2.1']);
    assert.equal(index.ws['2.1'].reportfile, 'ws_case_2_1.json');
    const report = JSON.parse(await readFile(join(dir, 'ws_case_2_1.json'), 'utf8')) as CaseReport;
    assert.deepEqual(report.received, [['pong', '']]);
  });
});

/** Connects, collects every message until the server closes, and resolves with them and the close code. */
function exchange(url: string): Promise<Exchange> {
  const ws = new WebSocket(url);
  const messages: Exchange['messages'] = [];
  ws.on('message', (data, isBinary) => messages.push({ data: String(data), isBinary }));
  const done = new Promise<Exchange>((resolve, reject) => {
    ws.on('close', (code) => resolve({ messages, code }));
    ws.on('error', reject);
  });
  return withTimeout(done, url);
}

/** Runs a case with a correct client (ws, echoing every message with its type). */
function runWithWs(url: string): Promise<void> {
  const ws = new WebSocket(url);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
  return withTimeout(new Promise((resolve) => ws.on('close', () => resolve())), url);
}

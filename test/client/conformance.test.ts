// The conformance runner's DOM-free parts: the agent name a browser gets,
// the verdicts grouped by category, the report links under --base-path, and
// the run itself against a scripted server (which cases it plays, when it
// stops, where the verdicts come from). The real server and browser are in
// e2e/conformance.spec.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  agentName,
  type CaseResult,
  type ConformanceEndpoints,
  categoryOf,
  groupByCategory,
  randomSuffix,
  reportLinks,
  reportsUrl,
  runConformance,
  totalCounts,
} from '../../client/conformance.ts';
import type { EchoCaseEnd } from '../../client/connection.ts';
import { CASES } from '../../server/fuzzing/cases/index.ts';
import {
  type Behavior,
  type CaseInfo,
  CONFORMANCE_CATEGORIES,
  type IndexEntry,
  type ReportIndex,
} from '../../server/protocol.ts';
import { fileStem } from '../../server/fuzzing/reports.ts';
import { parseFuzzingRequest } from '../../server/fuzzing/handshake.ts';

const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

describe('agentName', () => {
  it('takes the product brand over the engine and the made-up brand', () => {
    const brands = [
      { brand: 'Not:A-Brand', version: '8' },
      { brand: 'Chromium', version: '156' },
      { brand: 'Google Chrome', version: '156' },
    ];
    assert.equal(agentName({ brands, userAgent: CHROME_UA }, 'k3f9'), 'Google Chrome 156 (k3f9)');
  });

  it('says Chromium when that is the only real brand, as headless Chromium has it', () => {
    const brands = [
      { brand: 'Not:A-Brand', version: '8' },
      { brand: 'Chromium', version: '156' },
    ];
    assert.equal(agentName({ brands, userAgent: CHROME_UA }, 'ab12'), 'Chromium 156 (ab12)');
  });

  it('reads the UA string of browsers without userAgentData', () => {
    const cases: [string, string][] = [
      ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128 (x)'],
      [
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
        'Safari 17 (x)',
      ],
      [
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
        'Safari 17 (x)',
      ],
      [`${CHROME_UA} Edg/125.0.0.0`, 'Edge 125 (x)'],
      [`${CHROME_UA} OPR/110.0.0.0`, 'Opera 110 (x)'],
      [CHROME_UA, 'Chrome 156 (x)'],
      ['curl/8.5.0', 'Browser (x)'],
    ];
    for (const [userAgent, name] of cases) assert.equal(agentName({ userAgent }, 'x'), name, userAgent);
  });

  it('makes names the server takes as agent=, whatever the brand says', () => {
    const brands = [{ brand: 'Wëird «Browser» & Co; ünïcode '.repeat(4), version: '1.2.3' }];
    const name = agentName({ brands, userAgent: '' }, randomSuffix());
    const url = `/runCase?case=1&agent=${encodeURIComponent(name)}`;
    const parsed = parseFuzzingRequest({ url } as Parameters<typeof parseFuzzingRequest>[0], '/runCase');
    assert.deepEqual(parsed, { route: '/runCase', caseNumber: 1, agent: name });
  });

  it('gives two tabs different names, and so different report files', () => {
    const suffixes = new Set(Array.from({ length: 50 }, () => randomSuffix()));
    for (const suffix of suffixes) assert.match(suffix, /^[a-z0-9]{4}$/);
    assert.ok(suffixes.size >= 45, `only ${suffixes.size} different suffixes in 50`);
    const [a, b] = [...suffixes].map((suffix) => agentName({ userAgent: CHROME_UA }, suffix));
    assert.notEqual(fileStem(a!), fileStem(b!));
  });
});

describe('the categories the page offers', () => {
  it('are exactly those of the server’s cases, in case order', () => {
    const ofCases = [...new Set(CASES.map((spec) => categoryOf(spec.id)))];
    assert.deepEqual(Object.keys(CONFORMANCE_CATEGORIES), ofCases);
  });
});

describe('groupByCategory', () => {
  it('groups by the first part of the id, in case order, counting each verdict and the missing ones', () => {
    const results = [
      result(28, '3.1', 'OK'),
      result(1, '1.1.1', 'OK'),
      result(2, '1.1.2', 'NON-STRICT'),
      result(31, '3.4', 'FAILED'),
      result(29, '3.2', undefined),
      result(400, '12.1.1', 'OK'),
    ];
    const groups = groupByCategory(results);
    assert.deepEqual(
      groups.map((g) => [g.category, g.name, g.cases.map((c) => c.id), g.counts, g.missing]),
      [
        ['1', 'Framing', ['1.1.1', '1.1.2'], counts({ OK: 1, 'NON-STRICT': 1 }), 0],
        ['3', 'Reserved Bits', ['3.1', '3.2', '3.4'], counts({ OK: 1, FAILED: 1 }), 1],
        ['12', 'WebSocket Compression (different payloads)', ['12.1.1'], counts({ OK: 1 }), 0],
      ],
    );
    assert.deepEqual(totalCounts(groups), counts({ OK: 3, 'NON-STRICT': 1, FAILED: 1 }));
    assert.equal(categoryOf('6.4.1'), '6');
  });
});

describe('report links', () => {
  it('point beside the page, so under --base-path too', () => {
    const entry = indexEntry('OK', 'chromium_156_ab12_1a2b3c4d_case_1_1_1.json');
    assert.deepEqual(reportLinks({ href: 'http://127.0.0.1:1234/prefix/' }, '1.1.1', entry), {
      json: 'http://127.0.0.1:1234/prefix/reports/clients/chromium_156_ab12_1a2b3c4d_case_1_1_1.json',
      summary: 'http://127.0.0.1:1234/prefix/reports/clients/index.html#case-1-1-1',
    });
    assert.equal(
      reportsUrl({ href: 'http://127.0.0.1:1234/index.html?x=1#top' }, 'index.json'),
      'http://127.0.0.1:1234/reports/clients/index.json',
    );
  });
});

describe('runConformance', () => {
  it('plays only the chosen categories, stops asking past the last one, and reads the verdicts last', async () => {
    const server = new ScriptedServer(['1.1.1', '1.1.2', '2.1', '3.1', '4.1.1', '9.1.1', '12.1.1']);
    const progress: string[] = [];
    const outcome = await runConformance({
      endpoints: server,
      agent: 'Chromium 156 (ab12)',
      categories: new Set(['1', '3']),
      signal: new AbortController().signal,
      onProgress: ({ number, info, count, done }) => progress.push(`${number}/${count} ${info.id} ${done}`),
    });
    assert.deepEqual(progress, ['1/7 1.1.1 0', '2/7 1.1.2 1', '4/7 3.1 2']);
    assert.deepEqual(server.calls, [
      'count',
      'info 1',
      'run 1',
      'info 2',
      'run 2',
      'info 3',
      'info 4',
      'run 4',
      // 4.1.1 is past category 3: nothing after it is asked for.
      'info 5',
      'status 4',
      'update',
      'index',
    ]);
    assert.equal(outcome.stopped, false);
    assert.deepEqual(
      outcome.results.map((r) => [r.number, r.id, r.description, r.entry?.behavior, r.browser.code]),
      [
        [1, '1.1.1', 'case 1.1.1', 'OK', 1000],
        [2, '1.1.2', 'case 1.1.2', 'OK', 1000],
        [4, '3.1', 'case 3.1', 'OK', 1000],
      ],
    );
  });

  it('leaves out the case that Stop cut short, and still reads the verdicts of those before it', async () => {
    const controller = new AbortController();
    const server = new ScriptedServer(['1.1.1', '1.1.2', '1.1.3']);
    server.onRun = (number) => {
      if (number === 2) controller.abort();
    };
    const outcome = await runConformance({
      endpoints: server,
      agent: 'a',
      categories: new Set(['1']),
      signal: controller.signal,
      onProgress: () => {},
    });
    assert.equal(outcome.stopped, true);
    assert.deepEqual(
      outcome.results.map((r) => r.id),
      ['1.1.1'],
    );
    assert.deepEqual(server.calls, ['count', 'info 1', 'run 1', 'info 2', 'run 2', 'status 1', 'update', 'index']);
  });

  it('leaves a case the reports do not have without a verdict, and asks for no reports when nothing ran', async () => {
    const server = new ScriptedServer(['1.1.1', '1.1.2']);
    server.verdicts.delete('1.1.1');
    const outcome = await runConformance({
      endpoints: server,
      agent: 'a',
      categories: new Set(['1']),
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    assert.deepEqual(
      outcome.results.map((r) => [r.id, r.entry?.behavior]),
      [
        ['1.1.1', undefined],
        ['1.1.2', 'OK'],
      ],
    );

    const idle = new ScriptedServer(['1.1.1']);
    const none = await runConformance({
      endpoints: idle,
      agent: 'a',
      categories: new Set(['2']),
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    assert.deepEqual(none.results, []);
    assert.deepEqual(idle.calls, ['count', 'info 1']);
  });

  it('rejects with the server’s error and stops there', async () => {
    const server = new ScriptedServer(['1.1.1', '1.1.2']);
    server.onRun = (number) => {
      if (number === 1) throw new Error('the connection was refused');
    };
    await assert.rejects(
      runConformance({
        endpoints: server,
        agent: 'a',
        categories: new Set(['1']),
        signal: new AbortController().signal,
        onProgress: () => {},
      }),
      /^Error: the connection was refused$/,
    );
    assert.deepEqual(server.calls, ['count', 'info 1', 'run 1']);
  });
});

/** A fuzzing server in miniature: the cases with these ids, each played to a clean close and graded OK. */
class ScriptedServer implements ConformanceEndpoints {
  readonly calls: string[] = [];
  readonly verdicts: Map<string, IndexEntry>;
  onRun: (number: number) => void = () => {};
  readonly #ids: readonly string[];
  #agent = '';

  constructor(ids: readonly string[]) {
    this.#ids = ids;
    this.verdicts = new Map(ids.map((id) => [id, indexEntry('OK', `a_case_${id}.json`)]));
  }

  async caseCount(): Promise<number> {
    this.calls.push('count');
    return this.#ids.length;
  }

  async caseInfo(number: number): Promise<CaseInfo> {
    this.calls.push(`info ${number}`);
    const id = this.#ids[number - 1]!;
    return { id, description: `case ${id}` };
  }

  async runCase(number: number, agent: string): Promise<EchoCaseEnd> {
    this.calls.push(`run ${number}`);
    this.#agent = agent;
    this.onRun(number);
    return { code: 1000, reason: '', wasClean: true, received: 1, echoed: 1, failed: false };
  }

  async caseStatus(number: number): Promise<Behavior> {
    this.calls.push(`status ${number}`);
    return 'OK';
  }

  async updateReports(): Promise<void> {
    this.calls.push('update');
  }

  async reportIndex(): Promise<ReportIndex> {
    this.calls.push('index');
    return { other: {}, [this.#agent]: Object.fromEntries(this.verdicts) };
  }
}

function result(number: number, id: string, behavior: Behavior | undefined): CaseResult {
  return {
    number,
    id,
    description: '',
    browser: { code: 1000, reason: '', wasClean: true, received: 0, echoed: 0, failed: false },
    entry: behavior ? indexEntry(behavior, `a_case_${id}.json`) : undefined,
  };
}

function indexEntry(behavior: Behavior, reportfile: string): IndexEntry {
  return { behavior, behaviorClose: 'OK', duration: 3, remoteCloseCode: 1000, reportfile };
}

function counts(some: Partial<Record<Behavior, number>>): Record<Behavior, number> {
  return { OK: 0, 'NON-STRICT': 0, INFORMATIONAL: 0, UNIMPLEMENTED: 0, FAILED: 0, ...some };
}

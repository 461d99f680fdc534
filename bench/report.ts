// The printed table and what goes into it: which figures each scenario
// reports, in which unit, and which direction is better.
import { median, summarize, type Summary } from './stats.ts';

export type ScenarioName = 'latency' | 'throughput' | 'idle' | 'handshakes' | 'large' | 'deflate' | 'samecore';
/**
 * Scenario order, and the letters that --only also accepts ((f) is the
 * scaling runs, in scaling.ts; (h) the cold starts, in cold-start.ts).
 */
export const SCENARIO_LETTERS: Record<string, ScenarioName> = {
  a: 'latency',
  b: 'throughput',
  c: 'idle',
  d: 'handshakes',
  e: 'large',
  g: 'deflate',
  i: 'samecore',
};

/**
 * The servers: the project at its defaults, the same with TUNED_FLAGS
 * (servers.ts), a minimal `ws` echo, the least a WebSocket echo on Node can
 * be (floor-server.mjs) and Bun's own WebSocket server.
 */
export type ServerName = 'project' | 'tuned' | 'ws' | 'floor' | 'bun';
/** What the project is compared with, in the table's order. */
export const BASELINES = ['ws', 'floor', 'bun'] as const;
export type Baseline = (typeof BASELINES)[number];
/** The project's rows: at its defaults, and tuned where that was run. */
export const SUBJECTS = ['project', 'tuned'] as const;
export type Subject = (typeof SUBJECTS)[number];

interface Metric {
  scenario: ScenarioName;
  key: string;
  label: string;
  unit: string;
  /** 'info' rows explain the others (e.g. who was CPU-bound) and are not a score. */
  better: 'higher' | 'lower' | 'info';
  scale?: number;
}

export const METRICS: Metric[] = [
  { scenario: 'latency', key: 'p50_us', label: '(a) RTT p50, 1 conn', unit: 'µs', better: 'lower' },
  { scenario: 'latency', key: 'p99_us', label: '(a) RTT p99', unit: 'µs', better: 'lower' },
  { scenario: 'latency', key: 'p999_us', label: '(a) RTT p99.9', unit: 'µs', better: 'lower' },
  { scenario: 'throughput', key: 'msgs_per_s', label: '(b) 50×16 throughput', unit: 'msg/s', better: 'higher' },
  {
    scenario: 'throughput',
    key: 'msgs_per_cpu_s',
    label: '(b) msg per server CPU-second',
    unit: 'msg',
    better: 'higher',
  },
  { scenario: 'throughput', key: 'mean_us', label: '(b) RTT mean', unit: 'µs', better: 'lower' },
  { scenario: 'throughput', key: 'p99_us', label: '(b) RTT p99', unit: 'µs', better: 'lower' },
  { scenario: 'throughput', key: 'server_cpu_pct', label: '(b) server CPU', unit: '%', better: 'info' },
  { scenario: 'throughput', key: 'gen_cpu_pct', label: '(b) generator CPU', unit: '%', better: 'info' },
  {
    scenario: 'idle',
    key: 'bytes_per_conn',
    label: '(c) memory / idle conn',
    unit: 'KiB',
    better: 'lower',
    scale: 1 / 1024,
  },
  { scenario: 'idle', key: 'rss_before_mib', label: '(c) server RSS at rest', unit: 'MiB', better: 'info' },
  { scenario: 'handshakes', key: 'handshakes_per_s', label: '(d) handshakes, 16 conc.', unit: '/s', better: 'higher' },
  {
    scenario: 'handshakes',
    key: 'handshakes_per_cpu_s',
    label: '(d) per server CPU-second',
    unit: '',
    better: 'higher',
  },
  { scenario: 'handshakes', key: 'server_cpu_pct', label: '(d) server CPU', unit: '%', better: 'info' },
  { scenario: 'handshakes', key: 'gen_cpu_pct', label: '(d) generator CPU', unit: '%', better: 'info' },
  { scenario: 'large', key: 'mb_per_s_64k', label: '(e) 64 KiB binary', unit: 'MB/s', better: 'higher' },
  { scenario: 'large', key: 'mb_per_s_1m', label: '(e) 1 MiB binary', unit: 'MB/s', better: 'higher' },
  { scenario: 'large', key: 'server_cpu_pct_1m', label: '(e) 1 MiB server CPU', unit: '%', better: 'info' },
  { scenario: 'large', key: 'gen_cpu_pct_1m', label: '(e) 1 MiB generator CPU', unit: '%', better: 'info' },
  {
    scenario: 'deflate',
    key: 'deflate_msgs_per_s',
    label: '(g) deflate 50×16, 2 KiB',
    unit: 'msg/s',
    better: 'higher',
  },
  { scenario: 'deflate', key: 'deflate_p99_us', label: '(g) deflate RTT p99', unit: 'µs', better: 'lower' },
  { scenario: 'deflate', key: 'server_cpu_pct', label: '(g) deflate server CPU', unit: '%', better: 'info' },
  { scenario: 'deflate', key: 'gen_cpu_pct', label: '(g) deflate generator CPU', unit: '%', better: 'info' },
  { scenario: 'deflate', key: 'plain_msgs_per_s', label: '(g) same, uncompressed', unit: 'msg/s', better: 'higher' },
  {
    scenario: 'deflate',
    key: 'deflate_bytes_per_conn',
    label: '(g) memory / deflate conn',
    unit: 'KiB',
    better: 'lower',
    scale: 1 / 1024,
  },
  {
    scenario: 'deflate',
    key: 'plain_bytes_per_conn',
    label: '(g) memory / plain conn',
    unit: 'KiB',
    better: 'lower',
    scale: 1 / 1024,
  },
  { scenario: 'samecore', key: 'round_trips_per_s', label: '(i) round trips, 1 core', unit: '/s', better: 'higher' },
  { scenario: 'samecore', key: 'server_cpu_pct', label: '(i) server CPU', unit: '%', better: 'info' },
  { scenario: 'samecore', key: 'gen_cpu_pct', label: '(i) client CPU', unit: '%', better: 'info' },
];

/** One scenario's figures from one server in one round. */
export interface RoundResult {
  round: number;
  scenario: ScenarioName;
  server: ServerName;
  figures: Record<string, number>;
  settings: Record<string, number>;
  serverCpus: string;
  generatorCpus: string;
  /** Info-level log lines the server wrote in that run. */
  serverLogLines?: number;
  serverOutput?: string;
}

export interface MetricSummary {
  scenario: ScenarioName;
  metric: string;
  unit: string;
  better: Metric['better'];
  /** Whose row: the project at its defaults, or tuned. */
  subject: Subject;
  value: Summary;
  baselines: Partial<Record<Baseline, Summary>>;
  /** Median over rounds of subject/baseline from the same round. */
  ratios: Partial<Record<Baseline, number>>;
}

/** The label of a tuned row, after the metric's own. */
export const TUNED_LABEL = ' — tuned';

export function summarizeMetrics(results: readonly RoundResult[], scenarios: readonly ScenarioName[]): MetricSummary[] {
  const rows: MetricSummary[] = [];
  for (const m of METRICS.filter((m) => scenarios.includes(m.scenario))) {
    const of = (server: ServerName) =>
      new Map(
        results
          .filter((r) => r.server === server && r.scenario === m.scenario)
          .map((r) => [r.round, (r.figures[m.key] ?? NaN) * (m.scale ?? 1)]),
      );
    const baselineValues = Object.fromEntries(BASELINES.map((b) => [b, of(b)])) as Record<
      Baseline,
      Map<number, number>
    >;
    for (const subject of SUBJECTS) {
      const values = of(subject);
      if (values.size === 0) continue;
      const baselines: MetricSummary['baselines'] = {};
      const ratios: MetricSummary['ratios'] = {};
      for (const b of BASELINES) {
        const theirs = baselineValues[b];
        if (theirs.size === 0) continue;
        baselines[b] = summarize([...theirs.values()]);
        ratios[b] = median(
          [...values].filter(([round]) => theirs.has(round)).map(([round, value]) => value / theirs.get(round)!),
        );
      }
      rows.push({
        scenario: m.scenario,
        metric: subject === 'tuned' ? `${m.label}${TUNED_LABEL}` : m.label,
        unit: m.unit,
        better: m.better,
        subject,
        value: summarize([...values.values()]),
        baselines,
        ratios,
      });
    }
  }
  return rows;
}

const BASELINE_TITLES: Record<Baseline, string> = { ws: 'raw ws', floor: 'Node floor', bun: 'Bun' };

export function formatTable(rows: readonly MetricSummary[], rounds: number): string {
  const cell = (s: Summary | undefined) =>
    !s ? '–' : rounds > 1 ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : num(s.median);
  const present = BASELINES.filter((b) => rows.some((r) => r.baselines[b]));
  const range = rounds > 1 ? ' median (min–max)' : '';
  const header = [
    'metric',
    'unit',
    `project${range}`,
    ...present.map((b) => `${BASELINE_TITLES[b]}${range}`),
    ...present.map((b) => `project/${BASELINE_TITLES[b]}`),
    'better',
  ];
  const body = rows.map((r) => [
    r.metric,
    r.unit,
    cell(r.value),
    // A tuned row's baselines are the ones in the row above.
    ...present.map((b) => (r.subject === 'tuned' ? '' : cell(r.baselines[b]))),
    ...present.map((b) => {
      const ratio = r.ratios[b];
      return ratio !== undefined && Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–';
    }),
    r.better === 'info' ? '' : r.better,
  ]);
  const numeric = (i: number) => i >= 2 && i < header.length - 1;
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function num(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

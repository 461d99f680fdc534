// The printed table and what goes into it: which figures each scenario
// reports, in which unit, and which direction is better.
import { median, summarize, type Summary } from './stats.ts';

export type ScenarioName = 'latency' | 'throughput' | 'idle' | 'handshakes' | 'large' | 'deflate';
/** Scenario order, and the letters of the issue that --only also accepts. */
export const SCENARIO_LETTERS: Record<string, ScenarioName> = {
  a: 'latency',
  b: 'throughput',
  c: 'idle',
  d: 'handshakes',
  e: 'large',
  g: 'deflate',
};

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
];

/** One scenario's figures from one server in one round. */
export interface RoundResult {
  round: number;
  scenario: ScenarioName;
  server: 'project' | 'baseline';
  figures: Record<string, number>;
  settings: Record<string, number>;
  serverCpus: string;
  generatorCpus: string;
  serverOutput?: string;
}

export interface MetricSummary {
  scenario: ScenarioName;
  metric: string;
  unit: string;
  better: Metric['better'];
  project: Summary;
  baseline: Summary;
  /** Median over rounds of project/baseline from the same round. */
  ratio: number;
}

export function summarizeMetrics(results: readonly RoundResult[], scenarios: readonly ScenarioName[]): MetricSummary[] {
  return METRICS.filter((m) => scenarios.includes(m.scenario)).map((m) => {
    const of = (server: RoundResult['server']) =>
      new Map(
        results
          .filter((r) => r.server === server && r.scenario === m.scenario)
          .map((r) => [r.round, (r.figures[m.key] ?? NaN) * (m.scale ?? 1)]),
      );
    const project = of('project');
    const baseline = of('baseline');
    const ratios = [...project]
      .filter(([round]) => baseline.has(round))
      .map(([round, value]) => value / baseline.get(round)!);
    return {
      scenario: m.scenario,
      metric: m.label,
      unit: m.unit,
      better: m.better,
      project: summarize([...project.values()]),
      baseline: summarize([...baseline.values()]),
      ratio: median(ratios),
    };
  });
}

export function formatTable(rows: readonly MetricSummary[], rounds: number): string {
  const cell = (s: Summary) => (rounds > 1 ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : num(s.median));
  const header = [
    'metric',
    'unit',
    rounds > 1 ? 'project median (min–max)' : 'project',
    rounds > 1 ? 'baseline median (min–max)' : 'baseline',
    'project/baseline',
    'better',
  ];
  const body = rows.map((r) => [
    r.metric,
    r.unit,
    cell(r.project),
    cell(r.baseline),
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '–',
    r.better === 'info' ? '' : r.better,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
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

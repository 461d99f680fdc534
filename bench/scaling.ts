// Multi-core scaling: the project's throughput scenario (b) with --workers 1
// and --workers 2, in alternating rounds. With more CPUs than workers the
// server gets the first two and the generator the rest; on a 2-CPU machine
// the generator has to share them with the server, so msg/s understates what
// two workers can do. msg per server CPU-second shows whether a second worker
// costs efficiency, whatever CPU it got.
import { median, summarize, type Summary } from './stats.ts';
import { allowedCpus, parseCpuList } from './proc.ts';
import { choosePinning, runGenerator, startServer, tasksetFor, type Pinning } from './servers.ts';

export const SCALING_WORKERS = [1, 2] as const;
const [ONE, TWO] = SCALING_WORKERS;

export interface ScalingRound {
  round: number;
  workers: number;
  msgsPerSecond: number;
  /** Server CPU over the window, all processes: 100 = one core. */
  serverCpuPct: number;
  genCpuPct: number;
  serverCpus: string;
}

export interface ScalingSummary {
  /** How the CPUs were shared out, in words. */
  placement: string;
  byWorkers: { workers: number; msgsPerSecond: Summary; serverCpuPct: Summary; msgsPerCpuSecond: Summary }[];
  /** Median over rounds of (2 workers / 1 worker) from the same round. */
  throughputRatio: number;
  perCpuRatio: number;
}

/** Where the scaling runs go; chosen before run.ts pins itself to the generator's CPU. */
export interface ScalingPlacement {
  pinning: Pinning;
  /** The same, in words for the report. */
  placement: string;
}

/** Runs the scaling rounds; `log` gets one progress line per run. */
export async function runScaling(
  root: string,
  { pinning, placement }: ScalingPlacement,
  rounds: number,
  quick: boolean,
  log: (line: string) => void,
): Promise<{ rounds: ScalingRound[]; summary: ScalingSummary }> {
  const results: ScalingRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const workers of SCALING_WORKERS) {
      const server = await startServer('project', { root, pinning, workers: String(workers) });
      try {
        const { figures } = await runGenerator('throughput', server, pinning, quick);
        const result = {
          round,
          workers,
          msgsPerSecond: figures.msgs_per_s ?? NaN,
          serverCpuPct: figures.server_cpu_pct ?? NaN,
          genCpuPct: figures.gen_cpu_pct ?? NaN,
          serverCpus: server.cpus,
        };
        results.push(result);
        log(
          `round ${round}  scaling    ${workers} worker${workers > 1 ? 's' : ' '} msgs_per_s=${Math.round(result.msgsPerSecond)} server_cpu_pct=${result.serverCpuPct.toFixed(1)} gen_cpu_pct=${result.genCpuPct.toFixed(1)}`,
        );
      } finally {
        await server.stop();
      }
    }
  }
  return { rounds: results, summary: summarizeScaling(results, placement) };
}

export function formatScaling(s: ScalingSummary, rounds: number): string {
  const cell = (x: Summary) => formatCell(x, rounds);
  const rows = s.byWorkers.map(
    (w) =>
      `${String(w.workers).padEnd(7)}  ${cell(w.msgsPerSecond).padStart(27)}  ${cell(w.serverCpuPct).padStart(27)}  ${cell(w.msgsPerCpuSecond).padStart(27)}`,
  );
  return [
    `Scaling: (b) throughput with --workers 1 and 2; ${s.placement}`,
    `workers  ${'msg/s median (min–max)'.padStart(27)}  ${'server CPU % (100 = 1 core)'.padStart(27)}  ${'msg per server CPU-second'.padStart(27)}`,
    ...rows,
    `2 workers / 1 worker: ${s.throughputRatio.toFixed(2)}× msg/s, ${s.perCpuRatio.toFixed(2)}× msg per CPU-second.`,
  ].join('\n');
}

function summarizeScaling(results: readonly ScalingRound[], placement: string): ScalingSummary {
  const perCpu = (r: ScalingRound) => r.msgsPerSecond / (r.serverCpuPct / 100);
  const of = (workers: number) => results.filter((r) => r.workers === workers);
  const ratio = (figure: (r: ScalingRound) => number) =>
    median(
      of(TWO).flatMap((two) =>
        of(ONE)
          .filter((one) => one.round === two.round)
          .map((one) => figure(two) / figure(one)),
      ),
    );
  return {
    placement,
    byWorkers: SCALING_WORKERS.map((workers) => ({
      workers,
      msgsPerSecond: summarize(of(workers).map((r) => r.msgsPerSecond)),
      serverCpuPct: summarize(of(workers).map((r) => r.serverCpuPct)),
      msgsPerCpuSecond: summarize(of(workers).map(perCpu)),
    })),
    throughputRatio: ratio((r) => r.msgsPerSecond),
    perCpuRatio: ratio(perCpu),
  };
}

/**
 * Two CPUs for the server and the rest for the generator when there are more
 * than two; otherwise every process on every CPU, said so in the report.
 */
export function scalingPlacement(): ScalingPlacement {
  const dedicated = choosePinning(TWO);
  if (dedicated)
    return {
      pinning: dedicated,
      placement: `server on CPUs ${dedicated.serverCpus}, generator on ${dedicated.generatorCpus}.`,
    };
  const all = parseCpuList(allowedCpus(process.pid)).join(',');
  const taskset = tasksetFor(all);
  const placement = `only ${parseCpuList(all).length} CPU(s): server and generator share them, so msg/s understates two workers; compare msg per CPU-second.`;
  // Explicitly on every CPU: run.ts pins itself to one, and children inherit that.
  return { pinning: taskset ? { taskset, serverCpus: all, generatorCpus: all } : undefined, placement };
}

function formatCell(s: Summary, rounds: number): string {
  const n = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
  return rounds > 1 ? `${n(s.median)} (${n(s.min)}–${n(s.max)})` : n(s.median);
}

// Two servers measured at the same time, for a ratio near 1.0 that separate
// runs cannot settle on a shared machine: in consecutive runs the same
// server's handshake rate moves by a third. Here both servers run on the
// server CPU at once, each driven by its own generator on the generator CPU,
// window after window, so whatever else the machine does falls on both.
// Each generator reports its own server's rate and CPU share for the same
// 5 s; the ratio of the two per-CPU-second figures is the answer.
//
// Usage: npx tsx bench/side-by-side.ts [--scenario handshakes|throughput] [--windows N] [A B]
//   npx tsx bench/side-by-side.ts                      # (d): project at its defaults against raw ws, 6 windows
//   npx tsx bench/side-by-side.ts --windows 10 project tuned
// A and B: project, tuned, ws or floor (default project ws). Run `npm run build` first.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ScenarioName, ServerName } from './report.ts';
import { choosePinning, killAll, runGenerator, startServer } from './servers.ts';
import { median } from './stats.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Each scenario's rate, as its generator names it. */
const RATE: Partial<Record<ScenarioName, string>> = { handshakes: 'handshakes_per_s', throughput: 'msgs_per_s' };
const SERVERS: readonly ServerName[] = ['project', 'tuned', 'ws', 'floor'];

const { values, positionals } = parseArgs({
  options: { scenario: { type: 'string', default: 'handshakes' }, windows: { type: 'string', default: '6' } },
  allowPositionals: true,
});
const scenario = values.scenario as ScenarioName;
const windows = Number(values.windows);
const [a = 'project', b = 'ws'] = positionals as ServerName[];
if (!RATE[scenario] || !Number.isInteger(windows) || windows < 1 || ![a, b].every((s) => SERVERS.includes(s))) {
  process.stderr.write(
    'usage: npx tsx bench/side-by-side.ts [--scenario handshakes|throughput] [--windows N] [A B] (A, B: project, tuned, ws, floor)\n',
  );
  process.exit(2);
}
process.on('exit', killAll);

const pinning = choosePinning();
const servers = await Promise.all([a, b].map((name) => startServer(name, { root: ROOT, pinning })));
console.log(`${scenario}: ${a} and ${b} side by side, ${pinning ? `both on CPU ${pinning.serverCpus}` : 'unpinned'}`);
const ratios: number[] = [];
for (let window = 1; window <= windows; window++) {
  const results = await Promise.all(servers.map((server) => runGenerator(scenario, server, pinning, false)));
  const [ours, theirs] = results.map(({ figures }) => ({
    rate: figures[RATE[scenario]!]!,
    perCpuSecond: figures[RATE[scenario]!]! / (figures.server_cpu_pct! / 100),
    cpu: figures.server_cpu_pct!,
  }));
  ratios.push(ours!.perCpuSecond / theirs!.perCpuSecond);
  console.log(
    `window ${window}  ${a} ${fmt(ours!.rate)}/s, ${fmt(ours!.perCpuSecond)} per CPU-s (${ours!.cpu.toFixed(0)} %)  ` +
      `${b} ${fmt(theirs!.rate)}/s, ${fmt(theirs!.perCpuSecond)} per CPU-s (${theirs!.cpu.toFixed(0)} %)  ` +
      `${a}/${b} per CPU-s ${ratios.at(-1)!.toFixed(3)}×`,
  );
}
await Promise.all(servers.map((server) => server.stop()));
console.log(
  `${a}/${b}, per server CPU-second: median ${median(ratios).toFixed(3)}× (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}) over ${windows} windows`,
);

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

// `npm run bench`: the project's production server against a minimal ws
// echo, in alternating runs (round 1: project, baseline; round 2: baseline,
// project; …), each scenario on a freshly started server pinned to one CPU
// (normally 0) and a load generator pinned to another (normally 1). Prints
// the comparison and writes every raw figure to bench/results/. Any failed
// check or stuck phase fails the whole run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable, SCENARIO_LETTERS, summarizeMetrics, type RoundResult, type ScenarioName } from './report.ts';
import { V8_FLAGS } from '../server/v8-flags.ts';
import { formatScaling, runScaling, scalingPlacement } from './scaling.ts';
import { COLD_STARTS, formatColdStart, runColdStart } from './cold-start.ts';
import {
  choosePinning,
  killAll,
  PROJECT_BENCH_FLAGS,
  runGenerator,
  SCENARIO_FLAGS,
  startServer,
  type Pinning,
} from './servers.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const USAGE = `Usage: npm run bench -- [--quick] [--rounds N] [--only a,b,c,d,e,f,g,h] [--workers N]
  --quick      1 round, short phases: a smoke run (about a minute)
  --rounds N   rounds per server (default 3; each round runs project then baseline)
  --only LIST  scenarios by letter or name: a latency, b throughput, c idle, d handshakes, e large,
               f scaling (the project's throughput with --workers 1 and 2), g deflate (both servers compressing),
               h cold (start to first echo: the CLI against ws, startEchoServer in-process)
  --workers N  passed to the project server as --workers N (e.g. 2 or auto)`;

const options = readOptions();
// Nothing may outlive us: kill every child on any kind of exit.
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAll();
    process.stderr.write(`\nbench: stopped by ${signal}\n`);
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  killAll();
  process.stderr.write(`\nbench FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/server/main.js')))
    throw new Error('dist/server/main.js is missing; run npm run build first (npm run bench does)');
  const cpuCount = cpus().length; // before pinning: afterwards this process sees one CPU
  const pinning = choosePinning();
  const scalingWhere = scalingPlacement(); // also before this process pins itself below
  // This process only waits and reads pipes, but it too stays off the server's core.
  if (pinning)
    spawnSync(pinning.taskset, ['-a', '-p', '-c', pinning.generatorCpus, String(process.pid)], { stdio: 'ignore' });
  console.log(
    pinning
      ? `Pinning: servers on CPU ${pinning.serverCpus}, load generator on CPU ${pinning.generatorCpus} (taskset).`
      : 'Pinning: NONE (no taskset or fewer than 2 CPUs); servers and generator share the CPUs, figures are less comparable.',
  );
  console.log(
    `Scenarios: ${[...options.scenarios, ...(options.scaling ? ['scaling'] : []), ...(options.coldStart ? ['cold'] : [])].join(', ')}; ${options.rounds} round(s)${options.quick ? ', quick' : ''}.`,
  );
  const build = wsBuild();
  const { ws, bufferutil } = build;
  console.log(
    `Both servers: ws ${ws} from node_modules, ${bufferutil ? `with bufferutil ${bufferutil} (native unmasking)` : 'WITHOUT bufferutil (ws unmasks in JavaScript; large messages are several times slower)'}.`,
  );
  console.log(
    `Project server: node ${V8_FLAGS.join(' ')} dist/server/main.js ${PROJECT_BENCH_FLAGS.join(' ')}${options.workers !== undefined ? ` --workers ${options.workers}` : ''}\n`,
  );

  const results: RoundResult[] = [];
  const commands: Record<string, string[]> = {};
  const started = new Date();
  for (let round = 1; round <= options.rounds; round++) {
    for (const scenario of options.scenarios) {
      for (const name of serverOrder(round)) {
        const server = await startServer(name, {
          root: ROOT,
          pinning,
          workers: options.workers,
          flags: SCENARIO_FLAGS[scenario]?.[name],
        });
        commands[SCENARIO_FLAGS[scenario] ? `${name} (${scenario})` : name] = server.command;
        try {
          const result = await runGenerator(scenario, server, pinning, options.quick);
          // Anything the server printed (at warn level) after its start line is worth keeping next to the figures.
          const serverOutput = server.output().replace(/^ws-echo listening on .*\n?/, '');
          results.push({
            round,
            scenario,
            server: name,
            ...result,
            serverCpus: server.cpus,
            ...(serverOutput ? { serverOutput } : {}),
          });
          console.log(`round ${round}  ${scenario.padEnd(10)} ${name.padEnd(8)} ${brief(result.figures)}`);
        } catch (error) {
          const said = server.output();
          throw said && error instanceof Error
            ? new Error(`${error.message}\nThe ${name} server printed:\n${said}`)
            : error;
        } finally {
          await server.stop();
        }
      }
    }
  }

  const scaling = options.scaling
    ? await runScaling(ROOT, scalingWhere, options.rounds, options.quick, (line) => console.log(line))
    : undefined;

  const coldStart = options.coldStart
    ? await runColdStart(ROOT, pinning, options.rounds, options.quick, (line) => console.log(line))
    : undefined;

  const summary = options.scenarios.length ? summarizeMetrics(results, options.scenarios) : [];
  if (summary.length) {
    console.log(`\n${formatTable(summary, options.rounds)}`);
    console.log('\nRatio = median over rounds of project/baseline in the same round; "better" says which way is good.');
    console.log(contentionNote(results));
    if (!pinning) console.log('NOTE: server and generator ran unpinned, sharing the CPUs.');
  }
  if (scaling) console.log(`\n${formatScaling(scaling.summary, options.rounds)}`);
  if (coldStart)
    console.log(`\n${formatColdStart(coldStart.summary, coldStart.runs.length / Object.keys(COLD_STARTS).length)}`);
  const report = {
    machine: machineInfo(pinning, cpuCount, started, build),
    options: { ...options, seconds: (Date.now() - started.getTime()) / 1000 },
    commands,
    summary,
    rounds: results,
    ...(scaling ? { scaling } : {}),
    ...(coldStart ? { coldStart } : {}),
  };
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${report.machine.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Raw figures: ${file.slice(ROOT.length + 1)} (and bench/results/latest.json)`);
}

// The *_stolen_pct figures: how long the pinned server / generator sat ready
// to run while some other process had their core. Only a quiet machine gives
// figures worth comparing across runs.
function contentionNote(results: readonly RoundResult[]): string {
  const worst = (who: string) =>
    Math.max(
      0,
      ...results.flatMap((r) =>
        Object.entries(r.figures)
          .filter(([k]) => k.startsWith(`${who}_stolen_pct`))
          .map(([, v]) => v),
      ),
    );
  const server = worst('server');
  const gen = worst('gen');
  const text = `CPU taken by other processes: up to ${server.toFixed(1)}% of a measurement window from the server, ${gen.toFixed(1)}% from the generator.`;
  const lines = [Math.max(server, gen) > 5 ? `WARNING: ${text} Rerun on a quiet machine.` : text];
  // A generator near its core's limit may be what sets the pace, not the server.
  for (const r of results) {
    for (const [key, value] of Object.entries(r.figures)) {
      if (key.startsWith('gen_cpu_pct') && value >= 90) {
        const server = r.figures[key.replace('gen_', 'server_')] ?? NaN;
        lines.push(
          `WARNING: in round ${r.round} ${r.scenario} (${r.server}) the generator used ${value.toFixed(0)}% of its core (server ${server.toFixed(0)}%); it may have limited that figure.`,
        );
      }
    }
  }
  return lines.join('\n');
}

// The progress line: the figures and CPU use (the rest is in the JSON).
function brief(figures: Record<string, number>): string {
  return Object.entries(figures)
    .filter(([key]) => !key.includes('_wait_pct'))
    .map(([key, value]) => `${key}=${value >= 100 ? Math.round(value) : value.toFixed(1)}`)
    .join(' ');
}

function readOptions() {
  const parse = () =>
    parseArgs({
      options: {
        quick: { type: 'boolean' },
        rounds: { type: 'string' },
        only: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  let values: ReturnType<typeof parse>;
  try {
    values = parse();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const rounds = values.rounds === undefined ? (quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds must be a whole number ≥ 1, got ${values.rounds}`);
  const all = Object.values(SCENARIO_LETTERS);
  const picked =
    values.only === undefined
      ? [...all, 'scaling', 'cold']
      : values.only
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
  const scenarios = all.filter((name) => picked.some((p) => p === name || SCENARIO_LETTERS[p] === name));
  const scaling = picked.includes('f') || picked.includes('scaling');
  const coldStart = picked.includes('h') || picked.includes('cold');
  const extra = ['f', 'scaling', 'h', 'cold'];
  const unknown = picked.filter((p) => !SCENARIO_LETTERS[p] && !all.includes(p as ScenarioName) && !extra.includes(p));
  if (unknown.length || (scenarios.length === 0 && !scaling && !coldStart))
    fail(`--only takes a,b,c,d,e,f,g,h or ${all.join(',')},scaling,cold; got ${values.only}`);
  // Passed through as given (a number or 'auto'); the project server validates it.
  if (values.workers !== undefined && !/^[\w-]+$/.test(values.workers))
    fail(`--workers takes a number or a word such as auto, got ${values.workers}`);
  return { quick, rounds, scenarios, scaling, coldStart, workers: values.workers };
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/**
 * Who goes first alternates by round, so neither server always runs right
 * after the other's previous scenario (say, the teardown of 10,000 idle
 * connections before the handshake runs).
 */
function serverOrder(round: number): readonly ['project', 'baseline'] | readonly ['baseline', 'project'] {
  return round % 2 === 1 ? (['project', 'baseline'] as const) : (['baseline', 'project'] as const);
}

/** The ws both servers load, and the bufferutil it unmasks with when it can load one (as ws itself decides). */
function wsBuild(): { ws: string; bufferutil: string | null } {
  const version = (name: string) =>
    (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  let bufferutil: string | null = null;
  if (!process.env.WS_NO_BUFFER_UTIL) {
    try {
      createRequire(join(ROOT, 'package.json'))('bufferutil');
      bufferutil = version('bufferutil');
    } catch {
      // Not installed, or no build for this platform: ws falls back the same way.
    }
  }
  return { ws: version('ws'), bufferutil };
}

function machineInfo(pinning: Pinning, cpuCount: number, started: Date, build: ReturnType<typeof wsBuild>) {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const status = git('status', '--porcelain', '--', 'server', 'package.json', 'package-lock.json');
  return {
    date: started.toISOString(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: cpuCount,
    node: process.version,
    os: `${process.platform} ${release()}`,
    ...build,
    gitCommit: git('rev-parse', 'HEAD') ?? 'unknown',
    /** Uncommitted changes to the server or its dependencies: the figures are for the working tree, not the commit. */
    serverDirty: status === undefined ? 'unknown' : status !== '',
    pinning: pinning ? { serverCpus: pinning.serverCpus, generatorCpus: pinning.generatorCpus } : 'none',
    loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
}

// `npm run bench`: the project's production server at its defaults against
// a minimal ws echo and Bun's own WebSocket server, in rotating order (round
// 1: project, ws, Bun; round 2: ws, Bun, project; …), each scenario on a
// freshly started server pinned to one CPU (normally 0) and a load generator
// pinned to another (normally 1). Prints the comparison and writes every raw
// figure to bench/results/. Any failed check or stuck phase fails the whole run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBun, type BunBinary } from './bun.ts';
import {
  formatTable,
  SCENARIO_LETTERS,
  summarizeMetrics,
  type RoundResult,
  type ScenarioName,
  type ServerName,
} from './report.ts';
import { formatScaling, runScaling, scalingPlacement } from './scaling.ts';
import { COLD_STARTS, formatColdStart, runColdStart } from './cold-start.ts';
import {
  choosePinning,
  killAll,
  ONLY_IN,
  runGenerator,
  SCENARIO_FLAGS,
  serverCommand,
  startServer,
  TUNED_FLAGS,
  type Pinning,
} from './servers.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const ALL_SERVERS: readonly ServerName[] = ['project', 'tuned', 'ws', 'floor', 'bun'];
const USAGE = `Usage: npm run bench -- [--quick] [--rounds N] [--only a,b,c,d,e,f,g,h,i] [--servers LIST] [--workers N]
  --quick         1 round, short phases: a smoke run (a few minutes)
  --rounds N      rounds (default 3; each round runs every server, in rotating order)
  --only LIST     scenarios by letter or name: a latency, b throughput, c idle, d handshakes, e large,
                  f scaling (the project's throughput with --workers 1 and 2), g deflate (every server compressing),
                  h cold (start to first echo: the CLI against ws, startEchoServer in-process), i samecore
  --servers LIST  of ${ALL_SERVERS.join(',')} (default: all; tuned runs in (d) only, floor not in (g))
  --workers N     passed to the project server as --workers N (e.g. 2 or auto)`;

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
    `Project and ws: ws ${ws} from node_modules, ${bufferutil ? `with bufferutil ${bufferutil} (native unmasking)` : 'WITHOUT bufferutil (ws unmasks in JavaScript; large messages are several times slower)'}.`,
  );
  const bun: BunBinary | undefined = options.servers.includes('bun') ? ensureBun(ROOT) : undefined;
  if (bun && 'unavailable' in bun) console.log(`Bun: UNAVAILABLE, running without it (${bun.unavailable}).`);
  const servers = options.servers.filter((name) => name !== 'bun' || (bun && 'path' in bun));
  const commands = { workers: options.workers, bun: bun && 'path' in bun ? bun.path : undefined };
  for (const name of servers) {
    const command = serverCommand(name, 0, commands)
      .map((arg) => arg.replace(`${ROOT}/`, ''))
      .join(' ')
      .replace('--port 0', '--port P');
    const where = ONLY_IN[name] ? ` (in ${ONLY_IN[name]!.join(', ')} only)` : '';
    console.log(`${name.padEnd(7)} ${command}${where}`);
  }
  for (const [scenario, flags] of Object.entries(SCENARIO_FLAGS)) {
    if (!options.scenarios.includes(scenario as ScenarioName)) continue;
    const each = Object.entries(flags).map(([name, added]) => `${name} ${added.join(' ')}`);
    console.log(`In ${scenario}, added: ${each.join('; ')}.`);
  }
  if (bun && 'path' in bun) console.log(`Bun ${bun.version}, from npm's @oven/bun-linux-x64 in bench/.bun/.`);
  console.log(`tuned = the project with ${TUNED_FLAGS.join(' ')}; everything else at its defaults.\n`);

  const results: RoundResult[] = [];
  const ran: Record<string, string[]> = {};
  const started = new Date();
  for (let round = 1; round <= options.rounds; round++) {
    for (const scenario of options.scenarios) {
      for (const name of rotated(
        servers.filter((s) => !ONLY_IN[s] || ONLY_IN[s].includes(scenario)),
        round,
      )) {
        const flags = SCENARIO_FLAGS[scenario]?.[name];
        const server = await startServer(name, { root: ROOT, pinning, ...commands, flags });
        ran[flags ? `${name} (${scenario})` : name] = server.command;
        let result: Awaited<ReturnType<typeof runGenerator>>;
        try {
          result = await runGenerator(scenario, server, pinning, options.quick);
        } catch (error) {
          await server.stop();
          const said = server.output();
          throw said && error instanceof Error
            ? new Error(`${error.message}\nThe ${name} server printed:\n${said}`)
            : error;
        }
        await server.stop();
        // Anything the server printed at warn level or above, or outside its logs, is worth keeping next to the figures.
        const serverOutput = server.output();
        const logLines = server.logLines();
        results.push({
          round,
          scenario,
          server: name,
          ...result,
          serverCpus: server.cpus,
          ...(logLines ? { serverLogLines: logLines } : {}),
          ...(serverOutput ? { serverOutput } : {}),
        });
        console.log(
          `round ${round}  ${scenario.padEnd(10)} ${name.padEnd(7)} ${brief(result.figures)}${logLines ? ` log_lines=${logLines}` : ''}`,
        );
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
    console.log(
      `\nRatio = median over rounds of project/baseline in the same round; "better" says which way is good. ${TUNED_FLAGS.join(' ')} in the tuned rows.`,
    );
    console.log(contentionNote(results));
    if (!pinning) console.log('NOTE: server and generator ran unpinned, sharing the CPUs.');
  }
  if (scaling) console.log(`\n${formatScaling(scaling.summary, options.rounds)}`);
  if (coldStart)
    console.log(`\n${formatColdStart(coldStart.summary, coldStart.runs.length / Object.keys(COLD_STARTS).length)}`);
  const report = {
    machine: machineInfo(pinning, cpuCount, started, build),
    options: { ...options, seconds: (Date.now() - started.getTime()) / 1000 },
    commands: ran,
    ...(bun ? { bun } : {}),
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
  // In (i) the two share a core on purpose: there each one's wait is the other's turn.
  const shared = (r: RoundResult) => r.scenario === 'samecore';
  const worst = (who: string) =>
    Math.max(
      0,
      ...results
        .filter((r) => !shared(r))
        .flatMap((r) =>
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
      if (key.startsWith('gen_cpu_pct') && value >= 90 && !shared(r)) {
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
        servers: { type: 'string' },
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
    fail(`--only takes a,b,c,d,e,f,g,h,i or ${all.join(',')},scaling,cold; got ${values.only}`);
  // Passed through as given (a number or 'auto'); the project server validates it.
  if (values.workers !== undefined && !/^[\w-]+$/.test(values.workers))
    fail(`--workers takes a number or a word such as auto, got ${values.workers}`);
  const servers = values.servers === undefined ? ALL_SERVERS : values.servers.split(',').map((s) => s.trim());
  const unknownServers = servers.filter((s) => !ALL_SERVERS.includes(s as ServerName));
  if (unknownServers.length || !servers.includes('project'))
    fail(`--servers takes project and any of ${ALL_SERVERS.slice(1).join(',')}; got ${values.servers}`);
  return { quick, rounds, scenarios, scaling, coldStart, workers: values.workers, servers: servers as ServerName[] };
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/**
 * Who goes first rotates by round, so no server always runs right after
 * another's previous scenario (say, the teardown of 10,000 idle connections
 * before the handshake runs).
 */
function rotated<T>(servers: readonly T[], round: number): T[] {
  const k = (round - 1) % servers.length;
  return [...servers.slice(k), ...servers.slice(0, k)];
}

/** The ws the project and the ws baseline load, and the bufferutil it unmasks with when it can load one (as ws itself decides). */
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

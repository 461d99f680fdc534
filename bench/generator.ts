// The load generator process: runs one scenario against one server and
// prints its result as one JSON line. run.ts starts it pinned to the core the
// server is not on, so the two never compete for a CPU (except in (i), which
// measures exactly that). Any failed check ends it with exit code 1 and the reason on stderr.
import { BenchFailure, type ScenarioContext, type ScenarioResult } from './load/common.ts';
import * as deflate from './load/deflate.ts';
import * as handshakes from './load/handshakes.ts';
import * as idle from './load/idle.ts';
import * as large from './load/large.ts';
import * as latency from './load/latency.ts';
import * as samecore from './load/samecore.ts';
import * as throughput from './load/throughput.ts';
import { allowedCpus } from './proc.ts';

const SCENARIOS = { latency, throughput, idle, handshakes, large, deflate, samecore } as const;
type ScenarioName = keyof typeof SCENARIOS;

interface GeneratorJob extends ScenarioContext {
  scenario: ScenarioName;
}

// Checks throw from socket callbacks; whatever escapes ends the process here.
const die = (error: unknown) => {
  const message =
    error instanceof BenchFailure
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

const job = JSON.parse(process.argv[2] ?? '{}') as GeneratorJob;
const scenario = SCENARIOS[job.scenario];
if (!scenario) die(new BenchFailure(`unknown scenario ${JSON.stringify(job.scenario)}`));
const result: ScenarioResult = await scenario.run(job);
// The CPUs this process was allowed on: the proof that the pinning took.
process.stdout.write(`${JSON.stringify({ ...result, generatorCpus: allowedCpus(process.pid) })}\n`);
// Exit now rather than wait for the sockets' last events.
process.exit(0);

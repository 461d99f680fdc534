// Scenario (h), cold start: how long from nothing to the first echo reply.
// Per round, each start below runs several times, in alternating order, each
// in a fresh process on the server's CPU; ratios pair the project with the
// baseline started right after or before it.
//
// - As a process, spawn → first reply, with this process as the client
//   (polling the port until the handshake succeeds): the baseline
//   (baseline-server.mjs), the project as `npm start` runs it, and the
//   package's command (dist/server/bin.js), which relaunches node with the
//   V8 flags.
// - In-process (cold-start-probe.mjs): a fresh node imports the server and
//   its client, starts it and echoes once, then starts a second server as a
//   second test would: ws's WebSocketServer against startEchoServer().
import { WebSocket } from 'ws';
import { ENV_NAMES } from '../server/config.ts';
import { V8_FLAGS } from '../server/v8-flags.ts';
import { median, summarize, type Summary } from './stats.ts';
import { freePort, pinned, spawnTracked, tail, type Pinning } from './servers.ts';

/** What is started, and how. */
export const COLD_STARTS = {
  baseline: { label: 'baseline: node bench/baseline-server.mjs', kind: 'process' },
  project: { label: `project: node ${V8_FLAGS.join(' ')} dist/server/main.js (npm start)`, kind: 'process' },
  command: { label: 'package command: node dist/server/bin.js (relaunches node with the V8 flags)', kind: 'process' },
  baselineInProcess: { label: "in-process baseline: ws's new WebSocketServer()", kind: 'probe' },
  projectInProcess: { label: 'in-process project: startEchoServer()', kind: 'probe' },
} as const;
export type ColdStartName = keyof typeof COLD_STARTS;

/** The figures of one start, in ms. */
export interface ColdStartRun {
  round: number;
  /** Which start of the round (several per round). */
  repeat: number;
  name: ColdStartName;
  /** Process start → first echo reply. */
  toFirstEchoMs: number;
  /** In-process only: importing the server and ws. */
  importMs?: number;
  /** In-process only: starting the server → first echo reply, once imported. */
  startToEchoMs?: number;
  /** In-process only: a second server in the same process, start → first echo reply. */
  secondStartToEchoMs?: number;
}

export interface ColdStartSummary {
  rows: Array<{ name: ColdStartName; label: string; figures: Record<string, Summary> }>;
  /** Median over repeats of each start's figure over its baseline's from the same repeat. */
  ratios: { project: number; command: number; inProcess: number; inProcessStart: number };
}

// Paired figures: (process or in-process) project-like start / its baseline.
const PAIRS = [
  ['project', 'baseline', 'toFirstEchoMs'],
  ['command', 'baseline', 'toFirstEchoMs'],
  ['projectInProcess', 'baselineInProcess', 'toFirstEchoMs'],
  ['projectInProcess', 'baselineInProcess', 'startToEchoMs'],
] as const;

/** Runs the cold starts; `log` gets one line per start. */
export async function runColdStart(
  root: string,
  pinning: Pinning,
  rounds: number,
  quick: boolean,
  log: (line: string) => void,
): Promise<{ runs: ColdStartRun[]; summary: ColdStartSummary }> {
  const repeats = quick ? 2 : 5;
  const names = Object.keys(COLD_STARTS) as ColdStartName[];
  const runs: ColdStartRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (let repeat = 1; repeat <= repeats; repeat++) {
      // Alternate the order, so no start always follows the same other one.
      const order = (round + repeat) % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        const figures =
          COLD_STARTS[name].kind === 'process'
            ? await processStart(root, pinning, name)
            : await probe(root, pinning, name);
        const run = { round, repeat, name, ...figures };
        runs.push(run);
        log(
          `round ${round}  cold start ${name.padEnd(17)} ${Object.entries(figures)
            .map(([key, ms]) => `${key}=${ms.toFixed(1)}`)
            .join(' ')}`,
        );
      }
    }
  }
  return { runs, summary: summarizeColdStart(runs) };
}

export function formatColdStart(s: ColdStartSummary, samples: number): string {
  const cell = (x: Summary | undefined) =>
    x === undefined
      ? ''
      : samples > 1
        ? `${x.median.toFixed(1)} (${x.min.toFixed(1)}–${x.max.toFixed(1)})`
        : x.median.toFixed(1);
  const width = Math.max(...s.rows.map((row) => row.label.length));
  const columns = ['toFirstEchoMs', 'importMs', 'startToEchoMs', 'secondStartToEchoMs'] as const;
  const heads = ['start → 1st echo', 'import', 'server start → echo', '2nd server → echo'];
  return [
    `Cold start (h): ms, median (min–max) of ${samples} starts each; in-process: a fresh node, import, start, one echo, then a second server.`,
    `${''.padEnd(width)}  ${heads.map((h) => h.padStart(24)).join('')}`,
    ...s.rows.map(
      (row) => `${row.label.padEnd(width)}  ${columns.map((c) => cell(row.figures[c]).padStart(24)).join('')}`,
    ),
    `Process start → first echo, project / baseline: ${s.ratios.project.toFixed(2)}× (npm start), ${s.ratios.command.toFixed(2)}× (package command).`,
    `In-process, process start → first echo: ${s.ratios.inProcess.toFixed(2)}× ws's; server start → first echo once imported: ${s.ratios.inProcessStart.toFixed(2)}×.`,
  ].join('\n');
}

function summarizeColdStart(runs: readonly ColdStartRun[]): ColdStartSummary {
  const of = (name: ColdStartName) => runs.filter((r) => r.name === name);
  const rows = (Object.keys(COLD_STARTS) as ColdStartName[]).map((name) => {
    const figures: Record<string, Summary> = {};
    for (const key of ['toFirstEchoMs', 'importMs', 'startToEchoMs', 'secondStartToEchoMs'] as const) {
      const values = of(name)
        .map((r) => r[key])
        .filter((v): v is number => v !== undefined);
      if (values.length) figures[key] = summarize(values);
    }
    return { name, label: COLD_STARTS[name].label, figures };
  });
  const [project, command, inProcess, inProcessStart] = PAIRS.map(([name, baseline, key]) =>
    median(
      of(name).flatMap((r) => {
        const paired = of(baseline).find((b) => b.round === r.round && b.repeat === r.repeat);
        return paired?.[key] !== undefined && r[key] !== undefined ? [r[key] / paired[key]] : [];
      }),
    ),
  );
  return {
    rows,
    ratios: { project: project!, command: command!, inProcess: inProcess!, inProcessStart: inProcessStart! },
  };
}

// A server process: spawn → the first echo reply to a client polling its port.
async function processStart(
  root: string,
  pinning: Pinning,
  name: ColdStartName,
): Promise<Pick<ColdStartRun, 'toFirstEchoMs'>> {
  const port = await freePort();
  const where = ['--port', String(port)];
  const command = {
    baseline: [process.execPath, 'bench/baseline-server.mjs', ...where],
    // As a user runs them: every other setting at its default.
    project: [process.execPath, ...V8_FLAGS, 'dist/server/main.js', ...where],
    command: [process.execPath, 'dist/server/bin.js', ...where],
  }[name as 'baseline' | 'project' | 'command'];
  const env = { ...process.env };
  for (const key of ENV_NAMES) delete env[key];
  delete env.NODE_OPTIONS;
  const startedAt = performance.now();
  const child = spawnTracked(pinned(pinning, 'server', command), root, env);
  const output = tail(child);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it echoed:\n${output()}`))),
  );
  exited.catch(() => {});
  try {
    await Promise.race([firstEcho(`ws://127.0.0.1:${port}/`, startedAt + 30_000), exited]);
    return { toFirstEchoMs: performance.now() - startedAt };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
    );
    clearTimeout(timer);
  }
}

// Connects until the server accepts (a refused connection means it is not listening yet), then echoes once.
async function firstEcho(url: string, deadline: number): Promise<void> {
  for (;;) {
    const reply = await new Promise<string | undefined>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => ws.send('hello'));
      ws.once('message', (data) => {
        resolve(String(data));
        ws.terminate();
      });
      ws.once('error', (error: Error & { code?: string }) => {
        if (error.code === 'ECONNREFUSED') resolve(undefined);
        else reject(error);
      });
    });
    if (reply === 'Received: hello') return;
    if (reply !== undefined) throw new Error(`unexpected reply from ${url}: ${reply}`);
    if (performance.now() > deadline) throw new Error(`${url} did not answer within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

// An in-process start, in a fresh node running cold-start-probe.mjs.
async function probe(
  root: string,
  pinning: Pinning,
  name: ColdStartName,
): Promise<Omit<ColdStartRun, 'round' | 'repeat' | 'name'>> {
  const variant = name === 'projectInProcess' ? 'project' : 'baseline';
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawnTracked(
    pinned(pinning, 'server', [process.execPath, 'bench/cold-start-probe.mjs', variant]),
    root,
    env,
  );
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const output = tail(child);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`cold-start-probe.mjs ${variant} exited with ${code}:\n${output()}`);
  const { processStartToEchoMs, importMs, startToEchoMs, secondStartToEchoMs } = JSON.parse(stdout) as Record<
    string,
    number
  >;
  return { toFirstEchoMs: processStartToEchoMs!, importMs, startToEchoMs, secondStartToEchoMs };
}

// npm run test:fuzzing (after npm run build): every case of the
// client-conformance server against two real client libraries, each driven
// by a harness in the style of its own fuzzing-server harness: Node's `ws`
// (scripts/fuzzing/ws-client.mjs) and Python's `websockets`
// (scripts/fuzzing/test_client.py, with Debian's python3-websockets). Prints
// the verdicts per category and agent, then each verdict that differs from
// what the library's published Autobahn results lead one to expect; exits 1
// when a case is missing or a difference is not one explained below.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CASES, CATEGORIES, compareIds } from '../server/fuzzing/cases/index.ts';
import type { IndexEntry, ReportIndex } from '../server/fuzzing/reports.ts';
import { PROJECT_ROOT, startServer } from '../test/support/spawn-server.ts';

/** The whole run must finish within this (both clients, every case). */
const TIME_LIMIT_MS = 15 * 60_000;
const VERDICTS = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED'] as const;

interface Agent {
  name: string;
  command: string[];
  /** Verdicts other than OK that the published results (and the notes below) lead one to expect, by case id or prefix. */
  expected: Array<[pattern: string, verdict: string, why: string]>;
}

/** Informational by definition for every client. */
const INFORMATIONAL: Agent['expected'] = [
  ['7.1.6', 'INFORMATIONAL', 'informational case'],
  ['7.13.', 'INFORMATIONAL', 'informational case'],
];

const AGENTS: Agent[] = [
  {
    name: 'ws',
    command: [process.execPath, join(PROJECT_ROOT, 'scripts/fuzzing/ws-client.mjs')],
    expected: [
      ...INFORMATIONAL,
      // ws checks UTF-8 once a message is complete, so it does not fail fast.
      ['6.4.', 'NON-STRICT', 'ws validates UTF-8 per message, not per frame (published: non-strict)'],
      // ws 8's client refuses messages of more than 16384 fragments by default (maxFragments, a
      // denial-of-service guard newer than the published results); 9.3.1 and 9.4.1 send 65536.
      ['9.3.1', 'FAILED', "ws's default maxFragments (16384) refuses the 65536 fragments of 64 octets"],
      ['9.4.1', 'FAILED', "ws's default maxFragments (16384) refuses the 65536 fragments of 64 octets"],
    ],
  },
  {
    name: 'websockets',
    command: [pythonWithWebsockets() ?? 'python3', join(PROJECT_ROOT, 'scripts/fuzzing/test_client.py')],
    expected: [
      ...INFORMATIONAL,
      // websockets' compliance notes: the library fails the connection on a protocol error
      // before the application echoes the frame before it (non-strict in 3.2, 3.3, 4.1.3,
      // 4.1.4, 4.2.3, 4.2.4, 5.15); which cases it hits depends on how frames arrive.
      ['3.', 'NON-STRICT', 'the library fails the connection before the application echoes (compliance notes)'],
      ['4.', 'NON-STRICT', 'the library fails the connection before the application echoes (compliance notes)'],
      ['5.15', 'NON-STRICT', 'the library fails the connection before the application echoes (compliance notes)'],
      ['6.4.', 'NON-STRICT', 'the incremental decoder does not fail fast enough (compliance notes)'],
      // Debian's 10.4 asks zlib for a raw deflate window of 8 bits when the server answers
      // client_max_window_bits=8 (13.3, 13.5, and 13.7, which prefers 8), and zlib refuses
      // ("Invalid initialization option"); a known websockets bug, declined in later versions.
      ['13.3.', 'FAILED', 'websockets 10.4 cannot compress with the 8-bit window the server asks for'],
      ['13.5.', 'FAILED', 'websockets 10.4 cannot compress with the 8-bit window the server asks for'],
      ['13.7.', 'FAILED', 'websockets 10.4 cannot compress with the 8-bit window the server asks for'],
    ],
  },
];

const started = performance.now();
const deadline = setTimeout(() => {
  process.stderr.write(`test:fuzzing: still running after ${TIME_LIMIT_MS / 60_000} minutes; giving up\n`);
  process.exit(1);
}, TIME_LIMIT_MS);

const server = await startServer();
let failed = false;
try {
  const wsUrl = server.wsUrl.replace(/\/$/, '');
  for (const agent of AGENTS) {
    if (agent.name === 'websockets' && !pythonWithWebsockets()) {
      process.stdout.write(
        'websockets: skipped, python3 cannot import websockets (apt-get install python3-websockets)\n',
      );
      failed = true;
      continue;
    }
    const { code, seconds } = await run(agent.command, [wsUrl, agent.name]);
    process.stdout.write(
      `${agent.name}: harness ran ${seconds.toFixed(1)} s${code === 0 ? '' : `, exited with ${code}`}\n`,
    );
    if (code !== 0) failed = true;
  }
  const index = (await (await fetch(`${server.url}reports/clients/index.json`)).json()) as ReportIndex;
  process.stdout.write(`\n${summary(index)}\n`);
  for (const agent of AGENTS) failed = compare(agent, index[agent.name] ?? {}) || failed;
} finally {
  await server.stop();
  clearTimeout(deadline);
}
process.stdout.write(
  `\ntest:fuzzing: ${failed ? 'FAILED' : 'passed'} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
process.exitCode = failed ? 1 : 0;

/** Runs a harness to completion, its output passed through; resolves with its exit code and run time in seconds. */
function run(command: string[], args: string[]): Promise<{ code: number | null; seconds: number }> {
  const begun = performance.now();
  const child = spawn(command[0]!, [...command.slice(1), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, seconds: (performance.now() - begun) / 1000 }));
  });
}

/** Verdict counts per category (rows) and agent (columns). */
function summary(index: ReportIndex): string {
  const agents = AGENTS.map((agent) => agent.name).filter((name) => index[name]);
  const lines = [`${'category'.padEnd(34)}${agents.map((name) => name.padEnd(48)).join('')}`];
  for (const category of Object.keys(CATEGORIES).sort((a, b) => Number(a) - Number(b))) {
    const cells = agents.map((name) => {
      const entries = Object.entries(index[name]!).filter(([id]) => id.split('.')[0] === category);
      return countsOf(entries.map(([, entry]) => entry)).padEnd(48);
    });
    lines.push(`${`${category} ${CATEGORIES[category]}`.slice(0, 33).padEnd(34)}${cells.join('')}`);
  }
  lines.push(`${'all'.padEnd(34)}${agents.map((name) => countsOf(Object.values(index[name]!)).padEnd(48)).join('')}`);
  return lines.join('\n');
}

function countsOf(entries: IndexEntry[]): string {
  return VERDICTS.map((verdict) => [verdict, entries.filter((entry) => entry.behavior === verdict).length] as const)
    .filter(([, count]) => count > 0)
    .map(([verdict, count]) => `${verdict} ${count}`)
    .join(', ');
}

/** Prints the verdicts that differ from OK, grouped by the note that explains them; true when any is unexplained or missing. */
function compare(agent: Agent, cases: Record<string, IndexEntry>): boolean {
  let unexplained = false;
  const missing = CASES.filter((spec) => !cases[spec.id]).map((spec) => spec.id);
  if (missing.length > 0) {
    process.stdout.write(`\n${agent.name}: ${missing.length} cases missing: ${missing.slice(0, 10).join(', ')}...\n`);
    unexplained = true;
  }
  process.stdout.write(`\n${agent.name}: verdicts other than OK, against its published results\n`);
  const groups = new Map<Agent['expected'][number], string[]>();
  const unimplemented: string[] = [];
  for (const id of Object.keys(cases).sort(compareIds)) {
    const { behavior, behaviorClose } = cases[id]!;
    const rule = agent.expected.find(([pattern]) => (pattern.endsWith('.') ? id.startsWith(pattern) : id === pattern));
    if (behavior === 'UNIMPLEMENTED') unimplemented.push(id);
    // OK needs no note; an expected NON-STRICT that came out OK is better than published, not a regression.
    if (behavior === 'OK' && (!rule || rule[1] === 'NON-STRICT')) continue;
    if (behavior === 'UNIMPLEMENTED') continue;
    if (rule && rule[1] === behavior) {
      groups.set(rule, [...(groups.get(rule) ?? []), id]);
      continue;
    }
    unexplained = true;
    const expected = rule ? `expected ${rule[1]}: ${rule[2]}` : 'expected OK';
    process.stdout.write(`  UNEXPECTED ${id} ${behavior} (close ${behaviorClose}); ${expected}\n`);
  }
  for (const [[, verdict, why], ids] of groups) {
    process.stdout.write(
      `  ${verdict.padEnd(13)} ${String(ids.length).padStart(3)}  ${ids.join(' ')}\n${' '.repeat(21)}${why}\n`,
    );
  }
  if (unimplemented.length > 0) {
    process.stdout.write(
      `  UNIMPLEMENTED ${String(unimplemented.length).padStart(3)}  the client offered no permessage-deflate these cases accept\n`,
    );
  }
  return unexplained;
}

/** A python3 that can import websockets: the one on PATH, else Debian's. */
function pythonWithWebsockets(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0) return python;
  }
  return undefined;
}

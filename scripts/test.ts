// npm test: every stage in order, each one's own output as it comes, then a
// short summary a newcomer can read without scrolling back through thousands
// of lines: per stage, what it counted and how long it took. Stops at the
// first stage that fails, as `a && b && c` would, and exits with its code.
import { spawn } from 'node:child_process';

interface Stage {
  /** The npm script that runs it. */
  script: string;
  /** What the summary calls it. */
  label: string;
}

const STAGES: readonly Stage[] = [
  { script: 'typecheck', label: 'types' },
  { script: 'build', label: 'build' },
  { script: 'test:server', label: 'server tests' },
  { script: 'test:client', label: 'page logic tests' },
  { script: 'test:e2e', label: 'browser tests' },
];

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  flaky: number;
}

interface Result {
  stage: Stage;
  code: number;
  seconds: number;
  counts: Counts | undefined;
}

const results: Result[] = [];
const startedAt = performance.now();
for (const stage of STAGES) {
  const result = await run(stage);
  results.push(result);
  if (result.code !== 0) break;
}
printSummary(results, (performance.now() - startedAt) / 1000);
process.exitCode = results.at(-1)?.code ?? 1;

function run(stage: Stage): Promise<Result> {
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', stage.script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      resolve({
        stage,
        code: code ?? (signal ? 1 : 0),
        seconds: (performance.now() - started) / 1000,
        counts: countsIn(output),
      });
    });
  });
}

/** What a test runner's closing lines say: node's test runner (TAP) or Playwright's list reporter. */
function countsIn(output: string): Counts | undefined {
  const tap = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? Number.NaN);
  if (!Number.isNaN(tap('pass'))) {
    return { passed: tap('pass'), failed: tap('fail'), skipped: tap('skipped') + tap('todo'), flaky: 0 };
  }
  // Playwright: "  48 passed (1.5m)", "  1 failed", "  2 skipped", "  1 flaky".
  const playwright = (name: string) => Number(new RegExp(`^\\s+(\\d+) ${name}\\b`, 'm').exec(output)?.[1] ?? 0);
  if (/^\s+\d+ (passed|failed)\b/m.test(output)) {
    return {
      passed: playwright('passed'),
      failed: playwright('failed'),
      skipped: playwright('skipped'),
      flaky: playwright('flaky'),
    };
  }
  return undefined;
}

function printSummary(done: readonly Result[], totalSeconds: number): void {
  const lines = ['', 'npm test summary', ''];
  for (const { stage, code, seconds, counts } of done) {
    const what = counts
      ? `${counts.passed} passed, ${counts.failed} failed` +
        (counts.skipped ? `, ${counts.skipped} skipped` : '') +
        (counts.flaky ? `, ${counts.flaky} flaky (passed on retry)` : '')
      : code === 0
        ? 'ok'
        : `failed (exit ${code})`;
    lines.push(`  ${stage.label.padEnd(18)} ${what.padEnd(44)} ${seconds.toFixed(1).padStart(6)} s`);
  }
  for (const stage of STAGES.slice(done.length)) lines.push(`  ${stage.label.padEnd(18)} not run`);
  const sum = (field: keyof Counts) => done.reduce((total, { counts }) => total + (counts?.[field] ?? 0), 0);
  lines.push('', `  ${'all'.padEnd(18)} ${''.padEnd(44)} ${totalSeconds.toFixed(1).padStart(6)} s`, '');
  // The plain closing line CI and people read: "N passed, N failed".
  const stageFailed = done.some(({ code, counts }) => code !== 0 && !counts?.failed) ? 1 : 0;
  lines.push(`total: ${sum('passed')} passed, ${sum('failed') + stageFailed} failed`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

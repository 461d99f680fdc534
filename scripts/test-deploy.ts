// npm run test:deploy (after npm run build): the shipped deploy/nginx.conf and
// deploy/nginx-tls.conf in front of two real instances, checked end to end by
// test/deploy/*.test.ts. This script gets nginx (from Debian, when missing
// and run as root), checks that the build has the flags the tests need, runs
// the tests with a time limit, and afterwards proves with pgrep that none of
// the processes they started (nginx, the instances) is still running.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from './find-chromium.ts';
import { findNginx, killSurvivors, pgrep, readLedger, survivors } from '../test/deploy/nginx.ts';
import { PROJECT_ROOT } from '../test/support/spawn-server.ts';

/** The whole run, tests included, must finish within this. */
const TIME_LIMIT_MS = 110_000;
const TEST_DIR = join(PROJECT_ROOT, 'test', 'deploy');

function fail(message: string): never {
  process.stderr.write(`test:deploy: ${message}\n`);
  process.exit(1);
}

/** nginx on this machine, installing Debian's when it is missing and we may. */
function ensureNginx(): string {
  const found = findNginx();
  if (found) return found;
  const root = process.getuid?.() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!root || !apt) {
    fail(
      'no nginx found (PATH, /usr/sbin/nginx). Install it: `sudo apt-get install nginx-light` (Debian/Ubuntu; or `nginx`), ' +
        'or point NGINX at an nginx binary; run as root, this script installs it itself.',
    );
  }
  process.stdout.write('test:deploy: nginx is missing; installing it from Debian (nginx-light, else nginx)\n');
  // Debian's postinst would start nginx on port 80; policy-rc.d (exit 101) tells it not to.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const sh = (command: string) => spawnSync('sh', ['-c', command], { stdio: 'inherit', env }).status === 0;
    if (!sh('apt-get update -qq'))
      fail('`apt-get update` failed; install nginx yourself: `apt-get install nginx-light`');
    if (!sh('apt-get install -y -qq nginx-light') && !sh('apt-get install -y -qq nginx')) {
      fail(
        '`apt-get install nginx-light` and `apt-get install nginx` both failed; install an nginx and set NGINX to it',
      );
    }
  } finally {
    if (ownPolicy) unlinkSync(policy);
  }
  return findNginx() ?? fail('nginx was installed but is not at /usr/sbin/nginx nor on PATH; set NGINX to it');
}

/** The built server must have the proxy flags the tests start it with. */
function checkBuild(): void {
  const main = join(PROJECT_ROOT, 'dist', 'server', 'main.js');
  if (!existsSync(main)) fail('dist/server/main.js is missing; run `npm run build` (npm run test:deploy does)');
  const help = execFileSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
  const missing = ['--trust-proxy', '--instance-id'].filter((flag) => !help.includes(flag));
  if (missing.length > 0)
    fail(`the built server has no ${missing.join(' or ')}; rebuild with \`npm run build\` from sources that have them`);
}

const nginx = ensureNginx();
const version = spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim();
try {
  findChromium();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
checkBuild();

const runDir = mkdtempSync(join(tmpdir(), 'ws-echo-deploy-'));
const files = readdirSync(TEST_DIR)
  .filter((name) => name.endsWith('.test.ts'))
  .sort()
  .map((name) => join('test', 'deploy', name));
process.stdout.write(`test:deploy: ${version} (${nginx}); scratch directory ${runDir}\n`);

const started = Date.now();
// Its own process group, so a time-out or Ctrl-C takes the test runner and its children down together.
const tests = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['--test', '--test-reporter=spec', ...files], {
  cwd: PROJECT_ROOT,
  env: { ...process.env, NGINX: nginx, WS_ECHO_DEPLOY_RUN: runDir },
  stdio: 'inherit',
  detached: true,
});
const killTests = () => {
  try {
    process.kill(-tests.pid!, 'SIGKILL');
  } catch {}
};
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  process.stderr.write(`test:deploy: the tests took longer than ${TIME_LIMIT_MS / 1000} s; stopping them\n`);
  killTests();
}, TIME_LIMIT_MS);
const interrupted = () => killTests();
process.on('SIGINT', interrupted);
process.on('SIGTERM', interrupted);
const [code, signal] = (await once(tests, 'exit')) as [number | null, NodeJS.Signals | null];
clearTimeout(timer);
process.off('SIGINT', interrupted);
process.off('SIGTERM', interrupted);

// (f) Nothing may be left running, however the tests ended: every process
// they started is in the ledger; pgrep must find none of them, nor any
// process whose command line names this run's directory (nginx -p <dir>).
const ledger = readLedger(runDir);
const left = survivors(ledger);
const naming = pgrep(['-f', runDir]);
if (naming.length > 0) left.push(`processes naming ${runDir}: ${naming.join(', ')}`);
if (left.length > 0) {
  killSurvivors(ledger);
  for (const pid of naming) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const count = (prefix: string) => ledger.filter((entry) => entry.what.startsWith(prefix)).length;
const startedText = `${count('nginx')} nginx, ${count('ws-echo')} server and ${count('chromium')} Chromium processes`;
const passed = code === 0 && !timedOut && left.length === 0;

if (left.length > 0)
  process.stderr.write(`test:deploy: still running after the tests (now killed): ${left.join('; ')}\n`);
process.stdout.write(
  `test:deploy: ${passed ? 'passed' : 'FAILED'} in ${seconds} s; started ${startedText}, ` +
    `${left.length === 0 ? 'pgrep finds none of them running' : `${left.length} were left running`}` +
    `${code !== 0 ? ` (tests exited with ${code ?? signal})` : ''}\n`,
);
// The scratch directory holds nginx's logs: keep it when something failed.
if (passed) rmSync(runDir, { recursive: true, force: true });
else process.stdout.write(`test:deploy: nginx logs and rendered configurations kept in ${runDir}\n`);
process.exit(passed ? 0 : 1);

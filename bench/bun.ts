// Bun for the second baseline, installed on demand: npm ships Bun's binary
// as @oven/bun-linux-x64 (and -baseline, for CPUs without AVX2). It goes
// into bench/.bun/ (gitignored), never into the project's dependencies, and
// is installed once: later runs find it there. Where there is no binary for
// this machine or the registry cannot be reached, the benchmark says so and
// runs without Bun.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';

/** The Bun release the figures were taken with; any 1.4.x will do. */
const BUN_RANGE = '1.4';

export type BunBinary = { path: string; version: string } | { unavailable: string };

/** Finds Bun in bench/.bun/, installing it there first if need be. */
export function ensureBun(root: string): BunBinary {
  if (platform() !== 'linux' || arch() !== 'x64')
    return { unavailable: `npm ships Bun for this benchmark only as linux-x64; this is ${platform()}-${arch()}` };
  const name = hasAvx2() ? '@oven/bun-linux-x64' : '@oven/bun-linux-x64-baseline';
  const prefix = join(root, 'bench/.bun');
  const pkg = join(prefix, 'node_modules', name);
  const binary = join(pkg, 'bin/bun');
  if (!existsSync(binary)) {
    const args = ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `${name}@${BUN_RANGE}`];
    const install = spawnSync('npm', args, { cwd: root, encoding: 'utf8', timeout: 180_000 });
    if (install.status !== 0 || !existsSync(binary)) {
      const said = `${install.stderr ?? ''}${install.error?.message ?? ''}`.trim().split('\n').slice(-3).join(' ');
      return { unavailable: `npm ${args.join(' ')} failed${said ? `: ${said}` : ''}` };
    }
  }
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0)
    return { unavailable: `${binary} does not run here: ${(version.stderr || version.error?.message || '').trim()}` };
  const installed = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  return { path: binary, version: version.stdout.trim() || installed };
}

// Bun's default linux-x64 build needs AVX2; the -baseline build runs everywhere.
function hasAvx2(): boolean {
  try {
    return /^flags\s*:.*\bavx2\b/m.test(readFileSync('/proc/cpuinfo', 'latin1'));
  } catch {
    return false;
  }
}

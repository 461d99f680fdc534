// The package as a user gets it: `npm pack` (which builds, through prepack),
// then the tarball installed into a fresh project in a temp directory, with
// none of this project's dev dependencies, next to the test runners the
// docs/testing.md's examples use.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../support/spawn-server.ts';

const run = promisify(execFile);

/** What docs/testing.md's examples import besides the package: the client, the runners and the types. */
export const EXAMPLE_DEPENDENCIES = ['ws', 'vitest@4', 'jest@30', '@types/node@20', '@types/ws'] as const;

export interface PackedFile {
  path: string;
  size: number;
}

export interface InstalledPackage {
  /** The fresh project's directory. */
  dir: string;
  /** The tarball's name, size and files, as `npm pack --json` reports them. */
  tarball: { filename: string; size: number; files: PackedFile[] };
  /** Seconds spent packing and installing. */
  seconds: { pack: number; install: number };
  remove(): Promise<void>;
}

/** Packs this project and installs the tarball and EXAMPLE_DEPENDENCIES into a new project. */
export async function packAndInstall(): Promise<InstalledPackage> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-echo-package-'));
  try {
    const packStarted = performance.now();
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: PROJECT_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    // The JSON report comes last, after what prepack's build printed: it starts at a line that is just "[".
    const json = stdout.slice(stdout.lastIndexOf('\n[\n') + 1);
    const [report] = JSON.parse(json) as Array<InstalledPackage['tarball']>;
    if (!report) throw new Error(`npm pack reported nothing:\n${stdout}`);
    const pack = (performance.now() - packStarted) / 1000;
    // No "type": a project as `npm init` leaves it (CommonJS), which the examples must not need changed.
    await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'uses-ws-echo', private: true }, null, 2)}\n`);
    const installStarted = performance.now();
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, report.filename), ...EXAMPLE_DEPENDENCIES],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
    );
    return {
      dir,
      tarball: report,
      seconds: { pack, install: (performance.now() - installStarted) / 1000 },
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface DocExample {
  /** Where the example goes in the project, e.g. test/echo.node.test.mjs. */
  file: string;
  /** The code block under `<!-- example: file -->`. */
  source: string;
  /** The sh block right after it: the command that runs it. */
  command: string;
}

/** The examples of docs/testing.md, each with the command it gives for it. */
export function docExamples(markdown: string): DocExample[] {
  const pattern = /<!-- example: (\S+) -->\n```\w+\n([\s\S]*?)```\n+```sh\n([\s\S]*?)```/g;
  return [...markdown.matchAll(pattern)].map(([, file, source, command]) => ({
    file: file!,
    source: source!,
    command: command!.trim(),
  }));
}

// Running the container tools (apt-get, debootstrap, podman, runc, tar) from
// test:container: output captured and shown only when a command fails (or,
// for long steps, the lines worth watching), and every command ended when the
// run's time limit passes.
import { spawn, spawnSync } from 'node:child_process';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Ends the command (SIGTERM, so podman and debootstrap can clean up) when it aborts. */
  signal?: AbortSignal;
  /** Lines of output to print as they come, e.g. podman build's STEP lines. */
  show?: RegExp;
  /** Resolve with a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs `command args`, resolving with its output; throws with the output's tail when it fails. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<Ran> {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.signal ? { signal: options.signal, killSignal: 'SIGTERM' as const } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on(
    'data',
    showing(options.show, (chunk) => (stdout += chunk)),
  );
  child.stderr.setEncoding('utf8').on(
    'data',
    showing(options.show, (chunk) => (stderr += chunk)),
  );
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.once('close', (code, signal) => {
      const ran = { code, stdout, stderr };
      if (code === 0 || options.allowFailure) resolve(ran);
      else reject(new Error(`\`${[command, ...args].join(' ')}\` failed (${code ?? signal})\n${tail(stdout, stderr)}`));
    });
  });
}

/** Whether `name` is a command on PATH. */
export function have(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** A 'data' listener that keeps every chunk and prints the whole lines `show` matches. */
function showing(show: RegExp | undefined, keep: (chunk: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    keep(chunk);
    if (!show) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (show.test(line)) process.stdout.write(`  ${line.length > 116 ? `${line.slice(0, 115)}…` : line}\n`);
    }
  };
}

/** The last lines of a failed command's output, indented, for the error message. */
function tail(stdout: string, stderr: string): string {
  const lines = `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() !== '');
  return lines
    .slice(-30)
    .map((line) => `    ${line}`)
    .join('\n');
}

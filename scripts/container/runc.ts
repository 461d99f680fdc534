// The built image run with runc from an OCI bundle, as close to `docker run`
// as this sandbox allows: podman run cannot start containers here (setting
// RLIMIT_NPROC and RLIMIT_NOFILE is forbidden), runc can once the bundle asks
// for no rlimits, no resource limits and no cgroup namespace. Without a
// network namespace the container's port is this machine's loopback.
// Ending `runc run` would leave the container running: only `runc kill` and
// `runc delete` (remove()) stop it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Ran, run } from './commands.ts';

/** What `podman image inspect` says about the image, the part a runtime uses. */
export interface ImageConfig {
  user: string;
  env: string[];
  args: string[];
  workingDir: string;
  /** The HEALTHCHECK command as argv, or undefined when the image has none. */
  healthcheck: string[] | undefined;
}

export interface Container {
  id: string;
  /** stdout and stderr lines so far (the server's JSON log). */
  output: string[];
  /** Resolves with the container process's exit code, as `runc run` passes it on. */
  exited: Promise<number | null>;
  /** The container's process as this machine sees it. */
  pid(): Promise<number>;
  /** Runs `args` inside the container, with its user, environment and working directory. */
  exec(args: readonly string[]): Promise<Ran>;
  kill(signal: 'TERM' | 'KILL'): Promise<void>;
  /** Kills and deletes the container if it is still there; safe to call more than once. */
  remove(): Promise<void>;
}

export async function inspectImage(image: string): Promise<ImageConfig> {
  const { stdout } = await run('podman', ['image', 'inspect', image]);
  const [inspected] = JSON.parse(stdout) as Array<{
    Config?: { User?: string; Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string };
    Healthcheck?: { Test?: string[] };
  }>;
  const config = inspected?.Config ?? {};
  const test = inspected?.Healthcheck?.Test;
  let healthcheck: string[] | undefined;
  if (test?.[0] === 'CMD') healthcheck = test.slice(1);
  else if (test?.[0] === 'CMD-SHELL') healthcheck = ['/bin/sh', '-c', test[1] ?? ''];
  return {
    user: config.User ?? '',
    env: config.Env ?? [],
    args: [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])],
    workingDir: config.WorkingDir || '/',
    healthcheck,
  };
}

/**
 * Exports `image`'s filesystem into a bundle under `scratch` and starts it
 * with runc, `env` added to the image's environment.
 */
export async function startContainer(
  image: string,
  config: ImageConfig,
  scratch: string,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<Container> {
  const id = `ws-echo-test-${process.pid}`;
  const bundle = join(scratch, 'bundle');
  const rootfs = join(bundle, 'rootfs');
  const state = join(scratch, 'runc-state');
  mkdirSync(rootfs, { recursive: true });
  mkdirSync(state, { recursive: true });

  await run('podman', ['create', '--name', id, image], { signal });
  try {
    // Straight into the bundle: the image's ~200 MB are written once.
    const exportInto = 'podman export "$1" | tar -C "$2" --numeric-owner -xf -';
    await run('bash', ['-o', 'pipefail', '-c', exportInto, 'export', id, rootfs], { signal });
  } finally {
    await run('podman', ['rm', '--force', id], { allowFailure: true });
  }
  await run('runc', ['spec', '--bundle', bundle]);
  const path = join(bundle, 'config.json');
  const spec = JSON.parse(readFileSync(path, 'utf8')) as OciSpec;
  spec.process.terminal = false;
  spec.process.args = config.args;
  spec.process.cwd = config.workingDir;
  spec.process.user = userOf(config.user, rootfs);
  const overridden = new Set(Object.keys(env));
  spec.process.env = [
    ...config.env.filter((entry) => !overridden.has(entry.split('=')[0]!)),
    ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
  ];
  delete spec.process.rlimits;
  delete spec.linux.resources;
  spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'cgroup' && ns.type !== 'network');
  spec.hostname = id;
  writeFileSync(path, JSON.stringify(spec, null, 2));

  const runc = (...args: string[]) => run('runc', ['--root', state, ...args], { allowFailure: true });
  const child: ChildProcess = spawn('runc', ['--root', state, 'run', '--bundle', bundle, id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => output.push(...chunk.split('\n').filter(Boolean)));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let removed = false;

  return {
    id,
    output,
    exited,
    async pid() {
      const { stdout, code } = await runc('state', id);
      if (code !== 0) throw new Error(`runc state ${id}: the container is not there`);
      return (JSON.parse(stdout) as { pid: number }).pid;
    },
    exec: (args) => runc('exec', id, ...args),
    async kill(sig) {
      const { code, stderr } = await runc('kill', id, sig);
      if (code !== 0) throw new Error(`runc kill ${id} ${sig} failed: ${stderr.trim()}`);
    },
    async remove() {
      if (removed) return;
      removed = true;
      if (child.exitCode === null && child.signalCode === null) {
        await runc('kill', id, 'KILL');
        await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 5_000))]);
      }
      await runc('delete', '--force', id);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

interface OciSpec {
  process: {
    terminal?: boolean;
    args: string[];
    env: string[];
    cwd: string;
    user: { uid: number; gid: number };
    rlimits?: unknown;
  };
  hostname?: string;
  linux: { resources?: unknown; namespaces: Array<{ type: string }> };
}

/**
 * The image's USER as uid/gid, as docker resolves it: numbers as they are,
 * names through the image's /etc/passwd and /etc/group; no group given means
 * the user's own (root's group when the user has no passwd entry); no USER is root.
 */
function userOf(user: string, rootfs: string): { uid: number; gid: number } {
  const [name = '', group] = user.split(':');
  if (name === '') return { uid: 0, gid: 0 };
  const table = (file: string) =>
    readFileSync(join(rootfs, 'etc', file), 'utf8')
      .split('\n')
      .map((line) => line.split(':'));
  const passwd = table('passwd');
  const entry = passwd.find((fields) => fields[0] === name || (/^\d+$/.test(name) && fields[2] === name));
  const uid = /^\d+$/.test(name) ? Number(name) : Number(entry?.[2] ?? Number.NaN);
  if (Number.isNaN(uid)) throw new Error(`the image's USER ${user} is not in its /etc/passwd`);
  let gid = Number(entry?.[3] ?? 0);
  if (group !== undefined) {
    gid = /^\d+$/.test(group) ? Number(group) : Number(table('group').find((fields) => fields[0] === group)?.[2]);
    if (Number.isNaN(gid)) throw new Error(`the image's USER ${user} names a group not in its /etc/group`);
  }
  return { uid, gid };
}

// A stand-in for the official Node image, built on this machine because no
// registry of base images is reachable here: a Debian rootfs from debootstrap
// (minbase, the release the official image's tag names), this machine's own
// node and npm where that image keeps them, and its `node` user (uid 1000),
// imported with `podman import`. Built once per Node version and kept.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from './commands.ts';

/** The Debian release of the Dockerfile's default base, node:20-bookworm-slim. */
export const DEBIAN_RELEASE = 'bookworm';

/** The base image's name: a new Node on this machine makes a new base. */
export const BASE_IMAGE = `localhost/ws-echo-test-base:${DEBIAN_RELEASE}-node${process.versions.node}`;

const FALLBACK_MIRROR = 'http://deb.debian.org/debian';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Makes sure BASE_IMAGE exists, building it in `scratch` when it does not, and returns its name. */
export async function ensureBaseImage(scratch: string, signal: AbortSignal): Promise<string> {
  if ((await run('podman', ['image', 'exists', BASE_IMAGE], { allowFailure: true, signal })).code === 0) {
    process.stdout.write(`test:container: ${BASE_IMAGE} is there from an earlier run\n`);
    return BASE_IMAGE;
  }
  const mirror = debianMirror();
  const rootfs = join(scratch, 'base-rootfs');
  process.stdout.write(`test:container: building ${BASE_IMAGE}: debootstrap ${DEBIAN_RELEASE} from ${mirror}\n`);
  try {
    await run('debootstrap', ['--variant=minbase', DEBIAN_RELEASE, rootfs, mirror], {
      signal,
      show: /^I: (Retrieving Release |Installing core packages|Base system installed)/,
    });
    slim(rootfs);
    installNode(rootfs);
    // As the official image does it.
    await run('chroot', [
      rootfs,
      'sh',
      '-c',
      'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
    ]);
    const version = await run('chroot', [rootfs, '/usr/local/bin/node', '--version'], { allowFailure: true });
    if (version.stdout.trim() !== process.version) {
      throw new Error(
        `${process.execPath} does not run inside a ${DEBIAN_RELEASE} rootfs (${version.stderr.trim() || version.stdout.trim()}); ` +
          'give test:container an image with Node instead: NODE_IMAGE=<image> npm run test:container',
      );
    }
    const changes = [`ENV PATH=${PATH}`, 'CMD ["node"]'];
    // This machine's node trusts extra CAs (e.g. a proxy's to the npm registry); the base's npm must too.
    const extraCa = process.env.NODE_EXTRA_CA_CERTS;
    if (extraCa && existsSync(extraCa)) {
      mkdirSync(join(rootfs, dirname(extraCa)), { recursive: true });
      cpSync(extraCa, join(rootfs, extraCa));
      changes.push(`ENV NODE_EXTRA_CA_CERTS=${extraCa}`);
    }
    const tarball = join(scratch, 'base-rootfs.tar');
    await run('tar', ['-C', rootfs, '--numeric-owner', '-cf', tarball, '.'], { signal });
    rmSync(rootfs, { recursive: true, force: true });
    await run('podman', ['import', ...changes.flatMap((change) => ['--change', change]), tarball, BASE_IMAGE], {
      signal,
    });
    rmSync(tarball, { force: true });
  } finally {
    await unmountUnder(rootfs);
  }
  return BASE_IMAGE;
}

/**
 * The Debian mirror apt uses here for DEBIAN_RELEASE (deb822 .sources or
 * one-line .list entries), else Debian's own redirector.
 */
export function debianMirror(): string {
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const name of readdirSync('/etc/apt/sources.list.d').sort())
      if (/\.(list|sources)$/.test(name)) files.push(join('/etc/apt/sources.list.d', name));
  }
  for (const file of files.filter((path) => existsSync(path))) {
    const text = readFileSync(file, 'utf8');
    const found = file.endsWith('.sources') ? fromDeb822(text) : fromOneLine(text);
    if (found) return found;
  }
  return FALLBACK_MIRROR;
}

function fromDeb822(text: string): string | undefined {
  for (const paragraph of text.split(/\n\s*\n/)) {
    const field = (name: string) =>
      new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(paragraph)?.[1]?.trim().split(/\s+/) ?? [];
    if (field('Enabled')[0]?.toLowerCase() === 'no') continue;
    if (field('Types').includes('deb') && field('Suites').includes(DEBIAN_RELEASE)) return field('URIs')[0];
  }
  return undefined;
}

function fromOneLine(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const words = line
      .replace(/#.*/, '')
      .replace(/\[[^\]]*\]/, '')
      .trim()
      .split(/\s+/);
    if (words[0] === 'deb' && words[2] === DEBIAN_RELEASE) return words[1];
  }
  return undefined;
}

/** What a slim image leaves out: package lists and caches, docs, locales, man pages, device nodes. */
function slim(rootfs: string): void {
  for (const dir of [
    'var/lib/apt/lists',
    'var/cache/apt',
    'usr/share/doc',
    'usr/share/man',
    'usr/share/locale',
    'dev',
  ]) {
    const path = join(rootfs, dir);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path)) rmSync(join(path, name), { recursive: true, force: true });
  }
}

/** This machine's node and npm, where the official image has them (/usr/local). */
function installNode(rootfs: string): void {
  const bin = join(rootfs, 'usr/local/bin');
  mkdirSync(bin, { recursive: true });
  cpSync(process.execPath, join(bin, 'node'));
  const npm = onPath('npm');
  if (!npm) throw new Error('npm is not on PATH; the base image needs it for the build stage');
  // …/node_modules/npm/bin/npm-cli.js → …/node_modules/npm
  const npmDir = dirname(dirname(realpathSync(npm)));
  cpSync(npmDir, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(bin, 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(bin, 'npx'));
}

/** The file `name` runs from PATH. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const path = join(dir, name);
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

/** debootstrap mounts proc and sys in the target; if it was stopped half-way, they must go before rm -rf. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .reverse();
  for (const point of mounts) await run('umount', ['-l', point], { allowFailure: true });
}

// npm run test:container: builds the Dockerfile's image and runs it for real,
// then checks through the container's port what a user of `docker run -p`
// would see: the page, /healthz, the echo, the image's own HEALTHCHECK, node
// as a non-root PID 1, and a graceful stop on SIGTERM.
//
// No registry of base images is reachable here, so the image is built FROM a
// Node base made on this machine (scripts/container/base-image.ts) unless
// NODE_IMAGE names one; podman builds it, runc runs it (scripts/container/runc.ts
// says why not podman run). Needs root. Whatever happens, the container is
// killed and deleted and the scratch directory removed before it exits.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBaseImage } from './container/base-image.ts';
import { have, run } from './container/commands.ts';
import { type Container, type ImageConfig, inspectImage, startContainer } from './container/runc.ts';
import { ECHO_PROTOCOL, SHUTDOWN_CLOSE } from '../server/protocol.ts';
import { freePort } from '../test/support/free-port.ts';
import { httpGet } from '../test/support/http-request.ts';
import { PROJECT_ROOT } from '../test/support/spawn-server.ts';
import { withTimeout } from '../test/support/wait.ts';
import { closed, openClient, receiveOne, terminateAll } from '../test/support/ws-client.ts';

/** The whole run: a first one debootstraps and runs `npm ci` twice in the build; later ones hit the caches. */
const TIME_LIMIT_MS = 20 * 60_000;
const APP_IMAGE = 'localhost/ws-echo:test';
/** A base image given instead of the one built here (e.g. node:20-bookworm-slim, where a registry is reachable). */
const GIVEN_BASE = process.env.NODE_IMAGE;
const TOOLS = ['podman', 'runc', 'tar', ...(GIVEN_BASE ? [] : ['debootstrap'])];
/** docker stop's default: SIGKILL this long after SIGTERM. */
const STOP_TIMEOUT_MS = 10_000;
const CHECK_NAMES = [
  'the page',
  '/healthz',
  'the echo',
  'the HEALTHCHECK',
  'node as non-root PID 1 on 0.0.0.0',
  'graceful stop on SIGTERM',
] as const;

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

if (process.getuid?.() !== 0) {
  fail('needs root (debootstrap, and runc to run the image); run it as root, e.g. `sudo npm run test:container`');
}
await ensureTools();

const abort = new AbortController();
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  abort.abort();
}, TIME_LIMIT_MS);
const interrupted = () => abort.abort();
process.on('SIGINT', interrupted);
process.on('SIGTERM', interrupted);

const scratch = mkdtempSync(join(tmpdir(), 'ws-echo-container-'));
const checks: Check[] = [];
const timings: string[] = [];
let container: Container | undefined;
let setupError: unknown;
let imageSize = '';
let leftover = '';
try {
  const base = GIVEN_BASE || (await timed('base image', () => ensureBaseImage(scratch, abort.signal)));
  process.stdout.write(`test:container: building ${APP_IMAGE} FROM ${base}\n`);
  await timed('image build', () => buildImage(base));
  const size = Number((await run('podman', ['image', 'inspect', '--format', '{{.Size}}', APP_IMAGE])).stdout);
  imageSize = `${(size / 1e6).toFixed(0)} MB`;
  const config = await inspectImage(APP_IMAGE);
  const port = await freePort();
  const started = await timed('export and start', async () => {
    // Assigned as soon as it runs, so `finally` removes it even if it never serves.
    container = await startContainer(APP_IMAGE, config, scratch, { PORT: String(port) }, abort.signal);
    await untilServing(port, container);
    return container;
  });
  process.stdout.write(`test:container: ${APP_IMAGE} runs as ${started.id} on 127.0.0.1:${port}\n`);
  await timed('checks', () => runChecks(port, started, config));
} catch (error) {
  setupError = error;
} finally {
  clearTimeout(timer);
  terminateAll();
  if (container) {
    await container.remove();
    leftover = await container.pid().then(
      (pid) => `container ${container!.id} (pid ${pid}) is still there after runc delete`,
      () => '',
    );
  }
  rmSync(scratch, { recursive: true, force: true });
}

const failedTo = setupError instanceof Error ? setupError.message : setupError ? String(setupError) : '';
if (timedOut) process.stderr.write(`test:container: took longer than ${TIME_LIMIT_MS / 60_000} min; stopped\n`);
else if (abort.signal.aborted) process.stderr.write('test:container: interrupted; stopped\n');
if (failedTo) process.stderr.write(`test:container: ${failedTo}\n`);
if (leftover) process.stderr.write(`test:container: ${leftover}\n`);
if ((failedTo || checks.some((check) => !check.ok)) && container) {
  process.stderr.write(`test:container: the container's output:\n${container.output.slice(-30).join('\n')}\n`);
}
process.stdout.write(`test:container: ${timings.join(', ')}${imageSize ? `; image ${imageSize}` : ''}\n`);
const passed = checks.filter((check) => check.ok).length;
const failed = CHECK_NAMES.length - passed + (leftover ? 1 : 0);
process.stdout.write(`test:container: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && !failedTo ? 0 : 1);

async function runChecks(port: number, running: Container, config: ImageConfig): Promise<void> {
  const http = `http://127.0.0.1:${port}`;
  await check(CHECK_NAMES[0], async () => {
    const page = await httpGet(`${http}/`);
    const title = /<title>([^<]*)<\/title>/.exec(page.body)?.[1];
    expect(page.status === 200, `GET / answered ${page.status}`);
    expect(/^text\/html/.test(page.headers['content-type'] ?? ''), `GET / is ${page.headers['content-type']}`);
    expect(title === 'WebSocket Echo Test', `the page's title is ${JSON.stringify(title)}`);
    return `GET / → 200 text/html, title "${title}"`;
  });
  await check(CHECK_NAMES[1], async () => {
    const health = await httpGet(`${http}/healthz`);
    expect(health.status === 200, `GET /healthz answered ${health.status}`);
    const body = JSON.parse(health.body) as { status?: string; instance?: string };
    expect(body.status === 'ok', `/healthz says ${health.body}`);
    return `GET /healthz → 200 ${health.body}`;
  });
  await check(CHECK_NAMES[2], async () => {
    const ws = await openClient(`ws://127.0.0.1:${port}/`, ECHO_PROTOCOL);
    expect(ws.protocol === ECHO_PROTOCOL, `the server chose protocol ${JSON.stringify(ws.protocol)}`);
    const reply = receiveOne(ws);
    ws.send('Hello, world!');
    const { data, isBinary } = await reply;
    expect(!isBinary && data.toString() === 'Received: Hello, world!', `the echo was ${JSON.stringify(String(data))}`);
    ws.close();
    return `"Hello, world!" over ${ECHO_PROTOCOL} → "${data}"`;
  });
  await check(CHECK_NAMES[3], async () => {
    const healthcheck = config.healthcheck;
    expect(healthcheck !== undefined, 'the image has no HEALTHCHECK (podman keeps it only with --format docker)');
    const healthy = await running.exec(healthcheck!);
    expect(healthy.code === 0, `it exited ${healthy.code}: ${healthy.stderr.trim()}`);
    // And it can tell: pointed at a port nothing serves, it must fail.
    const elsewhere = await running.exec(['env', `PORT=${await freePort()}`, ...healthcheck!]);
    expect(elsewhere.code !== 0, 'it also passes when pointed at a port nothing listens on');
    return `\`${healthcheck![0]} ${healthcheck![1]} …\` exits 0 in the container (and ${elsewhere.code} against a dead port)`;
  });
  await check(CHECK_NAMES[4], async () => {
    const pid = await running.pid();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uids = /^Uid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(uids.length === 4 && uids.every((uid) => uid !== '0'), `its uids are ${uids.join(' ')}`);
    expect(nspid.at(-1) === '1', `it is pid ${nspid.at(-1)} in the container, not 1`);
    expect(argv.join(' ') === config.args.join(' '), `it runs \`${argv.join(' ')}\`, not the CMD`);
    // Loopback reaches it here whatever it binds; behind docker's -p only 0.0.0.0 does.
    const portHex = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = readFileSync(`/proc/${pid}/net/tcp`, 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && fields[1]?.endsWith(`:${portHex}`))
      .map((fields) => fields[1]);
    expect(
      listening.includes(`00000000:${portHex}`),
      `it listens on ${listening.join(', ') || 'nothing'}, not 0.0.0.0`,
    );
    return `\`${argv.join(' ')}\` is PID 1 with uid ${uids[0]}, listening on 0.0.0.0:${port}`;
  });
  await check(CHECK_NAMES[5], async () => {
    const ws = await openClient(`ws://127.0.0.1:${port}/`, ECHO_PROTOCOL);
    const close = closed(ws);
    await running.kill('TERM');
    const { code, reason } = await close;
    const exit = await withTimeout(running.exited, 'the container to exit after SIGTERM', STOP_TIMEOUT_MS);
    expect(
      code === SHUTDOWN_CLOSE.code && reason === SHUTDOWN_CLOSE.reason,
      `the client got close ${code} "${reason}", not ${SHUTDOWN_CLOSE.code} "${SHUTDOWN_CLOSE.reason}"`,
    );
    expect(exit === 0, `the server exited ${exit}`);
    return `runc kill TERM → client closed ${code} "${reason}", node exited ${exit}`;
  });
}

async function check(name: string, body: () => Promise<string>): Promise<void> {
  try {
    const detail = await body();
    checks.push({ name, ok: true, detail });
    process.stdout.write(`  ok    ${name}: ${detail}\n`);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    checks.push({ name, ok: false, detail });
    process.stdout.write(`  FAIL  ${name}: ${detail}\n`);
  }
}

function expect(condition: boolean, otherwise: string): void {
  if (!condition) throw new Error(otherwise);
}

async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    timings.push(`${what} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Builds APP_IMAGE FROM `base`, then drops the image it replaces (its cached layers stay). */
async function buildImage(base: string): Promise<void> {
  const previous = await run('podman', ['image', 'inspect', '--format', '{{.Id}}', APP_IMAGE], { allowFailure: true });
  await run(
    'podman',
    // --format docker: the OCI format has no HEALTHCHECK. chroot: no namespaces needed in this sandbox.
    ['build', '--isolation=chroot', '--format=docker', '--build-arg', `NODE_IMAGE=${base}`, '-t', APP_IMAGE, '.'],
    { cwd: PROJECT_ROOT, signal: abort.signal, show: /^(\[\d+\/\d+\] )?STEP \d+\/\d+/ },
  );
  const now = await run('podman', ['image', 'inspect', '--format', '{{.Id}}', APP_IMAGE]);
  if (previous.code === 0 && previous.stdout.trim() !== now.stdout.trim())
    await run('podman', ['rmi', previous.stdout.trim()], { allowFailure: true });
}

/** Waits for /healthz to answer 200, failing early if the container exits. */
async function untilServing(port: number, running: Container): Promise<void> {
  let exit: number | null | undefined;
  void running.exited.then((code) => (exit = code));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`the container exited (${exit}) before it served`);
    try {
      if ((await httpGet(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 1_000 })).status === 200) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nothing answered on 127.0.0.1:${port}/healthz within 20 s`);
}

/** podman, runc, tar and (for the base) debootstrap, from Debian when missing and we may. */
async function ensureTools(): Promise<void> {
  const missing = TOOLS.filter((tool) => !have(tool));
  if (missing.length === 0) return;
  if (!have('apt-get')) fail(`missing ${missing.join(', ')}; install them with your package manager`);
  process.stdout.write(`test:container: installing ${missing.join(', ')} from Debian\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env });
    await run('apt-get', ['install', '-y', '-qq', ...missing], { env });
  } catch (error) {
    fail(
      `${error instanceof Error ? error.message : error}\ninstall them yourself: apt-get install ${missing.join(' ')}`,
    );
  }
}

function fail(message: string): never {
  process.stderr.write(`test:container: ${message}\n`);
  process.stdout.write(`test:container: 0 passed, ${CHECK_NAMES.length} failed\n`);
  process.exit(1);
}

// Clients for the deployment tests: the server instances they proxy to,
// WebSocket clients that read /inspect's first message without racing it,
// and Chromium with a page in it (its controls: test/support/page-controls.ts).
import { collectProblems } from '../support/page-problems.ts';
import type { IncomingMessage } from 'node:http';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from '@playwright/test';
import { WebSocket, type ClientOptions } from 'ws';
import { findChromium } from '../../scripts/find-chromium.ts';
import type { HandshakeReport } from '../../server/protocol.ts';
import { neutralEnv } from '../support/child-process.ts';
import { terminateWatchers } from '../support/monitor-client.ts';
import { logOf } from '../support/page-controls.ts';
import { startServer, type RunningServer } from '../support/spawn-server.ts';
import { withTimeout } from '../support/wait.ts';
import { terminateAll } from '../support/ws-client.ts';
import {
  assertNoSurvivors,
  type LedgerEntry,
  type NginxOptions,
  type RunningNginx,
  recordProcess,
  requireNginx,
  startNginx,
} from './nginx.ts';

export interface Deployment {
  /** The instances by id, 'a' and 'b' (after a restart, the new one). */
  instances: Map<string, RunningServer>;
  /** The first nginx. */
  nginx: RunningNginx;
  /** Every nginx, in the order of `nginx()`'s setups. */
  proxies: RunningNginx[];
  chromium: RunningChromium;
  /** Starts instance `id` again, on `port`, in the place of the one `instances` holds. */
  restart(id: string, port: number): Promise<RunningServer>;
}

export interface RunningChromium {
  browser: Browser;
  /** The browser process, leader of its own process group. */
  pid: number;
  /** Closes the browser and waits until its processes are gone. */
  close(): Promise<void>;
}

/** What nginx is started with: a shipped template, its ports and any other placeholders. */
export type NginxSetup = Omit<NginxOptions, 'upstreams'>;

export interface DeploymentOptions {
  /** The nginx to start in front of both instances, one or several; asked in the hook, so it may make files (a certificate). */
  nginx: () => NginxSetup | NginxSetup[] | Promise<NginxSetup | NginxSetup[]>;
  /** Launch Chromium too; true unless said otherwise. */
  chromium?: boolean;
  /** Called at the end of the hook, to derive what the tests read (URLs) from what started. */
  started?: (deployment: Deployment) => void;
}

/**
 * What a deployment test file checks: instances a and b (startInstance),
 * nginx in front of them, and Chromium, started in one hook before the
 * file's tests. One hook, because node 20 runs a file's top-level `before`
 * hooks side by side, so nothing may wait on another hook. After the tests,
 * every client, Chromium, the instances and nginx are stopped, whatever
 * failed, and the ledger proves that none of it outlived the file.
 */
export function useDeployment({ nginx, chromium = true, started = () => {} }: DeploymentOptions): Deployment {
  const instances = new Map<string, RunningServer>();
  const proxies: RunningNginx[] = [];
  const ledger: LedgerEntry[] = [];
  let browser: RunningChromium | undefined;
  const start = async (id: string, port = 0) => {
    const server = await startInstance(id, port);
    instances.set(id, server);
    ledger.push({ what: `instance ${id}`, pid: server.child.pid!, group: false });
    return server;
  };
  before(async () => {
    const nginxPath = requireNginx();
    const setups = [await nginx()].flat();
    const [a, b] = await Promise.all([start('a'), start('b')]);
    for (const setup of setups) {
      const proxy = await startNginx(nginxPath, {
        ...setup,
        upstreams: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
      });
      proxies.push(proxy);
      ledger.push({ what: `nginx ${setup.template}`, pid: proxy.child.pid!, group: true });
    }
    if (chromium) {
      browser = await launchChromium();
      ledger.push({ what: 'chromium', pid: browser.pid, group: true });
    }
    started(deployment);
  });
  after(async () => {
    terminateSockets();
    terminateAll();
    terminateWatchers();
    await browser?.close();
    await Promise.all([...instances.values()].map((server) => server.stop('SIGKILL')));
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    assertNoSurvivors(ledger);
  });
  const deployment: Deployment = {
    instances,
    proxies,
    get nginx() {
      return proxies[0] ?? notStarted();
    },
    get chromium() {
      return browser ?? notStarted();
    },
    restart: start,
  };
  return deployment;
}

/** The fields of /inspect's first message the deployment tests read. */
export type InspectReport = Pick<HandshakeReport, 'type' | 'instance' | 'remoteAddress' | 'remotePort' | 'headers'>;

/** The value of header `name` in a report (names compared case-insensitively). */
export function headerOf(report: InspectReport, name: string): string | undefined {
  return report.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

const sockets = new Set<WebSocket>();

/**
 * Opens `url` (a /inspect URL) and resolves with the socket and the report
 * it sends first. The listener is in place before the handshake completes,
 * so a report that arrives with the 101 is not missed.
 */
export function openInspect(
  url: string,
  options: ClientOptions = {},
): Promise<{ ws: WebSocket; report: InspectReport }> {
  const ws = new WebSocket(url, options);
  sockets.add(ws);
  ws.on('error', () => {});
  const first = new Promise<{ ws: WebSocket; report: InspectReport }>((resolve, reject) => {
    ws.once('message', (data) => {
      try {
        resolve({ ws, report: JSON.parse(String(data)) as InspectReport });
      } catch (error) {
        reject(error);
      }
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) =>
      reject(new Error(`${url} answered HTTP ${res.statusCode}`)),
    );
    ws.once('close', (code) => reject(new Error(`${url} closed (${code}) before its report`)));
  });
  return withTimeout(first, `the /inspect report from ${url}`);
}

/** The code and reason the socket's close event brings. Listen before the close can happen. */
export function closeOf(ws: WebSocket, timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
  const close = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
  return withTimeout(close, 'the close event', timeoutMs);
}

export { refusedStatus } from '../support/ws-client.ts';

/** A page in a fresh context, with everything that goes wrong on it collected in `problems`. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  return { page, problems: collectProblems(page) };
}

/** The content cells of the /inspect reports the page has logged, oldest first. */
export function inspectReports(page: Page): Locator {
  return logOf(page).getByText(/^\{"type":"inspect",/);
}

/** The instance named in the page's `index`th logged /inspect report (0 = first). */
export async function instanceOfReport(page: Page, index: number): Promise<string> {
  const text = (await inspectReports(page).nth(index).textContent()) ?? '';
  const instance = /"instance":"([^"]+)"/.exec(text)?.[1];
  if (!instance) throw new Error(`no instance in the page's report: ${text.slice(0, 200)}`);
  return instance;
}

/**
 * Starts `node dist/server/main.js --port <port> --trust-proxy --instance-id <id>`
 * with every config variable from the shell cleared, and records it in the ledger.
 */
async function startInstance(id: string, port = 0): Promise<RunningServer> {
  const server = await startServer({
    args: ['--port', String(port), '--trust-proxy', '--instance-id', id],
    env: neutralEnv(),
  });
  recordProcess({ what: `ws-echo instance ${id} (port ${server.port})`, pid: server.child.pid!, group: false });
  return server;
}

/**
 * Chromium, found as the e2e tests find it (CHROMIUM_PATH, the system's,
 * Playwright's). Launched as a server so its pid (and process group, which
 * Playwright gives it) goes into the ledger, then connected to.
 */
async function launchChromium(): Promise<RunningChromium> {
  const executablePath = findChromium();
  const server = await chromium.launchServer(executablePath ? { executablePath } : {});
  const pid = server.process().pid!;
  recordProcess({ what: 'chromium', pid, group: true });
  const browser = await chromium.connect(server.wsEndpoint());
  return {
    browser,
    pid,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/** Terminates every socket opened through this module. */
function terminateSockets(): void {
  for (const ws of sockets) ws.terminate();
  sockets.clear();
}

function notStarted(): never {
  throw new Error('not started (yet): useDeployment starts it before the tests, Chromium only if asked');
}

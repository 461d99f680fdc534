// Clients for the deployment tests: the server instances they proxy to,
// WebSocket clients that read /inspect's first message without racing it,
// and the page's controls in Chromium (the same labels e2e/fixtures.ts uses;
// that module cannot be imported outside Playwright's runner).
import { collectProblems } from '../support/page-problems.ts';
import type { IncomingMessage } from 'node:http';
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from '@playwright/test';
import { WebSocket, type ClientOptions } from 'ws';
import { findChromium } from '../../scripts/find-chromium.ts';
import type { HandshakeReport } from '../../server/protocol.ts';
import { neutralEnv } from '../support/child-process.ts';
import { startServer, type RunningServer } from '../support/spawn-server.ts';
import { withTimeout } from '../support/wait.ts';
import { recordProcess } from './nginx.ts';

/**
 * Starts `node dist/server/main.js --port <port> --trust-proxy --instance-id <id>`
 * with every config variable from the shell cleared, and records it in the ledger.
 */
export async function startInstance(id: string, port = 0): Promise<RunningServer> {
  const server = await startServer({
    args: ['--port', String(port), '--trust-proxy', '--instance-id', id],
    env: neutralEnv(),
  });
  recordProcess({ what: `ws-echo instance ${id} (port ${server.port})`, pid: server.child.pid!, group: false });
  return server;
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
  return withTimeout(first, 5_000, `the /inspect report from ${url}`);
}

/** The code and reason the socket's close event brings. Listen before the close can happen. */
export function closeOf(ws: WebSocket, timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
  const close = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
  return withTimeout(close, timeoutMs, 'the close event');
}

export { refusedStatus } from '../support/ws-client.ts';

/** Terminates every socket opened through this module. */
export function terminateSockets(): void {
  for (const ws of sockets) ws.terminate();
  sockets.clear();
}

export interface RunningChromium {
  browser: Browser;
  /** The browser process, leader of its own process group. */
  pid: number;
  /** Closes the browser and waits until its processes are gone. */
  close(): Promise<void>;
}

/**
 * Chromium, found as the e2e tests find it (CHROMIUM_PATH, the system's,
 * Playwright's). Launched as a server so its pid (and process group, which
 * Playwright gives it) goes into the ledger, then connected to.
 */
export async function launchChromium(): Promise<RunningChromium> {
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

/** A page in a fresh context, with everything that goes wrong on it collected in `problems`. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  return { page, problems: collectProblems(page) };
}

/** The live readyState, e.g. "1 OPEN". */
export function readyState(page: Page): Locator {
  return page.getByLabel('readyState', { exact: true });
}

/** The URL the page's socket is connected to. */
export function socketUrl(page: Page): Locator {
  return page.getByLabel('URL', { exact: true });
}

/** Log rows going `direction` whose content matches `content`. */
export function logRows(
  page: Page,
  direction: 'sent' | 'received' | 'event' | 'error',
  content: string | RegExp,
): Locator {
  const text = typeof content === 'string' ? page.getByText(content, { exact: true }) : page.getByText(content);
  return page
    .getByRole('log')
    .getByRole('listitem')
    .filter({ has: page.getByText(direction, { exact: true }) })
    .filter({ has: text });
}

/** The content cells of the /inspect reports the page has logged, oldest first. */
export function inspectReports(page: Page): Locator {
  return page.getByRole('log').getByText(/^\{"type":"inspect",/);
}

/** The instance named in the page's `index`th logged /inspect report (0 = first). */
export async function instanceOfReport(page: Page, index: number): Promise<string> {
  const text = (await inspectReports(page).nth(index).textContent()) ?? '';
  const instance = /"instance":"([^"]+)"/.exec(text)?.[1];
  if (!instance) throw new Error(`no instance in the page's report: ${text.slice(0, 200)}`);
  return instance;
}

// The Express app that serves the page: Vite's middleware in dev (imported
// lazily, so production never loads Vite), the built files in production.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import { type DescriptorGuard, OUT_OF_DESCRIPTORS } from './descriptors.ts';
import type { HostCheck } from './hosts.ts';
import type { ClientView } from './proxy.ts';
import { RETRY_AFTER_SECONDS } from './upgrade.ts';
import { securityHeaders } from './security-headers.ts';

/** The project folder (the one holding package.json), wherever this file was built to. */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
/** Where `vite build` writes the page. */
export const CLIENT_DIST = join(PROJECT_ROOT, 'dist', 'client');

export interface PageApp {
  /** The request handler to mount on the http server. */
  app: Express;
  /** Releases what serving the page holds (Vite's watcher and HMR sockets in dev). */
  close(): Promise<void>;
}

export interface PageAppOptions {
  /** Serve through Vite's middleware with HMR instead of the built files. */
  dev: boolean;
  /** Whether the page is served over https (for HSTS and the CSP's wss:). */
  tls: boolean;
  /** Other WebSocket servers the page may connect to (CSP connect-src). */
  connectSrc: readonly string[] | '*';
  /** Who the client is and what it asked for (proxy.ts); backs req.ip, req.host and req.protocol. */
  clientView: ClientView;
  /** Two Host headers, or a host this server does not answer to (hosts.ts): checked before anything else. */
  checkHost: HostCheck;
  /** The same rule as Vite's `server.allowedHosts`, so that Vite's own check agrees in dev. */
  allowedHosts: readonly string[] | true;
  /** When file descriptors run short, the page gets 503; /healthz and /metrics still answer. */
  descriptors: DescriptorGuard;
  /** The http(s) server, which Vite shares in dev for its HMR socket. */
  httpServer: Server;
  /** /healthz and /metrics, mounted ahead of the page. */
  operations: Router;
}

/** Builds the app for the chosen mode. */
export async function createPageApp({
  dev,
  tls,
  connectSrc,
  clientView,
  checkHost,
  allowedHosts,
  descriptors,
  httpServer,
  operations,
}: PageAppOptions): Promise<PageApp> {
  const app = express();
  app.disable('x-powered-by');
  askClientView(app, clientView);
  app.use(refuseWrongHost(checkHost));
  app.use(operations);
  app.use(refuseWhenOutOfDescriptors(descriptors));
  app.use(...securityHeaders({ dev, tls, connectSrc }));
  if (dev) {
    const { createServer } = await import('vite');
    const vite = await createServer({
      configFile: join(PROJECT_ROOT, 'vite.config.ts'),
      // 'mpa' rather than 'spa': unknown paths should 404, not become the page.
      appType: 'mpa',
      server: {
        middlewareMode: true,
        ws: { server: httpServer },
        allowedHosts: allowedHosts === true ? true : [...allowedHosts],
      },
    });
    app.use(vite.middlewares);
    return { app, close: () => vite.close() };
  }
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) {
    throw Object.assign(new Error(`the page is not built (no ${join(CLIENT_DIST, 'index.html')}); run npm run build`), {
      code: 'ERR_WS_ECHO_NOT_BUILT',
    });
  }
  app.use(
    express.static(CLIENT_DIST, {
      setHeaders(res, path) {
        // Vite fingerprints everything under assets/, so those never change.
        const immutable = path.startsWith(join(CLIENT_DIST, 'assets'));
        res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return { app, close: async () => {} };
}

/**
 * Makes req.ip, req.host and req.protocol (and so req.hostname and req.secure)
 * answer from `view`, the one reading of X-Forwarded-*. Express's own 'trust
 * proxy' takes the first X-Forwarded-Host and -Proto entry where the upgrade
 * router takes the last, so the page and the echo could disagree about one
 * client; it stays off.
 */
function askClientView(app: Express, view: ClientView): void {
  app.set('trust proxy', false);
  const getters: Record<'ip' | 'host' | 'protocol', (req: Request) => string | undefined> = {
    ip: (req) => view.address(req),
    host: (req) => view.host(req),
    protocol: (req) => (view.secure(req) ? 'https' : 'http'),
  };
  for (const [name, get] of Object.entries(getters)) {
    Object.defineProperty(app.request, name, {
      configurable: true,
      enumerable: true,
      get(this: Request) {
        return get(this);
      },
    });
  }
}

/** Answers a request with two Host headers (400) or a host not allowed (403), with the reason in one line. */
function refuseWrongHost(checkHost: HostCheck): RequestHandler {
  return (req, res, next) => {
    const refusal = checkHost(req);
    if (!refusal) return next();
    res
      .status(refusal.status)
      .set({ 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', Connection: 'close' })
      .send(refusal.detail);
  };
}

function refuseWhenOutOfDescriptors(descriptors: DescriptorGuard): RequestHandler {
  return (_req, res, next) => {
    if (!descriptors.low()) return next();
    descriptors.refused();
    res
      .status(503)
      .set({
        'Content-Type': 'text/plain; charset=utf-8',
        'Retry-After': String(RETRY_AFTER_SECONDS),
        Connection: 'close',
      })
      .send(OUT_OF_DESCRIPTORS);
  };
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

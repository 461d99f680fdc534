// The Express app that serves the page: Vite's middleware in dev (imported
// lazily, so production never loads Vite), the built files in production.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import type { ClientView } from './proxy.ts';
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
  /** --base-path: '' or '/prefix'; the page and the operations endpoints live under it, nothing else answers. */
  basePath: string;
  /** Whether the page is served over https (for HSTS and the CSP's wss:). */
  tls: boolean;
  /** Other WebSocket servers the page may connect to (CSP connect-src). */
  connectSrc: readonly string[] | '*';
  /** Who the client is and what it asked for (proxy.ts); backs req.ip, req.host and req.protocol. */
  clientView: ClientView;
  /** The http(s) server, which Vite shares in dev for its HMR socket. */
  httpServer: Server;
  /** /healthz and /metrics, mounted ahead of the page. */
  operations: Router;
  /** More routes under the page's security headers, ahead of the page (the fuzzing reports). */
  routes?: Router;
}

/** Builds the app for the chosen mode. */
export async function createPageApp({
  dev,
  basePath,
  tls,
  connectSrc,
  clientView,
  httpServer,
  operations,
  routes,
}: PageAppOptions): Promise<PageApp> {
  const app = express();
  app.disable('x-powered-by');
  // As the upgrade router does: /Prefix/ is not /prefix/.
  app.set('case sensitive routing', true);
  askClientView(app, clientView);
  // Express takes the mount path off req.url, so what is mounted here sees /healthz, /index.html, ...
  const mount = basePath || '/';
  if (basePath) app.use(addTrailingSlash(basePath));
  app.use(mount, operations);
  app.use(...securityHeaders({ dev, tls, connectSrc }));
  if (routes) app.use(mount, routes);
  if (dev) {
    const { createServer } = await import('vite');
    const vite = await createServer({
      configFile: join(PROJECT_ROOT, 'vite.config.ts'),
      // The URLs Vite writes into the page (its client, the modules, the HMR socket) start with the base path.
      base: `${basePath}/`,
      // 'mpa' rather than 'spa': unknown paths should 404, not become the page.
      appType: 'mpa',
      server: { middlewareMode: true, ws: { server: httpServer } },
    });
    app.use(mount, vite.middlewares);
    return { app, close: () => vite.close() };
  }
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) {
    throw Object.assign(new Error(`the page is not built (no ${join(CLIENT_DIST, 'index.html')}); run npm run build`), {
      code: 'ERR_WS_ECHO_NOT_BUILT',
    });
  }
  app.use(
    mount,
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

/**
 * Redirects the bare base path to itself with a slash (`/prefix` → `/prefix/`):
 * the page's URLs are relative, and would resolve to the root without it.
 */
function addTrailingSlash(basePath: string): RequestHandler {
  return (req, res, next) => {
    const bare = (req.method === 'GET' || req.method === 'HEAD') && req.path === basePath;
    // Then only the query follows the base path in req.url (unless the URL is in absolute form).
    if (!bare || !req.url.startsWith(basePath)) return next();
    res.redirect(301, `${basePath}/${req.url.slice(basePath.length)}`);
  };
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

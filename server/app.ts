// The Express app that serves the page: Vite's middleware in dev (imported
// lazily, so production never loads Vite), the built files in production.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Router } from 'express';
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
  /** Believe one reverse proxy's X-Forwarded-* (req.ip, req.hostname, req.protocol). */
  trustProxy: boolean;
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
  tls,
  connectSrc,
  trustProxy,
  httpServer,
  operations,
  routes,
}: PageAppOptions): Promise<PageApp> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy ? 1 : false);
  app.use(operations);
  app.use(...securityHeaders({ dev, tls, trustProxy, connectSrc }));
  if (routes) app.use(routes);
  if (dev) {
    const { createServer } = await import('vite');
    const vite = await createServer({
      configFile: join(PROJECT_ROOT, 'vite.config.ts'),
      // 'mpa' rather than 'spa': unknown paths should 404, not become the page.
      appType: 'mpa',
      server: { middlewareMode: true, ws: { server: httpServer } },
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

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

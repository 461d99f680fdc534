// The Express app that serves the page: Vite's middleware in dev (imported
// lazily, so production never loads Vite), the built files in production.
// In production Express, helmet and the static handler load on the first
// HTTP request, not at start: a server used only for its WebSocket echo (a
// test's in-process server, a client under test) never pays for them.
import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Request, RequestHandler, Router } from 'express';
import { type DescriptorGuard, OUT_OF_DESCRIPTORS } from './descriptors.ts';
import type { HostCheck } from './hosts.ts';
import type { Logger } from './logger.ts';
import type { OperationsOptions } from './operations.ts';
import type { ClientView } from './proxy.ts';
import { RETRY_AFTER_SECONDS } from './upgrade.ts';

/** The project folder (the one holding package.json), wherever this file was built to. */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
/** Where `vite build` writes the page. */
export const CLIENT_DIST = join(PROJECT_ROOT, 'dist', 'client');

export interface PageApp {
  /** The request handler to mount on the http server. */
  handle(req: IncomingMessage, res: ServerResponse): void;
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
  /** Two Host headers, or a host this server does not answer to (hosts.ts): checked before anything else. */
  checkHost: HostCheck;
  /** The same rule as Vite's `server.allowedHosts`, so that Vite's own check agrees in dev. */
  allowedHosts: readonly string[] | true;
  /** When file descriptors run short, the page gets 503; /healthz and /metrics still answer. */
  descriptors: DescriptorGuard;
  /** The http(s) server, which Vite shares in dev for its HMR socket. */
  httpServer: Server;
  /** What /healthz and /metrics, mounted ahead of the page, report. */
  operations: OperationsOptions;
  /** More routes under the page's security headers, ahead of the page (the fuzzing reports), made with the app. */
  routes?: () => Promise<Router>;
  /** Where a failure to load the page's app is told (its visitor gets a plain 500). */
  logger: Logger;
}

/** Builds the app for the chosen mode: at once in dev, on the first request in production. */
export async function createPageApp(options: PageAppOptions): Promise<PageApp> {
  const { dev, basePath, httpServer, allowedHosts } = options;
  if (dev) {
    // Vite attaches its HMR socket to the http server as it starts, so it cannot wait.
    const app = await expressApp(options);
    const { createServer } = await import('vite');
    const vite = await createServer({
      configFile: join(PROJECT_ROOT, 'vite.config.ts'),
      // The URLs Vite writes into the page (its client, the modules, the HMR socket) start with the base path.
      base: `${basePath}/`,
      // 'mpa' rather than 'spa': unknown paths should 404, not become the page.
      appType: 'mpa',
      server: {
        middlewareMode: true,
        ws: { server: httpServer },
        allowedHosts: allowedHosts === true ? true : [...allowedHosts],
      },
    });
    app.use(basePath || '/', vite.middlewares);
    return { handle: app, close: () => vite.close() };
  }
  // Checked at start, where a missing build is a one-line error, not a 500 later.
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) {
    throw Object.assign(new Error(`the page is not built (no ${join(CLIENT_DIST, 'index.html')}); run npm run build`), {
      code: 'ERR_WS_ECHO_NOT_BUILT',
    });
  }
  // Once loaded, requests go straight to the app; a failed load is logged
  // and tried again by the next request rather than answered 500 forever.
  let app: Express | undefined;
  let loading: Promise<Express> | undefined;
  return {
    handle(req, res) {
      if (app) {
        app(req, res);
        return;
      }
      loading ??= staticApp(options).then(
        (loaded) => (app = loaded),
        (error: unknown) => {
          loading = undefined;
          options.logger.error(
            { err: error instanceof Error ? error.message : String(error) },
            'the page could not be loaded',
          );
          throw error;
        },
      );
      loading.then(
        (loaded) => loaded(req, res),
        () => {
          res.statusCode = 500;
          res.end('the page could not be loaded; the server log says why\n');
        },
      );
    },
    close: async () => {},
  };
}

/** Express with /healthz, /metrics, the security headers and the extra routes; the page goes after them. */
async function expressApp({
  dev,
  basePath,
  tls,
  connectSrc,
  clientView,
  checkHost,
  descriptors,
  operations,
  routes,
}: PageAppOptions): Promise<Express> {
  const [{ default: express }, { securityHeaders }, { operationsRouter }, extraRoutes] = await Promise.all([
    import('express'),
    import('./security-headers.ts'),
    import('./operations.ts'),
    routes?.(),
  ]);
  const app = express();
  app.disable('x-powered-by');
  // As the upgrade router does: /Prefix/ is not /prefix/.
  app.set('case sensitive routing', true);
  askClientView(app, clientView);
  app.use(refuseWrongHost(checkHost));
  // Express takes the mount path off req.url, so what is mounted here sees /healthz, /index.html, ...
  const mount = basePath || '/';
  if (basePath) app.use(addTrailingSlash(basePath));
  app.use(mount, operationsRouter(operations));
  app.use(refuseWhenOutOfDescriptors(descriptors));
  app.use(...securityHeaders({ dev, tls, connectSrc }));
  if (extraRoutes) app.use(mount, extraRoutes);
  return app;
}

async function staticApp(options: PageAppOptions): Promise<Express> {
  const [app, { default: express }] = await Promise.all([expressApp(options), import('express')]);
  app.use(
    options.basePath || '/',
    express.static(CLIENT_DIST, {
      setHeaders(res, path) {
        // Vite fingerprints everything under assets/, so those never change.
        const immutable = path.startsWith(join(CLIENT_DIST, 'assets'));
        res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return app;
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

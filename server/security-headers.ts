// helmet, with a Content-Security-Policy that lets the page load its own
// scripts and styles and open its WebSocket back to this host, and nothing else.
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Security headers for the page. Dev mode leaves CSP out, because Vite injects
 * styles inline for hot reload; TLS adds HSTS and upgrade-insecure-requests,
 * which on plain http would send the browser to an https that is not there.
 */
export function securityHeaders({
  dev,
  tls,
  connectSrc,
}: {
  dev: boolean;
  tls: boolean;
  connectSrc: readonly string[] | '*';
}): RequestHandler[] {
  // The page is also a bench for other servers, but only those the operator names.
  const extraTargets = connectSrc === '*' ? ['ws:', 'wss:'] : connectSrc;
  const headers = helmet({
    contentSecurityPolicy: dev
      ? false
      : {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'"],
            // 'self' covers ws(s) to the same host only in CSP Level 3 browsers; name it for the rest.
            connectSrc: ["'self'", (req) => webSocketOrigin(req as Request), ...extraTargets],
            objectSrc: ["'none'"],
            baseUri: ["'self'"],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
            upgradeInsecureRequests: tls ? [] : null,
          },
        },
    strictTransportSecurity: false,
  });
  if (!tls) return [headers];
  return [
    headers,
    (req, res, next) => {
      // HSTS on localhost would pin every local dev server in that browser to https for a year.
      if (!isLoopback(req.hostname)) res.setHeader('Strict-Transport-Security', `max-age=${ONE_YEAR_SECONDS}`);
      next();
    },
  ];
}

// The origin the page's socket goes to, as the browser sees it: behind a
// trusted proxy that is the forwarded scheme and host, not this server's own
// (app.ts has req.secure and req.host ask proxy.ts).
function webSocketOrigin(req: Request): string {
  const asked = req.host ?? '';
  // The header is the client's word; keep only what a host can contain.
  const host = asked.replace(/[^A-Za-z0-9.:[\]-]/g, '');
  return host ? `${req.secure ? 'wss' : 'ws'}://${host}` : "'self'";
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\./.test(hostname) ||
    hostname === '[::1]' ||
    hostname === '::1'
  );
}

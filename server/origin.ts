// Cross-site WebSocket hijacking guard. Browsers always send Origin and a
// page cannot forge it, so a browser handshake is accepted only from the
// server's own host or an allowed origin. Tools that send no Origin are not
// browsers acting for a user and are accepted.
import type { IncomingMessage } from 'node:http';

/** Decides whether a request's Origin may open a WebSocket; `host` is the host the client asked for. */
export type OriginPolicy = (req: IncomingMessage, host: string | undefined) => boolean;

/** Builds the policy from the configured extra origins ('*' allows all). */
export function createOriginPolicy(allowed: readonly string[] | '*'): OriginPolicy {
  if (allowed === '*') return () => true;
  const extra = new Set(allowed);
  return (req, host) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (extra.has(origin)) return true;
    const originHost = hostOf(origin);
    return originHost !== undefined && originHost === host?.toLowerCase();
  };
}

function hostOf(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.host;
  } catch {
    return undefined;
  }
}

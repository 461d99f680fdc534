// The WebSocket paths this server answers, all on the same port and all under
// the same admission rules and limits.

/** Where each kind of echo lives. */
export const WS_PATHS = {
  /** The seed's echo: text comes back as `Received: <msg>`, binary as is. */
  echo: '/',
  /** Byte-exact echo of text and binary, for client-library tests. */
  raw: '/raw',
  /** One JSON message describing the handshake as the server saw it, then the `/` echo. */
  inspect: '/inspect',
  /** A message every second from the server, plus the `/` echo. */
  push: '/push',
} as const;

export type WsPath = (typeof WS_PATHS)[keyof typeof WS_PATHS];

const KNOWN = new Set<string>(Object.values(WS_PATHS));

/** The request's path if it is one of WS_PATHS, else undefined. */
export function wsPathOf(url: string | undefined): WsPath | undefined {
  // Most requests name the path exactly; only the rest need a URL parse.
  if (url !== undefined && KNOWN.has(url)) return url as WsPath;
  const pathname = pathnameOf(url);
  return pathname !== undefined && KNOWN.has(pathname) ? (pathname as WsPath) : undefined;
}

/** The path part of a request target, or undefined when it does not parse. */
export function pathnameOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

// The page's monitor token (docs/monitor.md): a fresh random one per page
// load, carried by the page's own connection to its own server so the
// server shows the frame view that connection's frames, and by the watcher
// that asks for them. Pure: URLs in, URLs out, no DOM.

import { MONITOR_PARAMETER } from '../server/protocol.ts';

export { MONITOR_PARAMETER };

/** 128 random bits as base64url: 22 characters of A-Z, a-z, 0-9, _ and -, as the server wants them. */
export function newMonitorToken(
  fill: (bytes: Uint8Array<ArrayBuffer>) => void = (bytes) => crypto.getRandomValues(bytes),
): string {
  const bytes = new Uint8Array(16);
  fill(bytes);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** `url` with `monitor=<token>` appended to its query, as written (the server refuses it percent-encoded). */
export function withToken(url: string, token: string): string {
  const parsed = new URL(url);
  parsed.search = `${parsed.search ? `${parsed.search}&` : '?'}${MONITOR_PARAMETER}=${token}`;
  return parsed.href;
}

/**
 * The URL to open so the frame view sees the connection: `url` with the
 * token added when it goes to this page's server (`server`: the echo beside
 * the page, e.g. ws://host/prefix/). Undefined when the frame view cannot
 * see it: another server, or a token of someone else's already in the URL.
 */
export function watchedUrl(url: string, token: string, server: string): string | undefined {
  const target = new URL(url);
  const own = new URL(server);
  if (target.origin !== own.origin || !target.pathname.startsWith(own.pathname)) return undefined;
  const given = target.searchParams.getAll(MONITOR_PARAMETER);
  if (given.length === 0) return withToken(url, token);
  return given.length === 1 && given[0] === token ? target.href : undefined;
}

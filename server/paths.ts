// Which of the WebSocket paths (WS_PATHS, in protocol.ts) a request asks for.
import { WS_PATHS, type WsPath } from './protocol.ts';

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

// Which of the WebSocket paths (WS_PATHS, in protocol.ts) or the conformance
// endpoints a request asks for, under the server's --base-path.
import { WS_PATHS, type WsPath } from './protocol.ts';

const KNOWN = new Set<string>(Object.values(WS_PATHS));

/**
 * The WS_PATHS entry the request asks for once `basePath` (--base-path, '' or
 * '/prefix') is taken off its path, else undefined: `/prefix/raw` is `/raw`,
 * and `/raw` itself is no path under a base path.
 */
export function wsPathOf(url: string | undefined, basePath = ''): WsPath | undefined {
  return routeBelow(url, basePath, KNOWN) as WsPath | undefined;
}

/** The path of `url` below `basePath` if it is one of `known`, else undefined; any request-target form. */
export function routeBelow(url: string | undefined, basePath: string, known: ReadonlySet<string>): string | undefined {
  // Most requests name the path exactly; only the rest need a URL parse.
  const exact = url !== undefined ? below(url, basePath) : undefined;
  if (exact !== undefined && known.has(exact)) return exact;
  const pathname = pathnameOf(url);
  const path = pathname !== undefined ? below(pathname, basePath) : undefined;
  return path !== undefined && known.has(path) ? path : undefined;
}

/** The path part of a request target, or undefined when it does not parse. */
export function pathnameOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** `path` without the base path in front, or undefined when it is not under it. */
export function below(path: string, basePath: string): string | undefined {
  if (basePath === '') return path;
  return path.startsWith(basePath) ? path.slice(basePath.length) : undefined;
}

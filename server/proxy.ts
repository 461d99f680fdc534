// What a request looks like from the client's side of a reverse proxy. Only
// with --trust-proxy are X-Forwarded-* believed: anyone can send them, so
// without a proxy that overwrites them they would let a client pick its own
// address (and dodge per-IP caps) or its own host (and pass the Origin check).
import type { IncomingMessage } from 'node:http';

export interface ClientView {
  /** The client's IP address. */
  address(req: IncomingMessage): string;
  /** The host (and port) the client asked for. */
  host(req: IncomingMessage): string | undefined;
}

/** Reads requests directly, or through one trusted proxy hop. */
export function createClientView(trustProxy: boolean): ClientView {
  if (!trustProxy) {
    return {
      address: (req) => req.socket.remoteAddress ?? '',
      host: (req) => req.headers.host,
    };
  }
  return {
    // The last entry is the one the trusted proxy appended; earlier ones are the client's word.
    address: (req) => lastListEntry(req.headers['x-forwarded-for']) ?? req.socket.remoteAddress ?? '',
    host: (req) => lastListEntry(req.headers['x-forwarded-host']) ?? req.headers.host,
  };
}

/** The last entry of a comma-separated header: what the nearest proxy added. */
export function lastListEntry(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return undefined;
  const entry = value.slice(value.lastIndexOf(',') + 1).trim();
  return entry || undefined;
}

// Who the client is and what it asked for, seen through at most one reverse
// proxy. The only module that reads X-Forwarded-For, -Host and -Proto: the
// upgrade router, the page's Express app (req.ip, req.host, req.protocol) and
// every log line ask here, so they all name the same client. Only with
// --trust-proxy are these headers believed: anyone can send them, so without
// a proxy that overwrites them they would let a client pick its own address
// (and dodge per-IP caps) or its own host (and pass the Origin check).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface ClientView {
  /** The client's IP address. */
  address(req: IncomingMessage): string;
  /** The host (and port) the client asked for. */
  host(req: IncomingMessage): string | undefined;
  /** Whether the client's connection is encrypted (https, wss), to this server or to the proxy. */
  secure(req: IncomingMessage): boolean;
}

/** Reads requests directly, or through one trusted proxy hop. */
export function createClientView(trustProxy: boolean): ClientView {
  if (!trustProxy) {
    return {
      address: (req) => req.socket.remoteAddress ?? '',
      host: (req) => req.headers.host,
      secure: isEncrypted,
    };
  }
  // The last entry is the one the trusted proxy added; earlier ones are the client's word.
  return {
    address: (req) => lastListEntry(req.headers['x-forwarded-for']) ?? req.socket.remoteAddress ?? '',
    host: (req) => lastListEntry(req.headers['x-forwarded-host']) ?? req.headers.host,
    secure: (req) => {
      const proto = lastListEntry(req.headers['x-forwarded-proto']);
      return proto ? proto.toLowerCase() === 'https' : isEncrypted(req);
    },
  };
}

/**
 * How log lines name a client whose address is `ip` (from ClientView.address):
 * ip:port when it connected directly, so two tabs stay apart; the forwarded ip
 * alone behind a proxy, because the socket's port is then the proxy's.
 */
export function peerName(ip: string, socket: { remoteAddress?: string; remotePort?: number }): string {
  return ip === socket.remoteAddress ? `${ip}:${socket.remotePort}` : ip;
}

function isEncrypted(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}

/** The last entry of a comma-separated header: what the nearest proxy added. */
function lastListEntry(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return undefined;
  const entry = value.slice(value.lastIndexOf(',') + 1).trim();
  return entry || undefined;
}

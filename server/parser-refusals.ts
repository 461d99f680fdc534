// What Node's HTTP parser refuses before any router sees it: a malformed
// request line or header, a head too large or too slow. Node's own handler
// answers with the same statuses, but silently; here each refusal gets the
// upgrade router's one-line reason, a log line and a count under
// ws_echo_handshakes_refused_total.
import { maxHeaderSize, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from './logger.ts';
import type { EchoMetrics } from './metrics.ts';
import { peerName } from './proxy.ts';
import { writeRefusal } from './upgrade.ts';

/** Answers, logs and counts every request `httpServer`'s parser refuses. */
export function refuseMalformedRequests(httpServer: Server, metrics: EchoMetrics, logger: Logger): void {
  httpServer.on('clientError', (error: Error & { code?: string; reason?: string }, socket: Duplex) => {
    const refusal = refusalFor(error);
    // A reset or a broken pipe is no request at all. Node's own handler also
    // stays silent while a response is under way on the socket (its private
    // _httpMessage), since a second status line would corrupt it.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!refusal || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    metrics.refused(refusal.reason);
    const { remoteAddress, remotePort } = socket as Duplex & { remoteAddress?: string; remotePort?: number };
    const { detail } = refusal;
    logger.info(
      {
        peer: peerName(remoteAddress ?? '', { remoteAddress, remotePort }),
        status: refusal.status,
        reason: refusal.reason,
        detail,
      },
      'request refused',
    );
    writeRefusal(socket, refusal.status, {}, detail);
  });
}

/** Node's answer to a request its parser refused (the same statuses), with a one-line reason. */
function refusalFor({
  code,
  reason,
}: Error & { code?: string; reason?: string }):
  | { status: number; reason: 'malformed' | 'timeout'; detail: string }
  | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      reason: 'timeout',
      detail: 'Request Timeout: the request did not arrive within --handshake-timeout',
    };
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'malformed',
      detail: `Request Header Fields Too Large: the request head is over ${maxHeaderSize} bytes`,
    };
  // llhttp names what it could not parse in a fixed phrase, e.g. "Invalid header value char".
  if (code?.startsWith('HPE_'))
    return { status: 400, reason: 'malformed', detail: `Bad Request: ${reason ?? 'malformed request'}` };
  return undefined;
}

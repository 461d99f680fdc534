// The fuzzing endpoints' side of the opening handshake (RFC 6455 §4.2): which
// endpoint a request names, whether its parameters make sense, and the 101
// written by hand, because after it the socket carries frames that no
// WebSocket library would write.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { acceptFor } from '../inspect.ts';
import { routeBelow } from '../paths.ts';
import { CONFORMANCE_PATHS } from '../protocol.ts';
import { caseByNumber, CASES, numberOfId } from './cases/index.ts';

/** The fuzzing server's WebSocket endpoints, at these paths. */
export const FUZZING_ROUTES = [
  CONFORMANCE_PATHS.caseCount,
  CONFORMANCE_PATHS.caseInfo,
  CONFORMANCE_PATHS.runCase,
  CONFORMANCE_PATHS.caseStatus,
  CONFORMANCE_PATHS.updateReports,
] as const;
export type FuzzingRoute = (typeof FUZZING_ROUTES)[number];

/** Agent names: what harnesses use ("ws", "websockets.asyncio", "AutobahnPython/0.6.0"), nothing that needs escaping to be read. */
const AGENT = /^[\w.~+\-/:@()]([\w .~+\-/:@()]{0,62}[\w.~+\-/:@()])?$/;
const KNOWN = new Set<string>(FUZZING_ROUTES);

export interface FuzzingRequest {
  route: FuzzingRoute;
  /** The case's number (1-based), from `case=N` or `casetuple=1.2.3`. */
  caseNumber: number | undefined;
  agent: string | undefined;
}

/** An HTTP refusal: status and the one line that says why. */
export interface Refusal {
  status: number;
  reason: string;
}

/** The fuzzing endpoint a request target names, or undefined. */
export function fuzzingRouteOf(url: string | undefined, basePath = ''): FuzzingRoute | undefined {
  return routeBelow(url, basePath, KNOWN) as FuzzingRoute | undefined;
}

/** Reads and checks the request's parameters for its endpoint; a Refusal says what is wrong. */
export function parseFuzzingRequest(req: IncomingMessage, route: FuzzingRoute): FuzzingRequest | Refusal {
  const params = new URL(req.url ?? '', 'http://localhost').searchParams;
  const agent = params.get('agent') ?? undefined;
  const problem = agent === undefined ? undefined : agentProblem(agent);
  if (problem) return bad(problem);
  let caseNumber: number | undefined;
  const number = params.get('case');
  const tuple = params.get('casetuple');
  if (number !== null) {
    caseNumber = /^\d{1,6}$/.test(number) ? Number(number) : Number.NaN;
    if (!caseByNumber(caseNumber)) return bad(`case must be a number from 1 to ${CASES.length}`);
  } else if (tuple !== null) {
    caseNumber = numberOfId(tuple.trim());
    if (caseNumber === undefined)
      return bad(`casetuple must be the id of a case, e.g. 1.1.1 (there is no case ${tuple})`);
  }
  const needsCase = route === '/runCase' || route === '/getCaseInfo' || route === '/getCaseStatus';
  const needsAgent = route === '/runCase' || route === '/getCaseStatus' || route === '/updateReports';
  if (needsCase && caseNumber === undefined) return bad(`${route} needs case=N (1 to ${CASES.length})`);
  if (needsAgent && agent === undefined) return bad(`${route} needs agent=NAME`);
  return { route, caseNumber, agent };
}

/** Why `agent` is not an agent name (the one line a 400 says), or undefined when it is one. */
export function agentProblem(agent: string): string | undefined {
  if (AGENT.test(agent)) return undefined;
  return 'agent must be 1 to 64 letters, digits, spaces and . _ ~ + - / : @ ( ), not starting or ending with a space';
}

/** What ws would check before upgrading: a GET, Upgrade: websocket and a well-formed key (RFC 6455 §4.2.1). */
export function checkUpgradeRequest(req: IncomingMessage): Refusal | undefined {
  if (req.method !== 'GET') return { status: 405, reason: 'the opening handshake must be a GET' };
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return bad('Upgrade must be websocket');
  if (!/^[+/0-9A-Za-z]{22}==$/.test(req.headers['sec-websocket-key'] ?? '')) {
    return bad('Sec-WebSocket-Key must be 16 bytes in base64');
  }
  return undefined;
}

/** Writes the 101 that opens the WebSocket and returns it (for the case report). */
export function completeHandshake(socket: Duplex, req: IncomingMessage, extensions: string | undefined): string {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptFor(String(req.headers['sec-websocket-key']))}`,
    ...(extensions ? [`Sec-WebSocket-Extensions: ${extensions}`] : []),
  ];
  const response = `${lines.join('\r\n')}\r\n\r\n`;
  socket.write(response);
  return response;
}

/** The request head as it arrived: request line and headers in their original case. */
export function requestHead(req: IncomingMessage): string {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function bad(reason: string): Refusal {
  return { status: 400, reason };
}

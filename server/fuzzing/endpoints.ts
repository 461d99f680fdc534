// The five endpoints, as the fuzzing server has them: the case count, a
// case's id and description, playing a case, an agent's verdict for a case,
// and writing the reports. Each answers on its own upgraded socket; the
// short ones send one text message and close with 1000.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.ts';
import type { CaseInfo } from '../protocol.ts';
import { caseByNumber, CASES, shortDescription } from './cases/index.ts';
import { FuzzingConnection } from './connection.ts';
import { canAccept, createMessageDeflate, negotiate, parseDeflateOffers } from './deflate.ts';
import { completeHandshake, type FuzzingRequest, requestHead } from './handshake.ts';
import { playCase } from './player.ts';
import type { ReportStore } from './reports.ts';

/** Messages a client may send to the short endpoints (they expect none). */
const CONTROL_MAX_MESSAGE_BYTES = 64 * 1024;

export interface EndpointContext {
  reports: ReportStore;
  logger: Logger;
  /** Every open fuzzing connection, so shutdown can end them. */
  open: Set<FuzzingConnection>;
}

/** Takes over an admitted, checked upgrade request; `closed` runs once when its connection ends. */
export function serveEndpoint(
  request: FuzzingRequest,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  context: EndpointContext,
  closed: () => void,
): void {
  if (request.route === '/runCase') {
    runCase(request, req, socket, head, context, closed);
    return;
  }
  completeHandshake(socket, req, undefined);
  const { reports, logger } = context;
  let onClosed = () => {};
  const connection = track(
    context,
    new FuzzingConnection(
      socket,
      { maxMessageBytes: CONTROL_MAX_MESSAGE_BYTES },
      {
        message: () => {},
        pong: () => {},
        closed: () => {
          context.open.delete(connection);
          onClosed();
          closed();
        },
      },
    ),
  );
  connection.start(head);
  const answer = (value: unknown) => {
    connection.sendMessage(Buffer.from(JSON.stringify(value)), false);
    connection.sendClose(1000);
  };
  switch (request.route) {
    case '/getCaseCount':
      answer(CASES.length);
      return;
    case '/getCaseInfo': {
      const spec = caseByNumber(request.caseNumber!)!;
      answer({ id: spec.id, description: shortDescription(spec) } satisfies CaseInfo);
      return;
    }
    case '/getCaseStatus': {
      const spec = caseByNumber(request.caseNumber!)!;
      const stop = reports.onResult(request.agent!, spec.id, (behavior) => answer({ behavior }));
      if (stop) onClosed = stop;
      else connection.sendClose(1013, Buffer.from('too many status requests are waiting; try again later'));
      return;
    }
    case '/updateReports':
      reports.write().then(
        () => {
          logger.info({ agent: request.agent, dir: reports.dir }, 'fuzzing reports updated');
          connection.sendClose(1000);
        },
        (error: Error) => {
          logger.error({ err: error, dir: reports.dir }, 'could not write the fuzzing reports');
          connection.sendClose(1011, Buffer.from('the reports could not be written'));
        },
      );
      return;
  }
}

function runCase(
  request: FuzzingRequest,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  context: EndpointContext,
  closed: () => void,
): void {
  const spec = caseByNumber(request.caseNumber!)!;
  // Extensions only for the cases about them, and only as their rule accepts.
  const accepted = spec.deflate?.(parseDeflateOffers(req.headers['sec-websocket-extensions']).filter(canAccept));
  const negotiated = accepted ? negotiate(accepted.offer, accepted.answer) : undefined;
  const httpResponse = completeHandshake(socket, req, negotiated?.header);
  const { report, connection } = playCase({
    spec,
    number: request.caseNumber!,
    agent: request.agent!,
    socket,
    head,
    deflate: negotiated ? createMessageDeflate(negotiated.params) : undefined,
    httpRequest: requestHead(req),
    httpResponse,
  });
  track(context, connection);
  void report.then((result) => {
    context.open.delete(connection);
    context.reports.add(result);
    context.logger.debug(
      { agent: result.agent, case: result.id, behavior: result.behavior, behaviorClose: result.behaviorClose },
      'fuzzing case played',
    );
    closed();
  });
}

function track(context: EndpointContext, connection: FuzzingConnection): FuzzingConnection {
  context.open.add(connection);
  return connection;
}

// Plays one case against one connected client: gives the case its context
// (what to send, when, what to expect), records what the client does, closes
// as soon as the expected events have arrived, and grades the case once the
// TCP connection is gone. The result is the case report, in the fuzzing
// server's fields.
import type { Duplex } from 'node:stream';
import type { CaseContext, CaseEvent, CaseSpec, ExpectedClose, RunningCase, Verdict } from './cases/types.ts';
import { FuzzingConnection } from './connection.ts';
import type { MessageDeflate } from './deflate.ts';
import { type EventRecord, grade, recordOf, reportedEvent, sameEvents } from './grading.ts';
import type { WireLogRow } from './wirelog.ts';

/** Largest message a client may send back in a case that does not say (1 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Events recorded per case; a client that sends more has failed the case anyway. */
const MAX_EVENTS = 1000;
/** A case ends by this deadline whatever happens (its own timers end it far sooner). */
const CASE_DEADLINE_SECONDS = 180;
/** Request and response heads are kept up to this many characters. */
const MAX_HEAD_CHARS = 4096;

/** One case's report, with the fields (and names) of the fuzzing server's per-case JSON. */
export interface CaseReport {
  agent: string;
  behavior: Verdict['behavior'];
  behaviorClose: Verdict['behaviorClose'];
  /** The case's number in this server's order (1-based). */
  case: number;
  closedByMe: boolean;
  createStats: boolean;
  createWirelog: boolean;
  description: string;
  droppedByMe: boolean;
  /** Milliseconds from the open connection to the lost one. */
  duration: number;
  expectation: string;
  expected: Record<string, unknown[][]>;
  expectedClose: {
    closeCode: number[];
    closedByMe: boolean;
    requireClean: boolean;
    closedByWrongEndpointIsFatal?: boolean;
  };
  failedByMe: boolean;
  httpRequest: string;
  httpResponse: string;
  id: string;
  isServer: true;
  localCloseCode: number | null;
  localCloseReason: string | null;
  received: unknown[][];
  remoteCloseCode: number | null;
  remoteCloseReason: string | null;
  reportCompressionRatio: boolean;
  reportTime: boolean;
  result: string;
  resultClose: string;
  rxFrameStats: Record<string, number>;
  rxOctetStats: Record<string, number>;
  started: string;
  trafficStats: null;
  txFrameStats: Record<string, number>;
  txOctetStats: Record<string, number>;
  wasClean: boolean;
  wasCloseHandshakeTimeout: boolean;
  wasNotCleanReason: string | null;
  wasOpenHandshakeTimeout: boolean;
  wasServerConnectionDropTimeout: boolean;
  wirelog: WireLogRow[];
  /** Wire log rows left out once the log was full. */
  wirelogDropped: number;
}

export interface PlayOptions {
  spec: CaseSpec;
  /** The case's number (1-based). */
  number: number;
  agent: string;
  socket: Duplex;
  /** Bytes the client sent after its handshake, before the socket was handed over. */
  head: Buffer;
  deflate: MessageDeflate | undefined;
  httpRequest: string;
  httpResponse: string;
}

/** Plays the case on an upgraded socket; resolves with its report once the connection is gone. */
export function playCase({ spec, number, agent, socket, head, deflate, httpRequest, httpResponse }: PlayOptions): {
  report: Promise<CaseReport>;
  connection: FuzzingConnection;
} {
  const expected = new Map<'OK' | 'NON-STRICT', EventRecord[]>();
  let expectedClose: ExpectedClose = { closedByMe: true, codes: [1000], requireClean: true };
  const received: EventRecord[] = [];
  let custom: Pick<Verdict, 'behavior' | 'result'> = { behavior: 'FAILED', result: 'The case did not finish.' };
  const timers = new Set<NodeJS.Timeout>();
  const started = new Date();
  const startedAt = performance.now();
  let running: RunningCase | undefined;
  let resolveReport!: (report: CaseReport) => void;
  const report = new Promise<CaseReport>((resolve) => (resolveReport = resolve));

  const connection: FuzzingConnection = new FuzzingConnection(
    socket,
    { maxMessageBytes: spec.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, deflate },
    {
      message: (payload, binary) => {
        if (running) running.onMessage(payload, binary);
        else record({ kind: 'message', payload, binary });
      },
      pong: (payload) => record({ kind: 'pong', payload }),
      closed: () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        resolveReport(finish());
      },
    },
  );

  const after = (seconds: number, next: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      next();
    }, seconds * 1000);
    timers.add(timer);
  };

  const record = (event: CaseEvent) => {
    if (received.length >= MAX_EVENTS) {
      connection.fail(1008, `the client sent more than ${MAX_EVENTS} messages and pongs in one case`);
      return;
    }
    received.push(recordOf(event));
    finishWhenDone();
  };

  // Once every expected list matches, the server closes (if it is the one to).
  const finishWhenDone = () => {
    if (expected.size === 0) return;
    for (const events of expected.values()) if (!sameEvents(received, events)) return;
    if (expectedClose.closedByMe && !spec.suppressClose) connection.sendClose(expectedClose.codes[0]);
  };

  const ctx: CaseContext = {
    expect: (outcome, events) => expected.set(outcome, events.map(recordOf)),
    expectClose: (close) => (expectedClose = close),
    frame: (frame, options) => connection.sendFrame(frame, options),
    message: (payload, { binary = false, ...options } = {}) =>
      connection.sendMessage(typeof payload === 'string' ? Buffer.from(payload) : payload, binary, options),
    raw: (bytes) => connection.sendRaw(bytes),
    close: (code, reason) => connection.sendClose(code, typeof reason === 'string' ? Buffer.from(reason) : reason),
    killAfter: (seconds) => {
      connection.log.event('KL', seconds);
      after(seconds, () => {
        if (connection.state === 'closed') return;
        connection.log.event('KLE');
        connection.fail(1001, 'going away');
      });
    },
    closeAfter: (seconds) => {
      connection.log.event('TI', seconds);
      after(seconds, () => {
        if (connection.state === 'closed') return;
        connection.log.event('TIE');
        connection.sendClose();
      });
    },
    later: (seconds, tag, next) => {
      connection.log.event('CT', seconds, tag);
      after(seconds, () => {
        if (connection.state === 'closed') return;
        connection.log.event('CTE', tag);
        next();
      });
    },
    note: (event) => record(event),
    get isOpen() {
      return connection.state === 'open';
    },
    deflate: deflate !== undefined,
    verdict: (behavior, result) => (custom = { behavior, result }),
    wirelog: (on) => connection.log.enable(on),
  };

  const finish = (): CaseReport => {
    let verdict = grade(received, expected, expectedClose, connection, custom);
    if (spec.finish)
      verdict = spec.finish(verdict, {
        remoteCloseCode: connection.remoteCloseCode,
        txFrames: connection.counts.txFrames,
      });
    return {
      agent,
      behavior: verdict.behavior,
      behaviorClose: verdict.behaviorClose,
      case: number,
      closedByMe: connection.closedByMe,
      createStats: true,
      createWirelog: connection.log.enabled,
      description: spec.details ? `${spec.description}\n\n${spec.details}` : spec.description,
      droppedByMe: connection.droppedByMe,
      duration: Math.round(performance.now() - startedAt),
      expectation: spec.expectation,
      expected: Object.fromEntries([...expected].map(([outcome, events]) => [outcome, events.map(reportedEvent)])),
      expectedClose: {
        closeCode: [...expectedClose.codes],
        closedByMe: expectedClose.closedByMe,
        requireClean: expectedClose.requireClean,
        ...(expectedClose.wrongEndpointIsFatal ? { closedByWrongEndpointIsFatal: true } : {}),
      },
      failedByMe: connection.failedByMe,
      httpRequest: httpRequest.slice(0, MAX_HEAD_CHARS),
      httpResponse: httpResponse.slice(0, MAX_HEAD_CHARS),
      id: spec.id,
      isServer: true,
      localCloseCode: connection.localCloseCode,
      localCloseReason: connection.localCloseReason,
      received: received.map(reportedEvent),
      remoteCloseCode: connection.remoteCloseCode,
      remoteCloseReason: connection.remoteCloseReason?.slice(0, 125) ?? null,
      reportCompressionRatio: false,
      reportTime: spec.reportTime ?? false,
      result: verdict.result,
      resultClose: verdict.resultClose,
      rxFrameStats: connection.counts.rxFrames,
      rxOctetStats: connection.counts.rxOctets,
      started: started.toISOString(),
      trafficStats: null,
      txFrameStats: connection.counts.txFrames,
      txOctetStats: connection.counts.txOctets,
      wasClean: connection.wasClean,
      wasCloseHandshakeTimeout: connection.wasCloseHandshakeTimeout,
      wasNotCleanReason: connection.wasClean ? null : connection.wasNotCleanReason,
      wasOpenHandshakeTimeout: false,
      wasServerConnectionDropTimeout: false,
      wirelog: connection.log.rows,
      wirelogDropped: connection.log.dropped,
    };
  };

  after(CASE_DEADLINE_SECONDS, () => connection.drop());
  try {
    running = spec.run(ctx);
  } catch (error) {
    connection.fail(1011, `the case could not run: ${(error as Error).message}`);
  }
  connection.start(head);
  return { report, connection };
}

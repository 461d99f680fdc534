// How a case is graded, as the fuzzing server grades it: the events the
// client produced must equal one of the expected lists exactly (OK first,
// then NON-STRICT), and the close is judged separately: who started it,
// whether it completed, and which code the client sent.
import { createHash } from 'node:crypto';
import type { CaseEvent, ExpectedClose, Verdict } from './cases/types.ts';
import { preview } from './utf8.ts';

/** An event as kept for grading and reports: payloads by length and digest, so a case's memory stays small. */
export interface EventRecord {
  kind: CaseEvent['kind'];
  binary?: boolean;
  length?: number;
  digest?: string;
  /** The payload as a report shows it, or the timeout's tag. */
  shown: string;
}

/** What the connection did, as the close verdict needs it. */
export interface CloseFacts {
  closedByMe: boolean;
  wasClean: boolean;
  remoteCloseCode: number | null;
}

export function recordOf(event: CaseEvent): EventRecord {
  if (event.kind === 'timeout') return { kind: 'timeout', shown: event.tag };
  return {
    kind: event.kind,
    ...(event.kind === 'message' ? { binary: event.binary } : {}),
    length: event.payload.length,
    digest: createHash('sha1').update(event.payload).digest('hex'),
    shown: preview(event.payload),
  };
}

/** A record as the fuzzing server's reports list it: ["message", payload, binary], ["pong", payload], ["timeout", tag]. */
export function reportedEvent(record: EventRecord): unknown[] {
  return record.kind === 'message' ? [record.kind, record.shown, record.binary] : [record.kind, record.shown];
}

/**
 * Grades a finished case. `expected` maps outcomes to event lists, tried in
 * insertion order; with none, `custom` (the case's own verdict) stands.
 */
export function grade(
  received: readonly EventRecord[],
  expected: ReadonlyMap<'OK' | 'NON-STRICT', readonly EventRecord[]>,
  expectedClose: ExpectedClose,
  facts: CloseFacts,
  custom: Pick<Verdict, 'behavior' | 'result'>,
): Verdict {
  let behavior = custom.behavior;
  let result = custom.result;
  if (expected.size > 0) {
    behavior = 'FAILED';
    result = 'Actual events differ from any expected.';
    for (const [outcome, events] of expected) {
      if (sameEvents(received, events)) {
        behavior = outcome;
        result = 'Actual events match at least one expected.';
        break;
      }
    }
  }
  const wrongEndpoint = expectedClose.closedByMe !== facts.closedByMe;
  let verdict: Verdict;
  if (wrongEndpoint) {
    verdict = {
      behavior,
      result,
      behaviorClose: 'FAILED',
      resultClose: expectedClose.closedByMe
        ? 'The connection was failed by the wrong endpoint: the client closed it where the server should have'
        : 'The connection was failed by the wrong endpoint: the client should have failed it, and did not',
    };
  } else if (expectedClose.requireClean && !facts.wasClean) {
    verdict = {
      behavior,
      result,
      behaviorClose: 'UNCLEAN',
      resultClose: 'The spec requires the connection to be closed cleanly here',
    };
  } else if (facts.remoteCloseCode !== null && !expectedClose.codes.includes(facts.remoteCloseCode)) {
    verdict = {
      behavior,
      result,
      behaviorClose: 'WRONG CODE',
      resultClose: `The close code should have been ${expectedClose.codes.join(',')} or empty, not ${facts.remoteCloseCode}`,
    };
  } else {
    verdict = { behavior, result, behaviorClose: 'OK', resultClose: 'Connection was properly closed' };
  }
  if (wrongEndpoint && expectedClose.wrongEndpointIsFatal) {
    verdict.behavior = 'FAILED';
    verdict.result = `${result} ${verdict.resultClose}.`;
  }
  return verdict;
}

/** For the close-handling cases: a wrong close code is a failed behaviour, not just a close remark. */
export function wrongCodeFails(verdict: Verdict): Verdict {
  return verdict.behaviorClose === 'WRONG CODE'
    ? { ...verdict, behavior: 'FAILED', result: verdict.resultClose }
    : verdict;
}

export function sameEvents(a: readonly EventRecord[], b: readonly EventRecord[]): boolean {
  return a.length === b.length && a.every((event, i) => sameEvent(event, b[i]!));
}

function sameEvent(a: EventRecord, b: EventRecord): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'timeout') return a.shown === b.shown;
  return a.binary === b.binary && a.length === b.length && a.digest === b.digest;
}

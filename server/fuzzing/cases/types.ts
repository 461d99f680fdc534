// What a fuzzing case is: its id and texts, what it plays against the client,
// and what it expects back. Cases call the CaseContext the player gives them
// and never touch the connection.
import type { Behavior, CloseBehavior } from '../../protocol.ts';
import type { DeflateAccept } from '../deflate.ts';
import type { OutgoingFrame } from '../frames.ts';

// The verdict names are in protocol.ts, which the page reads too.
export type { Behavior, CloseBehavior };

/** Something the client did (or a wait that passed) that a case compares with what it expected. */
export type CaseEvent =
  | { kind: 'message'; payload: Buffer; binary: boolean }
  | { kind: 'pong'; payload: Buffer }
  | { kind: 'timeout'; tag: string };

export interface ExpectedClose {
  /** Whether the server (true) or the client (false) should start the closing handshake. */
  closedByMe: boolean;
  /** Close codes the client may send; the first is the one the server closes with when all went as expected. */
  codes: readonly number[];
  /** The closing handshake must complete (both close frames). */
  requireClean: boolean;
  /** Closing from the wrong side fails the behaviour too: the client did not notice what it had to. */
  wrongEndpointIsFatal?: boolean;
}

export interface SendOptions {
  /** Write the frame in pieces of this many octets. */
  chop?: number;
  /** Put the frame on the wire by itself. */
  sync?: boolean;
}

/** What a case can do while it runs. */
export interface CaseContext {
  /** Events that earn `outcome` when the client's match them exactly. */
  expect(outcome: 'OK' | 'NON-STRICT', events: CaseEvent[]): void;
  expectClose(close: ExpectedClose): void;
  /** A frame exactly as given. */
  frame(frame: OutgoingFrame, options?: SendOptions): void;
  /** A message, in frames of `fragmentSize` octets if given, compressed when permessage-deflate is on. */
  message(payload: Buffer | string, options?: SendOptions & { binary?: boolean; fragmentSize?: number }): void;
  /** Raw bytes: a frame header now, its payload in later calls. */
  raw(bytes: Buffer): void;
  /** Starts the closing handshake (only while open); a string reason is sent as UTF-8. */
  close(code?: number, reason?: Buffer | string): void;
  /** Fails the connection after `seconds` unless it has closed by then. */
  killAfter(seconds: number): void;
  /** Starts the closing handshake after `seconds` unless it has closed by then. */
  closeAfter(seconds: number): void;
  /** Runs `next` after `seconds` if the connection is still up. */
  later(seconds: number, tag: string, next: () => void): void;
  /** Records an event of the case's own (a wait that passed). */
  note(event: CaseEvent): void;
  /** True while neither side has started closing. */
  readonly isOpen: boolean;
  /** Whether permessage-deflate was negotiated. */
  readonly deflate: boolean;
  /** Sets the verdict directly, for cases that judge messages themselves (no expected events). */
  verdict(behavior: Behavior, result: string): void;
  /** Turns the wire log on or off (bulk transfers would flood it). */
  wirelog(on: boolean): void;
}

/** Connection facts a case may look at after grading. */
export interface ClosingFacts {
  remoteCloseCode: number | null;
  txFrames: Readonly<Record<string, number>>;
}

export interface Verdict {
  behavior: Behavior;
  behaviorClose: CloseBehavior;
  result: string;
  resultClose: string;
}

export interface CaseSpec {
  /** "1.1.1": category, subcategory, number. */
  id: string;
  /** What the case sends, in one sentence (what /getCaseInfo answers). */
  description: string;
  /** More about the payload (hex dumps), shown in reports after the description. */
  details?: string;
  /** What the client should do. */
  expectation: string;
  /** Largest message the client may send back; 1 MiB when not given. */
  maxMessageBytes?: number;
  /** Reports show the case's duration (the performance cases). */
  reportTime?: boolean;
  /** Do not close by itself once the expected events arrived (cases that close in their own odd way). */
  suppressClose?: boolean;
  /** Accept permessage-deflate by this rule (the compression cases); without it, extensions are declined. */
  deflate?: DeflateAccept;
  /** Plays the case: called once the connection is open. May return handlers that keep per-run state. */
  run(ctx: CaseContext): RunningCase | undefined;
  /** Adjusts the verdict after grading. */
  finish?(verdict: Verdict, facts: ClosingFacts): Verdict;
}

/** What a running case handles itself. */
export interface RunningCase {
  /** Judges each message instead of recording it for comparison (the performance and compression cases). */
  onMessage(payload: Buffer, binary: boolean): void;
}

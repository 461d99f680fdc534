// Category 9, limits and performance: large messages whole, in fragments
// and in chops, and a thousand round trips of small ones. The cases judge
// each echo themselves (type and length) and report their duration.
//
// Bounded for a run of minutes on two cores: the sizes are the fuzzing
// server's (up to 16 MiB messages, 4 MiB fragmented, 1 MiB chopped, 1000
// round trips), but no case waits longer than WAIT_LIMIT_SECONDS for its
// echo (the fuzzing server waits up to 1000 s).
import { NORMAL } from './common.ts';
import type { CaseContext, CaseSpec } from './types.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const WAIT_LIMIT_SECONDS = 60;
const PATTERN = Buffer.from('BAsd7&jh23');
/** Payload octets the messages of 9.1–9.6 are made of: the fuzzing server's pattern, repeated. */
const ECHO = "Receive echo'ed {kind} message (with payload as sent).";

interface Transfer {
  length: number;
  /** Payload octets per frame (9.3, 9.4). */
  fragmentSize?: number;
  /** Octets per write (9.5, 9.6). */
  chop?: number;
  wait: number;
}

const WHOLE: Transfer[] = [
  { length: 64 * KiB, wait: 10 },
  { length: 256 * KiB, wait: 10 },
  { length: 1 * MiB, wait: 20 },
  { length: 4 * MiB, wait: 40 },
  { length: 8 * MiB, wait: 60 },
  { length: 16 * MiB, wait: 60 },
];
const FRAGMENTED: Transfer[] = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB].map(
  (fragmentSize) => ({
    length: 4 * MiB,
    fragmentSize,
    wait: 60,
  }),
);
const CHOPPED: Transfer[] = [64, 128, 256, 512, 1024, 2048].map((chop) => ({ length: MiB, chop, wait: 60 }));
const ROUND_TRIPS = [
  { length: 0, count: 1000, wait: 60 },
  { length: 16, count: 1000, wait: 60 },
  { length: 64, count: 1000, wait: 60 },
  { length: 256, count: 1000, wait: 60 },
  { length: 1024, count: 1000, wait: 60 },
  { length: 4096, count: 1000, wait: 60 },
];

export const LIMITS_CASES: CaseSpec[] = [
  ...WHOLE.map((t, i) => transferCase(`9.1.${i + 1}`, t, false)),
  ...WHOLE.map((t, i) => transferCase(`9.2.${i + 1}`, t, true)),
  ...FRAGMENTED.map((t, i) => transferCase(`9.3.${i + 1}`, t, false)),
  ...FRAGMENTED.map((t, i) => transferCase(`9.4.${i + 1}`, t, true)),
  ...CHOPPED.map((t, i) => transferCase(`9.5.${i + 1}`, t, false)),
  ...CHOPPED.map((t, i) => transferCase(`9.6.${i + 1}`, t, true)),
  ...ROUND_TRIPS.map((r, i) => roundTripCase(`9.7.${i + 1}`, r, false)),
  ...ROUND_TRIPS.map((r, i) => roundTripCase(`9.8.${i + 1}`, r, true)),
];

function transferCase(id: string, { length, fragmentSize, chop, wait }: Transfer, binary: boolean): CaseSpec {
  const kind = binary ? 'binary' : 'text';
  const how = fragmentSize
    ? ` Sent out in fragments of ${fragmentSize}.`
    : chop
      ? ` Sent out data in chops of ${chop} octets.`
      : '';
  return {
    id,
    description: `Send ${fragmentSize ? 'fragmented ' : ''}${kind} message with payload of length ${describeSize(length)}.${how}`,
    expectation: ECHO.replace('{kind}', kind),
    maxMessageBytes: length,
    reportTime: true,
    run(ctx) {
      ctx.wirelog(false);
      ctx.expectClose({ closedByMe: true, codes: [NORMAL], requireClean: true });
      ctx.verdict('FAILED', `Did not receive message within ${Math.min(wait, WAIT_LIMIT_SECONDS)} seconds.`);
      if (fragmentSize) {
        ctx.message(Buffer.alloc(length, PATTERN), { binary, fragmentSize });
      } else {
        ctx.frame({ opcode: binary ? 2 : 1, payload: PATTERN, repeatTo: length }, { chop });
      }
      ctx.closeAfter(Math.min(wait, WAIT_LIMIT_SECONDS));
      return {
        onMessage(payload, isBinary) {
          judge(ctx, payload, isBinary, binary, length, `Received ${kind} message of length ${payload.length}.`);
          ctx.close(NORMAL);
        },
      };
    },
  };
}

function roundTripCase(id: string, { length, count, wait }: (typeof ROUND_TRIPS)[number], binary: boolean): CaseSpec {
  const kind = binary ? 'binary' : 'text';
  return {
    id,
    description: `Send ${count} ${kind} messages of payload size ${length} to measure implementation/network RTT (round trip time) / latency.`,
    expectation: `Receive echo'ed ${kind} messages (with payload as sent). Timeout case after ${wait} secs.`,
    maxMessageBytes: Math.max(length, 1),
    reportTime: true,
    run(ctx) {
      let sent = 0;
      const sendOne = () => {
        sent++;
        ctx.frame({ opcode: binary ? 2 : 1, payload: Buffer.from(binary ? [0xfe] : '*'), repeatTo: length });
      };
      ctx.wirelog(false);
      ctx.expectClose({ closedByMe: true, codes: [NORMAL], requireClean: true });
      const unfinished = (echoes: number) =>
        ctx.verdict('FAILED', `${echoes} of ${count} echoes arrived before the connection closed or ${wait} s passed.`);
      unfinished(0);
      ctx.closeAfter(wait);
      sendOne();
      return {
        onMessage(payload, isBinary) {
          if (isBinary !== binary || payload.length !== length) {
            ctx.verdict(
              'FAILED',
              `Echo'ed message type or length differs from what I sent (got binary = ${isBinary}, payload length = ${payload.length}).`,
            );
            ctx.wirelog(true);
            ctx.close(NORMAL);
          } else if (sent < count) {
            unfinished(sent);
            sendOne();
          } else {
            ctx.verdict('OK', "Ok, received all echo'ed messages in time.");
            ctx.wirelog(true);
            ctx.close(NORMAL);
          }
        },
      };
    },
  };
}

function judge(
  ctx: CaseContext,
  payload: Buffer,
  isBinary: boolean,
  binary: boolean,
  length: number,
  ok: string,
): void {
  ctx.wirelog(true);
  if (isBinary !== binary) {
    ctx.verdict(
      'FAILED',
      `Expected ${binary ? 'binary' : 'text'} message with payload, but got ${isBinary ? 'binary' : 'text'}.`,
    );
  } else if (payload.length !== length) {
    ctx.verdict('FAILED', `Expected message with payload of length ${length}, but got ${payload.length}.`);
  } else if (!payload.equals(Buffer.alloc(length, PATTERN))) {
    ctx.verdict('FAILED', 'The echo has the right length but different contents.');
  } else {
    ctx.verdict('OK', ok);
  }
}

function describeSize(length: number): string {
  if (length >= MiB) return `${length / MiB} * 2**20 (${length / MiB}M)`;
  return `${length / KiB} * 2**10 (${length / KiB}k)`;
}

// Category 6, UTF-8 handling (RFC 6455 §8.1): valid text must come back
// whatever its fragmentation; invalid text must fail the connection with
// 1007, and should fail it as soon as the invalid octet arrives (6.4, "fail
// fast"), even when the invalid sequence is split over frames or chops.
import { frameHeader } from '../frames.ts';
import { clientFails, INVALID_PAYLOAD, message, SERVER_CLOSES, timeout } from './common.ts';
import { UTF8_GROUPS } from './6-utf8-sequences.ts';
import type { CaseContext, CaseSpec } from './types.ts';

const ECHOED = "The message is echo'ed back to us.";
const INVALID = 'The connection is failed immediately, since the payload is not valid UTF-8.';
const HELLO_UTF8 = Buffer.from('Hello-µ@ßöäüàá-UTF-8!!');
const KOSME = Buffer.from('cebae1bdb9cf83cebcceb5', 'hex');
/** Where 6.2.2 splits the message: after "Hello-µ@ßöä", on a code point boundary. */
const HELLO_SPLIT = Buffer.byteLength('Hello-µ@ßöä');
const INVALID_TEXT = Buffer.concat([KOSME, Buffer.from('eda080', 'hex'), Buffer.from('edited')]);
// 0xF4 0x90 is where a code point past U+10FFFF becomes certain: byte 12 of the message.
const PART1 = KOSME;
const PART2 = Buffer.from('f4908080', 'hex');
const PART3 = Buffer.from('edited');
const FAIL_FAST = Buffer.concat([PART1, PART2, PART3]);
const FAIL_FAST_EXPECTATION =
  'The first frame is accepted, we expect to timeout on the first wait. The 2nd frame should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least then, since the complete message payload is not valid UTF-8.';

export const UTF8_CASES: CaseSpec[] = [
  {
    id: '6.1.1',
    description: 'Send text message of length 0.',
    expectation: "A message is echo'ed back to us (with empty payload).",
    run: (ctx) => echo(ctx, Buffer.alloc(0), () => ctx.frame({ opcode: 1 })),
  },
  {
    id: '6.1.2',
    description: 'Send fragmented text message, 3 fragments each of length 0.',
    expectation: "A message is echo'ed back to us (with empty payload).",
    run: (ctx) =>
      echo(ctx, Buffer.alloc(0), () => {
        ctx.frame({ opcode: 1, fin: false });
        ctx.frame({ opcode: 0, fin: false });
        ctx.frame({ opcode: 0, fin: true });
      }),
  },
  {
    id: '6.1.3',
    description: 'Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.',
    expectation: "A message is echo'ed back to us (with payload = payload of middle fragment).",
    run: (ctx) =>
      echo(ctx, Buffer.from('middle frame payload'), () => {
        ctx.frame({ opcode: 1, fin: false });
        ctx.frame({ opcode: 0, fin: false, payload: Buffer.from('middle frame payload') });
        ctx.frame({ opcode: 0, fin: true });
      }),
  },
  {
    id: '6.2.1',
    description: 'Send a valid UTF-8 text message in one fragment.',
    details: shown('MESSAGE', HELLO_UTF8),
    expectation: ECHOED,
    run: (ctx) => echo(ctx, HELLO_UTF8, () => ctx.message(HELLO_UTF8)),
  },
  {
    id: '6.2.2',
    description: 'Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point boundary.',
    details: `${shown('MESSAGE FRAGMENT 1', HELLO_UTF8.subarray(0, HELLO_SPLIT))}\n\n${shown('MESSAGE FRAGMENT 2', HELLO_UTF8.subarray(HELLO_SPLIT))}`,
    expectation: ECHOED,
    run: (ctx) =>
      echo(ctx, HELLO_UTF8, () => {
        ctx.frame({ opcode: 1, fin: false, payload: HELLO_UTF8.subarray(0, HELLO_SPLIT) });
        ctx.frame({ opcode: 0, fin: true, payload: HELLO_UTF8.subarray(HELLO_SPLIT) });
      }),
  },
  octetFragments('6.2.3', HELLO_UTF8),
  octetFragments('6.2.4', KOSME),
  invalidText('6.3.1', 'Send invalid UTF-8 text message unfragmented.', undefined),
  invalidText(
    '6.3.2',
    'Send invalid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.',
    1,
  ),
  failFast(
    '6.4.1',
    'Send invalid UTF-8 text message in 3 fragments (frames). First frame payload is valid, then wait, then 2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest. Note that PART1 and PART3 are valid UTF-8 in themselves, PART2 is a 0x110000 encoded as in the UTF-8 integer encoding scheme, but the codepoint is invalid (out of range).',
    [PART1, PART2, PART3],
    'frames',
  ),
  failFast(
    '6.4.2',
    'Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet making the complete payload invalid.',
    [FAIL_FAST.subarray(0, 12), FAIL_FAST.subarray(12, 13), FAIL_FAST.subarray(13)],
    'frames',
  ),
  failFast(
    '6.4.3',
    'Same as Case 6.4.1, but we send message not in 3 frames, but in 3 chops of the same message frame.',
    [PART1, PART2, PART3],
    'chops',
  ),
  failFast(
    '6.4.4',
    'Same as Case 6.4.2, but we send message not in 3 frames, but in 3 chops of the same message frame.',
    [FAIL_FAST.subarray(0, 12), FAIL_FAST.subarray(12, 13), FAIL_FAST.subarray(13)],
    'chops',
  ),
  ...UTF8_GROUPS.flatMap((group, g) =>
    group.sequences.map(
      ({ valid, bytes }, i): CaseSpec => ({
        id: `6.${g + 5}.${i + 1}`,
        description: `Send a text message with payload which is ${valid ? '' : 'not '}valid UTF-8 in one fragment.`,
        details: `Payload: 0x${bytes.toString('hex')}`,
        expectation: valid ? ECHOED : INVALID,
        run(ctx) {
          if (valid) {
            ctx.expect('OK', [message(bytes)]);
            ctx.expectClose(SERVER_CLOSES);
          } else {
            ctx.expect('OK', []);
            ctx.expectClose(clientFails(INVALID_PAYLOAD, true));
          }
          ctx.message(bytes);
          ctx.killAfter(0.5);
        },
      }),
    ),
  ),
];

/** The UTF-8 groups by subcategory id ("6.5"), for report headings. */
export const UTF8_SUBCATEGORIES: Record<string, string> = Object.fromEntries(
  UTF8_GROUPS.map((group, g) => [`6.${g + 5}`, group.title]),
);

function echo(ctx: CaseContext, payload: Buffer, send: () => void): undefined {
  ctx.expect('OK', [message(payload)]);
  ctx.expectClose(SERVER_CLOSES);
  send();
  ctx.closeAfter(1);
}

function octetFragments(id: string, payload: Buffer): CaseSpec {
  return {
    id,
    description:
      'Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.',
    details: shown('MESSAGE', payload),
    expectation: ECHOED,
    run: (ctx) => echo(ctx, payload, () => ctx.message(payload, { fragmentSize: 1 })),
  };
}

function invalidText(id: string, description: string, fragmentSize: number | undefined): CaseSpec {
  return {
    id,
    description,
    details: `MESSAGE:\n${INVALID_TEXT.toString('hex')}`,
    expectation: INVALID,
    run(ctx) {
      ctx.expect('OK', []);
      ctx.expectClose(clientFails(INVALID_PAYLOAD, true));
      ctx.message(INVALID_TEXT, { fragmentSize });
      ctx.killAfter(1);
    },
  };
}

/**
 * Three parts a second apart, as frames of one message or as chops of one
 * frame. A client that fails fast fails on part 2 (OK); one that waits for
 * the whole message fails after part 3 (NON-STRICT).
 */
function failFast(id: string, description: string, parts: [Buffer, Buffer, Buffer], as: 'frames' | 'chops'): CaseSpec {
  const [first, second, third] = parts;
  return {
    id,
    description,
    details: parts.map((part, i) => `PART${i + 1} = ${part.toString('hex')}`).join('\n'),
    expectation: as === 'frames' ? FAIL_FAST_EXPECTATION : FAIL_FAST_EXPECTATION.replace(/frame/g, 'chop'),
    run(ctx) {
      ctx.expect('OK', [timeout('A')]);
      ctx.expect('NON-STRICT', [timeout('A'), timeout('B')]);
      ctx.expectClose(clientFails(INVALID_PAYLOAD, true));
      const send = (part: Buffer, index: number) => {
        if (as === 'chops') ctx.raw(part);
        else ctx.frame({ opcode: index === 0 ? 1 : 0, fin: index === 2, payload: part });
      };
      if (as === 'chops') ctx.raw(frameHeader(1, true, 0, first.length + second.length + third.length));
      send(first, 0);
      ctx.later(1, 'A', () => {
        if (!ctx.isOpen) return;
        ctx.note(timeout('A'));
        send(second, 1);
        ctx.later(1, 'B', () => {
          if (!ctx.isOpen) return;
          ctx.note(timeout('B'));
          send(third, 2);
          ctx.killAfter(1);
        });
      });
    },
  };
}

function shown(label: string, payload: Buffer): string {
  return `${label}:\n${payload.toString('utf8')}\n${payload.toString('hex')}`;
}

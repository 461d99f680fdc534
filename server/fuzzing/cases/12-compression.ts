// Categories 12 and 13, permessage-deflate (RFC 7692), when the client
// offers it: many compressed messages of growing size each way, echoed and
// checked byte for byte; 12 varies the payload (text and binary data of
// different compressibility), 13 the parameters the server accepts with
// (context takeover, window bits). A client that offers no permessage-deflate
// (or not what a 13 case needs) gets UNIMPLEMENTED, as from the fuzzing server.
//
// Bounded for a run of minutes on two cores: each case sends 20 messages
// where the fuzzing server sends 1000 (the 216 cases would otherwise move
// gigabytes through zlib on both sides), and waits at most 60 s where it
// waits up to 480 s. Twenty messages still exercise context takeover.
import { createHash } from 'node:crypto';
import type { DeflateAccept, DeflateAnswer, DeflateOffer } from '../deflate.ts';
import { COMPRESSION_DATA, PARAMETER_DATA, type TestData } from './12-compression-data.ts';
import { NORMAL } from './common.ts';
import type { CaseSpec } from './types.ts';

const COUNT = 20;
const WAIT_SECONDS = 60;

/** (payload size, auto-fragment size; 0 for none), as the fuzzing server's table has them. */
const SIZES: Array<[number, number]> = [
  [16, 0], [64, 0], [256, 0], [1024, 0], [4096, 0], [8192, 0], [16384, 0], [32768, 0], [65536, 0], [131072, 0],
  [8192, 256], [16384, 256], [32768, 256], [65536, 256], [131072, 256], [131072, 1024], [131072, 4096], [131072, 32768],
]; // biome-ignore format: a table

/** How the server answers the client's offer in each 13 subcategory: whether it asks for no client context takeover, and which client window. */
const PARAMETERS: Array<{ label: string; accept: DeflateAccept }> = [
  { label: '[(False, 0)]', accept: acceptWith({}) },
  { label: '[(True, 0)]', accept: acceptWith({ requestNoContextTakeover: true }) },
  { label: '[(False, 8)]', accept: acceptWith({ requestMaxWindowBits: 8 }) },
  { label: '[(False, 15)]', accept: acceptWith({ requestMaxWindowBits: 15 }) },
  { label: '[(True, 8)]', accept: acceptWith({ requestNoContextTakeover: true, requestMaxWindowBits: 8 }) },
  { label: '[(True, 15)]', accept: acceptWith({ requestNoContextTakeover: true, requestMaxWindowBits: 15 }) },
  {
    label: '[(True, 8), (True, 0), (False, 0)]',
    accept: (offers) =>
      acceptWith({ requestNoContextTakeover: true, requestMaxWindowBits: 8 })(offers) ??
      acceptWith({ requestNoContextTakeover: true })(offers) ??
      acceptWith({})(offers),
  },
];

export const COMPRESSION_CASES: CaseSpec[] = [
  ...COMPRESSION_DATA.flatMap((data, j) =>
    SIZES.map(([size, fragment], i) =>
      compressionCase(
        `12.${j + 1}.${i + 1}`,
        `Send ${COUNT} compressed messages each of payload size ${size}, auto-fragment to ${fragment} octets. Use default permessage-deflate offer.`,
        data,
        size,
        fragment,
        acceptWith({}),
      ),
    ),
  ),
  ...PARAMETERS.flatMap(({ label, accept }, j) =>
    SIZES.map(([size, fragment], i) =>
      compressionCase(
        `13.${j + 1}.${i + 1}`,
        `Send ${COUNT} compressed messages each of payload size ${size}, auto-fragment to ${fragment} octets. The server accepts the client's permessage-deflate offer with (requestNoContextTakeover, requestMaxWindowBits): ${label}.`,
        PARAMETER_DATA,
        size,
        fragment,
        accept,
      ),
    ),
  ),
];

export const COMPRESSION_SUBCATEGORIES: Record<string, string> = Object.fromEntries([
  ...COMPRESSION_DATA.map((data, j) => [`12.${j + 1}`, dataTitle(data)]),
  ...PARAMETERS.map(({ label }, j) => [
    `13.${j + 1}`,
    `${dataTitle(PARAMETER_DATA)} - server accept (requestNoContextTakeover, requestMaxWindowBits): ${label}`,
  ]),
]);

function compressionCase(
  id: string,
  description: string,
  data: TestData,
  size: number,
  fragment: number,
  accept: DeflateAccept,
): CaseSpec {
  return {
    id,
    description,
    expectation: `Receive echo'ed messages (with payload as sent). Timeout case after ${WAIT_SECONDS} secs.`,
    maxMessageBytes: size,
    reportTime: true,
    deflate: accept,
    run(ctx) {
      ctx.expectClose({ closedByMe: true, codes: [NORMAL], requireClean: true });
      if (!ctx.deflate) {
        ctx.verdict('UNIMPLEMENTED', 'The client offered no permessage-deflate this case can accept.');
        ctx.close(NORMAL);
        return undefined;
      }
      ctx.wirelog(false);
      const unfinished = (echoes: number) =>
        ctx.verdict(
          'FAILED',
          `${echoes} of ${COUNT} echoes arrived before the connection closed or ${WAIT_SECONDS} s passed.`,
        );
      unfinished(0);
      ctx.closeAfter(WAIT_SECONDS);
      const bytes = data.bytes();
      let at = 0;
      let sent = 0;
      let digest = '';
      const sendOne = () => {
        const end = at + size;
        const payload =
          end <= bytes.length
            ? bytes.subarray(at, end)
            : Buffer.concat([bytes.subarray(at), bytes.subarray(0, end - bytes.length)]);
        at = end % bytes.length;
        digest = sha1(payload);
        sent++;
        ctx.message(payload, { binary: data.binary, fragmentSize: fragment || undefined });
      };
      const fail = (result: string) => {
        ctx.verdict('FAILED', result);
        ctx.wirelog(true);
        ctx.close(NORMAL);
      };
      sendOne();
      return {
        onMessage(payload, binary) {
          if (binary !== data.binary)
            return fail(
              `Echo'ed message type differs from what I sent (got binary ${binary}, expected binary ${data.binary}).`,
            );
          if (payload.length !== size)
            return fail(
              `Echo'ed message length differs from what I sent (got length ${payload.length}, expected length ${size}).`,
            );
          if (sha1(payload) !== digest) return fail("Echo'ed message contents differs from what I sent.");
          if (sent < COUNT) {
            unfinished(sent);
            return sendOne();
          }
          ctx.verdict('OK', "Ok, received all echo'ed messages in time.");
          ctx.wirelog(true);
          ctx.close(NORMAL);
        },
      };
    },
  };
}

/**
 * Accepts the first offer the server can answer this way: asking for a
 * client window needs an offer with client_max_window_bits (RFC 7692 §7.1.2.2).
 */
function acceptWith(answer: DeflateAnswer): DeflateAccept {
  return (offers: readonly DeflateOffer[]) => {
    const offer = offers.find((o) => answer.requestMaxWindowBits === undefined || o.clientMaxWindowBits !== false);
    return offer ? { offer, answer } : undefined;
  };
}

function dataTitle(data: TestData): string {
  return `${data.description} (${data.binary ? 'binary' : 'utf8'}, ${data.size} bytes)`;
}

function sha1(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex');
}

// The UTF-8 sequences behind cases 6.5–6.23, grouped as in Markus Kuhn's
// UTF-8 decoder stress test (the groups and their order are the fuzzing
// server's): each sequence with whether it is valid UTF-8 (RFC 3629).
import { isValidUtf8 } from '../utf8.ts';

export interface Utf8Group {
  title: string;
  sequences: Array<{ valid: boolean; bytes: Buffer }>;
}

const KOSME = hexBytes('cebae1bdb9cf83cebcceb5');

export const UTF8_GROUPS: Utf8Group[] = [
  group('Some valid UTF-8 sequences', [
    [true, concat('hello', '24', 'world')],
    [true, concat('hello', 'c2a2', 'world')],
    [true, concat('hello', 'e282ac', 'world')],
    [true, concat('hello', 'f0a4ada2', 'world')],
    [true, KOSME],
  ]),
  group(
    'All prefixes of a valid UTF-8 string that contains multi-byte code points',
    Array.from({ length: KOSME.length }, (_, i) => {
      const prefix = KOSME.subarray(0, i + 1);
      return [isValidUtf8(prefix), prefix] as [boolean, Buffer];
    }),
  ),
  group('First possible sequence of a certain length', [
    [true, '00'],
    [true, 'c280'],
    [true, 'e0a080'],
    [true, 'f0908080'],
  ]),
  group('First possible sequence length 5/6 (invalid codepoints)', [
    [false, 'f888808080'],
    [false, 'fc8480808080'],
  ]),
  group('Last possible sequence of a certain length', [
    [true, '7f'],
    [true, 'dfbf'],
    [true, 'efbfbf'],
    [true, 'f48fbfbf'],
  ]),
  group('Last possible sequence length 4/5/6 (invalid codepoints)', [
    [false, 'f7bfbfbf'],
    [false, 'fbbfbfbfbf'],
    [false, 'fdbfbfbfbfbf'],
  ]),
  group('Other boundary conditions', [
    [true, 'ed9fbf'],
    [true, 'ee8080'],
    [true, 'efbfbd'],
    [true, 'f48fbfbf'],
    [false, 'f4908080'],
  ]),
  group('Unexpected continuation bytes', [
    [false, '80'],
    [false, 'bf'],
    [false, '80bf'],
    [false, '80bf80'],
    [false, '80bf80bf'],
    [false, '80bf80bf80'],
    [false, '80bf80bf80bf'],
    [false, range(0x80, 0xbf, [])],
  ]),
  group(
    'Lonely start characters',
    (
      [
        [0xc0, 0xdf],
        [0xe0, 0xef],
        [0xf0, 0xf7],
        [0xf8, 0xfb],
        [0xfc, 0xfd],
      ] as const
    ).map(([from, to]) => [false, range(from, to, [0x20])] as [boolean, Buffer]),
  ),
  group(
    'Sequences with last continuation byte missing',
    INCOMPLETE().map((bytes) => [false, bytes] as [boolean, Buffer]),
  ),
  group('Concatenation of incomplete sequences', [[false, Buffer.concat(INCOMPLETE())]]),
  group('Impossible bytes', [
    [false, 'fe'],
    [false, 'ff'],
    [false, 'fefeffff'],
  ]),
  group('Examples of an overlong ASCII character', [
    [false, 'c0af'],
    [false, 'e080af'],
    [false, 'f08080af'],
    [false, 'f8808080af'],
    [false, 'fc80808080af'],
  ]),
  group('Maximum overlong sequences', [
    [false, 'c1bf'],
    [false, 'e09fbf'],
    [false, 'f08fbfbf'],
    [false, 'f887bfbfbf'],
    [false, 'fc83bfbfbfbf'],
  ]),
  group('Overlong representation of the NUL character', [
    [false, 'c080'],
    [false, 'e08080'],
    [false, 'f0808080'],
    [false, 'f880808080'],
    [false, 'fc8080808080'],
  ]),
  group('Single UTF-16 surrogates', [
    [false, 'eda080'],
    [false, 'edadbf'],
    [false, 'edae80'],
    [false, 'edafbf'],
    [false, 'edb080'],
    [false, 'edbe80'],
    [false, 'edbfbf'],
  ]),
  group('Paired UTF-16 surrogates', [
    [false, 'eda080edb080'],
    [false, 'eda080edbfbf'],
    [false, 'edadbfedb080'],
    [false, 'edadbfedbfbf'],
    [false, 'edae80edb080'],
    [false, 'edae80edbfbf'],
    [false, 'edafbfedb080'],
    [false, 'edafbfedbfbf'],
  ]),
  group('Non-character code points (valid UTF-8)', [[true, 'efbfbe'], [true, 'efbfbf'], ...nonCharacters()]),
  group('Unicode specials (i.e. replacement char)', [
    [true, 'efbfb9'],
    [true, 'efbfba'],
    [true, 'efbfbb'],
    [true, 'efbfbc'],
    [true, 'efbfbd'],
    [true, 'efbfbe'],
    [true, 'efbfbf'],
  ]),
];

function group(title: string, sequences: Array<[boolean, Buffer | string]>): Utf8Group {
  return {
    title,
    sequences: sequences.map(([valid, bytes]) => ({
      valid,
      bytes: typeof bytes === 'string' ? hexBytes(bytes) : bytes,
    })),
  };
}

function hexBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/** ASCII text and hex bytes, alternating: concat('hello', '24', 'world'). */
function concat(before: string, hex: string, after: string): Buffer {
  return Buffer.concat([Buffer.from(before), hexBytes(hex), Buffer.from(after)]);
}

/** Bytes from `from` up to (not including) `to`, each followed by `after`. */
function range(from: number, to: number, after: number[]): Buffer {
  const bytes: number[] = [];
  for (let byte = from; byte < to; byte++) bytes.push(byte, ...after);
  return Buffer.from(bytes);
}

function INCOMPLETE(): Buffer[] {
  return ['c0', 'e080', 'f08080', 'f8808080', 'fc80808080', 'df', 'efbf', 'f7bfbf', 'fbbfbfbf', 'fdbfbfbfbf'].map(
    hexBytes,
  );
}

/** U+xFFFE and U+xFFFF in the supplementary planes: F0–F4, then 8F/9F/AF/BF, BF, BE/BF, leaving out what would be overlong or past U+10FFFF. */
function nonCharacters(): Array<[boolean, string]> {
  const out: Array<[boolean, string]> = [];
  for (const lead of ['f0', 'f1', 'f2', 'f3', 'f4']) {
    for (const second of ['8f', '9f', 'af', 'bf']) {
      if (lead === 'f4' && second !== '8f') continue;
      for (const last of ['be', 'bf']) {
        const bytes = `${lead}${second}bf${last}`;
        if (bytes !== 'f08fbfbe' && bytes !== 'f08fbfbf') out.push([true, bytes]);
      }
    }
  }
  return out;
}

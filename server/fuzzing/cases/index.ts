// The case catalog: every case, numbered 1..count in the order of their ids
// (1.1.1, 1.1.2, ..., 1.2.1, ..., 10.1.1), as the fuzzing server numbers them,
// with the category and subcategory names its reports use.
import { FRAMING_CASES } from './1-framing.ts';
import { PING_PONG_CASES } from './2-ping-pong.ts';
import { RESERVED_BITS_CASES } from './3-reserved-bits.ts';
import { OPCODE_CASES } from './4-opcodes.ts';
import { FRAGMENTATION_CASES } from './5-fragmentation.ts';
import { UTF8_CASES, UTF8_SUBCATEGORIES } from './6-utf8.ts';
import { CLOSE_CASES } from './7-close.ts';
import { LIMITS_CASES } from './9-limits.ts';
import { MISC_CASES } from './10-misc.ts';
import { COMPRESSION_CASES, COMPRESSION_SUBCATEGORIES } from './12-compression.ts';
import { CONFORMANCE_CATEGORIES } from '../../protocol.ts';
import type { CaseSpec } from './types.ts';

// In protocol.ts, because the page lists them too.
export const CATEGORIES = CONFORMANCE_CATEGORIES;

export const SUBCATEGORIES: Readonly<Record<string, string>> = {
  '1.1': 'Text Messages',
  '1.2': 'Binary Messages',
  '4.1': 'Non-control Opcodes',
  '4.2': 'Control Opcodes',
  '6.1': 'Valid UTF-8 with zero payload fragments',
  '6.2': 'Valid UTF-8 unfragmented, fragmented on code-points and within code-points',
  '6.3': 'Invalid UTF-8 differently fragmented',
  '6.4': 'Fail-fast on invalid UTF-8',
  ...UTF8_SUBCATEGORIES,
  '7.1': 'Basic close behavior (fuzzer initiated)',
  '7.3': 'Close frame structure: payload length (fuzzer initiated)',
  '7.5': 'Close frame structure: payload value (fuzzer initiated)',
  '7.7': 'Close frame structure: valid close codes (fuzzer initiated)',
  '7.9': 'Close frame structure: invalid close codes (fuzzer initiated)',
  '7.13': 'Informational close information (fuzzer initiated)',
  '9.1': 'Text Message (increasing size)',
  '9.2': 'Binary Message (increasing size)',
  '9.3': 'Fragmented Text Message (fixed size, increasing fragment size)',
  '9.4': 'Fragmented Binary Message (fixed size, increasing fragment size)',
  '9.5': 'Text Message (fixed size, increasing chop size)',
  '9.6': 'Binary Text Message (fixed size, increasing chop size)',
  '9.7': 'Text Message Roundtrip Time (fixed number, increasing size)',
  '9.8': 'Binary Message Roundtrip Time (fixed number, increasing size)',
  '10.1': 'Auto-Fragmentation',
  ...COMPRESSION_SUBCATEGORIES,
};

/** Every case, in id order; case number N is CASES[N - 1]. */
export const CASES: readonly CaseSpec[] = [
  ...FRAMING_CASES,
  ...PING_PONG_CASES,
  ...RESERVED_BITS_CASES,
  ...OPCODE_CASES,
  ...FRAGMENTATION_CASES,
  ...UTF8_CASES,
  ...CLOSE_CASES,
  ...LIMITS_CASES,
  ...MISC_CASES,
  ...COMPRESSION_CASES,
].sort((a, b) => compareIds(a.id, b.id));

const BY_ID = new Map(CASES.map((spec, i) => [spec.id, i + 1]));

/** The case with this number (1-based), or undefined. */
export function caseByNumber(number: number): CaseSpec | undefined {
  return Number.isInteger(number) ? CASES[number - 1] : undefined;
}

/** The number of the case with this id ("1.1.1"), or undefined. */
export function numberOfId(id: string): number | undefined {
  return BY_ID.get(id);
}

/** Orders ids as tuples of numbers: 1.2 < 1.10 < 2.1. */
export function compareIds(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? -1) - (y[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The description as /getCaseInfo gives it: one line, whitespace collapsed. */
export function shortDescription(spec: CaseSpec): string {
  return spec.description.split(/\s+/).join(' ').trim();
}

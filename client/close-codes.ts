// What close codes mean (RFC 6455 section 7.4 and the IANA registry) and
// which ones a page may send. Plain strings in the page's language
// (client/i18n/), no DOM, so describe.ts and the close panel name codes the
// same way.
import { DEFAULT_MAX_MESSAGE_SIZE } from '../server/protocol.ts';
import { t } from './i18n/translate.ts';

/** The 1000-range codes RFC 6455 and the IANA registry name; each has a name and a meaning in the catalogues. */
const NAMED = [1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015] as const;
type NamedCode = (typeof NAMED)[number];

function isNamed(code: number): code is NamedCode {
  return (NAMED as readonly number[]).includes(code);
}

/** Which range a code without a name of its own falls in. */
function rangeOf(code: number): 'registered' | 'private' | 'reserved' | 'invalid' {
  if (code >= 3000 && code <= 3999) return 'registered';
  if (code >= 4000 && code <= 4999) return 'private';
  if (code >= 1000 && code <= 2999) return 'reserved';
  return 'invalid';
}

/** "Normal Closure", "Private use", …: the name shown in brackets after a code. */
export function closeCodeName(code: number): string {
  return isNamed(code) ? t(`closeCode.${code}`) : t(`closeCode.${rangeOf(code)}`);
}

/** A sentence explaining the code, e.g. "Private use: 4000–4999 are …". */
export function closeCodeMeaning(code: number): string {
  if (isNamed(code)) {
    // Only 1009's sentence has a {size}; the others leave it unused.
    const explanation = t(`closeCode.${code}.meaning`, { size: DEFAULT_MAX_MESSAGE_SIZE });
    return t('closeCode.meaning', { name: closeCodeName(code), explanation });
  }
  return t(`closeCode.${rangeOf(code)}.meaning`);
}

/** The most UTF-8 bytes a close reason may have: a control frame holds 125, minus the 2-byte code. */
export const MAX_REASON_BYTES = 123;

/**
 * Why `close(code)` would be refused, or undefined when a page may send it.
 * Browsers allow 1000 and 3000–4999 only and throw InvalidAccessError for the
 * rest, so this says what the rule is instead of surfacing that exception.
 */
export function closeCodeProblem(text: string): Error | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return new Error(t('closeCode.notNumber'));
  const code = Number(trimmed);
  if (code === 1000 || (code >= 3000 && code <= 4999)) return undefined;
  if (code >= 1001 && code <= 1015) return new Error(t('closeCode.notForPages', { code, name: closeCodeName(code) }));
  if (code >= 1016 && code <= 2999) return new Error(t('closeCode.future', { code }));
  return new Error(t('closeCode.outside', { code }));
}

/** UTF-8 length of a reason, which is what the 123-byte limit counts. */
export function reasonBytes(reason: string): number {
  return new TextEncoder().encode(reason).length;
}

/** Why the reason is refused, or undefined when it fits. */
export function closeReasonProblem(reason: string): Error | undefined {
  const bytes = reasonBytes(reason);
  if (bytes <= MAX_REASON_BYTES) return undefined;
  return new Error(t('closeReason.tooLong', { bytes, max: MAX_REASON_BYTES }));
}

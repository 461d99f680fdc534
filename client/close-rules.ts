// What close codes mean and which ones a page may send (RFC 6455 section 7.4
// and the IANA registry), in the page's language, no DOM: the Close card's
// rules, loaded with it, so its words (client/i18n/en-later.ts) are not in
// the page's first load. close-codes.ts names the codes.
import './i18n/later.ts';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../server/protocol.ts';
import { closeCodeName, isNamed, rangeOf } from './close-codes.ts';
import { t } from './i18n/translate.ts';

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

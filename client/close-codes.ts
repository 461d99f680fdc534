// What close codes are called (RFC 6455 section 7.4 and the IANA registry),
// in the page's language (client/i18n/), no DOM, so the log, describe.ts and
// every card name codes the same way. What they mean and which ones a page
// may send is close-rules.ts, loaded with the Close card.
import { t } from './i18n/translate.ts';

/** The 1000-range codes RFC 6455 and the IANA registry name; each has a name and a meaning in the catalogues. */
const NAMED = [1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015] as const;
export type NamedCode = (typeof NAMED)[number];

export function isNamed(code: number): code is NamedCode {
  return (NAMED as readonly number[]).includes(code);
}

/** Which range a code without a name of its own falls in. */
export function rangeOf(code: number): 'registered' | 'private' | 'reserved' | 'invalid' {
  if (code >= 3000 && code <= 3999) return 'registered';
  if (code >= 4000 && code <= 4999) return 'private';
  if (code >= 1000 && code <= 2999) return 'reserved';
  return 'invalid';
}

/** "Normal Closure", "Private use", …: the name shown in brackets after a code. */
export function closeCodeName(code: number): string {
  return isNamed(code) ? t(`closeCode.${code}`) : t(`closeCode.${rangeOf(code)}`);
}

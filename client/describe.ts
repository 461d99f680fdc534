// Words for what the connection reports, shared by the on-page log and the
// console so both name things the same way. Plain strings, no DOM; what is
// more than code or numbers is in the page's language (client/i18n/).
import { closeCodeName } from './close-codes.ts';
import { ReadyState, type CloseInfo, type ReceivedData } from './connection.ts';
import { t } from './i18n/translate.ts';

const READY_STATE_NAMES: Record<ReadyState, string> = {
  [ReadyState.CONNECTING]: 'CONNECTING',
  [ReadyState.OPEN]: 'OPEN',
  [ReadyState.CLOSING]: 'CLOSING',
  [ReadyState.CLOSED]: 'CLOSED',
};

/** "1 OPEN": the number the API gives and the name Ruan Yifeng's tutorial explains. */
export function describeReadyState(state: ReadyState): string {
  return `${state} ${READY_STATE_NAMES[state]}`;
}

/** "Blob" or "ArrayBuffer": which type binaryType made the browser hand over. */
export function binaryTypeName(data: Blob | ArrayBuffer): string {
  return data instanceof Blob ? 'Blob' : 'ArrayBuffer';
}

/**
 * "Blob, 3000 bytes", how the log shows binary data, in the page's language
 * whenever it is asked. It keeps the type and the size, never the data, so a
 * log entry does not hold a megabyte message alive.
 */
export function binaryDescription(data: Blob | ArrayBuffer): () => string {
  const type = binaryTypeName(data);
  const size = byteLength(data);
  return () => t('describe.binary', { type, size });
}

/** The Go tutorial's console wording: the text itself, or "ArrayBuffer(512000)" for binary. */
export function consoleForm(data: ReceivedData): string {
  return typeof data === 'string' ? data : `${binaryTypeName(data)}(${byteLength(data)})`;
}

/** 'code 1000 (Normal Closure), reason "bye", wasClean true'; the name says what the code means. */
export function describeClose({ code, reason, wasClean }: Pick<CloseInfo, 'code' | 'reason' | 'wasClean'>): string {
  return t('describe.close', {
    code,
    name: closeCodeName(code),
    reason: quoteReason(reason),
    wasClean: String(wasClean),
  });
}

/** '"bye"', or '(none)': JSON quoting keeps an empty or whitespace-only reason visible. */
export function quoteReason(reason: string): string {
  return reason ? JSON.stringify(reason) : t('none');
}

function byteLength(data: Blob | ArrayBuffer): number {
  return data instanceof Blob ? data.size : data.byteLength;
}

/** "13 B", "4.0 KiB", "1.5 MiB": sizes for people; exact counts stay in the export. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** "0.42 ms", "12.3 ms", "1204 ms": enough digits to compare loopback round trips. */
export function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** 24-hour with milliseconds: an echo round trip often takes less than one. */
export function formatTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

/** "0:00:07", "1:02:03": how long a connection has been open. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(seconds / 3600)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

// Words for what the connection reports, shared by the on-page log and the
// console so both name things the same way. Plain strings, no DOM.
import { ReadyState, type CloseInfo, type ReceivedData } from './connection.ts';

const READY_STATE_NAMES: Record<ReadyState, string> = {
  [ReadyState.CONNECTING]: 'CONNECTING',
  [ReadyState.OPEN]: 'OPEN',
  [ReadyState.CLOSING]: 'CLOSING',
  [ReadyState.CLOSED]: 'CLOSED',
};

// RFC 6455 section 7.4.1 plus the IANA registry's later additions; a bare
// number means little to someone learning what 1006 or 1009 stand for.
const CLOSE_CODE_NAMES: Partial<Record<number, string>> = {
  1000: 'Normal Closure',
  1001: 'Going Away',
  1002: 'Protocol Error',
  1003: 'Unsupported Data',
  1005: 'No Status Received',
  1006: 'Abnormal Closure',
  1007: 'Invalid Payload Data',
  1008: 'Policy Violation',
  1009: 'Message Too Big',
  1010: 'Mandatory Extension',
  1011: 'Internal Error',
  1012: 'Service Restart',
  1013: 'Try Again Later',
  1015: 'TLS Handshake',
};

/** "1 OPEN": the number the API gives and the name seed 002 explains. */
export function describeReadyState(state: ReadyState): string {
  return `${state} ${READY_STATE_NAMES[state]}`;
}

/** "Blob" or "ArrayBuffer": which type binaryType made the browser hand over. */
export function binaryTypeName(data: Blob | ArrayBuffer): string {
  return data instanceof Blob ? 'Blob' : 'ArrayBuffer';
}

/** "Blob, 3000 bytes": how the log shows binary data. */
export function describeBinary(data: Blob | ArrayBuffer): string {
  return `${binaryTypeName(data)}, ${byteLength(data)} bytes`;
}

/** The seed's console wording: the text itself, or "ArrayBuffer(512000)" for binary. */
export function consoleForm(data: ReceivedData): string {
  return typeof data === 'string' ? data : `${binaryTypeName(data)}(${byteLength(data)})`;
}

/** 'code 1000 (Normal Closure), reason "bye", wasClean true'. */
export function describeClose({ code, reason, wasClean }: CloseInfo): string {
  const name = CLOSE_CODE_NAMES[code];
  // JSON quoting keeps an empty or whitespace-only reason visible.
  return `code ${code}${name ? ` (${name})` : ''}, reason ${reason ? JSON.stringify(reason) : '(none)'}, wasClean ${wasClean}`;
}

function byteLength(data: Blob | ArrayBuffer): number {
  return data instanceof Blob ? data.size : data.byteLength;
}

// Reads what /monitor sends (docs/monitor.md): one JSON MonitorEvent per
// message. It comes from the network, so only events whose fields have the
// types server/protocol.ts promises get through; anything else is skipped
// rather than trusted. No DOM.
import { MONITOR_EVENT_TYPES, type MonitorEvent } from '../server/protocol.ts';

/** The event in `text`, or undefined when it is not one this page can show. */
export function parseMonitorEvent(text: string): MonitorEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const event = data as Record<string, unknown>;
  const has = (type: string, ...names: string[]) => names.every((name) => typeof event[name] === type);
  if (!MONITOR_EVENT_TYPES.has(event.type as string) || !has('number', 'seq', 'at', 'connection')) return undefined;
  const ok =
    event.type === 'handshake'
      ? has('string', 'request', 'response') && has('number', 'status')
      : event.type === 'frame'
        ? (event.direction === 'client' || event.direction === 'server') &&
          has('boolean', 'fin', 'rsv1', 'rsv2', 'rsv3', 'masked', 'truncated') &&
          has('number', 'opcode', 'payloadLength', 'lengthForm') &&
          has('string', 'opcodeName', 'payloadHex') &&
          (event.maskingKey === undefined || has('string', 'maskingKey', 'maskedPayloadHex')) &&
          (event.text === undefined || has('string', 'text')) &&
          (event.close === undefined || isClose(event.close))
        : event.type === 'closed'
          ? has('number', 'code') && has('string', 'reason') && (event.by === 'client' || event.by === 'server')
          : true;
  return ok ? (event as unknown as MonitorEvent) : undefined;
}

function isClose(close: unknown): boolean {
  const record = close as Record<string, unknown> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.code === 'number' &&
    typeof record.reason === 'string'
  );
}

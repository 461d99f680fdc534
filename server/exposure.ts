// Who can reach the server, and so which limits it applies unless told
// otherwise. Listening on loopback only, without a proxy in front, its clients
// are the developer's own tests, which a per-IP cap or a rate limit would only
// trip up (a load test from 127.0.0.1, a ping-pong loop at full speed).
// Reachable from other machines, directly or through a trusted proxy, those
// limits keep one client from crowding out the rest.
import { BlockList, isIP } from 'node:net';

/** Where the server's clients can come from. */
export type Exposure = 'loopback' | 'network' | 'proxy';

/** The settings that decide the exposure. */
export interface Listening {
  host: string;
  trustProxy: boolean;
}

/** The limits a server reachable from other machines applies by default; on loopback only they are off (0). */
export const EXPOSED_LIMITS = { maxConnectionsPerIp: 256, rateLimit: 10_000 } as const;

export type ExposureLimit = keyof typeof EXPOSED_LIMITS;

/** The limits as configured, whatever their source. */
export type Limits = Record<ExposureLimit, number>;

/** Loopback only: every address `host` binds is loopback, and no proxy forwards other machines' clients. */
export function exposureOf({ host, trustProxy }: Listening): Exposure {
  if (trustProxy) return 'proxy';
  return isLoopback(host) ? 'loopback' : 'network';
}

/** The default of one limit: off (0) on loopback only, else EXPOSED_LIMITS. */
export function defaultLimit(limit: ExposureLimit, listening: Listening): number {
  return exposureOf(listening) === 'loopback' ? 0 : EXPOSED_LIMITS[limit];
}

/**
 * Which limits are on, and why, for the start line: e.g. "no per-IP cap, no
 * rate limit (the defaults on loopback only; see --max-connections-per-ip,
 * --rate-limit)". A value equal to its default is called the default, however
 * it was given.
 */
export function describeLimits(config: Listening & Limits): string {
  const why = reasonFor(config);
  const items = [
    {
      text: config.maxConnectionsPerIp > 0 ? `${config.maxConnectionsPerIp} connections per IP` : 'no per-IP cap',
      isDefault: config.maxConnectionsPerIp === defaultLimit('maxConnectionsPerIp', config),
    },
    {
      text: config.rateLimit > 0 ? `${config.rateLimit} messages/s per connection` : 'no rate limit',
      isDefault: config.rateLimit === defaultLimit('rateLimit', config),
    },
  ];
  if (items.every((item) => item.isDefault))
    return `${items.map((item) => item.text).join(', ')} (the defaults ${why}; see --max-connections-per-ip, --rate-limit)`;
  return items.map((item) => `${item.text} (${item.isDefault ? `the default ${why}` : 'as set'})`).join(', ');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and localhost; a name that might resolve elsewhere is not. */
function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

function reasonFor(listening: Listening): string {
  const exposure = exposureOf(listening);
  if (exposure === 'loopback') return 'on loopback only';
  if (exposure === 'proxy') return 'behind --trust-proxy';
  return `on ${listening.host || 'every interface'}, which other machines can reach`;
}

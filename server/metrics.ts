// Prometheus metrics. The echo path only bumps plain numbers here;
// prom-client turns them into samples when /metrics is scraped, so counting
// costs the hot path an addition, not a label lookup. prom-client itself
// loads on the first scrape: a server nobody scrapes (a test's in-process
// server) never loads it. A cluster worker builds its registry at start,
// because the primary may ask for it at any time.
import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import { clusterMetrics } from './cluster.ts';
import { registerProcessMetrics, startLoopDelaySampling, type LoopDelaySampling } from './process-metrics.ts';

/** Why an upgrade request did not become a WebSocket. */
export type RefusalReason =
  | 'path'
  | 'origin'
  | 'version'
  | 'capacity'
  | 'capacity_per_ip'
  | 'invalid_handshake'
  /** A URL parameter the server does not know, or a value out of its range (server/misbehave.ts). */
  | 'parameter'
  /** The client asked for the refusal with ?reject=<status>. */
  | 'requested'
  /** /monitor: the token already has MONITOR_LIMITS.watchers watchers. */
  | 'watchers';

/** The ways a connection can misbehave on request (server/misbehave.ts), as /metrics names them. */
export const FAULT_KINDS = ['close', 'drop', 'delay', 'fragment', 'ping', 'pong_off', 'greeting', 'reject'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What the monitor (server/monitor/) has open now. */
type MonitorCounts = { readonly tapped: number; readonly watchers: number };

type Direction = { messages: number; bytes: number };
type ByType = { text: Direction; binary: Direction };

export class EchoMetrics {
  /** Messages and bytes received from clients, by frame type. */
  readonly received: ByType = byType();
  /** Messages and bytes sent to clients, by frame type. */
  readonly sent: ByType = byType();
  /** Connections accepted since start. */
  connectionsTotal = 0;
  /** Closed connections by close code; a Map, so a close costs no label lookup. */
  readonly #closes = new Map<number, number>();
  /** Refused upgrade requests by reason. */
  readonly #refused = new Map<RefusalReason, number>();
  /** Faults asked for in the URL, by kind; every kind from the start, at 0, so a dashboard can find them. */
  readonly #faults = new Map<FaultKind, number>(FAULT_KINDS.map((kind) => [kind, 0]));
  /** Offers of permessage-deflate declined for --max-deflate-connections. */
  #deflateDeclined = 0;
  readonly #openConnections: () => number;
  readonly #openDeflateConnections: () => number;
  readonly #loopDelay: LoopDelaySampling;
  #registry: Promise<Registry> | undefined;
  #monitor: MonitorCounts | undefined;

  /** The metrics of one server (one registry per server, so tests can run several); ready for a cluster's primary. */
  static async create(openConnections: () => number, openDeflateConnections: () => number): Promise<EchoMetrics> {
    const metrics = new EchoMetrics(openConnections, openDeflateConnections);
    if (cluster.isWorker) {
      // The primary asks every worker for this registry when any worker serves /metrics.
      const [registry, { AggregatorRegistry }] = await Promise.all([metrics.registry(), import('prom-client')]);
      AggregatorRegistry.setRegistries([registry]);
      new AggregatorRegistry();
    }
    return metrics;
  }

  private constructor(openConnections: () => number, openDeflateConnections: () => number) {
    this.#openConnections = openConnections;
    this.#openDeflateConnections = openDeflateConnections;
    // Sampled from the start, so the first scrape reports the lag since then.
    this.#loopDelay = startLoopDelaySampling();
  }

  /** The registry /metrics serves, built on first use. */
  registry(): Promise<Registry> {
    this.#registry ??= buildRegistry(this, this.#openConnections, {
      closes: this.#closes,
      refused: this.#refused,
      faults: this.#faults,
      loopDelay: this.#loopDelay,
      monitor: () => this.#monitor,
      openDeflateConnections: this.#openDeflateConnections,
      deflateDeclined: () => this.#deflateDeclined,
    });
    return this.#registry;
  }

  /** The Prometheus text /metrics serves: this process's, or with --workers every worker's, summed by the primary. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    const registry = await this.registry();
    const text = cluster.isWorker ? await clusterMetrics() : await registry.metrics();
    return { contentType: registry.contentType, text };
  }

  /** Stops the sampling behind the process metrics. */
  stop(): void {
    this.#loopDelay.stop();
  }

  /** Counts one closed connection under its close code. */
  closed(code: number): void {
    this.#closes.set(code, (this.#closes.get(code) ?? 0) + 1);
  }

  /** Gauges of the monitor (server/monitor/): connections being recorded, and watchers. */
  gaugeMonitor(monitor: MonitorCounts): void {
    this.#monitor = monitor;
  }

  /** Counts one refused upgrade request. */
  refused(reason: RefusalReason): void {
    this.#refused.set(reason, (this.#refused.get(reason) ?? 0) + 1);
  }

  /** Counts one permessage-deflate offer declined for the cap. */
  deflateDeclined(): void {
    this.#deflateDeclined++;
  }

  /** Counts one fault asked for in the URL. */
  faulted(kind: FaultKind): void {
    this.#faults.set(kind, (this.#faults.get(kind) ?? 0) + 1);
  }
}

// Every metric reads its numbers from EchoMetrics when scraped.
async function buildRegistry(
  metrics: EchoMetrics,
  openConnections: () => number,
  counts: {
    closes: ReadonlyMap<number, number>;
    refused: ReadonlyMap<RefusalReason, number>;
    faults: ReadonlyMap<FaultKind, number>;
    loopDelay: LoopDelaySampling;
    monitor: () => MonitorCounts | undefined;
    openDeflateConnections: () => number;
    deflateDeclined: () => number;
  },
): Promise<Registry> {
  const { Counter, Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  const registers = [registry];
  await registerProcessMetrics(registry, 'ws_echo_', counts.loopDelay);
  new Gauge({
    name: 'ws_echo_connections_open',
    help: 'WebSocket connections open now',
    registers,
    collect() {
      this.set(openConnections());
    },
  });
  new Counter({
    name: 'ws_echo_connections_total',
    help: 'WebSocket connections accepted since start',
    registers,
    collect() {
      this.reset();
      this.inc(metrics.connectionsTotal);
    },
  });
  const trafficCounter = (name: string, help: string, source: ByType, field: keyof Direction) =>
    new Counter({
      name,
      help,
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        this.inc({ type: 'text' }, source.text[field]);
        this.inc({ type: 'binary' }, source.binary[field]);
      },
    });
  trafficCounter('ws_echo_messages_received_total', 'Messages received from clients', metrics.received, 'messages');
  trafficCounter('ws_echo_bytes_received_total', 'Payload bytes received from clients', metrics.received, 'bytes');
  trafficCounter('ws_echo_messages_sent_total', 'Messages sent to clients', metrics.sent, 'messages');
  trafficCounter('ws_echo_bytes_sent_total', 'Payload bytes sent to clients', metrics.sent, 'bytes');
  const byLabel = <K>(name: string, help: string, label: string, counts: ReadonlyMap<K, number>) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers,
      collect() {
        this.reset();
        for (const [key, count] of counts) this.inc({ [label]: String(key) }, count);
      },
    });
  byLabel('ws_echo_closes_total', 'Closed connections by close code', 'code', counts.closes);
  byLabel('ws_echo_handshakes_refused_total', 'Upgrade requests refused, by reason', 'reason', counts.refused);
  byLabel(
    'ws_echo_faults_total',
    'Misbehaviour asked for in the URL, by kind: close and drop when their trigger fired, reject per refused handshake, the others once per connection that asked',
    'kind',
    counts.faults,
  );
  const monitorGauge = (name: string, help: string, read: (monitor: MonitorCounts) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const monitor = counts.monitor();
        if (monitor) this.set(read(monitor));
      },
    });
  monitorGauge(
    'ws_echo_monitor_tapped_connections',
    'Connections whose frames are recorded for /monitor now (they asked with ?monitor=)',
    (monitor) => monitor.tapped,
  );
  monitorGauge('ws_echo_monitor_watchers', 'Watchers connected to /monitor now', (monitor) => monitor.watchers);
  // Compression is not a fault (?deflate asks for a correct connection), so it has its own pair.
  new Gauge({
    name: 'ws_echo_deflate_connections_open',
    help: 'WebSocket connections open with permessage-deflate now (at most --max-deflate-connections)',
    registers,
    collect() {
      this.set(counts.openDeflateConnections());
    },
  });
  new Counter({
    name: 'ws_echo_deflate_declined_total',
    help: 'Offers of permessage-deflate that could have been accepted but were not, because --max-deflate-connections were open; those clients connected uncompressed',
    registers,
    collect() {
      this.reset();
      this.inc(counts.deflateDeclined());
    },
  });
  return registry;
}

function byType(): ByType {
  return { text: { messages: 0, bytes: 0 }, binary: { messages: 0, bytes: 0 } };
}

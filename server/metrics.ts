// Prometheus metrics. The echo path only bumps plain numbers in `traffic`;
// prom-client turns them into samples when /metrics is scraped, so counting
// costs the hot path an addition, not a label lookup.
import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { clusterMetrics } from './cluster.ts';
import { registerProcessMetrics } from './process-metrics.ts';

/** Why an upgrade request did not become a WebSocket. */
export type RefusalReason =
  | 'path'
  | 'origin'
  | 'version'
  | 'capacity'
  | 'capacity_per_ip'
  | 'invalid_handshake'
  /** Any request Node's HTTP parser refused (400, 431) before anyone could tell an upgrade from a page request. */
  | 'malformed'
  /** Any request whose head took longer than --handshake-timeout (408), upgrade or not. */
  | 'timeout'
  /** A Host this server does not answer to (server/hosts.ts). */
  | 'host'
  /** Too few file descriptors left (server/descriptors.ts). */
  | 'file_descriptors'
  /** A URL parameter the server does not know, or a value out of its range (server/misbehave.ts). */
  | 'parameter'
  /** The client asked for the refusal with ?reject=<status>. */
  | 'requested';

/** The ways a connection can misbehave on request (server/misbehave.ts), as /metrics names them. */
export const FAULT_KINDS = ['close', 'drop', 'delay', 'fragment', 'ping', 'pong_off', 'greeting', 'reject'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

type Direction = { messages: number; bytes: number };
type ByType = { text: Direction; binary: Direction };

export class EchoMetrics {
  /** The registry /metrics serves; one per server, so tests can run several. */
  readonly registry = new Registry();
  /** Messages and bytes received from clients, by frame type. */
  readonly received: ByType = byType();
  /** Messages and bytes sent to clients, by frame type. */
  readonly sent: ByType = byType();
  /** Connections accepted since start. */
  connectionsTotal = 0;
  /** Closed connections by close code; a Map, so a close costs no label lookup. */
  readonly #closes = new Map<number, number>();
  readonly #stopProcessMetrics: () => void;
  readonly #refused: Counter<'reason'>;
  readonly #faults: Counter<'kind'>;

  constructor(openConnections: () => number, bufferedBytes: () => number = () => 0) {
    const registers = [this.registry];
    this.#stopProcessMetrics = registerProcessMetrics(this.registry, 'ws_echo_');
    new Gauge({
      name: 'ws_echo_connections_open',
      help: 'WebSocket connections open now',
      registers,
      collect() {
        this.set(openConnections());
      },
    });
    new Gauge({
      name: 'ws_echo_buffered_bytes',
      help: 'Reply bytes queued to clients that are not reading them fast enough, counted against --max-buffered-total',
      registers,
      collect() {
        this.set(bufferedBytes());
      },
    });
    const total = () => this.connectionsTotal;
    new Counter({
      name: 'ws_echo_connections_total',
      help: 'WebSocket connections accepted since start',
      registers,
      collect() {
        this.reset();
        this.inc(total());
      },
    });
    trafficCounter('ws_echo_messages_received_total', 'Messages received from clients', this.received, 'messages');
    trafficCounter('ws_echo_bytes_received_total', 'Payload bytes received from clients', this.received, 'bytes');
    trafficCounter('ws_echo_messages_sent_total', 'Messages sent to clients', this.sent, 'messages');
    trafficCounter('ws_echo_bytes_sent_total', 'Payload bytes sent to clients', this.sent, 'bytes');
    const closes = this.#closes;
    new Counter({
      name: 'ws_echo_closes_total',
      help: "Closed connections by close code: the server's own when it failed the connection (1002, 1007, 1008, 1009), else the client's",
      labelNames: ['code'],
      registers,
      collect() {
        this.reset();
        for (const [code, count] of closes) this.inc({ code: String(code) }, count);
      },
    });
    this.#refused = new Counter({
      name: 'ws_echo_handshakes_refused_total',
      help: 'Upgrade requests refused, by reason; malformed and timeout count every request refused before it could be told apart from a page request',
      labelNames: ['reason'],
      registers,
    });
    this.#faults = new Counter({
      name: 'ws_echo_faults_total',
      help: 'Misbehaviour asked for in the URL, by kind: close and drop when their trigger fired, reject per refused handshake, the others once per connection that asked',
      labelNames: ['kind'],
      registers,
    });
    // Every kind shows from the start, at 0, so a dashboard can find them.
    for (const kind of FAULT_KINDS) this.#faults.inc({ kind }, 0);
    if (cluster.isWorker) {
      // The primary asks every worker for this registry when any worker serves /metrics.
      AggregatorRegistry.setRegistries([this.registry]);
      new AggregatorRegistry();
    }

    function trafficCounter(name: string, help: string, source: ByType, field: keyof Direction) {
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
    }
  }

  /** The Prometheus text /metrics serves: this process's, or with --workers every worker's, summed by the primary. */
  exposition(): Promise<string> {
    return cluster.isWorker ? clusterMetrics() : this.registry.metrics();
  }

  /** Stops the sampling behind the process metrics. */
  stop(): void {
    this.#stopProcessMetrics();
  }

  /** Counts one closed connection under its close code. */
  closed(code: number): void {
    this.#closes.set(code, (this.#closes.get(code) ?? 0) + 1);
  }

  /** Counts one refused upgrade request. */
  refused(reason: RefusalReason): void {
    this.#refused.inc({ reason });
  }

  /** Counts one fault asked for in the URL. */
  faulted(kind: FaultKind): void {
    this.#faults.inc({ kind });
  }
}

function byType(): ByType {
  return { text: { messages: 0, bytes: 0 }, binary: { messages: 0, bytes: 0 } };
}

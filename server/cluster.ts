// --workers N: N processes share the port through node:cluster (the primary
// accepts and hands connections out round-robin). Each worker is the whole
// server; the primary only forks, replaces workers that die, aggregates
// /metrics for whichever worker is asked, and runs the graceful stop.
import cluster, { type Worker } from 'node:cluster';
import type { AggregatorRegistry, PrometheusContentType } from 'prom-client';
import type { Logger } from './logger.ts';

/** Messages between the primary and its workers. */
export type ClusterMessage =
  | { type: 'ws-echo:listening'; url: string }
  | { type: 'ws-echo:shutdown' }
  | { type: 'ws-echo:metrics-request'; id: number }
  | { type: 'ws-echo:metrics-response'; id: number; text?: string; error?: string };

/**
 * Forks `workers` workers and supervises them until a signal stops them all;
 * `announce` runs once, with the page's URL, when every worker listens.
 */
export function runPrimary(workers: number, logger: Logger, announce: (url: string) => void): void {
  // prom-client loads when the first worker asks for the cluster's metrics, not at start.
  let aggregator: Promise<AggregatorRegistry<PrometheusContentType>> | undefined;
  const listening = new Set<number>();
  let announced = false;
  let stopping = false;

  cluster.on('message', (worker: Worker, message: ClusterMessage) => {
    if (message.type === 'ws-echo:listening') {
      listening.add(worker.id);
      if (!announced && listening.size === workers) {
        announced = true;
        announce(message.url);
        logger.info(
          { url: message.url, workers },
          `listening with ${workers} workers; open ${message.url} in a browser`,
        );
      }
    } else if (message.type === 'ws-echo:metrics-request') {
      aggregator ??= import('prom-client').then(({ AggregatorRegistry }) => new AggregatorRegistry());
      aggregator
        .then((registry) => registry.clusterMetrics())
        .then(
          (text) => worker.send({ type: 'ws-echo:metrics-response', id: message.id, text } satisfies ClusterMessage),
          (error: Error) =>
            worker.send({
              type: 'ws-echo:metrics-response',
              id: message.id,
              error: error.message,
            } satisfies ClusterMessage),
        );
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) {
      if (code !== 0) process.exitCode = 1;
      return;
    }
    logger.error({ worker: worker.id, code, signal }, 'worker exited; starting another');
    cluster.fork();
  });

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: stop waiting for close handshakes.
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down');
    for (const worker of Object.values(cluster.workers ?? {}))
      worker?.send({ type: 'ws-echo:shutdown' } satisfies ClusterMessage);
    // With every worker gone, nothing keeps the primary alive: it exits with exitCode.
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  for (let i = 0; i < workers; i++) cluster.fork();
}

/** In a worker: tells the primary this worker listens, and runs `stop` when the primary asks. */
export function joinCluster(url: string, stop: () => void): void {
  process.on('message', (message: ClusterMessage) => {
    if (message.type === 'ws-echo:shutdown') stop();
  });
  process.send?.({ type: 'ws-echo:listening', url } satisfies ClusterMessage);
}

let nextRequestId = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();

/** In a worker: the Prometheus text of all workers together, aggregated by the primary. */
export function clusterMetrics(timeoutMs = 5000): Promise<string> {
  if (pending.size === 0) process.on('message', onMetricsResponse);
  const id = nextRequestId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(id, undefined, 'the primary did not answer in time'), timeoutMs);
    pending.set(id, {
      resolve: (text) => {
        clearTimeout(timer);
        resolve(text);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    process.send?.({ type: 'ws-echo:metrics-request', id } satisfies ClusterMessage);
  });
}

function onMetricsResponse(message: ClusterMessage): void {
  if (message.type === 'ws-echo:metrics-response') settle(message.id, message.text, message.error);
}

function settle(id: number, text: string | undefined, error: string | undefined): void {
  const request = pending.get(id);
  if (!request) return;
  pending.delete(id);
  if (pending.size === 0) process.off('message', onMetricsResponse);
  if (text !== undefined) request.resolve(text);
  else request.reject(new Error(error ?? 'no metrics'));
}

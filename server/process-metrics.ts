// The process metrics /metrics reports: event-loop lag, memory and CPU, read
// only when scraped. Not prom-client's collectDefaultMetrics: its GC observer
// and the rest cost the large-message echo a third more full GCs
// (measured: 52 vs 18 Mark-Compacts echoing 1 MiB messages for 3 s).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Registry } from 'prom-client';

// The loop is sampled every 10 ms in native code; the histogram is read and reset per scrape.
const RESOLUTION_MS = 10;

/** The event-loop delay histogram behind the lag metrics, sampling from the server's start. */
export interface LoopDelaySampling {
  readonly histogram: IntervalHistogram;
  stop(): void;
}

/** Starts sampling the event-loop delay (node:perf_hooks; no prom-client needed yet). */
export function startLoopDelaySampling(): LoopDelaySampling {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return { histogram, stop: () => histogram.disable() };
}

/** Registers the process metrics in `registry`, reading the lag from `loopDelay`. */
export async function registerProcessMetrics(
  registry: Registry,
  prefix: string,
  { histogram: delay }: LoopDelaySampling,
): Promise<void> {
  const { Counter, Gauge } = await import('prom-client');
  const registers = [registry];
  // Each sample is a whole timer interval; the lag is what it overran by.
  const seconds = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - RESOLUTION_MS) / 1000 : 0);
  const lag = (name: string, help: string, read: () => number) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      aggregator: 'average',
      collect() {
        this.set(read());
      },
    });
  lag('nodejs_eventloop_lag_seconds', 'Mean event-loop delay since the last scrape', () => seconds(delay.mean));
  lag('nodejs_eventloop_lag_p99_seconds', '99th percentile event-loop delay since the last scrape', () =>
    seconds(delay.percentile(99)),
  );
  new Gauge({
    name: `${prefix}nodejs_eventloop_lag_max_seconds`,
    help: 'Largest event-loop delay since the last scrape',
    registers,
    aggregator: 'max',
    collect() {
      this.set(seconds(delay.max));
      delay.reset();
    },
  });
  new Gauge({
    name: `${prefix}process_resident_memory_bytes`,
    help: 'Resident memory of the process',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: `${prefix}nodejs_heap_size_used_bytes`,
    help: 'V8 heap in use',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Counter({
    name: `${prefix}process_cpu_seconds_total`,
    help: 'User and system CPU time of the process',
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
}

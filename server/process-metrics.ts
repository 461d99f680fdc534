// The process metrics /metrics reports: event-loop lag, memory and CPU, read
// only when scraped. Not prom-client's collectDefaultMetrics: its GC observer
// and the rest cost the large-message echo a third more full GCs
// (measured: 52 vs 18 Mark-Compacts echoing 1 MiB messages for 3 s).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Registers the process metrics in `registry`; returns the function that stops sampling. */
export function registerProcessMetrics(registry: Registry, prefix: string): () => void {
  const registers = [registry];
  // Samples the loop every 10 ms in native code; the histogram is read and reset per scrape.
  const resolutionMs = 10;
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  // Each sample is a whole timer interval; the lag is what it overran by.
  const seconds = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - resolutionMs) / 1000 : 0);
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
  return () => delay.disable();
}

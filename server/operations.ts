// What operators poll: /healthz for liveness, /metrics for Prometheus.
// Both read counters the echo path already keeps; neither touches it.
import cluster from 'node:cluster';
import { Router } from 'express';
import type { EchoMetrics } from './metrics.ts';

export interface OperationsOptions {
  metrics: EchoMetrics;
  /** Open WebSocket connections right now. */
  openConnections: () => number;
  /** True once shutdown has begun, so load balancers stop sending new clients. */
  isShuttingDown: () => boolean;
  /** This instance's name (--instance-id), so a user can see where a request landed. */
  instanceId: string;
}

/** The router for GET /healthz and GET /metrics. */
export function operationsRouter({ metrics, openConnections, isShuttingDown, instanceId }: OperationsOptions): Router {
  const startedAt = Date.now();
  const router = Router();
  router.get('/healthz', (_req, res) => {
    const stopping = isShuttingDown();
    res.status(stopping ? 503 : 200).json({
      status: stopping ? 'shutting down' : 'ok',
      instance: instanceId,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      connections: openConnections(),
      // With --workers, the worker that answered: its uptime and connections, not the whole cluster's.
      ...(cluster.worker ? { worker: cluster.worker.id, pid: process.pid } : {}),
    });
  });
  router.get('/metrics', async (_req, res, next) => {
    try {
      const { contentType, text } = await metrics.exposition();
      res.type(contentType).send(text);
    } catch (error) {
      next(error);
    }
  });
  return router;
}

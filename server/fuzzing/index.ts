// The client-conformance server: the fuzzing server's five WebSocket
// endpoints (/getCaseCount, /getCaseInfo, /runCase, /getCaseStatus,
// /updateReports) and its reports, on the echo server's port. A harness
// written for the fuzzing server on ws://127.0.0.1:9001 runs unchanged
// against this server started with --port 9001.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Router } from 'express';
import type { Logger } from '../logger.ts';
import type { FuzzingConnection } from './connection.ts';
import { serveEndpoint } from './endpoints.ts';
import {
  checkUpgradeRequest,
  type FuzzingRoute,
  fuzzingRouteOf,
  parseFuzzingRequest,
  type Refusal,
} from './handshake.ts';
import { workerResults } from './cluster-results.ts';
import { reportsRouter } from './http.ts';
import { ReportStore } from './reports.ts';
import { type CaseResults, localResults } from './results.ts';

export { FUZZING_ROUTES, type FuzzingRoute, type Refusal } from './handshake.ts';
export { REPORTS_PATH } from './http.ts';

export interface FuzzingOptions {
  logger: Logger;
  /** Also write the reports to this folder on /updateReports (index.json, index.html, one JSON file per case). */
  reportsDir?: string;
  /** Agents whose reports are kept (the least recently active is dropped first). */
  maxAgents?: number;
  /**
   * This process is one of --workers: the primary keeps the results for all
   * of them (cluster-results.ts), with its own `reportsDir` and bounds.
   */
  inCluster?: boolean;
}

export interface FuzzingServer {
  /** The fuzzing endpoint a request target names below the base path, or undefined (then it is not ours). */
  routeOf(url: string | undefined, basePath: string): FuzzingRoute | undefined;
  /**
   * Takes over an upgrade request the router has admitted (Host, version,
   * Origin, caps). Returns a Refusal for the router to answer instead, or
   * undefined when it took the socket; then `closed` runs once, when the
   * connection ends.
   */
  upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: FuzzingRoute,
    closed: () => void,
  ): Refusal | undefined;
  /** GET /reports/clients/*; mount after the page's security headers. Made on first use, when the page is. */
  router(): Promise<Router>;
  readonly results: CaseResults;
  /** Ends every open fuzzing connection (server shutdown). */
  close(): void;
}

export function createFuzzingServer({ logger, reportsDir, maxAgents, inCluster }: FuzzingOptions): FuzzingServer {
  const results = inCluster
    ? workerResults({ dir: reportsDir, logger })
    : localResults(new ReportStore({ dir: reportsDir, maxAgents }));
  const open = new Set<FuzzingConnection>();
  return {
    routeOf: fuzzingRouteOf,
    upgrade(req, socket, head, route, closed) {
      const refusal = checkUpgradeRequest(req);
      if (refusal) return refusal;
      const request = parseFuzzingRequest(req, route);
      if ('status' in request) return request;
      if (socket.destroyed) {
        closed();
        return undefined;
      }
      // Frame timing matters to the cases (chops, octet-wise writes): no Nagle.
      (socket as Partial<{ setNoDelay(on: boolean): void }>).setNoDelay?.(true);
      serveEndpoint(request, req, socket, head, { results, logger, open }, closed);
      return undefined;
    },
    router: () => reportsRouter(results),
    results,
    close() {
      for (const connection of open) connection.destroy();
      open.clear();
      results.close();
    },
  };
}

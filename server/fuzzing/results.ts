// Where the played cases' results go and where they are asked for. A single
// process keeps them in its own ReportStore, called directly. Under
// --workers the primary keeps them for every worker (cluster-results.ts):
// the primary hands connections out before anyone reads the URL, so one
// agent's /runCase, /getCaseStatus and report fetches may each land on a
// different worker, and all of them must find the same results.
import type { Behavior, ReportIndex } from '../protocol.ts';
import type { CaseReport } from './player.ts';
import type { ReportStore } from './reports.ts';

export interface CaseResults {
  /** Where /updateReports writes the reports, if anywhere (by the process that keeps them). */
  readonly dir: string | undefined;
  /** Stores a finished case's report. */
  add(report: CaseReport): void;
  /**
   * Calls `answer` once with the agent's verdict for the case, now if there is
   * one, else when it comes; with undefined when too many requests wait
   * already. Returns a function that stops waiting.
   */
  onResult(agent: string, id: string, answer: (behavior: Behavior | undefined) => void): () => void;
  /** index.json, only `agent`'s when given. */
  index(agent?: string): Promise<ReportIndex>;
  /** index.html as served, only `agent`'s when given. */
  html(agent?: string): Promise<string>;
  /** A case report's JSON by its file name (only if it is `agent`'s, when given), or undefined. */
  file(name: string, agent?: string): Promise<string | undefined>;
  /** Writes the reports to `dir` (nothing without one). */
  write(): Promise<void>;
  /** Stops asking (server shutdown); what is still waiting gets no verdict. */
  close(): void;
}

/** The results of one process, kept in `store`. */
export function localResults(store: ReportStore): CaseResults {
  return {
    dir: store.dir,
    add: (report) => store.add(report),
    onResult(agent, id, answer) {
      const stop = store.onResult(agent, id, answer);
      if (stop) return stop;
      answer(undefined);
      return () => {};
    },
    index: async (agent) => store.index(agent),
    html: async (agent) => store.html(agent),
    file: async (name, agent) => store.file(name, agent),
    write: () => store.write(),
    close: () => {},
  };
}

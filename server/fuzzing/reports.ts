// The reports: per agent, each case's index entry and full JSON report, in
// the fuzzing server's shapes (index.json maps agent → case id → entry; one
// JSON file per case), kept in memory for a bounded number of agents and
// written to a folder on request. Agents are dropped least recently active
// first, by count and by size, so no client can grow the server's memory.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareIds } from './cases/index.ts';
import type { Behavior, IndexEntry, ReportIndex } from '../protocol.ts';
import type { CaseReport } from './player.ts';
import { REPORT_CSS, reportHtml } from './report-html.ts';

/** Agents kept by default. */
export const MAX_AGENTS = 32;
/** Report bytes kept in all by default (each agent's full run is a few MiB). */
export const MAX_REPORT_BYTES = 96 * 1024 * 1024;
/** getCaseStatus requests waiting for a result at once. */
const MAX_WAITING = 1024;

// index.json's shapes are in protocol.ts, because the page reads them too.
export type { IndexEntry, ReportIndex };

export interface ReportStoreOptions {
  /** Where updateReports writes index.json, index.html and the case files; none keeps them in memory only. */
  dir?: string;
  maxAgents?: number;
  maxBytes?: number;
}

interface AgentReports {
  /** Start of each file name, from the agent's name. */
  stem: string;
  cases: Map<string, { entry: IndexEntry; json: string }>;
  bytes: number;
}

export class ReportStore {
  readonly dir: string | undefined;
  readonly #maxAgents: number;
  readonly #maxBytes: number;
  readonly #agents = new Map<string, AgentReports>();
  readonly #files = new Map<string, { agent: string; id: string }>();
  readonly #waiting = new Map<string, Set<(behavior: Behavior) => void>>();
  #waitingCount = 0;
  #bytes = 0;
  /** Case files changed since the last write. */
  readonly #unwritten = new Set<string>();

  constructor({ dir, maxAgents = MAX_AGENTS, maxBytes = MAX_REPORT_BYTES }: ReportStoreOptions = {}) {
    this.dir = dir;
    this.#maxAgents = maxAgents;
    this.#maxBytes = maxBytes;
  }

  /** Stores a finished case's report (replacing an earlier run of the same case) and answers whoever waits for it. */
  add(report: CaseReport): void {
    const agent = this.#agent(report.agent);
    const reportfile = `${agent.stem}_case_${report.id.replaceAll('.', '_')}.json`;
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const old = agent.cases.get(report.id);
    const delta = json.length - (old?.json.length ?? 0);
    agent.cases.set(report.id, {
      entry: {
        behavior: report.behavior,
        behaviorClose: report.behaviorClose,
        duration: report.duration,
        remoteCloseCode: report.remoteCloseCode,
        reportfile,
      },
      json,
    });
    agent.bytes += delta;
    this.#bytes += delta;
    this.#files.set(reportfile, { agent: report.agent, id: report.id });
    this.#unwritten.add(reportfile);
    this.#evict(report.agent);
    const key = waitKey(report.agent, report.id);
    const waiting = this.#waiting.get(key);
    if (waiting) {
      this.#waiting.delete(key);
      this.#waitingCount -= waiting.size;
      for (const answer of waiting) answer(report.behavior);
    }
  }

  /**
   * Calls `answer` with the agent's verdict for the case, now if it has one,
   * else when it comes. Returns a function that stops waiting, or undefined
   * when too many requests wait already.
   */
  onResult(agentName: string, id: string, answer: (behavior: Behavior) => void): (() => void) | undefined {
    const done = this.#agents.get(agentName)?.cases.get(id);
    if (done) {
      answer(done.entry.behavior);
      return () => {};
    }
    if (this.#waitingCount >= MAX_WAITING) return undefined;
    const key = waitKey(agentName, id);
    const set = this.#waiting.get(key) ?? new Set();
    this.#waiting.set(key, set);
    set.add(answer);
    this.#waitingCount++;
    return () => {
      if (set.delete(answer)) this.#waitingCount--;
      if (set.size === 0 && this.#waiting.get(key) === set) this.#waiting.delete(key);
    };
  }

  /** index.json: agent → case id → entry, both in order. */
  index(): ReportIndex {
    const index: ReportIndex = {};
    for (const name of [...this.#agents.keys()].sort()) {
      const cases = this.#agents.get(name)!.cases;
      index[name] = Object.fromEntries([...cases.keys()].sort(compareIds).map((id) => [id, cases.get(id)!.entry]));
    }
    return index;
  }

  /** A case report's JSON by its file name, or undefined. */
  file(name: string): string | undefined {
    const where = this.#files.get(name);
    return where ? this.#agents.get(where.agent)?.cases.get(where.id)?.json : undefined;
  }

  html(): string {
    return reportHtml(this.index());
  }

  /** Writes index.json, index.html, the stylesheet and every case file changed since the last write. */
  async write(): Promise<void> {
    if (!this.dir) return;
    const dir = this.dir;
    await mkdir(dir, { recursive: true });
    const changed = [...this.#unwritten];
    this.#unwritten.clear();
    try {
      for (const name of changed) {
        const json = this.file(name);
        if (json !== undefined) await writeFile(join(dir, name), json);
      }
      await writeFile(join(dir, 'index.json'), `${JSON.stringify(this.index(), null, 2)}\n`);
      await writeFile(join(dir, 'index.html'), this.html());
      await writeFile(join(dir, 'report.css'), REPORT_CSS);
    } catch (error) {
      for (const name of changed) this.#unwritten.add(name);
      throw error;
    }
  }

  /** The agent's reports, made most recently active. */
  #agent(name: string): AgentReports {
    const agent = this.#agents.get(name) ?? { stem: fileStem(name), cases: new Map(), bytes: 0 };
    this.#agents.delete(name);
    this.#agents.set(name, agent);
    return agent;
  }

  /** Drops least recently active agents past the limits, never `keep`. */
  #evict(keep: string): void {
    for (const [name, agent] of this.#agents) {
      if (this.#agents.size <= this.#maxAgents && this.#bytes <= this.#maxBytes) return;
      if (name === keep) continue;
      this.#agents.delete(name);
      this.#bytes -= agent.bytes;
      for (const entry of agent.cases.values()) {
        this.#files.delete(entry.entry.reportfile);
        this.#unwritten.delete(entry.entry.reportfile);
      }
    }
  }
}

/**
 * The agent's part of its file names, as the fuzzing server makes it
 * (lower case, runs of other characters as "_"), plus a short hash when that
 * lost anything, so two agents never share files.
 */
export function fileStem(agent: string): string {
  const clean = agent
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replaceAll(' ', '_');
  if (clean === agent) return clean;
  return `${clean || 'agent'}_${createHash('sha1').update(agent).digest('hex').slice(0, 8)}`;
}

function waitKey(agent: string, id: string): string {
  return `${id}\n${agent}`;
}

// --workers: the primary keeps the fuzzing results for every worker. A worker
// sends it each finished case and asks it for verdicts and reports over the
// cluster's IPC channel, so whichever worker an agent's connection lands on
// finds the same results. One store for the whole server, so its bounds
// (MAX_AGENTS, MAX_REPORT_BYTES, the waiting /getCaseStatus requests) hold
// for the whole server too. A single process uses none of this.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logger.ts';
import type { Behavior } from '../protocol.ts';
import type { CaseReport } from './player.ts';
import type { ReportStore } from './reports.ts';
import type { CaseResults } from './results.ts';

/** How long a worker waits for the primary's answer (a status request waits as long as its connection). */
const ANSWER_TIMEOUT_MS = 10_000;

/** What a worker asks the primary's store. */
type Question =
  | { what: 'status'; agent: string; caseId: string }
  | { what: 'index'; agent?: string }
  | { what: 'html'; agent?: string }
  | { what: 'file'; name: string; agent?: string }
  | { what: 'write' };

/** Messages between the workers and the primary about results (beside cluster.ts's own). */
type ResultsMessage =
  | { type: 'ws-echo:fuzzing-result'; report: CaseReport }
  | { type: 'ws-echo:fuzzing-ask'; id: number; question: Question }
  | { type: 'ws-echo:fuzzing-cancel'; id: number }
  | { type: 'ws-echo:fuzzing-answer'; id: number; value?: unknown; error?: string };

type Answer = Extract<ResultsMessage, { type: 'ws-echo:fuzzing-answer' }>;

/** In the primary: keeps every worker's results, in a store made when the first one arrives. */
export function hostResults({ dir }: { dir: string | undefined }): void {
  let store: Promise<ReportStore> | undefined;
  /** Status requests waiting for a verdict, by worker id and request id. */
  const waiting = new Map<string, () => void>();
  cluster.on('message', (worker: Worker, message: ResultsMessage) => {
    if (!message?.type?.startsWith('ws-echo:fuzzing-')) return;
    store ??= import('./reports.ts').then(({ ReportStore }) => new ReportStore({ dir }));
    // One promise, so the messages are handled in the order they came: a result before the status asked after it.
    void store.then((reports) => handle(reports, worker, message, waiting));
  });
  cluster.on('exit', (worker) => {
    for (const [key, stop] of waiting) {
      if (key.startsWith(`${worker.id}:`)) {
        stop();
        waiting.delete(key);
      }
    }
  });
}

/** In a worker: results kept by the primary (hostResults). */
export function workerResults({ dir, logger }: { dir: string | undefined; logger: Logger }): CaseResults {
  let nextId = 0;
  const pending = new Map<number, (answer: Answer) => void>();
  const onMessage = (message: ResultsMessage) => {
    if (message?.type !== 'ws-echo:fuzzing-answer') return;
    const settle = pending.get(message.id);
    pending.delete(message.id);
    settle?.(message);
  };
  process.on('message', onMessage);

  const ask = (question: Question): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary process did not answer in time'));
      }, ANSWER_TIMEOUT_MS);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        if (answer.error !== undefined) reject(new Error(answer.error));
        else resolve(answer.value);
      });
      send({ type: 'ws-echo:fuzzing-ask', id, question }, (error) => {
        if (!pending.delete(id)) return;
        clearTimeout(timer);
        reject(error);
      });
    });

  return {
    dir,
    add(report) {
      send({ type: 'ws-echo:fuzzing-result', report }, (error) =>
        logger.error({ err: error, agent: report.agent, case: report.id }, 'could not pass a fuzzing result on'),
      );
    },
    onResult(agent, caseId, answer) {
      const id = nextId++;
      pending.set(id, (message) => answer(message.value as Behavior | undefined));
      send({ type: 'ws-echo:fuzzing-ask', id, question: { what: 'status', agent, caseId } }, () => {
        if (pending.delete(id)) answer(undefined);
      });
      return () => {
        if (pending.delete(id)) send({ type: 'ws-echo:fuzzing-cancel', id }, () => {});
      };
    },
    index: (agent) => ask({ what: 'index', agent }) as ReturnType<CaseResults['index']>,
    html: (agent) => ask({ what: 'html', agent }) as Promise<string>,
    file: (name, agent) => ask({ what: 'file', name, agent }) as Promise<string | undefined>,
    write: () => ask({ what: 'write' }).then(() => {}),
    close() {
      process.off('message', onMessage);
      for (const [id, settle] of pending) settle({ type: 'ws-echo:fuzzing-answer', id, error: 'shutting down' });
      pending.clear();
    },
  };
}

function handle(reports: ReportStore, worker: Worker, message: ResultsMessage, waiting: Map<string, () => void>): void {
  const reply = (id: number, value: unknown, error?: string) => {
    // A worker that died meanwhile gets nothing; the callback keeps a closed channel from throwing.
    if (worker.isConnected())
      worker.send({ type: 'ws-echo:fuzzing-answer', id, value, error } satisfies ResultsMessage, undefined, () => {});
  };
  switch (message.type) {
    case 'ws-echo:fuzzing-result':
      reports.add(message.report);
      return;
    case 'ws-echo:fuzzing-cancel': {
      const key = `${worker.id}:${message.id}`;
      waiting.get(key)?.();
      waiting.delete(key);
      return;
    }
    case 'ws-echo:fuzzing-ask':
      break;
    default:
      return;
  }
  const { id, question } = message;
  switch (question.what) {
    case 'status': {
      const key = `${worker.id}:${id}`;
      let answered = false;
      const stop = reports.onResult(question.agent, question.caseId, (behavior: Behavior) => {
        answered = true;
        waiting.delete(key);
        reply(id, behavior);
      });
      // No stop: too many wait already, which the worker hears as no verdict.
      if (!stop) reply(id, undefined);
      else if (!answered) waiting.set(key, stop);
      return;
    }
    case 'index':
      reply(id, reports.index(question.agent));
      return;
    case 'html':
      reply(id, reports.html(question.agent));
      return;
    case 'file':
      reply(id, reports.file(question.name, question.agent));
      return;
    case 'write':
      reports.write().then(
        () => reply(id, true),
        (error: Error) => reply(id, undefined, error.message),
      );
      return;
  }
}

/** Sends to the primary; `failed` runs instead of an 'error' event when the channel is closed. */
function send(message: ResultsMessage, failed: (error: Error) => void): void {
  if (!process.send || !process.connected) {
    failed(new Error('no channel to the primary process'));
    return;
  }
  process.send(message, undefined, undefined, (error: Error | null) => {
    if (error) failed(error);
  });
}

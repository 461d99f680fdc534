// Tests this browser's own WebSocket against the server's client-conformance
// endpoints (server/fuzzing/README.md) as any harness for the Autobahn
// fuzzing server does: the case count, each case's id, each chosen case
// played with the page's socket echoing, then the reports, read back from
// index.json. Loaded on the first click of "Test this browser". No DOM.
import './i18n/later.ts';
import {
  type Behavior,
  CONFORMANCE_PATHS,
  type CaseInfo,
  type IndexEntry,
  type ReportIndex,
  conformanceCaseAnchor,
} from '../server/protocol.ts';
import { type EchoCaseEnd, echoUntilClose, echoUrlFor, readFirstMessage } from './connection.ts';
import { categoryName } from './conformance-categories.ts';
import { t } from './i18n/translate.ts';

// The agent's name for a browser the page cannot name: sent to the server, not shown as prose, so English.
const UNKNOWN_BROWSER = 'Browser';

/** The verdicts in the order the page lists them, best first. */
export const BEHAVIORS: readonly Behavior[] = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED'];

/** Characters the server takes in an agent name (server/fuzzing/handshake.ts); others become '-'. */
const AGENT_UNSAFE = /[^\w .~+\-/:@()]/g;
/** How long the server may take to record the last case once the browser saw it close. */
const STATUS_TIMEOUT_MS = 10_000;
/** How long a /getCaseCount or /getCaseInfo answer may take on a loaded machine. */
const ANSWER_TIMEOUT_MS = 10_000;

/** What a page knows of its browser: navigator.userAgentData's brands where there are any, and the UA string. */
export interface BrowserIdentity {
  brands?: readonly { brand: string; version: string }[];
  userAgent: string;
}

/**
 * The name this browser's results go under, e.g. "Chromium 156 (k3f9)":
 * brand and major version, and `suffix`, so two tabs' runs never mix.
 */
export function agentName({ brands = [], userAgent }: BrowserIdentity, suffix: string): string {
  // Brands as browsers list them: a made-up "Not A Brand" (so sites cannot match the list), the engine, the product.
  const real = brands.filter(({ brand }) => !/not.?a.?brand/i.test(brand));
  const chosen = real.find(({ brand }) => brand !== 'Chromium') ?? real[0];
  const [name, version] = chosen ? [chosen.brand, chosen.version] : fromUserAgent(userAgent);
  const label = `${name} ${version.split('.')[0]}`.trim();
  return `${label.replace(AGENT_UNSAFE, '-').slice(0, 50)} (${suffix})`;
}

/** Four random letters and digits, for agentName. */
export function randomSuffix(): string {
  return [...crypto.getRandomValues(new Uint8Array(4))].map((byte) => (byte % 36).toString(36)).join('');
}

/** A case id's category: "6" for "6.4.1". */
export function categoryOf(id: string): string {
  return id.split('.')[0] ?? id;
}

/** One case this browser ran: what the server said of it, what the browser saw, and the verdict once read. */
export interface CaseResult extends CaseInfo {
  /** The case's number (1-based), as /runCase takes it. */
  number: number;
  /** The socket's end as the browser reported it. */
  browser: EchoCaseEnd;
  /** The server's verdict from index.json; undefined when the reports do not have it. */
  entry?: IndexEntry;
}

/** A category's cases and how many got each verdict. */
export interface CategoryVerdicts {
  category: string;
  /** The category's name in the page's language as it was when grouped. */
  name: string;
  counts: Record<Behavior, number>;
  /** Cases whose verdict the reports did not have. */
  missing: number;
  cases: CaseResult[];
}

/** The results by category, in case order, with each category's counts. */
export function groupByCategory(results: readonly CaseResult[]): CategoryVerdicts[] {
  const groups = new Map<string, CategoryVerdicts>();
  for (const result of [...results].sort((a, b) => a.number - b.number)) {
    const category = categoryOf(result.id);
    let group = groups.get(category);
    if (!group) {
      group = { category, name: categoryName(category), counts: noCounts(), missing: 0, cases: [] };
      groups.set(category, group);
    }
    group.cases.push(result);
    if (result.entry) group.counts[result.entry.behavior]++;
    else group.missing++;
  }
  return [...groups.values()];
}

/** The counts of all `groups` together. */
export function totalCounts(groups: readonly CategoryVerdicts[]): Record<Behavior, number> {
  const total = noCounts();
  for (const group of groups) for (const behavior of BEHAVIORS) total[behavior] += group.counts[behavior];
  return total;
}

/** What the runner asks of the server; `conformanceEndpoints` is the real one. */
export interface ConformanceEndpoints {
  caseCount(): Promise<number>;
  caseInfo(number: number): Promise<CaseInfo>;
  /** Plays a case with this browser echoing; resolves when its socket has closed. */
  runCase(number: number, agent: string, signal: AbortSignal): Promise<EchoCaseEnd>;
  /** Resolves once the server has recorded the agent's run of the case. */
  caseStatus(number: number, agent: string): Promise<Behavior>;
  updateReports(agent: string): Promise<void>;
  /** index.json narrowed to the agent (?agent=, which a proxy in front of several instances routes by). */
  reportIndex(agent: string): Promise<ReportIndex>;
}

/** Links to one case's report. */
export interface ReportLinks {
  /** The case's JSON report. */
  json: string;
  /** The case's row in the HTML summary. */
  summary: string;
}

/** The conformance endpoints of the server that served `page`, under its --base-path. */
export function conformanceEndpoints(
  page: Pick<Location, 'protocol' | 'host' | 'pathname' | 'href'>,
): ConformanceEndpoints {
  const ws = (path: string, query: Record<string, string | number>) =>
    `${echoUrlFor(page, path)}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`;
  const read = (url: string, timeoutMs = ANSWER_TIMEOUT_MS) => readFirstMessage({ url, protocols: [] }, timeoutMs);
  return {
    async caseCount() {
      const text = await read(ws(CONFORMANCE_PATHS.caseCount, {}));
      const count = Number(text);
      if (!Number.isInteger(count) || count < 0)
        throw new Error(t('conformance.badCount', { text: JSON.stringify(text) }));
      return count;
    },
    async caseInfo(number) {
      const info = parseJson(await read(ws(CONFORMANCE_PATHS.caseInfo, { case: number })));
      if (!isCaseInfo(info)) throw new Error(t('conformance.badInfo', { number }));
      return info;
    },
    runCase: (number, agent, signal) => echoUntilClose(ws(CONFORMANCE_PATHS.runCase, { case: number, agent }), signal),
    async caseStatus(number, agent) {
      const answer = parseJson(
        await read(ws(CONFORMANCE_PATHS.caseStatus, { case: number, agent }), STATUS_TIMEOUT_MS),
      );
      return (answer as { behavior: Behavior }).behavior;
    },
    async updateReports(agent) {
      const end = await echoUntilClose(ws(CONFORMANCE_PATHS.updateReports, { agent }));
      const { code, reason } = end;
      if (code !== 1000)
        throw new Error(
          reason ? t('conformance.reportsFailedReason', { code, reason }) : t('conformance.reportsFailed', { code }),
        );
    },
    async reportIndex(agent) {
      const response = await fetch(reportsUrl(page, 'index.json', agent), { cache: 'no-store' });
      if (!response.ok) throw new Error(t('conformance.indexFailed', { status: response.status }));
      return (await response.json()) as ReportIndex;
    },
  };
}

/**
 * Where the reports live for the page at `page`: the HTML summary without
 * `file`; `agent`'s alone with it, spelled as the page's sockets spell it, so
 * a proxy that routes by agent sends the request where the results are.
 */
export function reportsUrl(page: Pick<Location, 'href'>, file = 'index.html', agent?: string): string {
  const query = agent === undefined ? '' : `?${new URLSearchParams({ agent })}`;
  return new URL(`.${CONFORMANCE_PATHS.reports}/${file}${query}`, page.href).href;
}

/** The links to `agent`'s JSON report of a case and to the case's row in the agent's summary. */
export function reportLinks(page: Pick<Location, 'href'>, id: string, entry: IndexEntry, agent: string): ReportLinks {
  return {
    json: reportsUrl(page, encodeURIComponent(entry.reportfile), agent),
    summary: `${reportsUrl(page, undefined, agent)}#${conformanceCaseAnchor(id)}`,
  };
}

/** Where a run is. */
export interface Progress {
  /** The case being played. */
  number: number;
  info: CaseInfo;
  /** Cases in all, run or not. */
  count: number;
  /** Chosen cases finished so far. */
  done: number;
}

export interface RunOptions {
  endpoints: ConformanceEndpoints;
  agent: string;
  /** The categories to run ("1", "9", …); the others are skipped. */
  categories: ReadonlySet<string>;
  /** Stops the run: the case being played is cut short and left out. */
  signal: AbortSignal;
  onProgress: (progress: Progress) => void;
}

export interface RunOutcome {
  agent: string;
  /** The cases run to their end, with their verdicts. */
  results: CaseResult[];
  /** Whether the run was stopped before its end. */
  stopped: boolean;
  /** Milliseconds from the first question to the verdicts. */
  elapsedMs: number;
}

/**
 * Runs the chosen categories' cases one after another, as the fuzzing
 * server's protocol has it, then has the server finish the agent's reports
 * and reads the verdicts from index.json. Rejects with the first Error that
 * stops it (an unreachable server, a refused socket), its message a clause.
 */
export async function runConformance({
  endpoints,
  agent,
  categories,
  signal,
  onProgress,
}: RunOptions): Promise<RunOutcome> {
  const started = performance.now();
  const results: CaseResult[] = [];
  // Case numbers follow the ids, so once past the last chosen category nothing else is wanted.
  const lastCategory = Math.max(...[...categories].map(Number));
  const count = await endpoints.caseCount();
  for (let number = 1; number <= count && !signal.aborted; number++) {
    const info = await endpoints.caseInfo(number);
    const category = categoryOf(info.id);
    if (Number(category) > lastCategory) break;
    if (!categories.has(category) || signal.aborted) continue;
    onProgress({ number, info, count, done: results.length });
    const browser = await endpoints.runCase(number, agent, signal);
    if (!signal.aborted) results.push({ number, ...info, browser });
  }
  // Stop while the reports are being read changes nothing any more.
  const stopped = signal.aborted;
  const last = results.at(-1);
  if (last) {
    // The server records a case once its TCP connection is gone, which can be just after the browser's close event.
    // A status that never comes leaves that case without a verdict on the page, not the run without any.
    await endpoints.caseStatus(last.number, agent).catch(() => undefined);
    await endpoints.updateReports(agent);
    const verdicts = (await endpoints.reportIndex(agent))[agent] ?? {};
    for (const result of results) result.entry = verdicts[result.id];
  }
  return { agent, results, stopped, elapsedMs: performance.now() - started };
}

function noCounts(): Record<Behavior, number> {
  return { OK: 0, 'NON-STRICT': 0, INFORMATIONAL: 0, UNIMPLEMENTED: 0, FAILED: 0 };
}

/** Name and major version from a UA string, for browsers without userAgentData (Firefox, Safari). */
function fromUserAgent(userAgent: string): [name: string, version: string] {
  const products: [RegExp, string][] = [
    [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  ];
  for (const [pattern, name] of products) {
    const match = pattern.exec(userAgent);
    if (match) return [name, match[1]!];
  }
  return [UNKNOWN_BROWSER, ''];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isCaseInfo(value: unknown): value is CaseInfo {
  const info = value as Partial<CaseInfo> | undefined;
  return typeof info?.id === 'string' && typeof info.description === 'string';
}

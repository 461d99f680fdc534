// The Client conformance card while it runs and after: progress (which case,
// which category), Stop, then the verdicts by category, each case expandable
// to what the server graded and what the browser itself reported, with links
// to the case's JSON report and the HTML summary. Loaded on the first click.
// Descriptions come from the server: text nodes only.
import { type Behavior, CONFORMANCE_CATEGORIES, type IndexEntry } from '../../server/protocol.ts';
import {
  BEHAVIORS,
  type CaseResult,
  type CategoryVerdicts,
  type Progress,
  type RunOutcome,
  agentName,
  categoryOf,
  conformanceEndpoints,
  groupByCategory,
  randomSuffix,
  reportLinks,
  reportsUrl,
  runConformance,
  totalCounts,
} from '../conformance.ts';
import type { EchoCaseEnd } from '../connection.ts';
import { formatDuration } from '../describe.ts';
import { asError } from '../errors.ts';
import { find, showError } from './dom.ts';

const TEXT = {
  starting: (agent: string) => `Testing this browser as “${agent}”…`,
  current: ({ number, count, info, done }: Progress, category: string) =>
    `Case ${info.id} (number ${number} of ${count}), ${category}; ${plural(done, 'case')} run so far.`,
  finished: (cases: number, elapsed: string, agent: string) =>
    `Ran ${plural(cases, 'case')} in ${elapsed} as “${agent}”.`,
  stopped: (cases: number, elapsed: string, agent: string) =>
    `Stopped after ${plural(cases, 'case')} (${elapsed}) as “${agent}”; the verdicts of those are below.`,
  failed: (message: string) => `The run stopped: ${message}.`,
  nothingRun: 'No case ran to its end.',
  counts: (counts: Record<Behavior, number>, missing: number) =>
    [
      ...BEHAVIORS.filter((b) => counts[b] > 0).map((b) => `${counts[b]} ${b}`),
      ...(missing > 0 ? [`${missing} without a verdict`] : []),
    ].join(', '),
  summaryLink: 'HTML summary of every agent',
  indexLink: 'index.json',
  reportsAre: 'Reports: ',
  noVerdict: 'no verdict',
  fields: {
    description: 'Description',
    behavior: 'Behavior',
    behaviorClose: 'Close behavior',
    closeCode: 'Close code the browser sent',
    duration: 'Duration',
    browser: 'The browser reported',
    report: 'Report',
  },
  none: 'none',
  missing: 'The reports have no verdict for this case (the server may have dropped this agent to make room).',
  durationMs: (ms: number) => `${ms} ms`,
  browser: ({ code, reason, wasClean, failed, received, echoed }: EchoCaseEnd) =>
    `${failed ? 'an error event, then ' : ''}close code ${code}${reason ? `, reason ${JSON.stringify(reason)}` : ''}, wasClean ${wasClean}; ${plural(received, 'message')} received, ${echoed} sent back`,
  jsonReport: 'JSON report',
  inSummary: 'in the summary',
} as const;

/** One name per page: a tab's later runs replace its own verdicts and never mix with another tab's. */
let agent: string | undefined;

/** Runs the chosen categories with this page's WebSocket and shows how they went; resolves when done. */
export async function runInPanel(root: Element, categories: ReadonlySet<string>): Promise<void> {
  const stop = find(root, 'conformance-stop', HTMLButtonElement);
  const error = find(root, 'conformance-error', HTMLElement);
  const status = find(root, 'conformance-status', HTMLElement);
  const progress = find(root, 'conformance-progress', HTMLElement);
  const bar = find(root, 'conformance-bar', HTMLProgressElement);
  const current = find(root, 'conformance-current', HTMLElement);
  const results = find(root, 'conformance-results', HTMLElement);

  agent ??= agentName(browserIdentity(), randomSuffix());
  const controller = new AbortController();
  const onStop = () => controller.abort();
  stop.addEventListener('click', onStop);
  stop.disabled = false;
  showError(error, undefined);
  results.hidden = true;
  results.replaceChildren();
  bar.value = 0;
  current.textContent = '';
  progress.hidden = false;
  status.textContent = TEXT.starting(agent);
  try {
    const outcome = await runConformance({
      endpoints: conformanceEndpoints(window.location),
      agent,
      categories,
      signal: controller.signal,
      onProgress: (step) => {
        bar.max = step.count;
        bar.value = step.number - 1;
        const category = categoryOf(step.info.id);
        current.textContent = TEXT.current(step, `${category} ${CONFORMANCE_CATEGORIES[category] ?? ''}`);
      },
    });
    const elapsed = formatDuration(outcome.elapsedMs);
    status.textContent = outcome.stopped
      ? TEXT.stopped(outcome.results.length, elapsed, outcome.agent)
      : TEXT.finished(outcome.results.length, elapsed, outcome.agent);
    showResults(results, outcome);
  } catch (thrown) {
    showError(error, new Error(TEXT.failed(asError(thrown).message)));
    status.textContent = '';
  } finally {
    progress.hidden = true;
    stop.disabled = true;
    stop.removeEventListener('click', onStop);
  }
}

function showResults(results: HTMLElement, { results: cases }: RunOutcome): void {
  const doc = results.ownerDocument;
  if (cases.length === 0) {
    results.replaceChildren(element(doc, 'p', 'hint', TEXT.nothingRun));
    results.hidden = false;
    return;
  }
  const groups = groupByCategory(cases);
  const missing = groups.reduce((sum, group) => sum + group.missing, 0);
  const total = element(doc, 'p', 'conformance-total', TEXT.counts(totalCounts(groups), missing));
  const links = element(doc, 'p', 'hint', TEXT.reportsAre);
  links.append(
    link(doc, reportsUrl(window.location), TEXT.summaryLink),
    ' · ',
    link(doc, reportsUrl(window.location, 'index.json'), TEXT.indexLink),
  );
  results.replaceChildren(total, links, ...groups.map((group) => categoryDetails(doc, group)));
  results.hidden = false;
}

/** A category's counts as the summary, its cases inside. */
function categoryDetails(doc: Document, group: CategoryVerdicts): HTMLDetailsElement {
  const details = element(doc, 'details', 'conformance-category');
  const summary = element(doc, 'summary');
  summary.append(
    element(doc, 'span', 'conformance-category-name', `${group.category} ${group.name}`),
    ' ',
    element(doc, 'span', worstClass(group), TEXT.counts(group.counts, group.missing)),
  );
  const list = element(doc, 'ul', 'conformance-cases');
  list.append(...group.cases.map((result) => element(doc, 'li', undefined, caseDetails(doc, result))));
  details.append(summary, list);
  return details;
}

/** One case: its id and verdicts as the summary; what the server and the browser said inside. */
function caseDetails(doc: Document, result: CaseResult): HTMLDetailsElement {
  const { entry } = result;
  const details = element(doc, 'details', 'conformance-case');
  const summary = element(doc, 'summary');
  summary.append(element(doc, 'span', 'mono', result.id), ' ', verdict(doc, entry?.behavior));
  if (entry && entry.behaviorClose !== 'OK') summary.append(' ', verdict(doc, entry.behaviorClose, 'close'));
  // The server's verdict and what it saw, then what the browser itself reported.
  const rows: [string, string | Node][] = [[TEXT.fields.description, result.description]];
  if (entry) {
    rows.push(
      [TEXT.fields.behavior, entry.behavior],
      [TEXT.fields.behaviorClose, entry.behaviorClose],
      [TEXT.fields.closeCode, entry.remoteCloseCode === null ? TEXT.none : String(entry.remoteCloseCode)],
      [TEXT.fields.duration, TEXT.durationMs(entry.duration)],
    );
  }
  rows.push([TEXT.fields.browser, TEXT.browser(result.browser)]);
  if (entry) rows.push([TEXT.fields.report, reportLinkList(doc, result.id, entry)]);
  const list = element(doc, 'dl', 'conformance-case-fields');
  for (const [term, value] of rows)
    list.append(element(doc, 'dt', undefined, term), element(doc, 'dd', undefined, value));
  details.append(summary, list);
  if (!entry) details.append(element(doc, 'p', 'hint', TEXT.missing));
  return details;
}

function reportLinkList(doc: Document, id: string, entry: IndexEntry): DocumentFragment {
  const { json, summary } = reportLinks(window.location, id, entry);
  const fragment = doc.createDocumentFragment();
  fragment.append(link(doc, json, TEXT.jsonReport), ' · ', link(doc, summary, TEXT.inSummary));
  return fragment;
}

/** A verdict as a badge, coloured by how good it is. */
function verdict(doc: Document, behavior: string | undefined, prefix?: string): HTMLElement {
  const text = behavior ?? TEXT.noVerdict;
  const badge = element(doc, 'span', `verdict verdict--${(behavior ?? 'missing').toLowerCase().replace(' ', '-')}`);
  badge.textContent = prefix ? `${prefix} ${text}` : text;
  return badge;
}

/** The class of a category's worst verdict, so a failure shows without opening it. */
function worstClass(group: CategoryVerdicts): string {
  const worst = group.missing > 0 ? 'missing' : [...BEHAVIORS].reverse().find((b) => group.counts[b] > 0);
  return `verdict verdict--${(worst ?? 'ok').toLowerCase()}`;
}

function browserIdentity() {
  const data = (navigator as Navigator & { userAgentData?: { brands: { brand: string; version: string }[] } })
    .userAgentData;
  return { brands: data?.brands, userAgent: navigator.userAgent };
}

function link(doc: Document, href: string, text: string): HTMLAnchorElement {
  const anchor = element(doc, 'a', undefined, text);
  anchor.href = href;
  return anchor;
}

function element<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  className?: string,
  content?: string | Node,
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.append(content);
  return node;
}

/** "1 case", "2 cases": this card's words are English until they join the catalogues (client/i18n). */
function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

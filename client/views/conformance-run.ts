// The Client conformance card while it runs and after: progress (which case,
// which category), Stop, then the verdicts by category, each case expandable
// to what the server graded and what the browser itself reported, with links
// to the case's JSON report and the HTML summary. Loaded on the first click.
// Descriptions come from the server: text nodes only.
import '../i18n/later.ts';
import type { Behavior, IndexEntry } from '../../server/protocol.ts';
import {
  BEHAVIORS,
  type CaseResult,
  type CategoryVerdicts,
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
import { categoryName } from '../conformance-categories.ts';
import type { EchoCaseEnd } from '../connection.ts';
import { formatDuration } from '../describe.ts';
import { asError } from '../errors.ts';
import { onLanguageChange, t } from '../i18n/translate.ts';
import { element, find, showError } from './dom.ts';

/** What the browser itself reported of a case: its close, and the messages it saw and sent back. */
function browserText({ code, reason, wasClean, failed, received, echoed }: EchoCaseEnd): string {
  const words = { code, wasClean: String(wasClean), received: t('conformance.messages', { count: received }), echoed };
  const rest = reason
    ? t('conformance.browserReason', { ...words, reason: JSON.stringify(reason) })
    : t('conformance.browser', words);
  return failed ? t('conformance.errorThen', { rest }) : rest;
}

/** "3 OK, 1 FAILED, 2 without a verdict": the verdicts' names are Autobahn's, the same in every language. */
function countsText(counts: Record<Behavior, number>, missing: number): string {
  return [
    ...BEHAVIORS.filter((b) => counts[b] > 0).map((b) => t('conformance.count', { count: counts[b], verdict: b })),
    ...(missing > 0 ? [t('conformance.withoutVerdict', { count: missing })] : []),
  ].join(t('list.gap'));
}

/** One name per page: a tab's later runs replace its own verdicts and never mix with another tab's. */
let agent: string | undefined;

// The latest run's status line and verdicts, drawn again in the words of a new language.
let sayStatus = (): void => {};
let showLatest = (): void => {};
onLanguageChange(() => {
  sayStatus();
  showLatest();
});

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
  const name = agent;
  const say = (words: () => string) => {
    sayStatus = () => {
      status.textContent = words();
    };
    sayStatus();
  };
  say(() => t('conformance.starting', { agent: name }));
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
        current.textContent = t('conformance.current', {
          id: step.info.id,
          number: step.number,
          count: step.count,
          category: `${category} ${categoryName(category)}`,
          done: t('conformance.cases', { count: step.done }),
        });
      },
    });
    const elapsed = formatDuration(outcome.elapsedMs);
    say(() => {
      const words = { cases: t('conformance.cases', { count: outcome.results.length }), elapsed, agent: outcome.agent };
      return outcome.stopped ? t('conformance.stopped', words) : t('conformance.finished', words);
    });
    showLatest = () => showResults(results, outcome);
    showLatest();
  } catch (thrown) {
    showError(error, new Error(t('conformance.failed', { message: asError(thrown).message })));
    say(() => '');
  } finally {
    progress.hidden = true;
    stop.disabled = true;
    stop.removeEventListener('click', onStop);
  }
}

function showResults(results: HTMLElement, { results: cases, agent }: RunOutcome): void {
  const doc = results.ownerDocument;
  if (cases.length === 0) {
    results.replaceChildren(element(doc, 'p', 'hint', t('conformance.nothingRun')));
    results.hidden = false;
    return;
  }
  const groups = groupByCategory(cases);
  const missing = groups.reduce((sum, group) => sum + group.missing, 0);
  const total = element(doc, 'p', 'conformance-total', countsText(totalCounts(groups), missing));
  const links = element(doc, 'p', 'hint', t('conformance.reportsAre'));
  links.append(
    link(doc, reportsUrl(window.location), t('conformance.summaryLink')),
    ' · ',
    link(doc, reportsUrl(window.location, 'index.json'), 'index.json'),
  );
  results.replaceChildren(total, links, ...groups.map((group) => categoryDetails(doc, group, agent)));
  results.hidden = false;
}

/** A category's counts as the summary, its cases inside. */
function categoryDetails(doc: Document, group: CategoryVerdicts, agent: string): HTMLDetailsElement {
  const details = element(doc, 'details', 'conformance-category');
  const summary = element(doc, 'summary');
  summary.append(
    element(doc, 'span', 'conformance-category-name', `${group.category} ${group.name}`),
    ' ',
    element(doc, 'span', worstClass(group), countsText(group.counts, group.missing)),
  );
  const list = element(doc, 'ul', 'conformance-cases');
  list.append(...group.cases.map((result) => element(doc, 'li', undefined, caseDetails(doc, result, agent))));
  details.append(summary, list);
  return details;
}

/** One case: its id and verdicts as the summary; what the server and the browser said inside. */
function caseDetails(doc: Document, result: CaseResult, agent: string): HTMLDetailsElement {
  const { entry } = result;
  const details = element(doc, 'details', 'conformance-case');
  const summary = element(doc, 'summary');
  summary.append(element(doc, 'span', 'mono', result.id), ' ', verdict(doc, entry?.behavior));
  if (entry && entry.behaviorClose !== 'OK') summary.append(' ', verdict(doc, entry.behaviorClose, true));
  // The server's verdict and what it saw, then what the browser itself reported.
  const rows: [string, string | Node][] = [[t('conformance.field.description'), result.description]];
  if (entry) {
    const code = entry.remoteCloseCode === null ? t('conformance.none') : String(entry.remoteCloseCode);
    rows.push(
      [t('conformance.field.behavior'), entry.behavior],
      [t('conformance.field.behaviorClose'), entry.behaviorClose],
      [t('conformance.field.closeCode'), code],
      [t('conformance.field.duration'), t('conformance.durationMs', { ms: entry.duration })],
    );
  }
  rows.push([t('conformance.field.browser'), browserText(result.browser)]);
  if (entry) rows.push([t('conformance.field.report'), reportLinkList(doc, result.id, entry, agent)]);
  const list = element(doc, 'dl', 'conformance-case-fields');
  for (const [term, value] of rows)
    list.append(element(doc, 'dt', undefined, term), element(doc, 'dd', undefined, value));
  details.append(summary, list);
  if (!entry) details.append(element(doc, 'p', 'hint', t('conformance.missing')));
  return details;
}

function reportLinkList(doc: Document, id: string, entry: IndexEntry, agent: string): DocumentFragment {
  const { json, summary } = reportLinks(window.location, id, entry, agent);
  const fragment = doc.createDocumentFragment();
  fragment.append(link(doc, json, t('conformance.jsonReport')), ' · ', link(doc, summary, t('conformance.inSummary')));
  return fragment;
}

/** A verdict as a badge, coloured by how good it is. */
function verdict(doc: Document, behavior: string | undefined, closing = false): HTMLElement {
  const text = behavior ?? t('conformance.noVerdict');
  const badge = element(doc, 'span', `verdict verdict--${(behavior ?? 'missing').toLowerCase().replace(' ', '-')}`);
  badge.textContent = closing ? t('conformance.closeVerdict', { verdict: text }) : text;
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

// The HTML summary: one row per case, grouped by category and subcategory,
// one column per agent with its verdict (linking to the case's JSON report)
// and the close code it sent, then every case's description. Agent names and
// everything else that came from a client are escaped; the page has no
// script and no inline style, so the page's CSP holds.
import { conformanceCaseAnchor } from '../protocol.ts';
import { CASES, CATEGORIES, SUBCATEGORIES } from './cases/index.ts';
import type { Behavior, CloseBehavior } from './cases/types.ts';
import type { IndexEntry, ReportIndex } from './reports.ts';

const BEHAVIOR: Record<Behavior, [text: string, style: string]> = {
  OK: ['Pass', 'ok'],
  'NON-STRICT': ['Non-Strict', 'non-strict'],
  INFORMATIONAL: ['Info', 'info'],
  UNIMPLEMENTED: ['Unimplemented', 'unimplemented'],
  FAILED: ['Fail', 'failed'],
};

const CLOSE_STYLE: Record<CloseBehavior, string> = {
  OK: 'ok',
  'WRONG CODE': 'non-strict',
  UNCLEAN: 'failed',
  INFORMATIONAL: 'info',
  UNIMPLEMENTED: 'unimplemented',
  FAILED: 'failed',
};

/** The summary page for `index`, linking to the case files by their names. */
export function reportHtml(index: ReportIndex, generated = new Date()): string {
  const agents = Object.keys(index);
  const rows: string[] = [];
  let category: string | undefined;
  let subcategory: string | undefined;
  for (const spec of CASES) {
    const [c, s] = spec.id.split('.');
    const sub = `${c}.${s}`;
    if (c !== category) {
      category = c;
      subcategory = undefined;
      rows.push(
        `<tr class="category"><th scope="rowgroup" colspan="${agents.length + 1}">${esc(`${c} ${CATEGORIES[c!] ?? 'Misc'}`)}</th></tr>`,
      );
    }
    if (sub !== subcategory && SUBCATEGORIES[sub]) {
      subcategory = sub;
      rows.push(
        `<tr class="subcategory"><th scope="rowgroup" colspan="${agents.length + 1}">${esc(`${sub} ${SUBCATEGORIES[sub]}`)}</th></tr>`,
      );
    }
    const cells = agents.map((agent) => cell(index[agent]![spec.id], spec.reportTime ?? false));
    rows.push(
      `<tr><th scope="row"><a href="#${conformanceCaseAnchor(spec.id)}">Case ${esc(spec.id)}</a></th>${cells.join('')}</tr>`,
    );
  }
  const descriptions = CASES.map(
    (spec) =>
      `<section class="case" id="${conformanceCaseAnchor(spec.id)}"><h3>Case ${esc(spec.id)}</h3>` +
      `<p class="description"><strong>Description.</strong> ${esc(spec.description)}${spec.details ? `\n\n${esc(spec.details)}` : ''}</p>` +
      `<p class="expectation"><strong>Expectation.</strong> ${esc(spec.expectation)}</p></section>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WebSocket client conformance report</title>
<link rel="stylesheet" href="report.css">
</head>
<body>
<header>
<h1>WebSocket client conformance report</h1>
<p>Generated ${esc(generated.toISOString())} by ws-echo's fuzzing server: ${CASES.length} cases, ${agents.length} ${agents.length === 1 ? 'agent' : 'agents'}. The machine-readable results are in <a href="index.json">index.json</a>.</p>
<table class="legend">
<tr><td class="ok">Pass</td><td>The case ran and the client did what it must.</td></tr>
<tr><td class="non-strict">Non-Strict</td><td>The client passed, but not strictly: it missed a SHOULD, or a well-defined behaviour the specification leaves open. Still conformant.</td></tr>
<tr><td class="failed">Fail</td><td>The client broke a MUST of RFC 6455 (outside the performance cases).</td></tr>
<tr><td class="info">Info</td><td>The specification leaves this open; the report says what the client did.</td></tr>
<tr><td class="unimplemented">Unimplemented</td><td>The client does not implement the feature (for compression: it did not offer permessage-deflate).</td></tr>
<tr><td class="missing">Missing</td><td>The case has not been run for this agent.</td></tr>
</table>
<p>Next to each verdict: the close code the client sent, coloured by the close verdict (a wrong code, an unclean close or the wrong side closing).</p>
</header>
<main>
<table class="results">
<thead><tr><th scope="col">Case</th>${agents.map((agent) => `<th scope="col">${esc(agent)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<h2>Case descriptions</h2>
${descriptions.join('\n')}
</main>
</body>
</html>
`;
}

/** The stylesheet the page links (served beside it, so no inline style is needed). */
export const REPORT_CSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 1rem 2rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.5rem; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }
.results thead th { position: sticky; top: 0; background: #f4f4f4; }
.category th { background: #333; color: #fff; font-size: 1.05rem; }
.subcategory th { background: #e6e6e6; }
.ok { background: #b6e3b6; }
.non-strict { background: #f5e08a; }
.failed { background: #f2a5a5; }
.info { background: #b9d3f0; }
.unimplemented { background: #d9d9d9; }
.missing { background: #fff; color: #777; }
.close { margin-left: 0.5em; padding: 0 4px; font-size: 0.85em; }
.duration { display: block; font-size: 0.8em; color: #333; }
a { color: #0b4f9c; }
.case p { white-space: pre-line; max-width: 60rem; }
@media (prefers-color-scheme: dark) {
  body { color: #e6e6e6; background: #161616; }
  td, th { border-color: #444; }
  .results thead th, .subcategory th { background: #2a2a2a; }
  .ok, .non-strict, .failed, .info, .unimplemented { color: #111; }
  .ok a, .non-strict a, .failed a, .info a, .unimplemented a { color: #0b3a73; }
  .missing { background: #161616; color: #999; }
  a { color: #8cc0ff; }
}
`;

function cell(entry: IndexEntry | undefined, reportTime: boolean): string {
  if (!entry) return '<td class="missing">Missing</td>';
  const [text, style] = BEHAVIOR[entry.behavior];
  const code =
    entry.behaviorClose === 'UNCLEAN' || entry.behaviorClose === 'FAILED'
      ? entry.behaviorClose
      : String(entry.remoteCloseCode ?? '–');
  const duration = reportTime ? `<span class="duration">${entry.duration} ms</span>` : '';
  return (
    `<td class="${style}"><a href="${esc(entry.reportfile)}">${text}</a>` +
    `<span class="close ${CLOSE_STYLE[entry.behaviorClose]}" title="close: ${esc(entry.behaviorClose)}">${esc(code)}</span>${duration}</td>`
  );
}

/** Text as HTML: the five characters that could end an element or an attribute, escaped. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

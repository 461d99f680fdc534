// npm run docs:tables: rewrites the generated tables of the docs from their one
// source: README.md's configuration table from server/config.ts's SETTINGS,
// docs/misbehave.md's URL parameters from server/misbehave.ts's WS_PARAMETERS.
// Each sits between its markers; the text around them is left as it is.
// Tests fail while a table and its source differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigTable } from '../server/config.ts';
import { renderParametersTable } from '../server/misbehave.ts';

/** A table a Markdown file carries between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export interface GeneratedTable {
  name: string;
  /** The absolute path of the file that carries it. */
  file: string;
  render(): string;
}

export const TABLES = {
  config: { name: 'config-table', file: docPath('README.md'), render: renderConfigTable },
  parameters: { name: 'parameters-table', file: docPath('docs/misbehave.md'), render: renderParametersTable },
} as const satisfies Record<string, GeneratedTable>;

/** The text between a table's markers in its file, without the blank lines that set it apart. */
export function tableIn(table: GeneratedTable): string {
  return split(readFileSync(table.file, 'utf8'), table).inside.trim();
}

/** `text` with `table` rendered afresh between its markers. */
export function withTable(text: string, table: GeneratedTable): string {
  const { before, after } = split(text, table);
  // Blank lines around the table: Markdown needs one before a table, and the markers stay outside it.
  return `${before}${markers(table).start}\n\n${table.render()}\n\n${markers(table).end}${after}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const table of Object.values(TABLES)) {
    const text = readFileSync(table.file, 'utf8');
    const updated = withTable(text, table);
    const name = relative(process.cwd(), table.file);
    if (updated === text) {
      console.log(`${name}: ${table.name} is up to date`);
    } else {
      writeFileSync(table.file, updated);
      console.log(`${name}: rewrote ${table.name} from its source`);
    }
  }
}

function docPath(path: string): string {
  return fileURLToPath(new URL(`../${path}`, import.meta.url));
}

function markers({ name }: GeneratedTable): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

function split(text: string, table: GeneratedTable): { before: string; inside: string; after: string } {
  const { start, end } = markers(table);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) throw new Error(`${table.file} needs the markers ${start} and ${end} around its table`);
  return {
    before: text.slice(0, from),
    inside: text.slice(from + start.length, to),
    after: text.slice(to + end.length),
  };
}

// npm run docs:tables: rewrites the README's generated tables from their one
// source: the configuration table from server/config.ts's SETTINGS, the URL
// parameters from server/misbehave.ts's WS_PARAMETERS. Each sits between its
// markers; the text around them is left as it is. Tests fail while a table
// and its source differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigTable } from '../server/config.ts';
import { renderParametersTable } from '../server/misbehave.ts';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** A table the README carries between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export interface GeneratedTable {
  name: string;
  render(): string;
}

export const TABLES = {
  config: { name: 'config-table', render: renderConfigTable },
  parameters: { name: 'parameters-table', render: renderParametersTable },
} as const satisfies Record<string, GeneratedTable>;

/** The text between a table's markers, without the blank lines that set it apart. */
export function tableIn(readme: string, table: GeneratedTable): string {
  return split(readme, table).inside.trim();
}

/** `readme` with `table` rendered afresh between its markers. */
export function withTable(readme: string, table: GeneratedTable): string {
  const { before, after } = split(readme, table);
  // Blank lines around the table: Markdown needs one before a table, and the markers stay outside it.
  return `${before}${markers(table).start}\n\n${table.render()}\n\n${markers(table).end}${after}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(README, 'utf8');
  const updated = Object.values(TABLES).reduce(withTable, readme);
  if (updated === readme) {
    console.log('README.md: the generated tables are up to date');
  } else {
    writeFileSync(README, updated);
    console.log('README.md: rewrote the generated tables from server/config.ts and server/misbehave.ts');
  }
}

function markers({ name }: GeneratedTable): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

function split(readme: string, table: GeneratedTable): { before: string; inside: string; after: string } {
  const { start, end } = markers(table);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to < from) throw new Error(`README.md needs the markers ${start} and ${end} around its table`);
  return {
    before: readme.slice(0, from),
    inside: readme.slice(from + start.length, to),
    after: readme.slice(to + end.length),
  };
}

// npm run docs:config: rewrites the configuration table in README.md from
// server/config.ts's SETTINGS, between the config-table markers. The text
// around the markers is left as it is; test/server/config.test.ts fails while
// the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigTable } from '../server/config.ts';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
export const START = '<!-- config-table:start -->';
export const END = '<!-- config-table:end -->';

/** The text between the markers, without the blank lines that set it apart. */
export function configTableIn(readme: string): string {
  const { inside } = split(readme);
  return inside.trim();
}

/** `readme` with the rendered table between the markers. */
export function withConfigTable(readme: string): string {
  const { before, after } = split(readme);
  // Blank lines around the table: Markdown needs one before a table, and the markers stay outside it.
  return `${before}${START}\n\n${renderConfigTable()}\n\n${END}${after}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(README, 'utf8');
  const updated = withConfigTable(readme);
  if (updated === readme) {
    console.log('README.md: the configuration table is up to date');
  } else {
    writeFileSync(README, updated);
    console.log('README.md: rewrote the configuration table from server/config.ts');
  }
}

function split(readme: string): { before: string; inside: string; after: string } {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) {
    throw new Error(`README.md needs the markers ${START} and ${END} around the configuration table`);
  }
  return {
    before: readme.slice(0, start),
    inside: readme.slice(start + START.length, end),
    after: readme.slice(end + END.length),
  };
}

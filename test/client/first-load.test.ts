// The page's first load stays small (issue 16): every script the browser
// fetches before anyone clicks, i.e. the entry index.html names, whatever it
// or index.html's modulepreload links pull in statically, counted gzipped.
// Cards that load later (client/deferred.ts, the conformance runner) and the
// catalogues fetched as JSON are not in it. Built here, from the real config,
// into a directory of its own, so it measures the sources under test.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** What the first load may weigh, gzipped (as `gzip -c file | wc -c` counts). */
const FIRST_LOAD_BUDGET_BYTES = 15_000;

describe('the first load', () => {
  let outDir = '';
  before(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'ws-echo-first-load-'));
    await build({
      configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
  });
  after(() => rm(outDir, { recursive: true, force: true }));

  it(`is at most ${FIRST_LOAD_BUDGET_BYTES} bytes of gzipped script, and the frame view is not in it`, async () => {
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    const named = [
      ...html.matchAll(/<script[^>]*\ssrc="\.\/([^"]+)"/g),
      ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\.\/([^"]+)"/g),
    ].map((match) => match[1]!);
    assert.ok(named.length > 0, 'index.html names no script');
    const loaded = await staticClosure(outDir, named);
    const sizes = await Promise.all(
      loaded.map(async (file) => [file, gzipSync(await readFile(join(outDir, file))).length] as const),
    );
    const total = sizes.reduce((sum, [, size]) => sum + size, 0);
    const listed = sizes.map(([file, size]) => `${file} ${size}`).join(', ');
    assert.ok(total <= FIRST_LOAD_BUDGET_BYTES, `${total} bytes gzipped: ${listed}`);
    // What the budget is about: the frame view's, Misbehave's and the conformance card's words come later.
    const scripts = (await Promise.all(loaded.map((file) => readFile(join(outDir, file), 'utf8')))).join('\n');
    for (const later of ['browser → server', 'Value of {name}', 'Choose at least one category to run.'])
      assert.ok(!scripts.includes(later), `"${later}" is in the first load`);
  });
});

/** `entries` and every chunk they import statically (import … from "./x.js", import "./x.js"), not import(). */
async function staticClosure(outDir: string, entries: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = await readFile(join(outDir, file), 'utf8');
    const folder = file.slice(0, file.lastIndexOf('/') + 1);
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["'`]\.\/([^"'`]+\.js)["'`]/g))
      await visit(`${folder}${match[1]!}`);
  };
  for (const entry of entries) await visit(entry);
  return [...seen];
}

// The page fetches a language's catalogue from the server that sent it. Node's
// fetch has no file: URLs, which is what the catalogue's URL is here, so this
// serves the same file from disk while a test runs; any other URL still goes
// to the real fetch.
import { readFile } from 'node:fs/promises';

/** Serves file: URLs to fetch(); returns the function that puts the real fetch back. */
export function servingCatalogues(): () => void {
  const real = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.protocol !== 'file:') return real(input, init);
    return new Response(await readFile(url), { headers: { 'content-type': 'application/json' } });
  };
  return () => {
    globalThis.fetch = real;
  };
}

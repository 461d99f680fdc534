// The page lives in client/, its static files in public/, the build in dist/client.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const fromHere = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // Relative asset URLs (./assets/…): the built page works under any --base-path without a rebuild.
  base: './',
  root: fromHere('./client'),
  publicDir: fromHere('./public'),
  build: {
    outDir: fromHere('./dist/client'),
    emptyOutDir: true,
    // The page's first load is the entry alone: the lazily loaded cards need
    // nothing the entry has not loaded already, and the language catalogues
    // are fetched as JSON, so no preload helper and no polyfill.
    modulePreload: false,
  },
});

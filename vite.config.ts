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
    // The page is one script with no modulepreload links to polyfill (the
    // language catalogues are fetched as JSON): 0.3 KB less to load first.
    modulePreload: { polyfill: false },
  },
});

// Runs before `npm start`: builds when dist/ is missing or older than the
// sources, so a fresh clone's `npm install && npm start` just works.
// Plain JS on purpose: it must run before anything is compiled.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outputs = ['dist/server/main.js', 'dist/client/index.html'].map((p) => join(root, p));
const sources = [
  'server',
  'client',
  'public',
  'vite.config.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
];

const builtAt = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)));
const changedAt = Math.max(...sources.map((p) => newestMtime(join(root, p))));

if (builtAt < changedAt) {
  console.log(
    builtAt === 0
      ? 'No build yet; building the page and server first.'
      : 'Sources changed since the last build; rebuilding.',
  );
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

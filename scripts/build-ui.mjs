// Finishes `npm run build`: the bin becomes executable, and the dashboard goes together in dist/ui:
// its page and stylesheet, and its scripts, which tsc compiled into dist/.ui-build (with the
// server's wire types they import, as types only: those compile to nothing the browser loads).
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

chmodSync('dist/cli/bin.js', 0o755);
rmSync('dist/ui', { recursive: true, force: true });
mkdirSync('dist/ui/js', { recursive: true });
for (const file of ['index.html', 'style.css']) copyFileSync(`src/ui/${file}`, `dist/ui/${file}`);
for (const file of readdirSync('dist/.ui-build/ui/client')) if (file.endsWith('.js')) copyFileSync(`dist/.ui-build/ui/client/${file}`, `dist/ui/js/${file}`);
rmSync('dist/.ui-build', { recursive: true, force: true });

// Finishes `npm run build`: the bin becomes executable, and the dashboard's page and stylesheet go
// next to its compiled scripts in dist/ui (tsc compiled src/ui/client into dist/ui/js).
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';

chmodSync('dist/cli/bin.js', 0o755);
mkdirSync('dist/ui', { recursive: true });
for (const file of ['index.html', 'style.css']) copyFileSync(`src/ui/${file}`, `dist/ui/${file}`);

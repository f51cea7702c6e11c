// Prints the README's configuration table from the built option table (npm run -s docs:options);
// with --write, puts it into README.md between the options markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { optionsMarkdownTable } from '../dist/cli/options.js';

const table = optionsMarkdownTable();
if (process.argv.includes('--write')) {
  const path = new URL('../README.md', import.meta.url);
  const readme = readFileSync(path, 'utf8');
  const re = /(<!-- options:start -->\n)[\s\S]*?(<!-- options:end -->)/;
  if (!re.test(readme)) throw new Error('README.md has no <!-- options:start --> … <!-- options:end --> markers');
  writeFileSync(path, readme.replace(re, (_m, start, end) => `${start}${table}\n${end}`));
} else {
  process.stdout.write(table + '\n');
}

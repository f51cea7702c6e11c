// Builds the `mailgun-mock` command for a fast cold start (docs/decisions/0011-cli-cold-start.md):
// 1. dist/cli/mailgun-mock-bundle.cjs: the CLI (dist/cli/run.js) and everything it imports, Express
//    and yargs included, bundled by esbuild into one CommonJS file. Node then reads and compiles one
//    file instead of several hundred modules. Left out, and required from node_modules when first
//    needed: mailparser (MIME sends only) and Ajv (only without the build's fixture validator).
// 2. dist/cli/mailgun-mock-bundle.cjs.cache: V8's code cache for the bundle, written by a real run
//    of the CLI (start, one request, stop), so the functions a start compiles are in it; its first
//    line is the SHA-256 of bundle and cache, which the loader checks before using it.
// 3. dist/cli/mailgun-mock.cjs (scripts/cli-loader.cjs): the executable. It compiles the bundle with
//    that cache (node:vm cachedData) and runs it; a cache that does not match the bundle, or that V8
//    rejects (another Node version), only costs the compile it would have saved.
// The bundle must stay two folders deep (dist/cli/): the modules in it find their files (fixtures,
// the dashboard, package.json, the fixture validator) relative to their own URL, two levels up.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { build } from 'esbuild';

const bundle = 'dist/cli/mailgun-mock-bundle.cjs';
const cache = `${bundle}.cache`;
const bin = 'dist/cli/mailgun-mock.cjs';

await build({
  entryPoints: ['dist/cli/run.js'],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['mailparser', 'ajv'],
  // A CommonJS bundle has no import.meta: give each module the bundle's own file URL (same folder depth).
  define: { 'import.meta.url': '__mailgunMockBundleUrl' },
  banner: { js: "const __mailgunMockBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // import() of the external packages becomes require(): the loader compiles the bundle with node:vm,
  // which has no dynamic-import hook of its own.
  supported: { 'dynamic-import': false },
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync('scripts/cli-loader.cjs', bin);
chmodSync(bin, 0o755);

// The code cache: a real start of the CLI, one request, then SIGTERM; the loader writes the cache at exit.
rmSync(cache, { force: true });
const child = spawn(process.execPath, [bin, '--port', '0', '--log-level', 'silent'], {
  env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAILGUN_MOCK_'))), __MAILGUN_MOCK_WRITE_CODE_CACHE: cache },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
let out = '';
child.stdout.on('data', (d) => {
  out += d;
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  if (url && !child.asked) {
    child.asked = true;
    request(`${url}/__mock/health`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => child.kill('SIGTERM'));
    }).end();
  }
});
const code = await new Promise((resolve) => child.on('exit', resolve));
clearTimeout(timer);
// Without a cache the CLI still works (the loader compiles normally), only slower to start: a
// machine where this run cannot listen on 127.0.0.1 must not fail an install (`prepare` builds).
if (code !== 0 || !existsSync(cache)) {
  rmSync(cache, { force: true });
  console.warn(`build-cli: no code cache (the run that writes it exited ${code}); the CLI will compile at each start. Output: ${out.trim() || '(none)'}`);
}

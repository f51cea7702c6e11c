#!/usr/bin/env node
// The `mailgun-mock` executable (copied to dist/cli/mailgun-mock.cjs by scripts/build-cli.mjs). It
// compiles the bundled CLI with V8's code cache made at build time, then runs it: the cold start
// then skips most of the compiling (docs/decisions/0011-cli-cold-start.md).
//
// The cache file starts with a line holding the SHA-256 of the bundle and the cache together, as
// the build wrote them. The cache is used only when that matches: V8 itself checks little more than
// the source's length, so a bundle edited after the build (patch-package, a hand fix) would run its
// old compiled functions, and damaged cache bytes can abort the process. A cache that does not
// match, is missing, or that V8 rejects (another Node version) just means a normal compile.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, 'mailgun-mock-bundle.cjs');
const cacheFile = `${file}.cache`;
const source = readFileSync(file);

/** The SHA-256 (hex) of the bundle followed by the cache data: the check line of the cache file. */
const checkOf = (data) => createHash('sha256').update(source).update(data).digest('hex');

let cachedData;
try {
  const stored = readFileSync(cacheFile);
  const data = stored.subarray(65);
  if (stored.length > 65 && stored[64] === 0x0a && stored.toString('latin1', 0, 64) === checkOf(data)) cachedData = data;
} catch {
  cachedData = undefined;
}
const script = new Script(wrap(source.toString('utf8')), { filename: file, cachedData });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, __dirname);

// The build writes the cache after a real start and stop, so the functions a start compiles are in it.
const writeTo = process.env.__MAILGUN_MOCK_WRITE_CODE_CACHE;
if (writeTo) {
  process.once('exit', () => {
    const data = script.createCachedData();
    writeFileSync(writeTo, Buffer.concat([Buffer.from(`${checkOf(data)}\n`, 'latin1'), data]));
  });
}

mod.exports.main();

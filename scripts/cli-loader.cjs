#!/usr/bin/env node
// The `mailgun-mock` executable (copied to dist/cli/mailgun-mock.cjs by scripts/build-cli.mjs). It
// compiles the bundled CLI with V8's code cache made at build time, then runs it: the cold start
// then skips most of the compiling (docs/decisions/0011-cli-cold-start.md). A cache that V8 rejects
// (made by another Node version) or that is missing just means a normal compile.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, 'mailgun-mock-bundle.cjs');
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, __dirname);

// The build writes the cache after a real start and stop, so the functions a start compiles are in it.
const writeTo = process.env.__MAILGUN_MOCK_WRITE_CODE_CACHE;
if (writeTo) process.once('exit', () => writeFileSync(writeTo, script.createCachedData()));

mod.exports.main();

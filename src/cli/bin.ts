#!/usr/bin/env node
// The `mailgun-mock` executable. Everything lives in run.ts, which tests can drive without a process.
import { main } from './run.js';

await main();

#!/usr/bin/env node
'use strict';
// Runs the built CLI (dist/cli.js, made from src/cli by scripts/build-cli.js when `npm ci` or
// `npm install` runs the `prepare` script). Plain Node: no TypeScript compiler at run time.
let cli;
try {
  cli = require('../dist/cli.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/cli.js')) {
    process.stderr.write('nat-failover: failed (build): dist/cli.js is missing; run `npm run build:cli` (npm ci runs it unless --ignore-scripts)\n');
    process.exit(1);
  }
  throw e;
}
cli.run(process.argv.slice(2));

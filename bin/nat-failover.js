#!/usr/bin/env node
'use strict';
// Runs the built CLI (dist/cli/main.mjs, made from src/cli by scripts/build-cli.js when `npm ci`
// or `npm install` runs the `prepare` script). Plain Node: no TypeScript compiler at run time.
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const entry = join(__dirname, '..', 'dist', 'cli', 'main.mjs');
import(pathToFileURL(entry).href).then(
  (cli) => cli.run(process.argv.slice(2)),
  (e) => {
    if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(entry)) {
      process.stderr.write('nat-failover: failed (build): dist/cli/main.mjs is missing; run `npm run build:cli` (npm ci runs it unless --ignore-scripts)\n');
    } else {
      process.stderr.write(`nat-failover: failed (build): cannot load dist/cli/main.mjs: ${String(e && e.message).split('\n')[0]}\n`);
    }
    process.exitCode = 1;
  },
);

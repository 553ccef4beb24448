#!/usr/bin/env node
'use strict';
/**
 * Builds the CLI: src/cli/main.ts -> dist/cli.js, one CommonJS file that bin/nat-failover.js runs.
 *
 * Run by `npm run build:cli` and by the `prepare` script, which npm runs after `npm ci` and
 * `npm install` (also with --omit=dev), so a fresh clone has a working CLI after `npm ci`. Plain
 * JavaScript on purpose: building needs only Node and esbuild (a production dependency for that
 * reason), never tsx or TypeScript, which `npm ci --omit=dev` leaves out.
 *
 * The options mirror serverless.yml `custom.esbuild` (the functions' bundles): the AWS SDK and
 * every other dependency inside the bundle, the SDK's ES-module builds (mainFields) so unused
 * commands are dropped, names kept through minification. The CLI then runs the SDK our tests
 * ran and loads nothing from node_modules at run time.
 */
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const OUTFILE = join(ROOT, 'dist', 'cli.js');

/** The esbuild options of the CLI bundle; `outfile` is overridable for tests and the bench. */
function cliBuildOptions(outfile = OUTFILE) {
  return {
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    keepNames: true,
    // The CLI prints no stack traces (one line per error), so no source map is shipped.
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  };
}

async function buildCli(outfile = OUTFILE) {
  const { build } = require('esbuild');
  await build(cliBuildOptions(outfile));
  return outfile;
}

module.exports = { buildCli, cliBuildOptions, OUTFILE };

if (require.main === module) {
  buildCli(process.argv[2] ? join(process.cwd(), process.argv[2]) : OUTFILE).catch((e) => {
    process.stderr.write(`build-cli: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}

#!/usr/bin/env node
'use strict';
/**
 * Builds the CLI: src/cli/main.ts -> dist/cli/main.mjs (and its chunks), which bin/nat-failover.js runs.
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
const OUTDIR = join(ROOT, 'dist', 'cli');
/** The entry bin/nat-failover.js imports. */
const ENTRY = 'main.mjs';

/**
 * The esbuild options of the CLI bundle; `outdir` is overridable for tests and the bench.
 *
 * ES modules with code splitting: every dynamic import() in src/cli becomes a chunk loaded on
 * use, so `--help`, `--version` and a refused command line parse a few KB, not the 1.6 MB of the
 * AWS SDK (parsing that alone took ~0.4 s on this machine). Shared modules land in shared chunks,
 * so an error class is one class whichever chunk throws it. (esbuild splits ESM output only.)
 */
function cliBuildOptions(outdir = OUTDIR) {
  return {
    entryPoints: { main: join(ROOT, 'src', 'cli', 'main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    // Bundled CommonJS code (parts of the SDK) calls require() for Node's own modules.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    minify: true,
    keepNames: true,
    // The CLI prints no stack traces (one line per error), so no source map is shipped.
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  };
}

async function buildCli(outdir = OUTDIR) {
  const { build } = require('esbuild');
  const { rmSync } = require('node:fs');
  // Chunk names carry hashes: clear the old ones so the directory holds one build.
  rmSync(outdir, { recursive: true, force: true });
  await build(cliBuildOptions(outdir));
  return join(outdir, ENTRY);
}

module.exports = { buildCli, cliBuildOptions, OUTDIR, ENTRY };

if (require.main === module) {
  buildCli(process.argv[2] ? join(process.cwd(), process.argv[2]) : OUTDIR).catch((e) => {
    process.stderr.write(`build-cli: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}

'use strict';
/**
 * Jest globalSetup of the integration project: builds dist/cli/ from the current src/cli before
 * any test runs `npx nat-failover` (bin/nat-failover.js runs the bundle). `npm ci` builds it once
 * in `prepare`; without this, a test run after editing src/ would exercise a stale bundle.
 */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async function buildCli() {
  const r = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-cli.js')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the CLI failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
};

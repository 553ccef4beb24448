/**
 * One serverless.yml for the Serverless Framework v4, v3 and osls. v4 cannot run offline (it
 * needs a login and downloads its release), so its documented rules are encoded here and checked
 * against the configuration as osls resolves it (`serverless print`); osls itself packages the
 * same file in package.test.ts and CI.
 *
 * Sources for the v4 rules:
 * - serverless/serverless PR #12486 "add error when trying to use typescript plugins with esbuild
 *   enabled": PluginManager.addPlugin (lib/classes/plugin-manager.js) throws ServerlessError
 *   PLUGIN_TYPESCRIPT_CONFLICT for a plugin named serverless-esbuild, serverless-plugin-typescript,
 *   serverless-webpack or serverless-bundle unless `service.build?.esbuild === false`
 *   (the message: "...or you can set 'build.esbuild' to false in your 'serverless.yml'");
 *   reported with that code in serverless/serverless issue #12672 (v4.1.11).
 * - v4 guide "AWS Lambda Build Configuration" (framework/docs/providers/aws/guide/building): the
 *   top-level `build.esbuild` block configures (or, false, disables) the built-in esbuild.
 * - osls: lib/classes/service.js defaults configValidationMode to 'error', and the schema
 *   handler rejects an unknown top-level key in that mode; plugins may declare one with
 *   configSchemaHandler.defineTopLevelProperty (osls docs, "Extending the configuration schema").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, type StagedProject, stageProject } from './project';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** v4's list (plugin-manager.js `typescriptPlugins`). */
export const V4_BUNDLER_PLUGINS = ['serverless-esbuild', 'serverless-plugin-typescript', 'serverless-webpack', 'serverless-bundle'];

/** v4's PluginManager.addPlugin check, for a resolved configuration: the error v4 would throw, if any. */
export function v4PluginConflict(config: { plugins?: string[] | { modules?: string[] }; build?: { esbuild?: unknown } }): string | undefined {
  const plugins = Array.isArray(config.plugins) ? config.plugins : (config.plugins?.modules ?? []);
  const bundler = plugins.find((p) => V4_BUNDLER_PLUGINS.includes(p));
  return bundler !== undefined && config.build?.esbuild !== false ? `PLUGIN_TYPESCRIPT_CONFLICT: ${bundler}` : undefined;
}

// The semver osls itself checks frameworkVersion with (v3 and v4 use the same range semantics).
const semver = createRequire(require.resolve('osls/package.json'))('semver') as { satisfies(v: string, r: string): boolean };
const OSLS_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'osls', 'package.json'), 'utf8')).version;

let project: StagedProject;
let config: Json;
let printed: { status: number | null; stderr: string };

beforeAll(() => {
  project = stageProject('v4');
  const r = project.serverless(['print', '--format', 'json']);
  printed = { status: r.status, stderr: r.stderr };
  if (r.status !== 0) throw new Error(`serverless print failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  config = JSON.parse(r.stdout);
}, 120_000);
afterAll(() => project?.remove());

describe('the v4 rule, as encoded', () => {
  it('flags a bundler plugin without build.esbuild: false, and nothing else', () => {
    expect(v4PluginConflict({ plugins: ['serverless-esbuild'] })).toBe('PLUGIN_TYPESCRIPT_CONFLICT: serverless-esbuild');
    expect(v4PluginConflict({ plugins: ['serverless-webpack'], build: { esbuild: { bundle: false } } })).toBe('PLUGIN_TYPESCRIPT_CONFLICT: serverless-webpack');
    expect(v4PluginConflict({ plugins: { modules: ['serverless-esbuild'] }, build: {} })).toBe('PLUGIN_TYPESCRIPT_CONFLICT: serverless-esbuild');
    expect(v4PluginConflict({ plugins: ['serverless-esbuild'], build: { esbuild: false } })).toBeUndefined();
    expect(v4PluginConflict({ plugins: ['./local-plugin.js'] })).toBeUndefined();
  });
});

describe('serverless.yml under Framework v4', () => {
  it('loads its plugins without PLUGIN_TYPESCRIPT_CONFLICT (serverless-esbuild with build.esbuild: false)', () => {
    expect(config.plugins).toContain('serverless-esbuild');
    expect(config.build).toStrictEqual({ esbuild: false });
    expect(v4PluginConflict(config)).toBeUndefined();
  });

  it('names the majors it supports: v3, v4 and the osls in the lockfile, and no other', () => {
    for (const v of ['3.40.0', '4.0.0', '4.24.0', OSLS_VERSION]) expect([v, semver.satisfies(v, config.frameworkVersion)]).toStrictEqual([v, true]);
    for (const v of ['2.72.3', '5.0.0']) expect([v, semver.satisfies(v, config.frameworkVersion)]).toStrictEqual([v, false]);
  });
});

describe('serverless.yml under osls', () => {
  it('validates strictly (configValidationMode error) and prints no configuration warning for `build`', () => {
    expect(config.configValidationMode).toBe('error');
    expect(printed.stderr).not.toMatch(/Invalid configuration|unrecognized property/);
  });

  it('still rejects a mistake: build.esbuild other than false, and an unknown top-level key', () => {
    const yml = readFileSync(join(project.dir, 'serverless.yml'), 'utf8');
    try {
      writeFileSync(join(project.dir, 'serverless.yml'), yml.replace(/^ {2}esbuild: false$/m, '  esbuild: true'));
      const esbuildOn = project.serverless(['print']);
      expect(esbuildOn.status).not.toBe(0);
      expect(`${esbuildOn.stdout}${esbuildOn.stderr}`).toContain("Configuration error at 'build.esbuild'");

      writeFileSync(join(project.dir, 'serverless.yml'), yml.replace(/^service: nat-failover$/m, 'service: nat-failover\nbogusKey: 1'));
      const unknown = project.serverless(['print']);
      expect(unknown.status).not.toBe(0);
      expect(`${unknown.stdout}${unknown.stderr}`).toContain("unrecognized property 'bogusKey'");
    } finally {
      writeFileSync(join(project.dir, 'serverless.yml'), yml);
    }
  }, 60_000);
});


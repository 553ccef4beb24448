/**
 * `npm run test:unit` must stay fast and self-contained: a test file that starts a process of its
 * own (moto, `serverless`, the drill command; anything reaching node:child_process, directly or
 * through a test helper) belongs to the `integration` project of jest.config.js, not to `unit`.
 * And every test file belongs to exactly one project, so `npm test` still runs everything.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const TEST = join(ROOT, 'test');

interface Project {
  readonly displayName: string;
  readonly testPathIgnorePatterns?: readonly string[];
  readonly testRegex?: readonly string[];
}
// jest.config.js is CommonJS.
const { projects } = require('../../jest.config.js') as { projects: readonly Project[] };

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

const testFiles = walk(TEST).filter((f) => f.endsWith('.test.ts'));

function inProject(p: Project, file: string): boolean {
  if (p.testRegex) return p.testRegex.some((r) => new RegExp(r).test(file));
  return !(p.testPathIgnorePatterns ?? []).some((r) => new RegExp(r).test(file));
}

/** Relative imports resolved to files; packages and built-ins by name. */
function importsOf(file: string): { spec: string; target?: string }[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map(({ fileName: spec }) => {
    if (!spec.startsWith('.')) return { spec };
    const base = resolve(dirname(file), spec);
    return { spec, target: [`${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(c)) };
  });
}

/** True if `file` reaches node:child_process through relative imports (test helpers or src/). */
function spawnsProcesses(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  return importsOf(file).some((e) => (e.target ? spawnsProcesses(e.target, seen) : /^(node:)?child_process$/.test(e.spec)));
}

describe('jest projects', () => {
  const unit = projects.find((p) => p.displayName === 'unit');
  const integration = projects.find((p) => p.displayName === 'integration');

  it('are exactly unit and integration', () => {
    expect(projects.map((p) => p.displayName)).toEqual(['unit', 'integration']);
  });

  it('put every test file in exactly one of them', () => {
    const wrong = testFiles.filter((f) => projects.filter((p) => inProject(p, f)).length !== 1).map((f) => relative(ROOT, f));
    expect(wrong).toEqual([]);
  });

  it('keep every test file that starts a process out of unit', () => {
    const spawning = testFiles.filter((f) => spawnsProcesses(f));
    // The rule sees the files it should (moto's harness is reached through test helpers).
    expect(spawning.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['test/integration/smoke.test.ts', 'test/stack/package.test.ts', 'test/scenarios/drill.test.ts']));
    expect(spawning.filter((f) => inProject(unit!, f)).map((f) => relative(ROOT, f))).toEqual([]);
    expect(spawning.every((f) => inProject(integration!, f))).toBe(true);
  });

  it('leave the pure core, the mocked adapters and the architecture rules in unit', () => {
    for (const f of ['test/core/planner.test.ts', 'test/aws/ec2.test.ts', 'test/manual/actions.test.ts', 'test/architecture/imports.test.ts']) {
      expect(inProject(unit!, join(ROOT, f))).toBe(true);
    }
  });
});

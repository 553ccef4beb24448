/**
 * The tree is the architecture (docs/development.md): these rules keep it so.
 *  - src/core/ is the pure decision: it imports nothing outside src/core/ (no SDK, no Powertools,
 *    no config loader, no Node built-ins).
 *  - Only src/aws/ imports the AWS SDK.
 *  - No import cycles anywhere in src/, type-only imports included.
 * Imports are read with TypeScript's own pre-processor, so `import type`, re-exports, `require()`
 * and dynamic `import()` all count.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const SRC = join(ROOT, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

interface Edge {
  readonly spec: string;
  /** Absolute path of the imported file, or undefined for a package / built-in. */
  readonly target?: string;
}

function resolveRelative(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
  throw new Error(`${relative(ROOT, from)}: cannot resolve '${spec}'`);
}

export function importsOf(file: string): Edge[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: spec }) =>
    spec.startsWith('.') ? { spec, target: resolveRelative(file, spec) } : { spec },
  );
}

const files = walk(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(ROOT, f);

/** Every elementary cycle's first sighting, via DFS with an explicit stack. */
export function findCycles(g: ReadonlyMap<string, readonly Edge[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const e of g.get(n) ?? []) {
      if (!e.target || !g.has(e.target)) continue;
      const s = state.get(e.target);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(e.target)), e.target]);
      else if (s === undefined) visit(e.target);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of g.keys()) if (!state.has(n)) visit(n);
  return cycles;
}

describe('source layout rules', () => {
  it('reads the tree (a rule over no files proves nothing)', () => {
    expect(files.filter((f) => f.startsWith(join(SRC, 'core'))).length).toBeGreaterThanOrEqual(6);
    expect(files.length).toBeGreaterThan(50);
  });

  it('src/core/ imports nothing outside itself', () => {
    const core = join(SRC, 'core') + '/';
    const outside = files
      .filter((f) => f.startsWith(core))
      .flatMap((f) => importsOf(f).filter((e) => !e.target || !e.target.startsWith(core)).map((e) => `${rel(f)} -> ${e.spec}`));
    expect(outside).toEqual([]);
  });

  it('only src/aws/ imports the AWS SDK', () => {
    const aws = join(SRC, 'aws') + '/';
    const offenders = files
      .filter((f) => !f.startsWith(aws))
      .flatMap((f) => importsOf(f).filter((e) => e.spec.startsWith('@aws-sdk/')).map((e) => `${rel(f)} -> ${e.spec}`));
    expect(offenders).toEqual([]);
  });

  it('has no import cycles in src/, type-only imports included', () => {
    expect(findCycles(graph).map((c) => c.map(rel).join(' -> '))).toEqual([]);
  });

  it('the cycle finder finds a type-only cycle (the rule can fail)', () => {
    const a = '/x/a.ts';
    const b = '/x/b.ts';
    const c = '/x/c.ts';
    const g = new Map<string, Edge[]>([
      [a, [{ spec: './b', target: b }]],
      [b, [{ spec: './c', target: c }]],
      [c, [{ spec: './a', target: a }]],
    ]);
    expect(findCycles(g)).toEqual([[a, b, c, a]]);
    // TypeScript's pre-processor sees a type-only import as an import.
    expect(ts.preProcessFile("import type { X } from './y';", true, true).importedFiles.map((f) => f.fileName)).toEqual(['./y']);
  });
});

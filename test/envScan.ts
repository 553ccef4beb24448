/**
 * The environment-variable scanner: which variables TypeScript sources read and which ones
 * serverless.yml sets, found in the files rather than copied into lists. Used by
 * test/config.test.ts (docs/configuration.md has a row for each) and test/stack/release.test.ts
 * (the release template has a Parameter for each setting).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const NAME = '[A-Z][A-Z0-9_]*';

export function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : name.endsWith('.ts') ? [p] : [];
  });
}

export interface EnvReads {
  /** Every variable named in a read (or a write: the CLI sets the SDK's variables from its flags). */
  readonly names: Set<string>;
  /** `env[x]` with a computed name that is not a constant: `file: expression`. */
  readonly dynamic: string[];
}

/**
 * The environment variables some TypeScript files touch: `process.env.X`, `env.X`, `env['X']`,
 * `env[CONST]` (CONST resolved to its string in the same files), and the loader's helpers called as
 * `present(env, 'X')` / `int(env, 'X', …)`. A computed name that is not a constant is returned
 * apart, so the test decides about it instead of missing it.
 */
export function envReads(files: ReadonlyArray<{ path: string; text: string }>): EnvReads {
  const names = new Set<string>();
  const dynamic: string[] = [];
  const constants = new Map<string, string>();
  for (const { text } of files) {
    for (const m of text.matchAll(new RegExp(`\\b(${NAME})\\s*=\\s*['"\`](${NAME})['"\`]`, 'g'))) constants.set(m[1] ?? '', m[2] ?? '');
  }
  for (const { path, text } of files) {
    for (const m of text.matchAll(new RegExp(`\\benv\\.(${NAME})\\b`, 'g'))) names.add(m[1] ?? '');
    for (const m of text.matchAll(new RegExp(`\\benv\\[\\s*['"\`](${NAME})['"\`]\\s*\\]`, 'g'))) names.add(m[1] ?? '');
    for (const m of text.matchAll(new RegExp(`\\(\\s*env\\s*,\\s*['"\`](${NAME})['"\`]`, 'g'))) names.add(m[1] ?? '');
    for (const m of text.matchAll(/\benv\[\s*([A-Za-z_$][\w$]*)\s*\]/g)) {
      const value = constants.get(m[1] ?? '');
      if (value) names.add(value);
      else dynamic.push(`${path}: ${m[0]}`);
    }
  }
  return { names, dynamic };
}

/** The variables `serverless.yml` sets: keys under any `environment:` block. */
export function stackEnvironment(yaml: string): Set<string> {
  const names = new Set<string>();
  let indent: number | undefined;
  for (const line of yaml.split('\n')) {
    const lead = line.length - line.trimStart().length;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (indent !== undefined && lead <= indent) indent = undefined;
    if (indent !== undefined) {
      const m = new RegExp(`^\\s+(${NAME}):`).exec(line);
      if (m) names.add(m[1] ?? '');
    }
    if (/^\s*environment:\s*$/.test(line)) indent = lead;
  }
  return names;
}

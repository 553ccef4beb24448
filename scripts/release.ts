/**
 * `npm run release -- [--stage NAME]`: the deployable artefact of a tagged version.
 * Refuses (exit 2) unless the tree is committed and HEAD carries the tag v<package.json version>;
 * then runs what CI runs (typecheck, lint, every test) and `serverless package` into
 * dist/nat-failover-<version>-<stage>/ (CloudFormation template + zips), ready for
 * `serverless deploy --package <that dir> --stage <stage>`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { releaseProblems } from './releaseCheck';

const ROOT = join(__dirname, '..');
const USAGE = 'usage: npm run release -- [--stage NAME]   (default stage: prod)';

function git(...args: string[]): string {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim().split('\n')[0]}`);
  return r.stdout;
}

function step(name: string, cmd: string, args: readonly string[]): void {
  console.log(`==> ${name}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`release: ${name} failed (exit ${r.status ?? r.signal}); nothing was packaged`);
    process.exit(1);
  }
}

function main(): void {
  let stage: string;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { stage: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    stage = values.stage ?? 'prod';
    if (!/^[a-zA-Z0-9-]{1,16}$/.test(stage)) throw new Error('--stage: letters, digits and dashes, at most 16');
  } catch (e) {
    console.error(`release: ${(e as Error).message.split('\n')[0]}\n${USAGE}`);
    process.exit(2);
  }
  const version: unknown = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version;
  const problems = releaseProblems({ version, status: git('status', '--porcelain'), tagsAtHead: git('tag', '--points-at', 'HEAD') });
  if (problems.length > 0) {
    for (const p of problems) console.error(`release: ${p}`);
    process.exit(2);
  }
  const out = join('dist', `nat-failover-${String(version)}-${stage}`);
  step('typecheck', 'npm', ['run', 'typecheck']);
  step('lint', 'npm', ['run', 'lint']);
  step('test', 'npm', ['test']);
  step(`serverless package (stage ${stage})`, join(ROOT, 'node_modules', '.bin', 'serverless'), ['package', '--stage', stage, '--package', out]);
  console.log(`release: nat-failover ${String(version)} (${git('rev-parse', '--short', 'HEAD').trim()}), stage ${stage}: ${out}/`);
}

main();

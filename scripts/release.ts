/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- CloudFormation JSON has an open shape: the code checks what it relies on (Type, Code, Default) and throws otherwise */
/**
 * `npm run release -- [--stage NAME] [--out DIR] [--strict]`: the artefact for CloudFormation
 * StackSets, plain CloudFormation and Terraform (docs/organization.md). Writes DIR (default
 * `release/`, gitignored):
 *   nat-failover.template.json  CloudFormation: every serverless.yml param a Parameter, code from
 *                               CodeBucket + CodeKeyPrefix, no Serverless deployment bucket
 *   <function>.zip              the function zips, the bytes `serverless package` builds
 *   SHA256SUMS                  `sha256sum -c SHA256SUMS` checks the three files above
 *
 * It packages once (`serverless package`, every param set to a sentinel, scripts/releaseTemplate.ts)
 * and works from any checkout, a fresh clone included: the commit, and whether the tree was clean
 * and HEAD tagged, are recorded in the template's Metadata (`nat-failover`), so a template in the
 * field says what it was built from. `--strict` is for publishing: it refuses unless the tree is
 * committed and HEAD carries the tag v<package.json version>, and runs typecheck, lint and the tests
 * first (as CI does). The default stays fast so a user can build the artefact of the commit they run.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { releaseProblems } from './releaseCheck';
import { CONSTRAINTS } from './releaseParameters';
import { checksumFile, paramNames, releaseTemplate, sentinel, type Json } from './releaseTemplate';

const ROOT = join(__dirname, '..');
const USAGE = 'usage: npm run release -- [--stage NAME] [--out DIR] [--strict]   (defaults: stage prod, out release/)';
export const TEMPLATE = 'nat-failover.template.json';
export const SUMS = 'SHA256SUMS';

/** git's answer, or undefined outside a checkout (a source tarball): the release still builds. */
function git(...args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

function fail(message: string, code = 1): never {
  console.error(`release: ${message}`);
  process.exit(code);
}

function step(name: string, cmd: string, args: readonly string[]): void {
  console.log(`==> ${name}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`${name} failed (exit ${r.status ?? r.signal}); nothing was written`);
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function main(): void {
  const started = Date.now();
  let stage: string;
  let out: string;
  let strict: boolean;
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: { stage: { type: 'string' }, out: { type: 'string' }, strict: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    stage = values.stage ?? 'prod';
    if (!/^[a-zA-Z0-9-]{1,16}$/.test(stage)) throw new Error('--stage: letters, digits and dashes, at most 16');
    out = resolve(ROOT, values.out ?? 'release');
    if (out === ROOT) throw new Error('--out: not the project directory itself');
    strict = values.strict ?? false;
  } catch (e) {
    console.error(`release: ${(e as Error).message.split('\n')[0]}\n${USAGE}`);
    process.exit(2);
  }
  const version: unknown = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version;
  const status = git('status', '--porcelain');
  const tags = git('tag', '--points-at', 'HEAD');
  if (strict) {
    if (status === undefined || tags === undefined) fail('--strict needs a git checkout (it checks the tree and the tag)', 2);
    const problems = releaseProblems({ version, status, tagsAtHead: tags });
    if (problems.length > 0) {
      for (const p of problems) console.error(`release: ${p}`);
      process.exit(2);
    }
    step('typecheck', 'npm', ['run', 'typecheck']);
    step('lint', 'npm', ['run', 'lint']);
    step('test', 'npm', ['test']);
  }

  const names = paramNames(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'nat-failover-release-'));
  try {
    console.log(`==> serverless package (stage ${stage}, ${names.length} params as template parameters)`);
    const r = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'serverless'),
      ['package', '--stage', stage, '--package', work, ...names.map((n) => `--param=${n}=${sentinel(n)}`)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' } },
    );
    if (r.status !== 0) {
      console.error(`${r.stdout}${r.stderr}`);
      throw new Error(`serverless package failed (exit ${r.status ?? r.signal})`);
    }
    const packaged = JSON.parse(readFileSync(join(work, 'cloudformation-template-update-stack.json'), 'utf8')) as Json;
    const state = JSON.parse(readFileSync(join(work, 'serverless-state.json'), 'utf8')) as Json;
    // serverless' own reading of serverless.yml (before variables resolve): params.default, then the stage's section.
    const params: Json = state.service?.initialServerlessConfig?.params ?? {};
    const defaults = Object.fromEntries(Object.entries({ ...(params.default ?? {}), ...(params[stage] ?? {}) }).map(([k, v]) => [k, String(v)]));

    const zipSums: Record<string, string> = {};
    for (const [, res] of Object.entries(packaged.Resources as Json)) {
      const key: unknown = res.Type === 'AWS::Lambda::Function' ? res.Properties?.Code?.S3Key : undefined;
      const zip = typeof key === 'string' ? key.split('/').pop() : undefined;
      if (zip) zipSums[zip] = sha256(join(work, zip));
    }
    // Content-addressed prefix: a code change always changes the key, so CloudFormation updates the
    // functions (it compares S3Bucket/S3Key, not the object behind them).
    const codeId = createHash('sha256').update(JSON.stringify(Object.entries(zipSums).sort())).digest('hex').slice(0, 12);
    const commit = git('rev-parse', 'HEAD')?.trim() ?? 'unknown';
    const release = releaseTemplate({
      template: packaged,
      defaults,
      constraints: CONSTRAINTS,
      codeKeyPrefix: `nat-failover/${String(version)}-${codeId}/`,
      description: `nat-failover ${String(version)} (${commit.slice(0, 12)}, stage ${stage}): multi-AZ NAT gateway failover for the VPCs of one region`,
      metadata: {
        version: String(version),
        commit,
        tree: status === undefined ? 'unknown' : status.trim() === '' ? 'clean' : 'modified',
        tag: tags?.split('\n').map((t) => t.trim()).find((t) => t === `v${String(version)}`) ?? 'none',
        stage,
        zips: zipSums,
        builtBy: 'npm run release (scripts/release.ts) from serverless package',
      },
    });

    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    // Compact: a template body passed inline (Terraform's template_body, `aws cloudformation deploy`
    // without --s3-bucket) may be at most 51,200 bytes (CloudFormation quotas); `jq .` reads it.
    writeFileSync(join(out, TEMPLATE), `${JSON.stringify(release.template)}\n`);
    for (const zip of release.zips) copyFileSync(join(work, zip), join(out, zip));
    const sums = Object.fromEntries([TEMPLATE, ...release.zips].map((f) => [f, sha256(join(out, f))]));
    writeFileSync(join(out, SUMS), checksumFile(sums));
    const settings = Object.keys(release.parameters).length;
    console.log(
      `release: nat-failover ${String(version)} (${commit.slice(0, 12)}${status?.trim() ? ', modified tree' : ''}), stage ${stage}: ${out}/ ` +
        `(${TEMPLATE}: ${settings} settings + code location as parameters; ${release.zips.join(', ')}; ${SUMS}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    console.error(`release: ${(e as Error).message.split('\n')[0]}; nothing was written`);
    process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();

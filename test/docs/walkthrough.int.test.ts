/**
 * docs/emulators.md's walk-through, run as written: the sh blocks between the walkthrough markers,
 * against a moto this test starts. The one substitution is moto's port (the docs say 5000); the
 * block that starts moto_server is the test's own job. Run in the project itself, as a reader
 * would after `npm ci`: `npx nat-failover` resolves the package's own bin only in an installed
 * project (in a copy beside a symlinked node_modules, npm exec looks for the package in its cache
 * instead and fails offline). `serverless invoke local` writes only its gitignored build
 * directory (.esbuild/) there.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { natTargetOf, newEc2, routesOf } from '../integration/seed';
import { onPath, ROOT } from '../stack/project';

const DOC = join(ROOT, 'docs', 'emulators.md');

/** The sh blocks of the walk-through section, in order. */
export function walkthroughBlocks(markdown: string): string[] {
  const start = markdown.indexOf('<!-- walkthrough:start');
  const end = markdown.indexOf('<!-- walkthrough:end -->');
  if (start < 0 || end < start) throw new Error('docs/emulators.md: walkthrough markers missing');
  return [...markdown.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describeWithMoto('docs/emulators.md walk-through, copy-pasted', () => {
  let moto: Moto;
  useMoto((m) => (moto = m));

  it('seed, status, break a gateway, reconcile, status: AZ a\'s table ends failed over', async () => {
    // The walk-through breaks a gateway with the AWS CLI, as a reader would.
    expect({ awsCliOnPath: onPath('aws') }).toStrictEqual({ awsCliOnPath: true });
    // Prepare: the doc's blocks; the first starts moto (ours is running), the rest are the walk-through.
    const blocks = walkthroughBlocks(readFileSync(DOC, 'utf8'));
    expect(blocks[0]?.trim()).toBe('moto_server -H 127.0.0.1 -p 5000');
    const script = blocks.slice(1).join('\n');
    expect(script).toContain('127.0.0.1:5000');
    const port = new URL(moto.endpoint).port;
    const run = script.replaceAll('127.0.0.1:5000', `127.0.0.1:${port}`);
    expect(run).not.toContain('5000');
    // Only what the walk-through exports may reach moto: the harness's AWS settings are removed.
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));

    // Act
    let r;
    {
      r = spawnSync('bash', ['-euo', 'pipefail', '-c', run], {
        cwd: ROOT,
        env: { ...env, POWERTOOLS_LOG_LEVEL: 'WARN', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
        encoding: 'utf8',
        timeout: 150_000,
      });
    }

    // Assess: it ran to the end, and the last status shows AZ a's table on another AZ's gateway.
    expect({ status: r.status, signal: r.signal, stderr: r.status === 0 ? '' : r.stderr.slice(-2000) }).toStrictEqual({ status: 0, signal: null, stderr: '' });
    const seeded = r.stdout.split('\n').filter((l) => l.startsWith('route-table ') && l.includes(' us-east-1a managed '));
    expect(seeded).toHaveLength(1);
    const tableA = seeded[0]!.split(' ')[1]!;
    const natA = /-> (nat-\w+)/.exec(seeded[0]!)?.[1];
    // The ROUTE TABLES rows (table, VPC, AZ, …); the EGRESS IPS section also starts lines with the table id.
    const rows = r.stdout.split('\n').filter((l) => new RegExp(`^${tableA}\\s+vpc-`).test(l));
    expect(rows).toHaveLength(2); // the first status and the last
    expect(rows[0]).toMatch(new RegExp(`^${tableA}\\s+vpc-\\w+\\s+us-east-1a\\s+${natA}\\s+${natA}\\s+home\\b`));
    expect(rows[1]).toMatch(new RegExp(`^${tableA}\\s+vpc-\\w+\\s+us-east-1a\\s+${natA}\\s+(nat-\\w+)\\s+failed-over\\b`));
    const now = natTargetOf(await routesOf(newEc2(), tableA), '0.0.0.0/0');
    expect(now).toBeDefined();
    expect(now).not.toBe(natA);
    expect(rows[1]).toContain(now!);
  }, 180_000);
});

/**
 * Events as AWS sends them, end to end as a user runs them: `serverless invoke local -f reconcile
 * --data <event>` against moto (bundled by esbuild, run by osls). A MULTIPLE_SERVICES Health issue
 * evacuates the AZ it names as impaired (and not the AZs it says traffic went to); an
 * `Autoshift Completed` followed by its older `Autoshift In Progress`, redelivered late, does not
 * open an evacuation.
 */
import { DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
import arcCompleted from '../../events/arc-autoshift-completed.json';
import arcStarted from '../../events/arc-autoshift.json';
import multi from '../../events/health-multiple-services.json';
import { EVACUATION_TAG_PREFIX } from '../../src/events/memory';
import { describeWithMoto, useMoto } from '../integration/moto';
import { natTargetOf, newEc2, routesOf, seedVpc, tagsOf } from '../integration/seed';
import { stageProject, type StagedProject } from '../stack/project';

const at = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000);
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** invoke local prints the handler's result as JSON after any log lines. */
function resultOf(stdout: string): any {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start >= 0 ? start + 1 : stdout.indexOf('{')));
}

describeWithMoto('events through serverless invoke local against moto', () => {
  let project: StagedProject;
  useMoto();
  beforeAll(async () => {
    project = stageProject('events');
  });
  afterAll(async () => {
    project?.remove();
  });

  const invoke = (event: unknown) => {
    const r = project.serverless(['invoke', 'local', '-f', 'reconcile', '--data', JSON.stringify(event), '-e', 'RESTORE_HOLD_DOWN_SECONDS=0'], { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toStrictEqual({ status: 0, stderr: '' });
    return resultOf(r.stdout);
  };

  it('a MULTIPLE_SERVICES issue evacuates its impaired AZ; a late Autoshift In Progress after its Completed opens nothing', async () => {
    // Prepare
    const ec2 = newEc2();
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    const idOf = (i: number) => zones.find((z) => z.ZoneName === vpc.azs[i]!.az)!.ZoneId!;
    const health = JSON.parse(JSON.stringify(multi));
    health.time = iso(at(0));
    health.detail.lastUpdatedTime = at(0).toUTCString();
    health.detail.startTime = at(-600).toUTCString();
    health.detail.eventDescription[0].latestDescription = multi.detail.eventDescription[0]!.latestDescription
      .replace('use1-az2', idOf(0))
      .replace('use1-az1', idOf(1))
      .replace('use1-az4', idOf(2));
    const started = { ...JSON.parse(JSON.stringify(arcStarted)), time: iso(at(-300)) };
    started.detail.metadata.awayFrom = idOf(2);
    const completed = { ...JSON.parse(JSON.stringify(arcCompleted)), time: iso(at(-60)) };
    completed.detail.metadata.awayFrom = idOf(2);

    // Act + Assess: the Health issue moves AZ a's table, to an AZ the text says is fine.
    const first = invoke(health);
    expect(first).toMatchObject({ trigger: 'health', changes: [expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'failover', status: 'applied' })] });
    expect([b!.natId, c!.natId]).toContain(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0'));
    expect(natTargetOf(await routesOf(ec2, b!.routeTableId), '0.0.0.0/0')).toBe(b!.natId);
    expect(natTargetOf(await routesOf(ec2, c!.routeTableId), '0.0.0.0/0')).toBe(c!.natId);

    // Act + Assess: the autoshift of AZ c completes; its start, older, is delivered after it.
    invoke(completed);
    const late = invoke(started);
    expect(late).toMatchObject({ trigger: 'arc', changes: [] });
    expect(natTargetOf(await routesOf(ec2, c!.routeTableId), '0.0.0.0/0')).toBe(c!.natId);
    const tags = await tagsOf(ec2, c!.routeTableId);
    expect(tags[`${EVACUATION_TAG_PREFIX}${idOf(2)}`]).toMatch(new RegExp(`^arc-autoshift@${completed.time}#[0-9a-f]{10}/closed$`));
    expect(tags[`${EVACUATION_TAG_PREFIX}${idOf(0)}`]).toMatch(/^aws-health@\S+#[0-9a-f]{10}$/);
  }, 600_000);
});

import { DeleteNatGatewayCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { main } from '../../src/cli/main';
import { readPin } from '../../src/core/state';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { natTargetOf, newEc2, routesOf, type SeededVpc, seedVpc, tagsOf } from '../integration/seed';
import { io, runCli } from './harness';

describeWithMoto('CLI in-process against moto (--endpoint, --direct)', () => {
  let moto: Moto;
  let ec2: EC2Client;
  let vpc: SeededVpc;

  useMoto((m) => (moto = m), { resetEach: true });
  beforeEach(async () => {
    ec2 = newEc2();
    vpc = await seedVpc(ec2);
  });

  const cli = (...argv: string[]) => runCli([...argv, '--endpoint', moto.endpoint, '--region', 'us-east-1']);

  it('status prints a table of every managed table and gateway, and the endpoint audit', async () => {
    const r = await cli('status');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ROUTE TABLES$/m);
    for (const a of vpc.azs) expect(r.out).toMatch(new RegExp(`^${a.routeTableId}\\s+${vpc.vpcId}\\s+${a.az}\\s+${a.natId}\\s+${a.natId}\\s+home`, 'm'));
    expect(r.out).toMatch(new RegExp(`^${vpc.azs[0]!.natId}\\s+${vpc.vpcId}\\s+us-east-1a\\s+available\\s+zonal/public\\s+unknown`, 'm'));
    expect(r.out).toContain(`${vpc.azs[0]!.routeTableId} (${vpc.vpcId}): no dynamodb gateway endpoint route`);
    expect(r.out).not.toContain(vpc.unmanagedRouteTableId);
  });

  it('status --json is the machine-readable result', async () => {
    const r = await cli('status', '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(body).toMatchObject({ ok: true, action: 'status' });
    expect(body.tables).toHaveLength(3);
  });

  it('plan shows the failover a deleted gateway would cause, and writes nothing', async () => {
    const [a] = vpc.azs;
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const r = await cli('plan');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`${a!.routeTableId}\\s+failover\\s+dry-run\\s+0\\.0\\.0\\.0/0 ${a!.natId} -> nat-`));
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).toBe(a!.natId);
  });

  it('failover --direct moves the AZ, release and restore --direct bring it back', async () => {
    const [a, b] = vpc.azs;
    const f = await cli('failover', '--az', 'us-east-1a', '--target', b!.natId, '--reason', 'CHG-7 patching', '--expires', '2h', '--direct');
    expect(f.code).toBe(0);
    expect(f.out).toContain(`pinned 1 table(s) away from us-east-1a until`);
    expect(f.out).toMatch(new RegExp(`${a!.routeTableId}\\s+pin\\s+applied`));
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).toBe(b!.natId);
    const pin = readPin(await tagsOf(ec2, a!.routeTableId))!;
    const until = pin.until!.getTime();
    expect(until - Date.now()).toBeGreaterThan(7_100_000);
    expect(until - Date.now()).toBeLessThanOrEqual(7_200_000);
    expect(pin.by).toMatch(/@cli$/);

    expect((await cli('release', '--az', 'us-east-1a', '--direct')).code).toBe(0);
    const r = await cli('restore', '--az', 'us-east-1a', '--reason', 'done', '--direct');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`${a!.routeTableId}\\s+restore\\s+applied`));
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).toBe(a!.natId);
  });

  it('a refused request exits 2 with one line naming the field, and changes nothing', async () => {
    const [a] = vpc.azs;
    const before = await tagsOf(ec2, a!.routeTableId);
    const r = await cli('failover', '--az', 'us-east-1a', '--target', a!.natId, '--reason', 'x', '--direct');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^nat-failover: refused \(--target\): nat-\w+ is in us-east-1a, the AZ being moved away from$/);
    expect(await tagsOf(ec2, a!.routeTableId)).toEqual(before);
  });

  it('without --direct a change goes to the deployed manual function (here: absent, so a clear error)', async () => {
    const r = await cli('failover', '--az', 'us-east-1a', '--reason', 'x', '--stage', 'dev');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^nat-failover: failed \(--function-name\): nat-failover-dev-manual does not exist in this region, so nothing was sent\. Is the stack deployed for --stage dev here\?/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('CLI usage errors (no AWS needed)', () => {
  it.each([
    [[], 'refused (command): missing command; see nat-failover --help'],
    [['reboot'], 'refused (command): unknown command "reboot"'],
    [['status', '--az', 'us-east-1a'], 'refused (--az): does not apply to status'],
    [['failover', '--az', 'us-east-1a'], 'refused (--reason): is required'],
    [['failover', '--az', 'us-east-1a', '--reason', 'x', '--expires', 'someday'], 'refused (--expires): expected an ISO 8601 time'],
    [['restore', '--az', 'us-east-1a', '--force'], 'refused (--reason): is required with --force'],
    [['status', '--bogus'], 'refused (--bogus): unknown option'],
    [['failover', '--az'], 'refused (--az): needs a value'],
  ])('%j exits 2 with one line in the one style', async (argv, message) => {
    const c = io();
    const code = await main(argv, c.io, {});
    expect(code).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain(`nat-failover: ${message}`);
    expect(c.out).toEqual([]);
  });
});

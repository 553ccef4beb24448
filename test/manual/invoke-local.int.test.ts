/**
 * The operator's local path as typed: `serverless invoke local -f manual --data '{...}'` with
 * AWS_ENDPOINT_URL pointing at moto. invoke local sets IS_LOCAL, so the change runs reconcile in
 * the same process (the break-glass path) instead of invoking the deployed function.
 */
import { stageProject, type StagedProject } from '../stack/project';
import { describeWithMoto, useMoto } from '../integration/moto';
import { natTargetOf, newEc2, routesOf, seedVpc, tagsOf } from '../integration/seed';

/** invoke local prints the handler's result as JSON after any log lines. */
function resultOf(stdout: string): any {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start >= 0 ? start + 1 : stdout.indexOf('{')));
}

describeWithMoto('serverless invoke local -f manual against moto', () => {
  let project: StagedProject;
  useMoto();
  beforeAll(async () => {
    project = stageProject('manual');
  });
  afterAll(async () => {
    project?.remove();
  });

  const invoke = (data: unknown) => {
    const r = project.serverless(['invoke', 'local', '-f', 'manual', '--data', JSON.stringify(data)], { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toStrictEqual({ status: 0, stderr: '' });
    return resultOf(r.stdout);
  };

  it('refuses a bad request with a structured error and changes nothing, then fails an AZ over', async () => {
    // Prepare
    const ec2 = newEc2();
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    const before = { routes: await routesOf(ec2, a!.routeTableId), tags: await tagsOf(ec2, a!.routeTableId) };

    // Act + Assess: no reason
    const bad = invoke({ action: 'failover', az: 'us-east-1a' });
    expect(bad).toStrictEqual({ ok: false, action: 'failover', error: { code: 'invalid-request', field: 'reason', message: 'reason: is required' } });
    expect({ routes: await routesOf(ec2, a!.routeTableId), tags: await tagsOf(ec2, a!.routeTableId) }).toEqual(before);

    // Act + Assess: a real failover through reconcile
    const res = invoke({ action: 'failover', az: 'us-east-1a', reason: 'CHG-1 maintenance', by: 'ops' });
    expect(res).toMatchObject({ ok: true, action: 'failover', via: 'in-process', tables: [a!.routeTableId] });
    const moved = natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0');
    expect([b!.natId, c!.natId]).toContain(moved);
    expect(await tagsOf(ec2, a!.routeTableId)).toMatchObject({ 'nat-failover:state': 'pinned', 'nat-failover:pin': 'away-from=us-east-1a by=ops' });
    expect(natTargetOf(await routesOf(ec2, vpc.unmanagedRouteTableId), '0.0.0.0/0')).toBe(a!.natId);

    // status reads it back
    const status = invoke({ action: 'status' });
    expect(status.tables.find((t: any) => t.routeTableId === a!.routeTableId)).toMatchObject({ state: 'pinned', currentTarget: moved });
  }, 300_000);
});

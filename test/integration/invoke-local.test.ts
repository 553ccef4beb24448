/**
 * docs/emulators.md's local run, as a user types it: `serverless invoke local -f reconcile -p
 * events/schedule.json` with AWS_ENDPOINT_URL pointing at moto. Bundled by esbuild, run by osls.
 */
import { DeleteNatGatewayCommand } from '@aws-sdk/client-ec2';
import { stageProject } from '../stack/project';
import { describeWithMoto, useMoto } from './moto';
import { natTargetOf, newEc2, routesOf, seedVpc, tagsOf } from './seed';

describeWithMoto('serverless invoke local against moto', () => {
  useMoto();

  it('fails a deleted gateway\'s table over through the packaged handler', async () => {
    // Prepare
    const ec2 = newEc2();
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const project = stageProject('invoke');

    // Act
    let r;
    try {
      r = project.serverless(['invoke', 'local', '-f', 'reconcile', '-p', 'events/schedule.json'], { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' });
    } finally {
      project.remove();
    }

    // Assess
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toStrictEqual({ status: 0, stderr: '' });
    expect(r.stdout).toContain(`"routeTableId": "${a!.routeTableId}"`);
    expect(r.stdout).toContain('"status": "applied"');
    const aRoutes = await routesOf(ec2, a!.routeTableId);
    expect(natTargetOf(aRoutes, '0.0.0.0/0')).toBe(b!.natId);
    expect(natTargetOf(aRoutes, '64:ff9b::/96')).toBe(b!.natId);
    expect((await tagsOf(ec2, a!.routeTableId))['nat-failover:state']).toBe('failed-over');
    expect(natTargetOf(await routesOf(ec2, c!.routeTableId), '0.0.0.0/0')).toBe(c!.natId);
    expect(natTargetOf(await routesOf(ec2, vpc.unmanagedRouteTableId), '0.0.0.0/0')).toBe(a!.natId);
  }, 180_000);
});

describe('serverless invoke local with a bad variable', () => {
  // Before: the handler threw at load, osls printed the error three times, and esbuild's
  // incremental service kept node alive: the command never returned (killed here at 90 s).
  it.each([
    ['reconcile', 'DRY_RUN', 'maybe', 'expected true or false, got "maybe"'],
    ['reconcile', 'RESTORE_HOLD_DOWN_SECONDS', '-5', 'expected a whole number, got "-5"'],
    ['manual', 'ALARMS', 'sometimes', 'expected managed or off, got "sometimes"'],
  ])('%s, %s=%s: exits 1 with one line naming the variable', (fn, name, value, says) => {
    const project = stageProject('bad-config');
    let r;
    try {
      r = project.serverless(['invoke', 'local', '-f', fn, '-e', `${name}=${value}`], process.env, 90_000);
    } finally {
      project.remove();
    }
    expect({ signal: r.signal, status: r.status }).toStrictEqual({ signal: null, status: 1 });
    expect(r.stdout.trim()).toBe('');
    expect(r.stderr.trim().split('\n')).toStrictEqual([`nat-failover configuration error: ${name}: ${says} (fix the function's environment / serverless.yml params)`]);
  }, 120_000);
});

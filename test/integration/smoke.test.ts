import { DeleteNatGatewayCommand, DescribeNatGatewaysCommand } from '@aws-sdk/client-ec2';
import { describeWithMoto, useMoto } from './moto';
import { natTargetOf, newEc2, routesOf, seedVpc } from './seed';

describeWithMoto('moto harness', () => {
  useMoto();

  it('seeds a 3-AZ VPC and a deleted NAT fails its AZ over through the handler', async () => {
    const ec2 = newEc2();
    const vpc = await seedVpc(ec2);
    const [a, b] = vpc.azs;
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    jest.resetModules();
    process.env.POWERTOOLS_DEV = 'true';
    const { handler } = await import('../../handlers/reconcile');
    const schedule = (await import('../../events/schedule.json')).default;
    await handler(schedule, { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' } as never);
    const routes = await routesOf(ec2, a!.routeTableId);
    expect(natTargetOf(routes, '0.0.0.0/0')).toBe(b!.natId);
    expect(natTargetOf(routes, '64:ff9b::/96')).toBe(b!.natId);
    expect(natTargetOf(await routesOf(ec2, vpc.unmanagedRouteTableId), '0.0.0.0/0')).toBe(a!.natId);
  });

  it('reads each gateway\'s Elastic IP from DescribeNatGateways and never fails over outside EGRESS_ALLOW_LIST', async () => {
    // Prepare: the allow-list holds a's and c's EIPs, not b's (which AZ order alone would choose).
    const ec2 = newEc2();
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    const described = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [a!.natId, b!.natId, c!.natId] }));
    const eip = (id: string) => described.NatGateways!.find((n) => n.NatGatewayId === id)!.NatGatewayAddresses![0]!.PublicIp!;
    expect(eip(b!.natId)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    jest.resetModules();
    process.env.POWERTOOLS_DEV = 'true';
    process.env.EGRESS_ALLOW_LIST = `${eip(a!.natId)}/32,${eip(c!.natId)}/32`;
    let summary: { changes: readonly { routeTableId: string; reasons: readonly string[] }[] };
    try {
      // Act
      const { handler } = await import('../../handlers/reconcile');
      const schedule = (await import('../../events/schedule.json')).default;
      summary = await handler(schedule, { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' } as never);
    } finally {
      delete process.env.EGRESS_ALLOW_LIST;
    }

    // Assess
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).toBe(c!.natId);
    // moto publishes no NAT gateway metrics: the capacity read (through the real GetMetricData)
    // finds none, so headroom is unknown, and the reason says so rather than guess.
    const change = summary.changes.find((x) => x.routeTableId === a!.routeTableId)!;
    expect(change.reasons.join('; ')).toContain(`target ${c!.natId} in ${c!.az}: healthy, same VPC and connectivity, least loaded; headroom unknown: connections unknown (1 IP)`);
  });
});

import { DeleteNatGatewayCommand } from '@aws-sdk/client-ec2';
import { describeWithMoto, type Moto, startMoto } from './moto';
import { natTargetOf, newEc2, routesOf, seedVpc } from './seed';

describeWithMoto('moto harness', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

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
});

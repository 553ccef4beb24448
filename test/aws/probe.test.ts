/** The probe's SDK calls, exactly: read-only describes of its placement, one asynchronous Invoke. */
import { DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsProbeCloud } from '../../src/aws/probe';
import { PROBE_EVENT_DETAIL_TYPE, PROBE_EVENT_SOURCE, type ProbeVerdictEvent } from '../../src/core/probe';
import { CloudApiError, TransientError } from '../../src/errors';
import { sdkError } from './fakes';

const ec2 = mockClient(EC2Client);
const lambda = mockClient(LambdaClient);
const cloud = new AwsProbeCloud(new EC2Client({ region: 'us-east-1' }), new LambdaClient({ region: 'us-east-1' }));
beforeEach(() => {
  ec2.reset();
  lambda.reset();
});

const SUBNET = 'subnet-0a1b2c3d';

describe('AwsProbeCloud.placement', () => {
  it("reads the subnet, its own table's default route and that gateway's AZ", async () => {
    ec2
      .on(DescribeSubnetsCommand, { SubnetIds: [SUBNET] })
      .resolves({ Subnets: [{ SubnetId: SUBNET, VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1a' }] })
      .on(DescribeSubnetsCommand, { SubnetIds: ['subnet-public-a'] })
      .resolves({ Subnets: [{ SubnetId: 'subnet-public-a', VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1a' }] })
      .on(DescribeRouteTablesCommand)
      .resolves({
        RouteTables: [
          {
            RouteTableId: 'rtb-probe-a',
            Tags: [{ Key: 'Name', Value: 'probe-a' }],
            Routes: [
              { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' },
              { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-1' },
              { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-a' },
            ],
          },
        ],
      })
      .on(DescribeNatGatewaysCommand)
      .resolves({ NatGateways: [{ NatGatewayId: 'nat-a', SubnetId: 'subnet-public-a' }] });

    await expect(cloud.placement(SUBNET)).resolves.toStrictEqual({
      subnetId: SUBNET,
      vpcId: 'vpc-1',
      availabilityZone: 'eu-west-1a',
      routeTableId: 'rtb-probe-a',
      natGatewayId: 'nat-a',
      natGatewayAz: 'eu-west-1a',
      routeTableTagKeys: ['Name'],
      usesMainTable: false,
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeRouteTablesCommand, { Filters: [{ Name: 'association.subnet-id', Values: [SUBNET] }] });
    expect(ec2).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, { NatGatewayIds: ['nat-a'] });
    // Reads only: nothing but describes was sent.
    expect(ec2.calls().map((c) => c.args[0].constructor.name).every((n) => n.startsWith('Describe'))).toBe(true);
  });

  it('falls back to the main table when the subnet has none of its own, and says so', async () => {
    ec2
      .on(DescribeSubnetsCommand)
      .resolves({ Subnets: [{ SubnetId: SUBNET, VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1a' }] })
      .on(DescribeRouteTablesCommand, { Filters: [{ Name: 'association.subnet-id', Values: [SUBNET] }] })
      .resolves({ RouteTables: [] })
      .on(DescribeRouteTablesCommand, { Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }, { Name: 'association.main', Values: ['true'] }] })
      .resolves({ RouteTables: [{ RouteTableId: 'rtb-main', Routes: [] }] });
    await expect(cloud.placement(SUBNET)).resolves.toMatchObject({ routeTableId: 'rtb-main', usesMainTable: true, routeTableTagKeys: [] });
    expect(ec2).not.toHaveReceivedCommand(DescribeNatGatewaysCommand);
  });

  it('fails with a domain error when the subnet cannot be read', async () => {
    ec2.on(DescribeSubnetsCommand).rejects(sdkError('InvalidSubnetID.NotFound', 400));
    await expect(cloud.placement(SUBNET)).rejects.toBeInstanceOf(CloudApiError);
    ec2.reset();
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    await expect(cloud.placement(SUBNET)).rejects.toThrow(/no VPC or AZ for subnet-0a1b2c3d/);
  });
});

describe('AwsProbeCloud.notifyReconcile', () => {
  const event: ProbeVerdictEvent = {
    source: PROBE_EVENT_SOURCE,
    'detail-type': PROBE_EVENT_DETAIL_TYPE,
    time: '2026-11-29T12:00:00.000Z',
    detail: { version: 1, vpcId: 'vpc-1', availabilityZone: 'eu-west-1a', subnetId: SUBNET, verdict: 'failed', roundsRun: 2, roundsFailed: 2, at: '2026-11-29T12:00:00.000Z', results: [] },
  };

  it('invokes reconcile asynchronously (InvocationType Event) with the verdict event as JSON', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    await cloud.notifyReconcile('nat-failover-prod-reconcile', event);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect({ ...input, Payload: undefined }).toStrictEqual({ FunctionName: 'nat-failover-prod-reconcile', InvocationType: 'Event', Payload: undefined });
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))).toStrictEqual(event);
  });

  it('reports a non-202 answer and a throttle as errors', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(cloud.notifyReconcile('f', event)).rejects.toThrow(/answered 200 to an asynchronous invoke/);
    lambda.reset();
    lambda.on(InvokeCommand).rejects(sdkError('ServiceException', 500));
    await expect(cloud.notifyReconcile('f', event)).rejects.toBeInstanceOf(TransientError);
  });
});

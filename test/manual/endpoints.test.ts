import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { EndpointsAdapter } from '../../src/aws/endpoints';
import { auditEndpoints } from '../../src/manual/endpoints';
import { Retrier } from '../../src/retry';
import type { TableView } from '../../src/core/types';

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());
const clock = { now: () => new Date(0), sleep: async () => undefined };

describe('EndpointsAdapter', () => {
  it('reads gateway endpoints in one call filtered by VPC and endpoint type', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        { VpcEndpointId: 'vpce-1', VpcId: 'vpc-11111111', ServiceName: 'com.amazonaws.us-east-1.s3', State: 'Available', RouteTableIds: ['rtb-2', 'rtb-1'] },
        { VpcEndpointId: 'vpce-2', VpcId: 'vpc-11111111', ServiceName: 'com.amazonaws.us-east-1.dynamodb', State: 'Available' },
      ],
    });
    const out = await new EndpointsAdapter(new EC2Client({}), new Retrier(clock)).gatewayEndpoints(['vpc-11111111', 'vpc-22222222', 'vpc-11111111']);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0]!.args[0].input).toStrictEqual({
      Filters: [
        { Name: 'vpc-endpoint-type', Values: ['Gateway'] },
        { Name: 'vpc-id', Values: ['vpc-11111111', 'vpc-22222222'] },
      ],
      MaxResults: 1000,
      NextToken: undefined,
    });
    expect(out).toEqual([
      { id: 'vpce-1', vpcId: 'vpc-11111111', service: 's3', state: 'Available', routeTableIds: ['rtb-1', 'rtb-2'] },
      { id: 'vpce-2', vpcId: 'vpc-11111111', service: 'dynamodb', state: 'Available', routeTableIds: [] },
    ]);
  });

  it('retries a throttled read and reports a denied one as a domain error', async () => {
    const throttle = Object.assign(new Error('slow down'), { name: 'RequestLimitExceeded' });
    ec2.on(DescribeVpcEndpointsCommand).rejectsOnce(throttle).resolves({ VpcEndpoints: [] });
    await expect(new EndpointsAdapter(new EC2Client({}), new Retrier(clock)).gatewayEndpoints(['vpc-11111111'])).resolves.toEqual([]);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)).toHaveLength(2);
    ec2.reset();
    ec2.on(DescribeVpcEndpointsCommand).rejects(Object.assign(new Error('no'), { name: 'UnauthorizedOperation' }));
    await expect(new EndpointsAdapter(new EC2Client({}), new Retrier(clock)).gatewayEndpoints(['vpc-11111111'])).rejects.toThrow(
      'DescribeVpcEndpoints failed: UnauthorizedOperation: no',
    );
  });
});

describe('auditEndpoints', () => {
  const view = (id: string, vpcId = 'vpc-1', mode: TableView['mode'] = 'home'): TableView => ({
    routeTableId: id, vpcId, homeAz: 'us-east-1a', homeNat: 'nat-1', currentTarget: 'nat-1', desiredTarget: 'nat-1', mode, since: undefined, reason: undefined,
  });
  const ep = (service: string, routeTableIds: string[], state = 'available', vpcId = 'vpc-1') => ({ id: `vpce-${service}`, vpcId, service, state, routeTableIds });

  it('flags each managed table by the services it lacks, ignoring dead endpoints, other VPCs and skipped tables', () => {
    const audit = auditEndpoints(
      [view('rtb-1'), view('rtb-2'), view('rtb-3', 'vpc-2'), view('rtb-4', 'vpc-1', 'unmanaged')],
      [ep('s3', ['rtb-1', 'rtb-2', 'rtb-3']), ep('dynamodb', ['rtb-1'], 'Deleted'), ep('dynamodb', ['rtb-2']), ep('s3', ['rtb-3'], 'available', 'vpc-9')],
    );
    expect(audit).toEqual([
      { routeTableId: 'rtb-1', vpcId: 'vpc-1', present: ['s3'], missing: ['dynamodb'] },
      { routeTableId: 'rtb-2', vpcId: 'vpc-1', present: ['s3', 'dynamodb'], missing: [] },
      { routeTableId: 'rtb-3', vpcId: 'vpc-2', present: [], missing: ['s3', 'dynamodb'] },
    ]);
  });
});

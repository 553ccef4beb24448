import { DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, EC2Client, type RouteTable } from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ProbeVerdictEvent } from '../core/probe';
import { CloudApiError } from '../errors';
import type { ProbeCloud, ProbePlacement } from '../probe/ports';
import { clientConfig } from './clientConfig';
import { call } from './errors';

/**
 * The probe's SDK calls, all of them: read-only describes of its own subnet, route table and NAT
 * gateway, and the asynchronous invoke of reconcile. Short request timeouts: a probe whose home NAT
 * is broken reaches these endpoints through that NAT too, and must not spend its invocation waiting.
 */
export const PROBE_REQUEST_TIMEOUT_MS = 5_000;

const unexpected = (op: string, why: string): CloudApiError => new CloudApiError(op, 'UnexpectedResponse', why);

export function defaultRouteNat(table: RouteTable | undefined): string | undefined {
  return table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.NatGatewayId !== undefined)?.NatGatewayId;
}

export class AwsProbeCloud implements ProbeCloud {
  constructor(
    private readonly ec2: EC2Client,
    private readonly lambda: LambdaClient,
  ) {}

  static fromEnvironment(): AwsProbeCloud {
    return new AwsProbeCloud(new EC2Client(clientConfig(PROBE_REQUEST_TIMEOUT_MS)), new LambdaClient(clientConfig(PROBE_REQUEST_TIMEOUT_MS)));
  }

  async placement(subnetId: string): Promise<ProbePlacement> {
    const subnets = await call('DescribeSubnets', () => this.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })));
    const subnet = subnets.Subnets?.[0];
    if (!subnet?.VpcId || !subnet.AvailabilityZone) throw unexpected('DescribeSubnets', `no VPC or AZ for ${subnetId}`);
    const vpcId = subnet.VpcId;
    const own = await call('DescribeRouteTables', () =>
      this.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] })),
    );
    let table = own.RouteTables?.[0];
    const usesMainTable = table === undefined;
    if (usesMainTable) {
      const main = await call('DescribeRouteTables', () =>
        this.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] })),
      );
      table = main.RouteTables?.[0];
    }
    const natGatewayId = defaultRouteNat(table);
    const natGatewayAz = natGatewayId === undefined ? undefined : await this.natAz(natGatewayId);
    return {
      subnetId,
      vpcId,
      availabilityZone: subnet.AvailabilityZone,
      ...(table?.RouteTableId !== undefined ? { routeTableId: table.RouteTableId } : {}),
      ...(natGatewayId !== undefined ? { natGatewayId } : {}),
      ...(natGatewayAz !== undefined ? { natGatewayAz } : {}),
      routeTableTagKeys: (table?.Tags ?? []).flatMap((t) => (t.Key !== undefined ? [t.Key] : [])),
      usesMainTable,
    };
  }

  /** A zonal gateway's AZ is its subnet's; a regional one has none. */
  private async natAz(natGatewayId: string): Promise<string | undefined> {
    const res = await call('DescribeNatGateways', () => this.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natGatewayId] })));
    const subnetId = res.NatGateways?.[0]?.SubnetId;
    if (subnetId === undefined) return undefined;
    const subnets = await call('DescribeSubnets', () => this.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })));
    return subnets.Subnets?.[0]?.AvailabilityZone;
  }

  /**
   * InvocationType Event: Lambda queues the event and answers 202 at once; reconcile's own async
   * settings (maximum event age, one retry, the lost-events destination) then apply (Lambda API
   * reference, Invoke; Lambda guide, "Invoking a Lambda function asynchronously").
   */
  async notifyReconcile(functionName: string, event: ProbeVerdictEvent): Promise<void> {
    const res = await call('Invoke', () =>
      this.lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) })),
    );
    if (res.StatusCode !== 202) throw unexpected('Invoke', `${functionName} answered ${String(res.StatusCode)} to an asynchronous invoke (expected 202)`);
  }
}

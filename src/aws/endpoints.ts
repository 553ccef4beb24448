import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { GatewayEndpoint, GatewayEndpointReader } from '../manual/ports';
import { serviceShortName } from '../manual/endpoints';
import type { Retrier } from '../retry';
import { filterChunks } from './ec2';
import { call } from './errors';
import { clientConfig } from './clientConfig';

/** Gateway endpoints of the managed VPCs: one filtered DescribeVpcEndpoints call per 199 VPCs. */
export class EndpointsAdapter implements GatewayEndpointReader {
  constructor(
    private readonly client: EC2Client,
    private readonly retry: Retrier,
  ) {}

  static fromEnvironment(retry: Retrier): EndpointsAdapter {
    return new EndpointsAdapter(new EC2Client(clientConfig()), retry);
  }

  async gatewayEndpoints(vpcIds: readonly string[]): Promise<GatewayEndpoint[]> {
    const out: GatewayEndpoint[] = [];
    // The endpoint-type filter's value counts towards EC2's 200 values per request: 199 VPCs each.
    for (const filters of filterChunks([{ Name: 'vpc-endpoint-type', Values: ['Gateway'] }], 'vpc-id', vpcIds)) {
      let token: string | undefined;
      do {
        const page = await this.retry.run('DescribeVpcEndpoints', () =>
          call('DescribeVpcEndpoints', () =>
            this.client.send(
              new DescribeVpcEndpointsCommand({
                Filters: filters,
                MaxResults: 1000,
                NextToken: token,
              }),
            ),
          ),
        );
        for (const e of page.VpcEndpoints ?? []) {
          if (!e.VpcEndpointId || !e.VpcId || !e.ServiceName) continue;
          out.push({
            id: e.VpcEndpointId,
            vpcId: e.VpcId,
            service: serviceShortName(e.ServiceName),
            state: e.State ?? 'unknown',
            routeTableIds: [...(e.RouteTableIds ?? [])].sort(),
          });
        }
        token = page.NextToken;
      } while (token);
    }
    return out;
  }
}

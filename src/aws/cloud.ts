import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { Clock } from '../clock';
import type { CloudPort, KnownGateways, ProbeZone, Scope, TableSlice } from '../reconcile/ports';
import { Retrier, type RetryOptions } from '../retry';
import type { Inventory, MetricWindow, ProbeRound, Route } from '../core/types';
import { CloudWatchAdapter } from './cloudwatch';
import { Ec2Adapter } from './ec2';
import { clientConfig } from './clientConfig';
import { SubnetAzCache } from './subnetCache';

/**
 * The controller's view of AWS. Region, endpoint and credentials come from the standard SDK
 * chain (AWS_REGION, AWS_ENDPOINT_URL, profiles), so the same code runs on AWS or an emulator.
 */
export class AwsCloud implements CloudPort {
  readonly ec2: Ec2Adapter;
  readonly cloudwatch: CloudWatchAdapter;

  constructor(
    readonly retry: Retrier,
    clients: { ec2: EC2Client; cloudwatch: CloudWatchClient },
    subnets: SubnetAzCache = new SubnetAzCache(),
  ) {
    this.ec2 = new Ec2Adapter(clients.ec2, retry, subnets);
    this.cloudwatch = new CloudWatchAdapter(clients.cloudwatch, retry);
  }

  /** SDK retries are off: the Retrier owns backoff so it is the same on AWS and in the simulator. */
  static fromEnvironment(clock: Clock, retry: RetryOptions = {}): AwsCloud {
    return new AwsCloud(
      new Retrier(clock, undefined, undefined, retry),
      { ec2: new EC2Client(clientConfig()), cloudwatch: new CloudWatchClient(clientConfig()) },
      new SubnetAzCache(() => clock.now().getTime()),
    );
  }

  readInventory(scope: Scope, slice?: TableSlice, known?: KnownGateways): Promise<Inventory> {
    return this.ec2.readInventory(scope, slice, known);
  }
  readMetrics(natGatewayIds: readonly string[], start: Date, end: Date): Promise<MetricWindow> {
    return this.cloudwatch.readMetrics(natGatewayIds, start, end);
  }
  readProbeMetrics(zones: readonly ProbeZone[], start: Date, end: Date): Promise<ReadonlyMap<string, readonly ProbeRound[]>> {
    return this.cloudwatch.readProbeMetrics(zones, start, end);
  }
  readRoutes(routeTableIds: readonly string[]): Promise<ReadonlyMap<string, readonly Route[]>> {
    return this.ec2.readRoutes(routeTableIds);
  }
  replaceRoute(routeTableId: string, destination: string, natGatewayId: string): Promise<void> {
    return this.ec2.replaceRoute(routeTableId, destination, natGatewayId);
  }
  createTags(routeTableIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    return this.ec2.createTags(routeTableIds, tags);
  }
  deleteTags(routeTableIds: readonly string[], keys: readonly string[]): Promise<void> {
    return this.ec2.deleteTags(routeTableIds, keys);
  }
}

/**
 * Cross-check of the steady-state call count against the real AWS adapter (src/aws/): the same
 * controller code, wired as in production (AwsCloud + managed CloudWatch alarms), answered by
 * aws-sdk-client-mock stubs that serve the simulator's world. This harness, like test/aws/, imports
 * SDK classes only to stub them; shipped code imports the SDK only in src/aws/.
 */
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandInput, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  type DescribeNatGatewaysCommandInput,
  DescribeRouteTablesCommand,
  type DescribeRouteTablesCommandInput,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandInput,
  EC2Client,
  type Filter,
  type RouteTable as SdkRouteTable,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAlarms } from '../src/aws/alarms';
import { AwsCloud } from '../src/aws/cloud';
import { reconcile } from '../src/reconcile/controller';
import { Retrier } from '../src/retry';
import { silentRecorder } from '../src/reconcile/ports';
import { PushedSignals } from '../src/events/signals';
import { VirtualClock } from '../src/sim/clock';
import type { SimTable } from '../src/sim/world';
import type { Bench } from './harness';

/** EC2 semantics the stubs follow: pages only when MaxResults is sent, capped per API. */
function page<T>(items: readonly T[], input: { MaxResults?: number; NextToken?: string }, cap: number): { items: T[]; NextToken?: string } {
  if (input.MaxResults === undefined && input.NextToken === undefined) return { items: [...items] };
  const size = Math.min(input.MaxResults ?? cap, cap);
  const from = input.NextToken ? Number(input.NextToken) : 0;
  const next = from + size < items.length ? String(from + size) : undefined;
  return { items: items.slice(from, from + size), ...(next ? { NextToken: next } : {}) };
}

const values = (filters: readonly Filter[] | undefined, name: string): string[] | undefined => filters?.find((f) => f.Name === name)?.Values;

function toSdkTable(t: SimTable): SdkRouteTable {
  return {
    RouteTableId: t.id,
    VpcId: t.vpcId,
    Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })),
    Associations: t.subnetIds.map((SubnetId) => ({ SubnetId, RouteTableId: t.id })),
    Routes: t.routes.map((r) => ({
      ...(r.destination.startsWith('pl-') ? { DestinationPrefixListId: r.destination } : r.destination.includes(':') ? { DestinationIpv6CidrBlock: r.destination } : { DestinationCidrBlock: r.destination }),
      ...(r.target.kind === 'nat' ? { NatGatewayId: r.target.id } : { GatewayId: r.target.id }),
      State: 'active',
    })),
  };
}

export interface SdkCheck {
  readonly tables: number;
  /** SDK `send` calls seen by the stubs, per command. */
  readonly sdkCalls: number;
  readonly byCommand: Record<string, number>;
  /** The adapter's own count (Retrier) for the same run: must equal sdkCalls. */
  readonly retrierCalls: number;
  readonly actions: number;
  /**
   * The container's first run, before it: its subnet cache is empty (every subnet read) and the
   * table count unknown (route tables paged). The figures above are the next minute's run.
   */
  readonly cold: { readonly sdkCalls: number; readonly byCommand: Record<string, number> };
}

export async function sdkSteadyState(b: Bench): Promise<SdkCheck> {
  const world = b.sim.world;
  const ec2 = mockClient(EC2Client);
  const cw = mockClient(CloudWatchClient);
  try {
    ec2.on(DescribeRouteTablesCommand).callsFake((input: DescribeRouteTablesCommandInput) => {
      const tag = input.Filters?.find((f) => f.Name?.startsWith('tag:'));
      const vpcs = values(input.Filters, 'vpc-id');
      const ids = values(input.Filters, 'route-table-id');
      const match = world.tables.filter(
        (t) => (!tag || tag.Values?.includes(t.tags[tag.Name!.slice(4)] ?? '\u0000')) && (!vpcs || vpcs.includes(t.vpcId)) && (!ids || ids.includes(t.id)),
      );
      const p = page(match.map(toSdkTable), input, 100);
      return { RouteTables: p.items, NextToken: p.NextToken };
    });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: world.zones.map((z) => ({ ZoneName: z.name, ZoneId: z.id, State: z.state, ZoneType: 'availability-zone' })),
    });
    ec2.on(DescribeSubnetsCommand).callsFake((input: DescribeSubnetsCommandInput) => {
      const vpcs = values(input.Filters, 'vpc-id');
      const p = page(world.subnets.filter((s) => !vpcs || vpcs.includes(s.vpcId)).map((s) => ({ SubnetId: s.id, VpcId: s.vpcId, AvailabilityZone: s.az })), input, 1000);
      return { Subnets: p.items, NextToken: p.NextToken };
    });
    ec2.on(DescribeNatGatewaysCommand).callsFake((input: DescribeNatGatewaysCommandInput) => {
      const vpcs = values(input.Filter, 'vpc-id');
      const nats = world.nats
        .filter((n) => !vpcs || vpcs.includes(n.vpcId))
        .map((n) => ({ NatGatewayId: n.id, VpcId: n.vpcId, SubnetId: n.subnetId, State: n.state, ConnectivityType: n.connectivityType, AvailabilityMode: n.availabilityMode }));
      const p = page(nats, input, 1000);
      return { NatGateways: p.items, NextToken: p.NextToken };
    });
    const alarms = [...b.alarms.alarms.values()];
    cw.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => {
      const all = alarms
        .filter((a) => a.name.startsWith(input.AlarmNamePrefix ?? ''))
        .map((a) => ({ AlarmName: a.name, AlarmDescription: a.description, StateValue: a.state, StateUpdatedTimestamp: a.stateSince }));
      const p = page(all, { MaxResults: input.MaxRecords, NextToken: input.NextToken }, 100);
      return { MetricAlarms: p.items, NextToken: p.NextToken };
    });
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    const clock = new VirtualClock(b.sim.clock.now());
    const retry = new Retrier(clock);
    const region = 'us-east-1';
    const cloud = new AwsCloud(retry, { ec2: new EC2Client({ region, maxAttempts: 1 }), cloudwatch: new CloudWatchClient({ region, maxAttempts: 1 }) });
    const store = new CloudWatchAlarms(new CloudWatchClient({ region, maxAttempts: 1 }), retry);
    const signals = new PushedSignals({ cloud, alarms: store, recorder: silentRecorder }, b.config);
    const byCommand = (): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const c of [...ec2.calls(), ...cw.calls()]) {
        const name = (c.args[0] as object).constructor.name.replace(/Command$/, '');
        out[name] = (out[name] ?? 0) + 1;
      }
      return out;
    };
    // A container's first run, then its next minute: the steady state of a warm container.
    await reconcile({ cloud, clock, recorder: silentRecorder, signals }, b.config, { trigger: 'schedule' });
    const cold = { sdkCalls: ec2.calls().length + cw.calls().length, byCommand: byCommand() };
    ec2.resetHistory();
    cw.resetHistory();
    retry.reset();
    clock.advanceTo(clock.nowMs() + 60_000);
    const report = await reconcile({ cloud, clock, recorder: silentRecorder, signals }, b.config, { trigger: 'schedule' });
    return {
      tables: report.observation.inventory.routeTables.length,
      sdkCalls: ec2.calls().length + cw.calls().length,
      byCommand: byCommand(),
      retrierCalls: retry.stats.calls,
      actions: report.plan.actions.length,
      cold,
    };
  } finally {
    ec2.restore();
    cw.restore();
  }
}

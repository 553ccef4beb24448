import { CloudWatchClient, GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAdapter } from '../../src/aws/cloudwatch';
import { retrier } from './fakes';

const client = new CloudWatchClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const cw = mockClient(client);
afterEach(() => cw.reset());

const START = new Date('2026-11-23T11:53:00Z');
const END = new Date('2026-11-23T11:58:00Z');
const minute = (k: number) => new Date(START.getTime() + k * 60_000);

describe('CloudWatchAdapter.readMetrics', () => {
  it('asks for one-minute sums of the four rule metrics per gateway, with the window passed through', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    await new CloudWatchAdapter(client, retrier().retry).readMetrics(['nat-a'], START, END);

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const q = (id: string, MetricName: string) => ({
      Id: id,
      MetricStat: { Metric: { Namespace: 'AWS/NATGateway', MetricName, Dimensions: [{ Name: 'NatGatewayId', Value: 'nat-a' }] }, Period: 60, Stat: 'Sum' },
      ReturnData: true,
    });
    expect(calls[0]!.args[0].input).toStrictEqual({
      MetricDataQueries: [
        q('m0_0', 'PacketsDropCount'),
        q('m0_1', 'PacketsOutToDestination'),
        q('m0_2', 'ConnectionAttemptCount'),
        q('m0_3', 'ConnectionEstablishedCount'),
      ],
      StartTime: START,
      EndTime: END,
      ScanBy: 'TimestampAscending',
    });
  });

  it('batches 130 gateways x 4 metrics = 520 queries into 2 calls of 500 and 20', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const nats = Array.from({ length: 130 }, (_, i) => `nat-${i}`);

    await new CloudWatchAdapter(client, retrier().retry).readMetrics(nats, START, END);

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls.map((c) => c.args[0].input.MetricDataQueries!.length)).toStrictEqual([500, 20]);
    const ids = calls.flatMap((c) => c.args[0].input.MetricDataQueries!.map((m) => m.Id));
    expect(new Set(ids).size).toBe(520);
    const gateways = calls.flatMap((c) => c.args[0].input.MetricDataQueries!.map((m) => m.MetricStat!.Metric!.Dimensions![0]!.Value));
    expect(new Set(gateways)).toStrictEqual(new Set(nats));
    for (const c of calls) {
      expect(c.args[0].input.StartTime).toStrictEqual(START);
      expect(c.args[0].input.EndTime).toStrictEqual(END);
    }
  });

  it('follows NextToken and merges the pages per gateway and minute; missing minutes stay absent', async () => {
    // Page 1: drops for minutes 0 and 1; page 2: the rest of drops (minute 3) and traffic for 0..1.
    // Minute 2 has no data at all, minute 4 only for the other gateway.
    const page1: MetricDataResult[] = [
      { Id: 'm0_0', Timestamps: [minute(0), minute(1)], Values: [5, 7], StatusCode: 'PartialData' },
      { Id: 'm1_1', Timestamps: [minute(4)], Values: [900], StatusCode: 'Complete' },
    ];
    const page2: MetricDataResult[] = [
      { Id: 'm0_0', Timestamps: [minute(3)], Values: [9], StatusCode: 'Complete' },
      { Id: 'm0_1', Timestamps: [minute(0), minute(1)], Values: [1000, 2000], StatusCode: 'Complete' },
      // Outside [start, end): ignored rather than judged.
      { Id: 'm0_2', Timestamps: [minute(5)], Values: [1], StatusCode: 'Complete' },
    ];
    cw.on(GetMetricDataCommand).resolvesOnce({ MetricDataResults: page1, NextToken: 'p2' }).resolvesOnce({ MetricDataResults: page2 });

    const w = await new CloudWatchAdapter(client, retrier().retry).readMetrics(['nat-a', 'nat-b'], START, END);

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input.NextToken).toBeUndefined();
    expect(calls[1]!.args[0].input.NextToken).toBe('p2');
    expect(calls[1]!.args[0].input.MetricDataQueries).toStrictEqual(calls[0]!.args[0].input.MetricDataQueries);
    expect(w.start).toStrictEqual(START);
    expect(w.end).toStrictEqual(END);
    expect(w.byGateway.get('nat-a')).toStrictEqual([
      { start: minute(0), values: { PacketsDropCount: 5, PacketsOutToDestination: 1000 } },
      { start: minute(1), values: { PacketsDropCount: 7, PacketsOutToDestination: 2000 } },
      { start: minute(3), values: { PacketsDropCount: 9 } },
    ]);
    expect(w.byGateway.get('nat-b')).toStrictEqual([{ start: minute(4), values: { PacketsOutToDestination: 900 } }]);
  });

  it('returns no points for a gateway CloudWatch knows nothing about (unknown, not zero)', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm0_0', Timestamps: [], Values: [], StatusCode: 'Complete' }] });

    const w = await new CloudWatchAdapter(client, retrier().retry).readMetrics(['nat-quiet'], START, END);

    expect(w.byGateway.get('nat-quiet') ?? []).toStrictEqual([]);
  });
});

describe('CloudWatchAdapter.readMetrics with capacity', () => {
  it('adds ErrorPortAllocation (Sum) and ActiveConnectionCount (Maximum) per gateway to the same request', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    await new CloudWatchAdapter(client, retrier().retry).readMetrics(['nat-a'], START, END, { capacity: true });

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const q = (Id: string, MetricName: string, Stat = 'Sum') => ({
      Id,
      MetricStat: { Metric: { Namespace: 'AWS/NATGateway', MetricName, Dimensions: [{ Name: 'NatGatewayId', Value: 'nat-a' }] }, Period: 60, Stat },
      ReturnData: true,
    });
    expect(calls[0]!.args[0].input).toStrictEqual({
      MetricDataQueries: [
        q('m0_0', 'PacketsDropCount'),
        q('m0_1', 'PacketsOutToDestination'),
        q('m0_2', 'ConnectionAttemptCount'),
        q('m0_3', 'ConnectionEstablishedCount'),
        q('c0_0', 'ErrorPortAllocation'),
        q('c0_1', 'ActiveConnectionCount', 'Maximum'),
      ],
      StartTime: START,
      EndTime: END,
      ScanBy: 'TimestampAscending',
    });
  });

  it('keeps the call count flat: 83 gateways x 6 queries fit one call of 498; 84 take two', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const adapter = new CloudWatchAdapter(client, retrier().retry);

    await adapter.readMetrics(Array.from({ length: 83 }, (_, i) => `nat-${i}`), START, END, { capacity: true });
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length)).toStrictEqual([498]);
    cw.resetHistory();
    await adapter.readMetrics(Array.from({ length: 84 }, (_, i) => `nat-${i}`), START, END, { capacity: true });
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length)).toStrictEqual([500, 4]);
  });

  it('sums port errors and takes the highest minute of connections; no datapoint stays unknown', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'c0_0', Timestamps: [minute(0), minute(2)], Values: [3, 4] },
          { Id: 'c0_1', Timestamps: [minute(0), minute(1)], Values: [12_000, 30_500] },
        ],
        NextToken: 'n',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'c0_1', Timestamps: [minute(3), minute(5)], Values: [20_000, 99_999] }, // minute 5 is outside [start, end)
          { Id: 'c1_0', Timestamps: [], Values: [] },
          { Id: 'c1_1', Timestamps: [], Values: [] },
        ],
      });

    const w = await new CloudWatchAdapter(client, retrier().retry).readMetrics(['nat-a', 'nat-b'], START, END, { capacity: true });

    expect([...w.capacity!]).toStrictEqual([
      ['nat-a', { portAllocationErrors: 7, activeConnections: 30_500 }],
      ['nat-b', { portAllocationErrors: undefined, activeConnections: undefined }],
    ]);
  });

  it('without the option asks for the rule metrics only and returns no capacity', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const w = await new CloudWatchAdapter(client, retrier().retry).readMetrics(['nat-a'], START, END);
    expect(cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!.map((q) => q.Id)).toStrictEqual(['m0_0', 'm0_1', 'm0_2', 'm0_3']);
    expect(w.capacity).toBeUndefined();
  });
});

describe('CloudWatchAdapter.readPortAllocationErrors', () => {
  it('asks for one ErrorPortAllocation sum per gateway over the whole window, in one call', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    await new CloudWatchAdapter(client, retrier().retry).readPortAllocationErrors(['nat-a', 'nat-b'], START, END);

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const q = (Id: string, nat: string) => ({
      Id,
      MetricStat: { Metric: { Namespace: 'AWS/NATGateway', MetricName: 'ErrorPortAllocation', Dimensions: [{ Name: 'NatGatewayId', Value: nat }] }, Period: 300, Stat: 'Sum' },
      ReturnData: true,
    });
    expect(calls[0]!.args[0].input).toStrictEqual({ MetricDataQueries: [q('p0', 'nat-a'), q('p1', 'nat-b')], StartTime: START, EndTime: END });
  });

  it('sums what comes back per gateway, and leaves a gateway without data out (unknown, not zero)', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'p0', Timestamps: [START], Values: [7] }], NextToken: 't' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'p0', Timestamps: [minute(1)], Values: [5] }, { Id: 'p1', Timestamps: [], Values: [] }] });

    const got = await new CloudWatchAdapter(client, retrier().retry).readPortAllocationErrors(['nat-a', 'nat-b'], START, END);

    expect([...got]).toStrictEqual([['nat-a', 12]]);
    expect(cw.commandCalls(GetMetricDataCommand)[1]!.args[0].input.NextToken).toBe('t');
  });
});

describe('CloudWatchAdapter.readProbeMetrics (issue 13 probe contract)', () => {
  const zones = [
    { vpcId: 'vpc-11111111', az: 'us-east-1a' },
    { vpcId: 'vpc-11111111', az: 'us-east-1b' },
  ];

  it('asks for ProbeFailed per (VPC, AZ): Maximum over 60 s, the contract namespace and dimensions, the window passed through', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    await new CloudWatchAdapter(client, retrier().retry).readProbeMetrics(zones, START, END);

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const q = (id: string, az: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'NatFailover/Probe',
          MetricName: 'ProbeFailed',
          Dimensions: [
            { Name: 'VpcId', Value: 'vpc-11111111' },
            { Name: 'AvailabilityZone', Value: az },
          ],
        },
        Period: 60,
        Stat: 'Maximum',
      },
      ReturnData: true,
    });
    expect(calls[0]!.args[0].input).toStrictEqual({
      MetricDataQueries: [q('q0', 'us-east-1a'), q('q1', 'us-east-1b')],
      StartTime: START,
      EndTime: END,
      ScanBy: 'TimestampAscending',
    });
  });

  it('maps pages back to their AZ per minute: 1 is a failed minute, 0 an ok one, a missing minute stays absent', async () => {
    const page1: MetricDataResult[] = [{ Id: 'q0', Timestamps: [minute(0), minute(1)], Values: [0, 1] }];
    const page2: MetricDataResult[] = [
      { Id: 'q0', Timestamps: [minute(3)], Values: [0] },
      { Id: 'q1', Timestamps: [minute(0), minute(9)], Values: [0, 1] },
      { Id: 'zz', Timestamps: [minute(0)], Values: [1] },
    ];
    cw.on(GetMetricDataCommand).resolvesOnce({ MetricDataResults: page1, NextToken: 't1' }).resolvesOnce({ MetricDataResults: page2 });

    const out = await new CloudWatchAdapter(client, retrier().retry).readProbeMetrics(zones, START, END);

    expect(cw.commandCalls(GetMetricDataCommand)[1]!.args[0].input.NextToken).toBe('t1');
    const a = out.get('vpc-11111111 us-east-1a')!;
    expect(a.map((r) => [r.at.toISOString(), r.failed, r.source])).toStrictEqual([
      [minute(0).toISOString(), false, 'metric'],
      [minute(1).toISOString(), true, 'metric'],
      [minute(3).toISOString(), false, 'metric'],
    ]);
    // minute(9) is outside [START, END): dropped, not guessed.
    expect(out.get('vpc-11111111 us-east-1b')!.map((r) => r.at.toISOString())).toStrictEqual([minute(0).toISOString()]);
  });
});

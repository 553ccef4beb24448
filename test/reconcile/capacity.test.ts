/**
 * Capacity on demand: headroom informs target choice without adding a call to steady-state runs.
 */
import { DEFAULTS, type Config } from '../../src/config';
import { reconcile } from '../../src/reconcile/controller';
import { ThrottledError } from '../../src/errors';
import { managedTable, MemoryCloud, nat, threeAzRegion, ZONES } from './memoryCloud';

// 12:01:30: not a poll minute (721 % 3 = 1), so no plain metric read is due.
const clock = { now: () => new Date('2026-11-23T12:01:30Z'), sleep: async () => {} };
const config: Config = { ...DEFAULTS, alarms: 'off' };
const ipsOf = (id: string) => [`192.0.2.${'abc'.indexOf(id.slice(-1)) + 1}`];

function twoTablesInA() {
  const cloud = new MemoryCloud(ZONES, ['a', 'b', 'c'].map((l) => nat(`nat-${l}`, `us-east-1${l}`, 'available', ipsOf(`nat-${l}`))));
  cloud.addTable(managedTable('rtb-a1', 'us-east-1a', 'nat-a'));
  cloud.addTable(managedTable('rtb-a2', 'us-east-1a', 'nat-a'));
  cloud.addTable(managedTable('rtb-b', 'us-east-1b', 'nat-b'));
  cloud.addTable(managedTable('rtb-c', 'us-east-1c', 'nat-c'));
  const logs: string[] = [];
  const recorder = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(`WARN ${m}`), error: (m: string) => logs.push(`ERROR ${m}`), count() {} };
  return { cloud, recorder, logs };
}

describe('capacity on demand', () => {
  it('a steady-state run reads no metrics at all (no capacity read without a target to choose)', async () => {
    const { cloud, recorder } = threeAzRegion();
    await reconcile({ cloud, clock, recorder }, config);
    await reconcile({ cloud, clock, recorder }, config);
    expect(cloud.count('readMetrics')).toBe(0);
  });

  it('a run that must choose targets reads capacity once, in one request, and passes over the gateway with port errors', async () => {
    // Prepare: settled; nat-b reports port-allocation errors; then nat-a fails.
    const { cloud, recorder } = twoTablesInA();
    await reconcile({ cloud, clock, recorder }, config);
    cloud.capacity.set('nat-a', { portAllocationErrors: 0, activeConnections: 8_000 });
    cloud.capacity.set('nat-b', { portAllocationErrors: 25, activeConnections: 9_000 });
    cloud.capacity.set('nat-c', { portAllocationErrors: 0, activeConnections: 9_000 });
    cloud.nats = cloud.nats.map((n) => (n.id === 'nat-a' ? { ...n, state: 'failed' as const } : n));

    // Act
    const report = await reconcile({ cloud, clock, recorder }, config);

    // Assess: without capacity, rtb-a1 would go to nat-b (least loaded, AZ order).
    expect(cloud.target('rtb-a1', '0.0.0.0/0')).toBe('nat-c');
    expect(cloud.target('rtb-a2', '0.0.0.0/0')).toBe('nat-c');
    const reads = cloud.calls.filter((c) => c.op === 'readMetrics');
    // The on-demand read (every zonal gateway not deleted: the failed home's connections size its
    // tables), then the verify after writing, which reads as the run observed.
    expect(reads.map((c) => c.args[3])).toEqual([{ capacity: true }, { capacity: true }]);
    expect(reads[0]!.args[0]).toEqual(['nat-a', 'nat-b', 'nat-c']);
    expect(report.plan.actions.find((a) => a.routeTableId === 'rtb-a1')!.reasons.join('; ')).toContain('passed over nat-b in us-east-1b: 25 port-allocation errors');
  });

  it('a failed capacity read costs only the preference: the failover still happens, and says so', async () => {
    const { cloud, recorder, logs } = twoTablesInA();
    await reconcile({ cloud, clock, recorder }, config);
    cloud.failMetrics = () => new ThrottledError('GetMetricData');
    cloud.nats = cloud.nats.map((n) => (n.id === 'nat-a' ? { ...n, state: 'failed' as const } : n));

    const report = await reconcile({ cloud, clock, recorder }, config);

    expect([cloud.target('rtb-a1', '0.0.0.0/0'), cloud.target('rtb-a2', '0.0.0.0/0')]).toEqual(['nat-b', 'nat-c']);
    expect(logs).toContain('WARN capacity not read; failover targets chosen without headroom');
    // The capacity read is not a soft-signal read: restores are not held for it.
    expect(report.observation.unreadSignals).toEqual([]);
  });
});

/**
 * Observe when CloudWatch is unavailable: metrics only feed the soft rules, so a failed read must
 * leave hard-signal failovers working.
 */
import { DEFAULTS, type Config } from '../../src/config';
import { reconcile } from '../../src/controller';
import { ThrottledError } from '../../src/errors';
import type { Recorder } from '../../src/ports';
import { MemoryCloud, ZONES, managedTable, nat } from './memoryCloud';

const NOW = new Date('2026-11-23T12:00:30Z');
const clock = { now: () => NOW, sleep: async () => {} };
const config: Config = { ...DEFAULTS };

function region() {
  const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
  cloud.addTable(managedTable('rtb-a', 'us-east-1a', 'nat-a'));
  cloud.addTable(managedTable('rtb-b', 'us-east-1b', 'nat-b'));
  cloud.addTable(managedTable('rtb-c', 'us-east-1c', 'nat-c'));
  const logs: string[] = [];
  const recorder: Recorder = { info: (m) => logs.push(m), warn: (m) => logs.push(`WARN ${m}`), error: (m) => logs.push(`ERROR ${m}`), count() {} };
  return { cloud, logs, recorder };
}

describe('observe: GetMetricData fails', () => {
  it('still fails a deleted home gateway over, and says the soft signals are unknown', async () => {
    // Prepare: settled at home, then nat-a is deleted and CloudWatch throttles every read.
    const { cloud, logs, recorder } = region();
    await reconcile({ cloud, clock, recorder }, config);
    cloud.nats = [nat('nat-a', 'us-east-1a', 'deleted'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    cloud.failMetrics = () => new ThrottledError('GetMetricData');
    logs.length = 0;

    // Act: a forced read, as an alarm or manual run makes.
    const report = await reconcile({ cloud, clock, recorder }, config, { forceMetrics: true });

    // Assess
    expect(cloud.count('readMetrics')).toBe(2);
    expect(report.observation.metrics).toBeUndefined();
    expect(report.observation.unreadSignals).toEqual([{ source: 'metrics', error: 'GetMetricData was throttled' }]);
    expect(logs).toContain('ERROR metrics not read; soft signals unknown');
    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-b');
    expect(report.results.find((r) => r.action.routeTableId === 'rtb-a')).toMatchObject({ status: 'applied', action: { transition: 'failover' } });
  });

  it('still fails the run on an error that is not the cloud port\'s (a bug is not an outage)', async () => {
    const { cloud, recorder } = region();
    cloud.failMetrics = () => new TypeError('undefined is not a function');
    await expect(reconcile({ cloud, clock, recorder }, config, { forceMetrics: true })).rejects.toThrow(TypeError);
  });
});

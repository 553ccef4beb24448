/**
 * Observe when CloudWatch is unavailable: metrics only feed the soft rules, so a failed read must
 * leave hard-signal failovers working.
 */
import { DEFAULTS, type Config } from '../../src/config';
import { reconcile } from '../../src/reconcile/controller';
import { ThrottledError } from '../../src/errors';
import type { Recorder } from '../../src/reconcile/ports';
import { nat, threeAzRegion } from './memoryCloud';

const NOW = new Date('2026-11-23T12:00:30Z');
const clock = { now: () => NOW, sleep: async () => {} };
const config: Config = { ...DEFAULTS };

describe('observe: GetMetricData fails', () => {
  it('still fails a deleted home gateway over, and says the soft signals are unknown', async () => {
    // Prepare: settled at home, then nat-a is deleted and CloudWatch throttles every read.
    const { cloud, logs, recorder } = threeAzRegion();
    await reconcile({ cloud, clock, recorder }, config);
    cloud.nats = [nat('nat-a', 'us-east-1a', 'deleted'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    cloud.failMetrics = () => new ThrottledError('GetMetricData');
    logs.length = 0;

    // Act: a forced read, as an alarm or manual run makes.
    const report = await reconcile({ cloud, clock, recorder }, config, { forceMetrics: true });

    // Assess
    // The settling run, this run's observe, and its verify read after writing (as it observed).
    expect(cloud.count('readMetrics')).toBe(3);
    expect(report.observation.metrics).toBeUndefined();
    expect(report.observation.unreadSignals).toEqual([{ source: 'metrics', error: 'GetMetricData was throttled' }]);
    expect(logs).toContain('ERROR metrics not read; soft signals unknown');
    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-b');
    expect(report.results.find((r) => r.action.routeTableId === 'rtb-a')).toMatchObject({ status: 'applied', action: { transition: 'failover' } });
  });

  it('still fails the run on an error that is not the cloud port\'s (a bug is not an outage)', async () => {
    const { cloud, recorder } = threeAzRegion();
    cloud.failMetrics = () => new TypeError('undefined is not a function');
    await expect(reconcile({ cloud, clock, recorder }, config, { forceMetrics: true })).rejects.toThrow(TypeError);
  });
});

describe('observe: polling (no managed alarms) while a table is away from home', () => {
  // 12:00:30 is a poll minute (720 % 3 = 0); 12:01:30 and 12:11:30 are not.
  const at = (hhmmss: string) => new Date(`2026-11-23T${hhmmss}Z`);

  async function failedOverThenHomeBack() {
    const { cloud, logs, recorder } = threeAzRegion();
    let now = at('12:00:30');
    const clk = { now: () => now, sleep: async () => {} };
    await reconcile({ cloud, clock: clk, recorder }, config);
    cloud.nats = [nat('nat-a', 'us-east-1a', 'failed'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    await reconcile({ cloud, clock: clk, recorder }, config);
    expect(cloud.target('rtb-a', '0.0.0.0/0')).not.toBe('nat-a');
    // A replacement is not needed: nat-a itself recovers; the hold-down clock starts off-poll.
    cloud.nats = [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    now = at('12:01:30');
    await reconcile({ cloud, clock: clk, recorder }, config);
    return { cloud, logs, recorder, setNow: (d: Date) => (now = d), clk };
  }

  it('reads metrics on an off-poll minute, so a due restore is judged with them', async () => {
    const { cloud, recorder, setNow, clk } = await failedOverThenHomeBack();
    const before = cloud.count('readMetrics');
    setNow(at('12:11:30'));

    await reconcile({ cloud, clock: clk, recorder }, config);

    // Observe, and the verify read after the restore was written (judged the same way).
    expect(cloud.count('readMetrics')).toBe(before + 2);
    expect(cloud.target('rtb-a', '0.0.0.0/0')).toBe('nat-a');
  });

  it('holds the due restore when that read fails, instead of restoring blind off-poll', async () => {
    const { cloud, recorder, setNow, clk } = await failedOverThenHomeBack();
    cloud.failMetrics = () => new ThrottledError('GetMetricData');
    setNow(at('12:11:30'));

    const report = await reconcile({ cloud, clock: clk, recorder }, config);

    expect(cloud.target('rtb-a', '0.0.0.0/0')).not.toBe('nat-a');
    expect(report.plan.findings.map((f) => f.kind)).toContain('monitoring-degraded');
  });

  it('does not read metrics off-poll when every table is home (the poll interval still saves cost)', async () => {
    const { cloud, recorder } = threeAzRegion();
    const clk = { now: () => at('12:01:30'), sleep: async () => {} };
    await reconcile({ cloud, clock: clk, recorder }, config);
    await reconcile({ cloud, clock: clk, recorder }, config);
    expect(cloud.count('readMetrics')).toBe(0);
  });
});

describe('record: what counts as a failover', () => {
  it('counts a repoint to a replacement gateway in the home AZ as neither a failover nor a restore', async () => {
    // Prepare: settled at home; nat-a is deleted and nat-a2 replaces it in the same AZ.
    const { cloud } = threeAzRegion();
    const counts: Record<string, number> = {};
    const recorder: Recorder = { info() {}, warn() {}, error() {}, count: (m, v) => void (counts[m] = (counts[m] ?? 0) + v) };
    await reconcile({ cloud, clock, recorder }, config);
    cloud.nats = [nat('nat-a', 'us-east-1a', 'deleted'), nat('nat-a2', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    for (const k of Object.keys(counts)) delete counts[k];

    // Act
    const report = await reconcile({ cloud, clock, recorder }, config);

    // Assess
    expect(report.results.map((r) => [r.action.routeTableId, r.action.transition, r.status])).toEqual([['rtb-a', 'repoint', 'applied']]);
    // Counts are published only when nonzero: neither series appears.
    expect(counts.Failovers ?? 0).toBe(0);
    expect(counts.Restores ?? 0).toBe(0);
  });
});

describe('record: custom metrics only when they have something to say', () => {
  // Each published series is a billed custom metric for the hours it is published.
  it('a quiet run publishes nothing; a failover, the time away and the restore publish, and the restore ends each AZ series at 0', async () => {
    const { cloud } = threeAzRegion();
    let published: [string, number, Record<string, string> | undefined][] = [];
    const recorder: Recorder = { info() {}, warn() {}, error() {}, count: (m, v, d) => void published.push([m, v, d]) };
    const cfg: Config = { ...DEFAULTS, restoreHoldDownSeconds: 0 };
    const run = async () => {
      published = [];
      await reconcile({ cloud, clock, recorder }, cfg);
      return published;
    };

    // Settled at home: twice nothing.
    await run();
    expect(await run()).toStrictEqual([]);

    // nat-a deleted: the failover run says so, and says rtb-a is away.
    cloud.nats = [nat('nat-a', 'us-east-1a', 'deleted'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    const failover = await run();
    expect(failover).toContainEqual(['Failovers', 1, undefined]);
    expect(failover).toContainEqual(['TablesAwayFromHome', 1, { AvailabilityZone: 'us-east-1a' }]);
    expect(failover.map(([m]) => m)).not.toContain('Restores');

    // Still away: only the tables-away series.
    expect(new Set((await run()).map(([m]) => m))).toStrictEqual(new Set(['TablesAwayFromHome']));

    // nat-a back: the restore run publishes Restores and a closing 0 for every AZ, then silence.
    cloud.nats = [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')];
    const restore = await run();
    expect(restore).toContainEqual(['Restores', 1, undefined]);
    expect(restore.filter(([m]) => m === 'TablesAwayFromHome').map(([, v, d]) => [d?.AvailabilityZone, v])).toStrictEqual([
      ['us-east-1a', 0],
      ['us-east-1b', 0],
      ['us-east-1c', 0],
    ]);
    expect(await run()).toStrictEqual([]);
  });
});
